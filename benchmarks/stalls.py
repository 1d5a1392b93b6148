"""Goal 4: no event-loop stall over 50 ms while opening screens, while the propagation
board runs its rounds, and during a batch onboarding.

One app on the sandbox (its seeded world); a loop-lag monitor (benchmarks/loop_lag.py)
attributes each late wake-up to the operation under way, and samples the main thread's
stack while it is late (what it blames is in the note). The time each screen took to
show what it read is printed beside it, for information.
"""

from __future__ import annotations

import asyncio
import time

from benchmarks.loop_lag import STALL_BOUND, LoopLag
from benchmarks.measure import Figure, ms

BATCH = [f"shop{n}.example.com" for n in range(1, 7)]
BOARD_SECONDS = 4.0


async def measure(quick: bool) -> list[Figure]:
    from textual.widgets import DataTable

    from screens.cname import DomainScreen
    from screens.propagation import PropagationScreen
    from tests.pilot import connected, open_domain, open_records, wait_for
    from tui.app import OssCdnApp
    from tui.launch import LaunchOptions

    lag = LoopLag(profile=True)
    took: dict[str, float] = {}
    app = OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=20.0))
    async with app.run_test(size=(120, 40)) as pilot:
        lag.start()
        with lag.during("start-up (headless)"):
            start = time.perf_counter()
            await connected(pilot)
            took["start-up (headless)"] = time.perf_counter() - start
        await pilot.pause(0.5)

        with lag.during("opening a domain (its checklist)"):
            start = time.perf_counter()
            await open_domain(pilot, "img.example.com")
            took["opening a domain (its checklist)"] = time.perf_counter() - start
            await pilot.pause(0.5)  # what it reads after it shows

        with lag.during("opening the propagation board"):
            start = time.perf_counter()
            await pilot.press("p")
            screen = await wait_for(
                pilot, lambda: isinstance(app.screen, PropagationScreen) and app.screen
            )
            await wait_for(pilot, lambda: screen.query_one("#board", DataTable).row_count > 0)
            took["opening the propagation board"] = time.perf_counter() - start
        with lag.during("the propagation board's rounds"):
            await pilot.press("r")
            await asyncio.sleep(BOARD_SECONDS / (2 if quick else 1))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DomainScreen))
        await pilot.press("escape")
        await pilot.pause(0.3)

        with lag.during("opening DNS records"):
            start = time.perf_counter()
            await open_records(pilot, "example.com")
            took["opening DNS records"] = time.perf_counter() - start
        await pilot.press("escape")
        await pilot.pause(0.2)
        await pilot.press("escape")
        await pilot.pause(0.3)

        # A batch onboarding in the app's process: the engine's next step for each name,
        # all at once, until every name waits or is done (or three steps each).
        engine = app.services.onboarding
        with lag.during(f"batch onboarding of {len(BATCH)} domains"):
            start = time.perf_counter()
            standings = await engine.standings(BATCH, bucket="demo-assets")
            for _ in range(3):
                standings = await asyncio.gather(
                    *(engine.act(s, bucket="demo-assets") for s in standings)
                )
            took[f"batch onboarding of {len(BATCH)} domains"] = time.perf_counter() - start
        await lag.stop()

    figures = []
    for name, operation in lag.operations.items():
        seconds = took.get(name)
        figures.append(
            Figure(
                "4",
                f"stall: {name}",
                ms(operation.worst),
                goal="max",
                bound=STALL_BOUND,
                samples=len(operation.stalls),
                note="; ".join(
                    part
                    for part in (
                        f"took {ms(seconds):.0f} ms" if seconds is not None else "",
                        lag.blamed(name),
                    )
                    if part
                ),
            )
        )
    return figures


def run(quick: bool = False) -> list[Figure]:
    return asyncio.run(measure(quick))
