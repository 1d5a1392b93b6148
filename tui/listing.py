"""Filtering and sorting lists (CDN domains, DNS records): pure, so it is quick to test
and to measure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tui.rules import display_name
from tui.services.models import CdnDomain, DnsRecord

# column key -> how to sort the domains by it
SORT_KEYS = {
    "name": lambda d: d.name,
    "status": lambda d: d.status,
    "cname": lambda d: d.cname,
    "type": lambda d: d.cdn_type,
    "scope": lambda d: d.scope,
    "origin": lambda d: d.origin,
    "created": lambda d: d.created,
}


def matches_every_word(haystack: str, text: str) -> bool:
    """Whether every word of `text` is part of `haystack`, in any case. No words: True."""
    haystack = haystack.lower()
    return all(word in haystack for word in text.lower().split())


def filter_domains(domains: Iterable[CdnDomain], text: str) -> list[CdnDomain]:
    """Domains whose name, CNAME, origin or status contain every word of `text`."""
    if not text.strip():
        return list(domains)
    return [
        d
        for d in domains
        if matches_every_word(f"{display_name(d.name)} {d.cname} {d.origin} {d.status}", text)
    ]


def sort_domains(domains: Sequence[CdnDomain], key: str, reverse: bool = False) -> list[CdnDomain]:
    return sorted(domains, key=SORT_KEYS[key], reverse=reverse)


# -- DNS records -------------------------------------------------------------------------

# `field:text` in the filter matches that field exactly; other words, any part of these.
RECORD_FIELDS = {
    "rr": lambda r: r.rr,
    "type": lambda r: r.type,
    "value": lambda r: r.value,
    "ttl": lambda r: str(r.ttl),
    "line": lambda r: r.line,
    "status": lambda r: "enabled" if r.enabled else "disabled",
}
SEARCHED_RECORD_FIELDS = ("rr", "type", "value")


def record_order(record: DnsRecord) -> tuple:
    """The apex first, then by host, type and value, as the console lists them."""
    return record.rr != "@", record.rr.lower(), record.type, record.value


def filter_records(records: Iterable[DnsRecord], text: str) -> list[DnsRecord]:
    """Records matching every word of `text`, case-insensitively: `type:mx`, `rr:www`,
    `status:disabled` (any of RECORD_FIELDS) match that field exactly; any other word
    matches part of the host, type or value."""
    exact: list[tuple[str, str]] = []
    loose: list[str] = []
    for word in text.lower().split():
        field, colon, wanted = word.partition(":")
        if colon and field in RECORD_FIELDS:
            if wanted:  # "type:" alone, half typed, narrows nothing yet
                exact.append((field, wanted))
        else:
            loose.append(word)
    if not exact and not loose:
        return list(records)
    # A word holds no space, so it cannot match across two of the fields joined here.
    words = " ".join(loose)
    return [
        r
        for r in records
        if all(RECORD_FIELDS[f](r).lower() == wanted for f, wanted in exact)
        and matches_every_word(" ".join(RECORD_FIELDS[f](r) for f in SEARCHED_RECORD_FIELDS), words)
    ]
