"""What the list benchmarks compare (goals 3 and 5), defined once for both.

Subject: a list screen's first reading, from the moment its read starts (the first step
of the screen's `read_pages`: page 1 is asked for) to the first paint with rows on the
screen, and to the first paint with every item in the table. Opening the screen (the key,
the mount, the worker) happens before that: it is reported as a figure of its own, with
no goal.

Reference: one page AS THE APP GETS IT: the same request through the app's own service
layer (TeaService.call over the official SDK client, the service's own answer mapper),
in the same process and the same run, right after each subject run (subject, reference,
subject, reference...), once the app is idle (no worker running). "One page" is page 1
(where the first rows come from), read a few times; "the slowest page" is the slowest of
every page, each read alone, one after the other.
"""

from __future__ import annotations

import time
from contextlib import aclosing

REFERENCE_READS = 3  # page 1 read this many times after each subject run


class ReadStarts:
    """Notes when a list screen class's read starts (`times`, perf_counter seconds).

    Wraps the class's `read_pages` in this benchmark's process only: the wrapper is an
    async generator whose first step (when the screen's load worker asks for page 1)
    notes the time, then hands on the screen's own pages unchanged."""

    def __init__(self, screen_cls) -> None:
        self.times: list[float] = []
        original = screen_cls.read_pages
        starts = self

        def read_pages(screen):
            return starts._timed(original(screen))

        screen_cls.read_pages = read_pages

    async def _timed(self, pages):
        self.times.append(time.perf_counter())
        async with aclosing(pages):
            async for page in pages:
                yield page

    def since(self, mark: int) -> float | None:
        """The first read start after `mark` (a len(times) taken before), or None."""
        return self.times[mark] if len(self.times) > mark else None


async def settle(pilot, timeout: float = 120.0) -> None:
    """Until the app is idle: none of its workers running (the progress column, the
    quota...), then a moment more, so that a reference has the loop to itself."""
    from tests.pilot import wait_for

    app = pilot.app
    await wait_for(
        pilot,
        lambda: not any(w.is_running for w in app.workers),
        timeout,
        "the app idle",
    )
    await pilot.pause(0.3)


async def timed(read) -> float:
    """Seconds one awaited read (a coroutine) takes."""
    start = time.perf_counter()
    await read
    return time.perf_counter() - start


async def references(page, pages: int) -> tuple[list[float], float]:
    """Page 1 read REFERENCE_READS times, and the slowest of pages 1..`pages` each read
    once: (page 1's seconds, the slowest page's seconds). `page(n)` reads page n the
    app's way."""
    first = [await timed(page(1)) for _ in range(REFERENCE_READS)]
    each = [await timed(page(n)) for n in range(1, pages + 1)]
    return first, max(each)
