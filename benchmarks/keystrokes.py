"""Goal 2: typing in the add form at bare-Textual speed.

Alternated rounds (a bare Input app, the app's add form, ...) type the same names one key
every 30 ms (a fast typist); each key is timed from its post to the first paint that shows
it: for the bare Input, the field's new value; for the add form, the field and the
checklist under it updated (PaintProbe). Figures: p50 and p99 over every key, the spread
of the rounds' p50s; the first word typed in a fresh app (the first valid name: no stall);
and `check_domain` against 10,000 existing names.
"""

from __future__ import annotations

import asyncio
import time

from benchmarks.bare_app import BareInput
from benchmarks.loop_lag import LoopLag
from benchmarks.measure import Figure, Runs, ms, percentile
from benchmarks.paint_probe import PaintProbe

WORDS = ["img.shop.example.com", "cdn.example.org", "static.assets.example.cn"]
SPACING = 0.03  # seconds between keys: a fast typist
EXISTING = 10_000


async def _type(probe: PaintProbe, field, shown) -> list[float]:
    """Type WORDS into `field`; each key's seconds to the paint where `shown(text)`."""
    samples = []
    for word in WORDS:
        field.value = ""
        await asyncio.sleep(0.3)  # the form settles (its cloud check after a pause too)
        for n, char in enumerate(word, 1):
            text = word[:n]
            samples.append(await probe.key_to_paint(char, lambda t=text: shown(t)))
            await asyncio.sleep(SPACING)
    return samples


async def bare_round() -> list[float]:
    app = BareInput()
    async with app.run_test(size=(80, 24)) as pilot:
        field = app.query_one("#field")
        field.focus()
        await pilot.pause()
        probe = PaintProbe(app)
        return await _type(probe, field, lambda text: field.value == text)


async def app_round(lag: LoopLag | None = None) -> list[float]:
    from textual.widgets import Input, Static

    from tests.pilot import open_add_form  # the way a person opens it
    from tui.app import OssCdnApp
    from tui.launch import LaunchOptions

    app = OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=1000.0))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add_form(pilot)
        field = screen.query_one("#domain", Input)
        checklist = screen.query_one("#checklist", Static)
        updates = [0]
        update = checklist.update

        def counted(*args, **kwargs):
            updates[0] += 1
            return update(*args, **kwargs)

        checklist.update = counted  # this widget only: count what the form shows
        probe = PaintProbe(app)
        seen = [0]

        def shown(text: str) -> bool:
            if field.value == text and updates[0] > seen[0]:
                seen[0] = updates[0]
                return True
            return False

        if lag is not None:
            lag.start()
        with lag.during("typing in the add form") if lag else _nothing():
            samples = await _type(probe, field, shown)
        if lag is not None:
            await lag.stop()
        return samples


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def check_domain_figure(quick: bool) -> Figure:
    from tui.rules import check_domain

    existing = frozenset(f"d{n:05d}.example.com" for n in range(EXISTING))
    name = "img.shop.example.com.cn"
    check_domain(name, existing=existing)  # the public-suffix list, parsed once
    samples = []
    for i in range(300 if quick else 2000):
        text = name[: i % len(name) + 1]
        start = time.perf_counter()
        check_domain(text, existing=existing)
        samples.append(ms(time.perf_counter() - start))
    runs = Runs(samples)
    return Figure(
        "2",
        f"check_domain, {EXISTING:,} existing names (p50)",
        runs.median,
        runs=1,
        samples=len(samples),
        low=runs.low,
        high=percentile(samples, 99),
        goal="max",
        bound=0.2,
        note="spread shown is min-p99 of the calls",
    )


async def measure(quick: bool) -> list[Figure]:
    rounds = 1 if quick else 3
    bare_keys: list[float] = []
    app_keys: list[float] = []
    bare_p50, app_p50 = Runs(), Runs()
    first_word: list[float] = []
    lag = LoopLag(profile=True)
    for n in range(rounds):
        bare = [ms(s) for s in await bare_round()]
        typed = [ms(s) for s in await app_round(lag if n == 0 else None)]
        if n == 0:
            first_word = typed[: len(WORDS[0])]
        bare_keys += bare
        app_keys += typed
        bare_p50.add(percentile(bare, 50))
        app_p50.add(percentile(typed, 50))
    figures = []
    for p in (50, 99):
        subject = Runs([percentile(app_keys, p)])
        reference = Runs([percentile(bare_keys, p)])
        spread = app_p50 if p == 50 else None
        figures.append(
            Figure(
                "2",
                f"key -> checklist painted, p{p}",
                subject.median,
                runs=rounds,
                samples=len(app_keys),
                low=spread.low if spread else min(app_keys),
                high=spread.high if spread else max(app_keys),
                reference_name=f"bare Input key -> paint, p{p}",
                reference=reference.median,
                reference_low=bare_p50.low if p == 50 else min(bare_keys),
                reference_high=bare_p50.high if p == 50 else max(bare_keys),
                goal="ratio",
                bound=2.0,
                note="" if p == 99 else "spread: the rounds' p50s (p99 line: min-max of all keys)",
            )
        )
    figures.append(
        Figure(
            "2",
            "first valid name: slowest key of the first word",
            max(first_word),
            runs=1,
            samples=len(first_word),
            low=min(first_word),
            high=max(first_word),
            goal="max",
            bound=50.0,
            note="a fresh app: the public-suffix list is read here",
        )
    )
    figures.append(
        Figure(
            "4",
            "stall while typing (loop lag)",
            ms(lag.worst("typing in the add form")),
            runs=1,
            goal="max",
            bound=50.0,
            note=lag.blamed("typing in the add form"),
        )
    )
    figures.append(check_domain_figure(quick))
    return figures


def run(quick: bool = False) -> list[Figure]:
    return asyncio.run(measure(quick))
