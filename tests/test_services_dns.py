"""The Alidns service against the sandbox: the real SDK over loopback sockets, no mocks."""

from __future__ import annotations

import asyncio

import pytest

from tui.services.alidns import is_denied
from tui.services.errors import CloudError, is_domain_not_found, is_record_locked
from tui.services.facade import Services


@pytest.fixture
def services(profile):
    return Services(profile)


async def test_list_zones_shows_the_zones_hosted_in_alidns(services):
    zones = {z.name: z for z in await services.dns.list_zones()}
    # partner.org's DNS is hosted elsewhere: served, but not in this account's Alidns.
    assert set(zones) == {"example.com", "newsite.net", "example.com.cn"}
    assert zones["example.com"].dns_servers == ("dns9.hichina.com", "dns10.hichina.com")
    assert zones["example.com"].record_count == 8


async def test_list_zones_reads_every_page(services, sandbox):
    for i in range(250):
        sandbox.world.add_zone(f"zone{i:03}.net")
    sandbox.calls.clear()
    zones = await services.dns.list_zones()
    assert len(zones) == 253
    pages = sandbox.calls.of("DescribeDomains")
    assert sorted(int(p["PageNumber"]) for p in pages) == [1, 2, 3]
    assert {p["PageSize"] for p in pages} == {"100"}


async def test_zone_info(services):
    zone = await services.dns.zone("newsite.net")
    assert zone.name == "newsite.net"
    assert zone.dns_servers == ("dns9.hichina.com", "dns10.hichina.com")


async def test_zone_info_of_a_zone_not_in_the_account(services):
    with pytest.raises(CloudError) as caught:
        await services.dns.zone("partner.org")
    assert caught.value.code.startswith(("InvalidDomainName", "IncorrectDomainUser"))
    assert caught.value.request_id
    assert caught.value.service == "DNS"


async def test_records_of_a_zone(services):
    records = await services.dns.records("example.com")
    by_rr_type = {(r.rr, r.type): r for r in records}
    assert len(records) == 8
    mx = by_rr_type[("@", "MX")]
    assert (mx.value, mx.priority, mx.zone, mx.fqdn) == (
        "mx1.example.com",
        10,
        "example.com",
        "example.com",
    )
    dmarc = by_rr_type[("_dmarc", "TXT")]
    assert dmarc.locked and dmarc.enabled and dmarc.ttl == 600
    assert by_rr_type[("img", "CNAME")].value == "img.example.com.w.kunlunsl.com"


async def test_records_read_every_page_concurrently(services, sandbox):
    for i in range(1100):
        sandbox.world.add_record("example.com", f"host{i:04}", "A", f"127.0.1.{i % 250 + 1}")
    sandbox.calls.clear()
    records = await services.dns.records("example.com")
    assert len(records) == 1108
    assert len({r.record_id for r in records}) == 1108
    pages = sandbox.calls.of("DescribeDomainRecords")
    assert sorted(int(p["PageNumber"]) for p in pages) == [1, 2, 3]
    assert {p["PageSize"] for p in pages} == {"500"}


async def test_records_at_filters_the_fuzzy_keyword_exactly(services, sandbox):
    at_www = await services.dns.records_at("example.com", "www")
    assert [(r.rr, r.value) for r in at_www] == [("www", "127.0.0.11")]
    # The API itself was asked with the fuzzy keyword, and answered www2 too.
    assert sandbox.calls.of("DescribeDomainRecords")[-1]["RRKeyWord"] == "www"
    apex = await services.dns.records_at("example.com", "@")
    assert sorted(r.type for r in apex) == ["A", "MX", "TXT"]
    assert [r.type for r in await services.dns.records_at("example.com", "@", "MX")] == ["MX"]


async def test_sub_domain_records(services):
    records = await services.dns.sub_domain_records("www.example.com")
    assert [(r.rr, r.zone, r.value) for r in records] == [("www", "example.com", "127.0.0.11")]


async def test_add_update_disable_delete_round_trip(services, sandbox):
    dns = services.dns
    added = await dns.add_record(
        "example.com", "cdn", "CNAME", "cdn.example.com.w.kunlunsl.com", ttl=600
    )
    assert added.record_id
    stored = sandbox.world.find_record(added.record_id)
    assert (stored.rr, stored.type, stored.value) == (
        "cdn",
        "CNAME",
        "cdn.example.com.w.kunlunsl.com",
    )

    updated = await dns.update_record(added, value="other.example.com.w.kunlunsl.com", ttl=1200)
    assert (updated.value, updated.ttl) == ("other.example.com.w.kunlunsl.com", 1200)
    [seen] = await dns.records_at("example.com", "cdn")
    assert (seen.record_id, seen.value, seen.ttl) == (added.record_id, updated.value, 1200)

    assert (await dns.set_record_status(added.record_id, False)).lower() == "disable"
    [seen] = await dns.records_at("example.com", "cdn")
    assert not seen.enabled
    assert (await dns.set_record_status(added.record_id, True)).lower() == "enable"

    await dns.delete_record(added.record_id)
    assert await dns.records_at("example.com", "cdn") == []
    assert sandbox.world.find_record(added.record_id) is None


async def test_duplicate_and_conflicting_records_are_refused(services):
    with pytest.raises(CloudError) as caught:
        await services.dns.add_record("example.com", "www", "A", "127.0.0.11")
    assert caught.value.code == "DomainRecordDuplicate"
    with pytest.raises(CloudError) as caught:
        await services.dns.add_record("example.com", "www", "CNAME", "x.w.kunlunsl.com")
    assert caught.value.code == "DomainRecordConflict"
    assert caught.value.status == 400
    assert not caught.value.retryable


async def test_a_locked_record_refuses_every_change_with_the_real_code(services):
    records = await services.dns.records("example.com")
    dmarc = next(r for r in records if r.rr == "_dmarc")
    assert dmarc.locked
    for change in (
        services.dns.delete_record(dmarc.record_id),
        services.dns.set_record_status(dmarc.record_id, False),
    ):
        with pytest.raises(CloudError) as caught:
            await change
        error = caught.value
        assert error.code == "Forbidden.RecordLocked"  # Alidns' code, as the sandbox answers
        assert is_record_locked(error)
        # A Forbidden.* code, yet no want of permission: not read as a RAM denial.
        assert not is_denied(error) and not is_domain_not_found(error)
    assert not is_record_locked(ValueError("Forbidden.RecordLocked"))


async def test_pages_after_the_first_are_fetched_together(services, sandbox):
    for i in range(2200):
        sandbox.world.add_record("newsite.net", f"h{i:04}", "A", "127.0.2.1")
    # Every page answers HOLD s late. One after another, page 3 would be asked only once
    # page 2 was answered; together, pages 2-5 are all asked while page 2 is still held.
    hold = 3.0
    sandbox.faults.add("timeout", "DescribeDomainRecords", count=None, delay=hold)
    listing = asyncio.ensure_future(services.dns.records("newsite.net"))

    def asked() -> int:
        return len(sandbox.calls.of("DescribeDomainRecords"))

    async def until(count: int, within: float) -> None:
        async def wait() -> None:
            while asked() < count:
                await asyncio.sleep(0.01)

        await asyncio.wait_for(wait(), within)

    await until(2, 30)  # page 1 answered, page 2 asked
    await until(5, hold * 0.9)  # the rest asked before page 2's answer could come
    records = await listing
    assert len(records) == 2202
    assert asked() == 5
