"""What the key gate (tui/key_order.py) costs an idle app (folded in from bench_keys.py).

On the sandbox's domain list with the filter focused, letters are typed as spaced keys
(one every 30 ms) with the gate on and off, and as a burst (all queued at once): the
time from a key entering the app's queue to the filter showing it, and per key of a
burst. The gate may hold a key only while the one before it is being handled.
"""

from __future__ import annotations

import asyncio
import time

from benchmarks.measure import Figure, ms, percentile


async def until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.0005)


def key(app, char: str) -> None:
    from textual import events

    event = events.Key(char, char)
    event.set_sender(app)
    app.post_message(event)


async def measure(count: int) -> list[Figure]:
    from tests.pilot import connected
    from tui.app import OssCdnApp
    from tui.key_order import _busy_pumps
    from tui.launch import LaunchOptions
    from tui.widgets.paged_table import FilterInput

    app = OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=1000))
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        await pilot.press("slash")
        box = app.screen.query_one(FilterInput)
        await until(lambda: box.has_focus)

        started = time.perf_counter()
        for _ in range(1000):
            _busy_pumps(app, handling=1)
        look = (time.perf_counter() - started) / 1000

        async def spaced() -> list[float]:
            box.value = ""
            waits = []
            for i in range(count):
                before = len(box.value)
                sent = time.perf_counter()
                key(app, "abcdefghij"[i % 10])
                await until(lambda: len(box.value) > before)
                waits.append(ms(time.perf_counter() - sent))
                await asyncio.sleep(0.03)
            return waits

        async def burst() -> float:
            box.value = ""
            await pilot.pause()
            sent = time.perf_counter()
            for i in range(count):
                key(app, "abcdefghij"[i % 10])
            await until(lambda: len(box.value) == count)
            return ms(time.perf_counter() - sent) / count

        on = await spaced()
        gated = await burst()
        holds = app.key_gate.holds
        app.key_gate.holds = lambda event: False
        off = await spaced()
        ungated = await burst()
        app.key_gate.holds = holds
    return [
        Figure(
            "-",
            "key gate: spaced key -> filter, gate on (p50)",
            percentile(on, 50),
            samples=len(on),
            low=min(on),
            high=percentile(on, 95),
            reference_name="gate off",
            reference=percentile(off, 50),
            note="spread: min-p95",
        ),
        Figure(
            "-",
            "key gate: a key of a burst, gate on",
            gated,
            reference_name="gate off",
            reference=ungated,
        ),
        Figure("-", "key gate: one look at every message queue", look * 1e6, unit="µs"),
    ]


def run(quick: bool = False) -> list[Figure]:
    return asyncio.run(measure(40 if quick else 200))
