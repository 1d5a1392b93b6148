"""Paged listings read the way a screen wants them: page 1 first, the rest together.

A listing of 10,000 CDN domains is 20 pages of 500: the first rows can be on screen as
soon as page 1 arrives, and the whole list as soon as the slowest other page does.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# Pages fetched at once after the first: 10,000 CDN domains (20 pages of 500) in one
# round, so the whole list takes about two pages' time. The API limits calls per second
# per account, not calls in flight; a throttled page is retried (tui.services.retry).
PAGE_CONCURRENCY = 20


@dataclass(frozen=True)
class Page(Generic[T]):
    """A page of a paged listing as it arrives: its items not seen on an earlier page,
    the total count the first page announced, and whether any page is still to come."""

    items: list[T]
    total: int
    last: bool


async def pages(
    fetch: Callable[[int], Awaitable[tuple[list[T], int]]],
    page_size: int,
    key: Callable[[T], Hashable],
) -> AsyncGenerator[Page[T], None]:
    """Every item of a paged listing, a page at a time as each arrives, so a screen can
    show the first rows while the rest are read. `fetch(n)` returns page n and the
    total count.

    Page 1 tells the total; the others are fetched together (PAGE_CONCURRENCY at a time)
    and handed on in the order they arrive. An item that moved between pages while they
    were read is handed on once. Closing the iterator (or an error) cancels the pages
    still on their way.
    """
    async for page in _pages(fetch, page_size, key, ordered=False):
        yield page


async def all_pages(
    fetch: Callable[[int], Awaitable[tuple[list[T], int]]],
    page_size: int,
    key: Callable[[T], Hashable],
) -> list[T]:
    """Every item of a paged listing, in the listing's order (see `pages`)."""
    items: list[T] = []
    async for page in _pages(fetch, page_size, key, ordered=True):
        items.extend(page.items)
    return items


async def _pages(
    fetch: Callable[[int], Awaitable[tuple[list[T], int]]],
    page_size: int,
    key: Callable[[T], Hashable],
    *,
    ordered: bool,
) -> AsyncGenerator[Page[T], None]:
    seen: set[Hashable] = set()

    def unseen(chunk: list[T]) -> list[T]:
        fresh = []
        for item in chunk:
            if (name := key(item)) not in seen:
                seen.add(name)
                fresh.append(item)
        return fresh

    first, total = await fetch(1)
    pages = max(1, math.ceil(total / page_size))
    yield Page(unseen(first), total, pages == 1)
    if pages == 1:
        return
    limit = asyncio.Semaphore(PAGE_CONCURRENCY)

    async def page(number: int) -> list[T]:
        async with limit:
            items, _ = await fetch(number)
            return items

    tasks = [asyncio.ensure_future(page(n)) for n in range(2, pages + 1)]
    try:
        arrivals = tasks if ordered else asyncio.as_completed(tasks)
        for left, arrival in enumerate(arrivals, start=1):
            yield Page(unseen(await arrival), total, left == len(tasks))
    finally:
        # An error, or the reader gone (a worker cancelled, a screen closed): the pages
        # still on their way are not wanted.
        for task in tasks:
            task.cancel()
