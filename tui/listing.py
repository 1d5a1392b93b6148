"""Filtering and sorting lists (CDN domains, DNS records): pure, so it is quick to test
and to measure.

A filter is a `Search`: each item's text to search is worked out once (`key`), a filter
text is read once (`test`), and a text that only narrows the one before (`narrows`:
"img" -> "img.e") is looked for among the items the one before let through. Typing over
10,000 domains then costs a substring test per item, or fewer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

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


T = TypeVar("T")


class Search(Generic[T]):
    """How a filter text narrows a list of T."""

    def key(self, item: T) -> Any:
        """What of `item` a filter looks at, worked out once per item."""
        raise NotImplementedError

    def test(self, text: str) -> Callable[[Any], bool] | None:
        """Whether an item's key matches `text`; None when `text` narrows nothing."""
        raise NotImplementedError

    def narrows(self, before: str, after: str) -> bool:
        """Whether every item matching `after` matches `before` too."""
        raise NotImplementedError

    def filter(self, items: Iterable[T], text: str) -> list[T]:
        test = self.test(text)
        if test is None:
            return list(items)
        key = self.key
        return [item for item in items if test(key(item))]


def matches_every_word(haystack: str, text: str) -> bool:
    """Whether every word of `text` is part of `haystack`, in any case. No words: True."""
    haystack = haystack.lower()
    return all(word in haystack for word in text.lower().split())


def _every_word(words: Sequence[str]) -> Callable[[str], bool]:
    """A test of a lowercase haystack for these lowercase words (one word: one `in`)."""
    if len(words) == 1:
        (word,) = words
        return lambda haystack: word in haystack
    return lambda haystack: all(word in haystack for word in words)


def _within(before: Sequence[str], after: Sequence[str]) -> bool:
    """Each word before is part of a word after: a haystack holding every word after
    holds every word before."""
    return all(any(old in new for new in after) for old in before)


class DomainSearch(Search):
    """Domains whose name (as people write it), CNAME, origin or status contain every
    word of the text, in any case."""

    def key(self, d: CdnDomain) -> str:
        return f"{display_name(d.name)} {d.cname} {d.origin} {d.status}".lower()

    def test(self, text: str) -> Callable[[str], bool] | None:
        words = text.lower().split()
        return _every_word(words) if words else None

    def narrows(self, before: str, after: str) -> bool:
        return _within(before.lower().split(), after.lower().split())


DOMAIN_SEARCH = DomainSearch()


def filter_domains(domains: Iterable[CdnDomain], text: str) -> list[CdnDomain]:
    """Domains whose name, CNAME, origin or status contain every word of `text`."""
    return DOMAIN_SEARCH.filter(domains, text)


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


def _record_words(text: str) -> tuple[frozenset[tuple[int, str]], list[str]]:
    """A records filter text read: its `field:text` words (as (index in a record's key,
    text)) and its other words, lowercase."""
    exact: set[tuple[int, str]] = set()
    loose: list[str] = []
    for word in text.lower().split():
        field, colon, wanted = word.partition(":")
        if colon and field in RECORD_FIELDS:
            if wanted:  # "type:" alone, half typed, narrows nothing yet
                exact.add((_RECORD_INDEX[field], wanted))
        else:
            loose.append(word)
    return frozenset(exact), loose


_RECORD_INDEX = {field: i for i, field in enumerate(RECORD_FIELDS, start=1)}


class RecordSearch(Search):
    """Records matching every word of the text, case-insensitively: `type:mx`, `rr:www`,
    `status:disabled` (any of RECORD_FIELDS) match that field exactly; any other word
    matches part of the host, type or value."""

    def key(self, r: DnsRecord) -> tuple[str, ...]:
        # The searched fields joined (a word holds no space, so it cannot match across
        # two of them), then each of RECORD_FIELDS, lowercase.
        searched = " ".join(RECORD_FIELDS[f](r) for f in SEARCHED_RECORD_FIELDS).lower()
        return (searched, *(read(r).lower() for read in RECORD_FIELDS.values()))

    def test(self, text: str) -> Callable[[tuple[str, ...]], bool] | None:
        exact, loose = _record_words(text)
        if not exact and not loose:
            return None
        words = _every_word(loose) if loose else None
        return lambda key: (
            all(key[i] == wanted for i, wanted in exact) and (words is None or words(key[0]))
        )

    def narrows(self, before: str, after: str) -> bool:
        exact_before, loose_before = _record_words(before)
        exact_after, loose_after = _record_words(after)
        return exact_before <= exact_after and _within(loose_before, loose_after)


RECORD_SEARCH = RecordSearch()


def filter_records(records: Iterable[DnsRecord], text: str) -> list[DnsRecord]:
    """Records matching every word of `text`, case-insensitively: `type:mx`, `rr:www`,
    `status:disabled` (any of RECORD_FIELDS) match that field exactly; any other word
    matches part of the host, type or value."""
    return RECORD_SEARCH.filter(records, text)
