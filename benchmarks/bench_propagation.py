"""How long a propagation round takes: the sandbox's servers plus one that never answers.

    .venv/bin/python benchmarks/bench_propagation.py [--rounds 30] [--timeout 0.5]

Starts an embedded sandbox, runs N rounds against its authoritative server, its public
resolvers and a dead UDP socket on loopback, and prints the round time (p50/p95/max,
which should sit just above one timeout: the dead server costs the round one timeout,
never one per server) and each server's latency. Only loopback is asked.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.sandbox.runner import Sandbox
from tui.sandbox.world import cname_for
from tui.services.profile import sandbox_profile
from tui.services.propagation import Target, check_round, sandbox_targets

DOMAIN = "img.example.com"  # seeded with its CNAME in place: every live row matches


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def bench(targets: list[Target], rounds: int, timeout: float) -> None:
    expected = cname_for(DOMAIN)
    round_ms: list[float] = []
    latency: dict[str, list[float]] = defaultdict(list)
    verdicts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for _ in range(rounds):
        start = time.perf_counter()
        rows = await check_round(DOMAIN, expected, targets, timeout=timeout)
        round_ms.append((time.perf_counter() - start) * 1000)
        for row in rows:
            verdicts[row.resolver][row.verdict.value] += 1
            if row.latency_ms is not None:
                latency[row.resolver].append(row.latency_ms)

    print(f"{rounds} rounds, {len(targets)} servers, timeout {timeout * 1000:.0f} ms")
    print(
        f"round time ms: p50 {percentile(round_ms, 50):.1f}  "
        f"p95 {percentile(round_ms, 95):.1f}  max {max(round_ms):.1f}"
    )
    print(f"\n{'server':<15}{'p50 ms':>9}{'p95 ms':>9}  verdicts")
    for target in targets:
        values = latency[target.name]
        p50 = f"{statistics.median(values):.1f}" if values else "-"
        p95 = f"{percentile(values, 95):.1f}" if values else "-"
        counts = ", ".join(f"{v} {n}" for v, n in sorted(verdicts[target.name].items()))
        print(f"{target.name:<15}{p50:>9}{p95:>9}  {counts}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=0.5, help="seconds per server")
    parser.add_argument("--speed", type=float, default=1000.0, help="sandbox speed")
    args = parser.parse_args()
    with Sandbox(speed=args.speed) as box, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as dead:
        dead.bind(("127.0.0.1", 0))  # bound, never read: queries to it go unanswered
        targets = [
            *sandbox_targets(sandbox_profile(box.info)),
            Target("Dead", "127.0.0.1", dead.getsockname()[1]),
        ]
        asyncio.run(bench(targets, args.rounds, args.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
