"""Startup, typing and large-list figures (the Progress column's summaries too).
Run: .venv/bin/python benchmarks/bench_ui.py

Prints timings; asserts nothing (speed is measured here, not in timed tests).
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.widgets import DataTable, Input

from tui.app import OssCdnApp
from tui.launch import LaunchOptions
from tui.rules import check_domain

DOMAINS = 5000


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def figures(label: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"{label:<44} median {ms(statistics.median(samples))}   p95 {ms(p95)}")


def import_time(runs: int = 5) -> None:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import tui.app"], check=True)
        samples.append(time.perf_counter() - start)
    figures("python -c 'import tui.app' (whole process)", samples)


def typing_rules(runs: int = 2000) -> None:
    name = "img.shop.example.com.cn"
    samples = []
    for i in range(runs):
        text = name[: i % len(name) + 1]
        start = time.perf_counter()
        check_domain(text, existing=[f"d{n}.example.com" for n in range(50)])
        samples.append(time.perf_counter() - start)
    figures("check_domain per keystroke", samples)


async def app_figures() -> None:
    start = time.perf_counter()
    app = OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=1.0))
    async with app.run_test(size=(120, 40)) as pilot:
        first_paint = time.perf_counter() - start
        while app.services is None or not app.screen.query_one(DataTable).row_count:
            await pilot.pause(0.005)
        listed = time.perf_counter() - start
        print(f"{'first frame (headless)':<44} {ms(first_paint)}")
        print(f"{'sandbox started and its domains listed':<44} {ms(listed)}")

        world = app.sandbox.world
        origin = [
            {
                "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
                "type": "oss",
                "port": 80,
                "priority": "20",
                "weight": "10",
            }
        ]
        for n in range(DOMAINS):
            world.add_domain(f"d{n:05d}.example.com", "web", origin, "domestic", status="online")
        screen = app.screen
        start = time.perf_counter()
        domains = await app.services.cdn.list_domains()
        print(
            f"{f'list_domains, {len(domains)} domains (11 pages)':<44} "
            f"{ms(time.perf_counter() - start)}"
        )
        screen.domains = domains
        start = time.perf_counter()
        screen.show()
        print(f"{'fill the table with them':<44} {ms(time.perf_counter() - start)}")

        # The Progress column: the engine's cheap summary, a screenful (60) at a time,
        # then the whole list (one DescribeDomainCname per 30 online domains).
        onboarding = app.services.onboarding
        start = time.perf_counter()
        await onboarding.summaries(domains[:60])
        print(f"{'progress of a screenful (60 domains)':<44} {ms(time.perf_counter() - start)}")
        start = time.perf_counter()
        await onboarding.summaries(domains)
        print(
            f"{f'progress of all {len(domains)} (cached first 60)':<44} "
            f"{ms(time.perf_counter() - start)}"
        )

        await pilot.press("slash")
        samples = []
        for char in "d0042":
            start = time.perf_counter()
            await pilot.press(char)
            samples.append(time.perf_counter() - start)
        await pilot.pause(0.3)  # the filter waits for a pause in typing over long lists
        rows = screen.query_one(DataTable).row_count
        figures(f"filter keystroke over {len(domains)} (-> {rows} rows)", samples)
        assert screen.query_one("#filter", Input).value == "d0042"


def main() -> None:
    import_time()
    typing_rules()
    asyncio.run(app_figures())


if __name__ == "__main__":
    main()
