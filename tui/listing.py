"""Filtering and sorting the domain list: pure, so it is quick to test and to measure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tui.rules import display_name
from tui.services.models import CdnDomain

# column key -> how to sort by it
SORT_KEYS = {
    "name": lambda d: d.name,
    "status": lambda d: d.status,
    "cname": lambda d: d.cname,
    "type": lambda d: d.cdn_type,
    "scope": lambda d: d.scope,
    "origin": lambda d: d.origin,
    "created": lambda d: d.created,
}


def filter_domains(domains: Iterable[CdnDomain], text: str) -> list[CdnDomain]:
    """Domains whose name, CNAME, origin or status contain every word of `text`."""
    words = text.lower().split()
    if not words:
        return list(domains)
    out = []
    for d in domains:
        haystack = f"{display_name(d.name)} {d.cname} {d.origin} {d.status}".lower()
        if all(w in haystack for w in words):
            out.append(d)
    return out


def sort_domains(domains: Sequence[CdnDomain], key: str, reverse: bool = False) -> list[CdnDomain]:
    return sorted(domains, key=SORT_KEYS[key], reverse=reverse)
