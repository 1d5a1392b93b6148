"""Goal 2: typing in the add form at bare-Textual speed.

Alternated rounds (a bare Input app, the app's add form, ...) type the same names one key
every 30 ms (a fast typist); each key is timed from its post to the first paint that shows
it: for the bare Input, the field's new value; for the add form, the field and the
checklist under it updated (PaintProbe). Figures: p50 and p99 over every key, the spread
of the rounds' p50s; the first word typed in a fresh app (the first valid name: no stall);
and `check_domain` against 10,000 existing names. Besides the words, every round types
a two-name batch ("img.newsite.net, Cdn.example.org": commas, a space, a capital) and
deletes it key by key; for information: that batch's keys alone, the main thread's CPU
per key, layouts per key, and the form opened with 10,000 existing names.
"""

from __future__ import annotations

import asyncio
import time

from benchmarks.bare_app import BareInput
from benchmarks.loop_lag import LoopLag
from benchmarks.measure import Figure, Runs, ms, percentile, percentile_figure
from benchmarks.paint_probe import PaintProbe

WORDS = ["img.shop.example.com", "cdn.example.org", "static.assets.example.cn"]
# Harder text (from the add-form script this replaces): a two-name batch with a comma,
# a space and a capital (the form's batch checklist), typed then deleted key by key.
BATCH = "img.newsite.net, Cdn.example.org"
SPACING = 0.03  # seconds between keys: a fast typist
EXISTING = 10_000


def steps() -> list[list[tuple[str, str]]]:
    """What is typed, as runs of (key, the field's text after it): each word from an
    empty field, then the batch typed and deleted again."""
    runs = [[(char, word[:n]) for n, char in enumerate(word, 1)] for word in WORDS]
    typed = [(char, BATCH[:n]) for n, char in enumerate(BATCH, 1)]
    deleted = [("backspace", BATCH[:n]) for n in range(len(BATCH) - 1, -1, -1)]
    return [*runs, typed + deleted]


BATCH_KEYS = 2 * len(BATCH)  # the last keys of a round: the batch typed and deleted


class Typed:
    """One round's keys: key -> paint (seconds), the main thread's CPU from key to
    paint, and the screen's layouts over the round."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.cpu: list[float] = []
        self.layouts = 0


async def _type(probe: PaintProbe, field, shown, screen) -> Typed:
    """Type the steps into `field`; each key's seconds to the paint where `shown(text)`."""
    typed = Typed()
    refresh_layout = screen._refresh_layout

    def counted(*args, **kwargs):
        typed.layouts += 1
        return refresh_layout(*args, **kwargs)

    for run in steps():
        field.value = ""
        await asyncio.sleep(0.3)  # the form settles (its cloud check after a pause too)
        screen._refresh_layout = counted  # this screen only: the layouts typing costs
        for char, text in run:
            cpu = time.thread_time()
            typed.waits.append(await probe.key_to_paint(char, lambda t=text: shown(t)))
            typed.cpu.append(time.thread_time() - cpu)
            await asyncio.sleep(SPACING)
        screen._refresh_layout = refresh_layout
    return typed


async def bare_round() -> Typed:
    app = BareInput()
    async with app.run_test(size=(80, 24)) as pilot:
        field = app.query_one("#field")
        field.focus()
        await pilot.pause()
        probe = PaintProbe(app)
        return await _type(probe, field, lambda text: field.value == text, app.screen)


async def app_round(lag: LoopLag | None = None, existing: int = 0) -> Typed:
    from textual.widgets import Input, Static

    from screens.add_domain import AddDomainScreen
    from tests.pilot import open_add_form, wait_for  # the way a person opens it
    from tui.app import OssCdnApp
    from tui.launch import LaunchOptions

    app = OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=1000.0))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add_form(pilot)
        if existing:  # the same form, as a list of `existing` domains opens it
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, AddDomainScreen))
            screen = AddDomainScreen([f"d{n:05d}.example.com" for n in range(existing)])
            await app.push_screen(screen)
            await wait_for(pilot, lambda: screen.origin_host, what="buckets")
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
            samples = await _type(probe, field, shown, screen)
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
    # The batch's keys (typed and deleted), the keys' main-thread CPU, layouts per key.
    batch = {"bare": [], "app": []}
    cpu = {"bare": [], "app": []}
    layouts = {"bare": 0, "app": 0}
    lag = LoopLag(profile=True)
    for n in range(rounds):
        for side, round_ in (("bare", bare_round()), ("app", app_round(lag if n == 0 else None))):
            done = await round_
            waits = [ms(s) for s in done.waits]
            batch[side] += waits[-BATCH_KEYS:]
            cpu[side] += [ms(s) for s in done.cpu]
            layouts[side] += done.layouts
            (bare_keys if side == "bare" else app_keys).extend(waits)
            (bare_p50 if side == "bare" else app_p50).add(percentile(waits, 50))
            if side == "app" and n == 0:
                first_word = waits[: len(WORDS[0])]
    # The form as a list of 10,000 domains opens it (the names it checks against).
    many = [] if quick else [ms(s) for s in (await app_round(existing=EXISTING)).waits]
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
    figures.append(lag.figure("typing in the add form", "stall while typing (loop lag)"))
    keys = len(app_keys)
    figures.append(
        percentile_figure(
            "-",
            "two-name batch: key -> checklist painted, p50",
            batch["app"],
            50,
            high_p=99,
            reference_name="bare Input, same keys, p50",
            reference=percentile(batch["bare"], 50),
            note=f"{BATCH!r} typed then deleted key by key (commas, a space, a capital: "
            "the batch checklist); spread: min-p99",
        )
    )
    figures.append(
        percentile_figure(
            "-",
            "main-thread CPU per key, p50",
            cpu["app"],
            50,
            high_p=99,
            reference_name="bare Input, p50",
            reference=percentile(cpu["bare"], 50),
            note="thread_time() from the key's post to its paint: less bent by a loaded "
            "machine than the wall clock; spread: min-p99",
        )
    )
    figures.append(
        Figure(
            "-",
            "layouts per key",
            layouts["app"] / keys,
            unit="",
            samples=keys,
            reference_name="bare Input",
            reference=layouts["bare"] / len(bare_keys) or None,
            note="Screen._refresh_layout calls while typing, per key",
        )
    )
    if many:
        figures.append(
            percentile_figure(
                "-",
                f"key -> checklist painted, {EXISTING:,} existing names, p50",
                many,
                50,
                high_p=99,
                reference_name="bare Input key -> paint, p50",
                reference=percentile(bare_keys, 50),
                note="the add form as a list of 10,000 domains opens it; spread: min-p99",
            )
        )
    figures.append(check_domain_figure(quick))
    return figures


def run(quick: bool = False) -> list[Figure]:
    return asyncio.run(measure(quick))
