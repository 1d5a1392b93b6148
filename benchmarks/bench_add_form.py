"""Typing in the add form against a bare Textual Input, side by side in one run:

    .venv/bin/python benchmarks/bench_add_form.py [--keys 60] [--rounds 3] [--existing 0]
                                                  [--gc-freeze]

For each key: the time from the key entering the app's queue to the first frame painted
after the form's checklist has followed it (for the bare app: after the Input has the
character), plus how many layouts and paints the key cost. The rounds alternate bare and
form; the figures are medians and p99 over every key of every round. `--existing N` gives
the form N names already in the account (the list's domains); `--gc-freeze` freezes
what both apps hold once they are up (as the app does after start-up), so the figures
leave out full collections of long-lived objects. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

WARM_UP = 4  # keys not counted in each round
TEXT = "img.newsite.net, Cdn.example.org"


def key(app, char: str) -> None:
    name = {" ": "space", ",": "comma", ".": "full_stop"}.get(char, char)
    event = events.Key(name, char)
    event.set_sender(app)
    app.post_message(event)


def backspace(app) -> None:
    event = events.Key("backspace", None)
    event.set_sender(app)
    app.post_message(event)


class Probe:
    """Counts the frames and layouts of a screen and stamps the first frame after a mark."""

    def __init__(self, app, screen) -> None:
        self.frames: list[float] = []
        self.layouts = 0
        display, refresh_layout = app._display, screen._refresh_layout

        def _display(*args, **kwargs):
            self.frames.append(time.perf_counter())
            return display(*args, **kwargs)

        def _refresh_layout(*args, **kwargs):
            self.layouts += 1
            return refresh_layout(*args, **kwargs)

        app._display = _display
        screen._refresh_layout = _refresh_layout

    async def frame_after(self, moment: float, timeout: float = 10.0) -> float:
        deadline = time.monotonic() + timeout
        while not (self.frames and self.frames[-1] >= moment):
            if time.monotonic() > deadline:
                raise TimeoutError
            await asyncio.sleep(0.0002)
        return next(f for f in self.frames if f >= moment)


FREEZE = False
PLAIN: list[float] = []
CPU: list[list[float]] = []  # per round, bare and form alternating


async def type_keys(app, probe: Probe, followed, count: int) -> tuple[list[float], int, int]:
    """Type TEXT (and delete it again) key by key, a fast typist's 30 ms apart."""
    if FREEZE:
        gc.collect()
        gc.freeze()
    waits = []
    plain = []  # the keys that cost no layout
    cpu = []  # the main thread's CPU time from key to paint (less bent by a loaded machine)
    layouts, frames = probe.layouts, len(probe.frames)
    keys = [*TEXT, *["\b"] * len(TEXT)]
    for i in range(count):
        char = keys[i % len(keys)]
        done: list[float] = []
        followed.append(done)
        before = probe.layouts
        sent, sent_cpu = time.perf_counter(), time.thread_time()
        backspace(app) if char == "\b" else key(app, char)
        deadline = time.monotonic() + 10
        while not done:
            if time.monotonic() > deadline:
                raise TimeoutError(f"key {char!r} never followed")
            await asyncio.sleep(0.0002)
        painted = await probe.frame_after(done[0])
        cpu.append(time.thread_time() - sent_cpu)
        waits.append(painted - sent)
        if probe.layouts == before and i >= WARM_UP:
            plain.append(painted - sent)
        await asyncio.sleep(0.03)
    # The first keys of a fresh app pay for lazy set-up (Textual's and ours): not typing.
    if FREEZE:
        gc.unfreeze()
    PLAIN.extend(plain)
    CPU.append(cpu[WARM_UP:])
    return waits[WARM_UP:], probe.layouts - layouts, len(probe.frames) - frames


class Bare(App):
    def compose(self) -> ComposeResult:
        yield Input()

    def on_mount(self) -> None:
        self.followed: list[list[float]] = []
        self.query_one(Input).focus()

    def on_input_changed(self) -> None:
        if self.followed:
            self.followed[-1].append(time.perf_counter())


async def bare_round(count: int):
    app = Bare()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        probe = Probe(app, app.screen)
        return await type_keys(app, probe, app.followed, count)


async def form_round(count: int, existing: int):
    from screens.add_domain import AddDomainScreen
    from tests.pilot import open_add_form, sandbox_app, wait_for

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add_form(pilot)
        if existing:  # the same form, as the list of `existing` domains would open it
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, AddDomainScreen))
            screen = AddDomainScreen([f"d{n}.example.com" for n in range(existing)])
            await app.push_screen(screen)
            await wait_for(pilot, lambda: screen.origin_host, what="buckets")
        followed: list[list[float]] = []
        # What shows the checks: show_checks (refresh_checks before it was split off).
        shows = "show_checks" if hasattr(screen, "show_checks") else "refresh_checks"
        show = getattr(screen, shows)

        def stamped() -> None:
            show()
            if followed:
                followed[-1].append(time.perf_counter())

        setattr(screen, shows, stamped)
        await pilot.pause(0.5)
        probe = Probe(app, screen)
        return await type_keys(app, probe, followed, count)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


async def main(keys: int, rounds: int, existing: int) -> None:
    bare: list[float] = []
    form: list[float] = []
    costs = {"bare": [0, 0], "form": [0, 0]}
    for _ in range(rounds):
        waits, layouts, frames = await bare_round(keys)
        bare += waits
        costs["bare"][0] += layouts
        costs["bare"][1] += frames
        waits, layouts, frames = await form_round(keys, existing)
        form += waits
        costs["form"][0] += layouts
        costs["form"][1] += frames
    total = keys * rounds
    print(f"{rounds} rounds x {keys} keys, alternated; key -> painted")
    for name, waits in (("bare Input", bare), ("add form", form)):
        layouts, frames = costs["bare" if name == "bare Input" else "form"]
        print(
            f"{name:11} p50 {statistics.median(waits) * 1000:6.2f} ms  "
            f"p99 {pct(waits, 0.99) * 1000:6.2f} ms  "
            f"layouts/key {layouts / total:4.2f}  frames/key {frames / total:4.2f}"
        )
    bare_cpu = [c for r in CPU[0::2] for c in r]
    form_cpu = [c for r in CPU[1::2] for c in r]
    print(
        f"main-thread CPU per key, p50: bare {statistics.median(bare_cpu) * 1000:5.2f} ms, "
        f"form {statistics.median(form_cpu) * 1000:5.2f} ms "
        f"({statistics.median(form_cpu) / statistics.median(bare_cpu):4.2f}x)"
    )
    if PLAIN:
        plain = statistics.median(PLAIN) * 1000
        print(f"form keys without a layout ({len(PLAIN)}): p50 {plain:6.2f} ms")
    print(
        f"ratio       p50 {statistics.median(form) / statistics.median(bare):5.2f}x  "
        f"p99 {pct(form, 0.99) / pct(bare, 0.99):5.2f}x   (goal <= 2x each)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--existing", type=int, default=0)
    parser.add_argument("--gc-freeze", action="store_true")
    args = parser.parse_args()
    FREEZE = args.gc_freeze
    asyncio.run(main(args.keys, args.rounds, args.existing))
