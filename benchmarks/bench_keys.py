"""What the key gate (tui/key_order.py) costs on an idle app. Run:

    .venv/bin/python benchmarks/bench_keys.py [--keys 200]

On the domain list of the sandbox, with the filter focused, it types letters three ways
and prints the time from a key entering the app's queue to the filter showing it:
- spaced keys (one every 30 ms, a fast typist): the gate lets each through at once;
- a burst (every key queued at once): each key waits for the one before it to settle;
- the same burst with the gate switched off, for comparison.
Asserts nothing: speed is measured here, not in timed tests.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual import events

from tui.app import OssCdnApp
from tui.key_order import _busy_pumps
from tui.launch import LaunchOptions
from tui.widgets.paged_table import FilterInput


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


async def until(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.0005)


def key(app, char: str) -> None:
    event = events.Key(char, char)
    event.set_sender(app)
    app.post_message(event)


async def main(count: int) -> None:
    app = OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=1000))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(
            pilot,
            lambda: app.services is not None and app.screen.query_one("#domains").row_count > 0,
        )
        await pilot.press("slash")
        box = app.screen.query_one(FilterInput)
        await until(pilot, lambda: box.has_focus)

        started = time.perf_counter()
        for _ in range(1000):
            _busy_pumps(app, handling=1)
        look = (time.perf_counter() - started) / 1000
        print(
            f"one look at every message queue ({len(list(app.screen.walk_children()))} "
            f"widgets on screen): {look * 1e6:.0f} µs"
        )

        async def spaced() -> list[float]:
            box.value = ""
            waits = []
            for i in range(count):
                before = len(box.value)
                sent = time.perf_counter()
                key(app, "abcdefghij"[i % 10])
                await until(pilot, lambda: len(box.value) > before)
                waits.append(time.perf_counter() - sent)
                await asyncio.sleep(0.03)
            return waits

        async def burst() -> float:
            box.value = ""
            await pilot.pause()
            sent = time.perf_counter()
            for i in range(count):
                key(app, "abcdefghij"[i % 10])
            await until(pilot, lambda: len(box.value) == count)
            return time.perf_counter() - sent

        waits = await spaced()
        print(
            f"spaced keys, gate on:  median {ms(statistics.median(waits))}, "
            f"p95 {ms(sorted(waits)[int(len(waits) * 0.95)])} from key to filter"
        )
        gated = await burst()
        holds = app.key_gate.holds
        app.key_gate.holds = lambda event: False
        waits_off = await spaced()
        ungated = await burst()
        app.key_gate.holds = holds
        print(
            f"spaced keys, gate off: median {ms(statistics.median(waits_off))}, "
            f"p95 {ms(sorted(waits_off)[int(len(waits_off) * 0.95)])}"
        )
        print(f"burst of {count}, gate on:  {ms(gated / count)} a key")
        print(f"burst of {count}, gate off: {ms(ungated / count)} a key")
        print(f"added by the gate in a burst: {ms((gated - ungated) / count)} a key")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=200)
    asyncio.run(main(parser.parse_args().keys))
