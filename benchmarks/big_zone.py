"""Goal 5: 2,000 records in one zone, listed and filtered with goal 3's bounds.

The app attaches to a sandbox served by a process of its own (as `oss-cdn sandbox
serve` does) whose zone example.com holds 2,000 more A records, opens the zone list,
and opens example.com. What is compared (list_timing.py):
from the list's read start to the first paint with rows, and to the first paint with
every record in the table, against page 1 and the slowest page of DescribeDomainRecords
(500, the API's maximum) as the app gets them: the records screen's own page reader,
same process, read right after each run, the app idle. Enter -> read start (opening the
screen) is its own figure, without a goal. Then filter keystrokes, and the loop lag.
"""

from __future__ import annotations

import asyncio

from benchmarks.list_timing import REFERENCE_READS, ReadStarts, references, settle, timed
from benchmarks.loop_lag import LoopLag
from benchmarks.measure import Figure, Runs, figure_of, ms, percentile_figure
from benchmarks.paint_probe import PaintProbe
from benchmarks.seeded import served_world

RECORDS = 2_000
ZONE = "example.com"
FILTERS = ["r0042", "r1", "192.0", "zz"]
SPACING = 0.03


async def session(world, lag: LoopLag, figures: dict, last: bool) -> None:
    from textual.widgets import DataTable, Input

    from screens.dns_records import RecordsScreen
    from tests.pilot import open_zones, wait_for
    from tui.app import OssCdnApp
    from tui.launch import LaunchOptions
    from tui.services.alidns import RECORDS_PAGE_SIZE
    from tui.widgets.paged_table import PagedTable

    starts: ReadStarts = figures["starts"]
    total = world.records(ZONE)
    app = OssCdnApp(LaunchOptions(sandbox=True))
    probe = PaintProbe(app)
    async with app.run_test(size=(120, 40)) as pilot:
        zones = await open_zones(pilot)
        for _ in range(zones.query_one(DataTable).row_count):
            if zones.query_one(PagedTable).selected.name == ZONE:
                break
            await pilot.press("down")
        await settle(pilot)
        mark = len(starts.times)

        def records_screen():
            screen = app.screen
            return screen if isinstance(screen, RecordsScreen) else None

        def table():
            screen = records_screen()
            return screen.query_one(PagedTable) if screen is not None else None

        first_rows = probe.watch(
            lambda: starts.since(mark) is not None and (t := table()) and t.row_count > 0
        )
        # Every record in the table (the summary counts them all).
        all_rows = probe.watch(
            lambda: starts.since(mark) is not None and (t := table()) and t.counts[0] >= total
        )
        lag.start()
        with lag.during("listing 2,000 records"):
            sent = probe.post_key("enter")
            first = await asyncio.wait_for(first_rows, 120)
            done = await asyncio.wait_for(all_rows, 120)
        began = starts.since(mark)
        figures["open"].add(ms(began - sent))
        figures["first"].add(ms(first - began))
        figures["whole"].add(ms(done - began))
        await settle(pilot)

        # The references, right after the subject, the app idle: the records screen's
        # own page reader (AlidnsService, through TeaService.call).
        reader = app.services.dns._records_page(ZONE)
        page_1, slowest = await references(
            reader, (total + RECORDS_PAGE_SIZE - 1) // RECORDS_PAGE_SIZE
        )
        for seconds in page_1:
            figures["page"].add(ms(seconds))
        figures["slowest"].add(ms(slowest))
        figures["service"].add(ms(await timed(app.services.dns.records(ZONE))))
        if last:
            await pilot.press("slash")
            field = await wait_for(
                pilot,
                lambda: app.screen.query("#filter") and app.screen.query_one("#filter", Input),
            )
            keys: list[float] = []
            with lag.during("filtering 2,000 records"):
                for word in FILTERS:
                    field.value = ""
                    await pilot.pause(0.5)
                    for n, char in enumerate(word, 1):
                        text = word[:n]
                        keys.append(
                            ms(await probe.key_to_paint(char, lambda t=text: field.value == t))
                        )
                        await asyncio.sleep(SPACING)
                    await pilot.pause(0.6)
            figures["filter"] = keys
        await lag.stop()


async def measure(quick: bool) -> list[Figure]:
    from screens.dns_records import RecordsScreen

    rounds = 1 if quick else 3
    figures: dict = {
        "starts": ReadStarts(RecordsScreen),
        "open": Runs(),
        "first": Runs(),
        "whole": Runs(),
        "page": Runs(),
        "slowest": Runs(),
        "service": Runs(),
    }
    lag = LoopLag(profile=True)
    for n in range(rounds):
        with served_world(20.0, records=(ZONE, RECORDS)) as world:
            await session(world, lag, figures, last=n == rounds - 1)
    keys = figures["filter"]
    return [
        figure_of(
            "5",
            "2,000 records: first rows on screen",
            figures["first"],
            figures["page"],
            "page 1 as the app gets it",
            goal="ratio",
            bound=1.5,
            note="from the list's read start (page 1 asked for) to the first paint with "
            "rows; reference: page 1 of DescribeDomainRecords (500) through the service "
            f"layer, same process, after each run ({REFERENCE_READS} reads a run)",
        ),
        figure_of(
            "5",
            "2,000 records: whole list in",
            figures["whole"],
            figures["slowest"],
            "slowest page as the app gets it",
            goal="ratio",
            bound=2.0,
            note="from the list's read start to the first paint with every record in the "
            "table; reference: the slowest page, each read alone through the service "
            "layer after each run",
        ),
        figure_of(
            "-",
            "2,000 records: whole listing, service layer alone",
            figures["service"],
            note="AlidnsService.records() with no screen (the same paging)",
        ),
        figure_of(
            "-",
            "2,000 records: Enter -> the list's read starts",
            figures["open"],
            note="opening the records screen: the key, the mount, the load worker (no goal)",
        ),
        percentile_figure(
            "5", "2,000 records: filter key -> painted, p99", keys, 99, goal="max", bound=50.0
        ),
        lag.figure(
            "listing 2,000 records", "stall while listing 2,000 records (loop lag)", runs=rounds
        ),
        lag.figure("filtering 2,000 records", "stall while filtering 2,000 records (loop lag)"),
    ]


def run(quick: bool = False) -> list[Figure]:
    return asyncio.run(measure(quick))
