"""Paged listings (tui.services.paging): page 1 handed on before the others arrive, each
item once, the pages still on their way cancelled when the reader leaves. Pure asyncio:
`fetch` here is a function of the test, the way the services' page readers are called."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from tui.services.paging import PAGE_CONCURRENCY, all_pages, pages


class Listing:
    """A paged listing of `total` names whose pages answer when the test lets them."""

    def __init__(self, total: int, size: int) -> None:
        self.names = [f"n{i:05}" for i in range(total)]
        self.size = size
        self.gates: dict[int, asyncio.Event] = {}
        self.asked: list[int] = []
        self.cancelled: list[int] = []

    def gate(self, number: int) -> asyncio.Event:
        return self.gates.setdefault(number, asyncio.Event())

    async def fetch(self, number: int) -> tuple[list[str], int]:
        self.asked.append(number)
        try:
            await self.gate(number).wait()
        except asyncio.CancelledError:
            self.cancelled.append(number)
            raise
        start = (number - 1) * self.size
        return self.names[start : start + self.size], len(self.names)


async def test_page_one_is_handed_on_before_the_others_arrive_and_the_rest_as_they_come():
    listing = Listing(total=25, size=10)
    listing.gate(1).set()
    stream = pages(listing.fetch, 10, key=str)
    first = await anext(stream)
    assert (first.items, first.total, first.last) == (listing.names[:10], 25, False)
    # Pages 2 and 3 are asked together; 3 answers first and is handed on first.
    listing.gate(3).set()
    third = await anext(stream)
    assert (third.items, third.last) == (listing.names[20:], False)
    listing.gate(2).set()
    second = await anext(stream)
    assert (second.items, second.last) == (listing.names[10:20], True)
    assert sorted(listing.asked) == [1, 2, 3]
    with pytest.raises(StopAsyncIteration):
        await anext(stream)


async def test_one_page_is_the_last_and_an_item_that_moved_pages_is_handed_on_once():
    listing = Listing(total=7, size=10)
    listing.gate(1).set()
    assert [(p.items, p.last) for p in [p async for p in pages(listing.fetch, 10, key=str)]] == [
        (listing.names, True)
    ]

    async def shifting(number: int) -> tuple[list[str], int]:
        # Page 2 was read after an item was added at the top: its first item is page 1's last.
        return (["a", "b"], ["b", "c"])[number - 1], 4

    assert await all_pages(shifting, 2, key=str) == ["a", "b", "c"]
    assert [p.items async for p in pages(shifting, 2, key=str)] == [["a", "b"], ["c"]]


async def test_all_pages_keeps_the_listing_order_whatever_order_the_pages_arrive_in():
    listing = Listing(total=30, size=10)
    for number in (1, 3, 2):
        listing.gate(number).set()
    assert await all_pages(listing.fetch, 10, key=str) == listing.names


async def test_the_pages_still_on_their_way_are_cancelled_when_the_reader_leaves():
    listing = Listing(total=50, size=10)
    listing.gate(1).set()
    listing.gate(2).set()
    async with aclosing(pages(listing.fetch, 10, key=str)) as stream:
        async for page in stream:
            if page.items[0] == "n00010":
                break  # the screen closed after page 2
    for _ in range(100):  # a cancelled task ends at its next turn
        await asyncio.sleep(0)
    assert sorted(listing.asked) == [1, 2, 3, 4, 5]
    assert sorted(listing.cancelled) == [3, 4, 5]


async def test_every_page_of_10000_domains_is_asked_at_once_after_the_first():
    # The whole list in about two pages' time: page 1, then the other 19 together.
    listing = Listing(total=10_000, size=500)
    listing.gate(1).set()
    stream = pages(listing.fetch, 500, key=str)
    await anext(stream)
    waiting = asyncio.ensure_future(anext(stream))
    for _ in range(1000):
        await asyncio.sleep(0)
        if len(listing.asked) == 20:
            break
    assert PAGE_CONCURRENCY >= 19 and sorted(listing.asked) == list(range(1, 21))
    for gate in listing.gates.values():
        gate.set()
    await waiting
    await stream.aclose()
