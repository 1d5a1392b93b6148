"""A propagation round (folded in from bench_propagation.py): the sandbox's servers plus
one that never answers, asked N rounds. A round should cost just over one timeout however
many servers are dead (never one timeout per server): the figure is the round's p50
against the timeout itself.
"""

from __future__ import annotations

import asyncio
import socket
import time

from benchmarks.measure import Figure, ms, percentile

DOMAIN = "img.example.com"  # seeded with its CNAME in place: every live row matches
TIMEOUT = 0.5  # seconds per server


async def rounds(targets, count: int) -> list[float]:
    from tui.sandbox.world import cname_for
    from tui.services.propagation import check_round

    expected = cname_for(DOMAIN)
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        await check_round(DOMAIN, expected, targets, timeout=TIMEOUT)
        samples.append(ms(time.perf_counter() - start))
    return samples


def run(quick: bool = False) -> list[Figure]:
    from tui.sandbox.runner import Sandbox
    from tui.services.profile import sandbox_profile
    from tui.services.propagation import Target, sandbox_targets

    count = 6 if quick else 20
    with Sandbox(speed=1000.0) as box, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as dead:
        dead.bind(("127.0.0.1", 0))  # bound, never read: queries to it go unanswered
        live = list(sandbox_targets(sandbox_profile(box.info)))
        targets = [*live, Target("Dead", "127.0.0.1", dead.getsockname()[1])]
        samples = asyncio.run(rounds(targets, count))
    return [
        Figure(
            "-",
            f"propagation round, {len(live)} servers + 1 dead",
            percentile(samples, 50),
            samples=len(samples),
            low=min(samples),
            high=max(samples),
            reference_name="one timeout",
            reference=ms(TIMEOUT),
            goal="ratio",
            bound=1.5,
            note="a dead server costs the round one timeout, never one per server",
        )
    ]
