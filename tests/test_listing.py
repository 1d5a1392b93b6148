"""Filtering and ordering DNS records (tui/listing.py): what the records screen's `/` and
its order follow. (Domains: tests/test_paged_table.py.)"""

from __future__ import annotations

from tui.listing import filter_records, record_order
from tui.services.models import DnsRecord


def rec(rr: str, type: str, value: str, status: str = "ENABLE", ttl: int = 600) -> DnsRecord:
    return DnsRecord(
        record_id=f"{rr}-{type}",
        zone="example.com",
        rr=rr,
        type=type,
        value=value,
        status=status,
        ttl=ttl,
    )


RECORDS = [
    rec("@", "A", "127.0.0.10"),
    rec("@", "TXT", "v=spf1 -all"),
    rec("www", "A", "127.0.0.11"),
    rec("www2", "A", "127.0.0.12", status="DISABLE"),
    rec("img", "CNAME", "img.example.com.w.kunlunsl.com", ttl=3600),
]


def rrs(found) -> list[str]:
    return [f"{r.rr} {r.type}" for r in found]


def test_filter_words_match_part_of_host_type_or_value_in_any_case():
    assert rrs(filter_records(RECORDS, "WWW")) == ["www A", "www2 A"]
    assert rrs(filter_records(RECORDS, "kunlun")) == ["img CNAME"]
    assert rrs(filter_records(RECORDS, "txt")) == ["@ TXT"]
    assert rrs(filter_records(RECORDS, "www .12")) == ["www2 A"]  # every word must match
    assert rrs(filter_records(RECORDS, "  ")) == rrs(RECORDS)
    # TTL and status are not searched loosely: "600" is no part of any host, type or value.
    assert filter_records(RECORDS, "600") == []


def test_field_words_match_that_field_exactly():
    assert rrs(filter_records(RECORDS, "rr:www")) == ["www A"]
    assert rrs(filter_records(RECORDS, "type:a")) == ["@ A", "www A", "www2 A"]
    assert rrs(filter_records(RECORDS, "status:disabled")) == ["www2 A"]
    assert rrs(filter_records(RECORDS, "ttl:3600")) == ["img CNAME"]
    assert rrs(filter_records(RECORDS, "type:a 11")) == ["www A"]
    # Half typed ("type:") narrows nothing yet; an unknown field is a plain word.
    assert rrs(filter_records(RECORDS, "type:")) == rrs(RECORDS)
    assert filter_records(RECORDS, "owner:me") == []


def test_records_are_ordered_as_the_console_lists_them():
    shuffled = [RECORDS[4], RECORDS[3], RECORDS[1], RECORDS[2], RECORDS[0]]
    in_order = sorted([*shuffled, rec("WWW", "AAAA", "2001:db8::1")], key=record_order)
    # The apex first (A before TXT), then hosts in any case, then type.
    assert rrs(in_order) == ["@ A", "@ TXT", "img CNAME", "www A", "WWW AAAA", "www2 A"]
