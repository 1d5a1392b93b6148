"""Filtering and sorting lists: pure, so it is quick to test and to measure."""

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
