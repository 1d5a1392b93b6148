"""Goal 5: 2,000 records in one zone, listed and filtered with goal 3's bounds.

The app attaches to an in-process sandbox whose zone example.com holds 2,000 more A
records, opens the zone list, and opens example.com: timed from the Enter key to the
first paint with rows, and to the first paint after every record is in. References,
measured in the same session by the same client: one page of DescribeDomainRecords
(500, the API's maximum) and the slowest page. Then filter keystrokes, and the loop lag.
"""

from __future__ import annotations

import asyncio
import time

from benchmarks.loop_lag import LoopLag
from benchmarks.measure import Figure, Runs, figure_of, ms, percentile
from benchmarks.paint_probe import PaintProbe
from benchmarks.seeded import seed_records, shared_sandbox

RECORDS = 2_000
ZONE = "example.com"
PAGE_SIZE = 500
FILTERS = ["r0042", "r1", "192.0", "zz"]
SPACING = 0.03


async def page_latency(dns, number: int) -> float:
    from alibabacloud_alidns20150109 import models

    request = models.DescribeDomainRecordsRequest(
        domain_name=ZONE, page_number=number, page_size=PAGE_SIZE
    )
    start = time.perf_counter()
    await dns.call(
        "DescribeDomainRecords",
        dns._client.describe_domain_records_with_options_async,
        request,
        write=False,
        read=lambda answer: answer.integer("TotalCount"),
    )
    return time.perf_counter() - start


async def session(box, lag: LoopLag, figures: dict, last: bool) -> None:
    from textual.widgets import DataTable, Input

    from screens.dns_records import RecordsScreen
    from tests.pilot import open_zones, wait_for
    from tui.app import OssCdnApp
    from tui.launch import LaunchOptions
    from tui.widgets.paged_table import PagedTable

    total = len(box.world.current_records(ZONE))
    app = OssCdnApp(LaunchOptions(sandbox=True))
    probe = PaintProbe(app)
    async with app.run_test(size=(120, 40)) as pilot:
        zones = await open_zones(pilot)
        for _ in range(zones.query_one(DataTable).row_count):
            if zones.query_one(PagedTable).selected.name == ZONE:
                break
            await pilot.press("down")
        await pilot.pause(0.3)

        def records_screen():
            screen = app.screen
            return screen if isinstance(screen, RecordsScreen) else None

        first_rows = probe.watch(
            lambda: (
                records_screen() is not None
                and records_screen().query_one(PagedTable).row_count > 0
            )
        )
        all_rows = probe.watch(
            lambda: records_screen() is not None and len(records_screen().records) >= total
        )
        lag.start()
        with lag.during("listing 2,000 records"):
            sent = probe.post_key("enter")
            first = await asyncio.wait_for(first_rows, 120)
            done = await asyncio.wait_for(all_rows, 120)
        figures["first"].add(ms(first - sent))
        figures["whole"].add(ms(done - sent))
        await pilot.pause(0.5)
        pages = range(1, (total + PAGE_SIZE - 1) // PAGE_SIZE + 1)
        latencies = [ms(await page_latency(app.services.dns, n)) for n in pages]
        figures["page"].add(percentile(latencies, 50))
        figures["slowest"].add(max(latencies))
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
    rounds = 1 if quick else 3
    figures: dict = {"first": Runs(), "whole": Runs(), "page": Runs(), "slowest": Runs()}
    lag = LoopLag(profile=True)
    for n in range(rounds):
        with shared_sandbox(20.0, seed=lambda box: seed_records(box, ZONE, RECORDS)) as box:
            await session(box, lag, figures, last=n == rounds - 1)
    keys = figures["filter"]
    return [
        figure_of(
            "5",
            "2,000 records: first rows on screen",
            figures["first"],
            figures["page"],
            "one page (500)",
            goal="ratio",
            bound=1.5,
            note="from Enter on the zone to the first paint with rows",
        ),
        figure_of(
            "5",
            "2,000 records: whole list in",
            figures["whole"],
            figures["slowest"],
            "slowest page",
            goal="ratio",
            bound=2.0,
        ),
        Figure(
            "5",
            "2,000 records: filter key -> painted, p99",
            percentile(keys, 99),
            samples=len(keys),
            low=min(keys),
            high=max(keys),
            goal="max",
            bound=50.0,
        ),
        Figure(
            "4",
            "stall while listing 2,000 records (loop lag)",
            ms(lag.worst("listing 2,000 records")),
            runs=rounds,
            goal="max",
            bound=50.0,
            note=lag.blamed("listing 2,000 records"),
        ),
        Figure(
            "4",
            "stall while filtering 2,000 records (loop lag)",
            ms(lag.worst("filtering 2,000 records")),
            goal="max",
            bound=50.0,
            note=lag.blamed("filtering 2,000 records"),
        ),
    ]


def run(quick: bool = False) -> list[Figure]:
    return asyncio.run(measure(quick))
