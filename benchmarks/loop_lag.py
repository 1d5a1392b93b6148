"""A loop-lag monitor: how long the event loop was kept from running a ready task.

A task sleeps INTERVAL and records how late it woke (the overshoot): a callback that
holds the loop for 120 ms shows as a wake-up ~120 ms late. Stalls are attributed to the
operation running when they happen (`with monitor.during("listing 10,000"):`), so the
suite can say "opening the DNS records: max stall 73 ms".

The sandbox runs on a thread of the app's process: while it holds the GIL the loop
cannot run either, and that shows here too (as the user feels it). With
`profile=True` the monitor also samples the main thread's stack when a wake-up is late
(a cheap poor man's profiler on a helper thread), to say what the loop was doing.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field

from benchmarks.measure import Figure, ms

STALL_BOUND = 50.0  # ms: goal 4, no stall of the event loop over this
INTERVAL = 0.005  # seconds between wake-ups: fine enough to see a 50 ms stall clearly


@dataclass
class Operation:
    name: str
    stalls: list[float] = field(default_factory=list)  # overshoots, seconds
    seconds: float = 0.0
    # Where the main thread was while late wake-ups piled up: "file:line function" -> n.
    blame: collections.Counter = field(default_factory=collections.Counter)

    @property
    def worst(self) -> float:
        return max(self.stalls, default=0.0)


class LoopLag:
    def __init__(self, interval: float = INTERVAL, profile: bool = False) -> None:
        self.interval = interval
        self.operations: dict[str, Operation] = {}
        self.current: Operation | None = None
        self._task: asyncio.Task | None = None
        self._profile = profile
        self._sampler: threading.Thread | None = None
        self._last_wake = time.perf_counter()
        self._main_ident = threading.main_thread().ident
        self._running = False

    # -- the monitor's task ------------------------------------------------------------

    def start(self) -> LoopLag:
        self._running = True
        self._task = asyncio.get_running_loop().create_task(self._watch())
        if self._profile:
            self._sampler = threading.Thread(target=self._sample, daemon=True)
            self._sampler.start()
        return self

    async def stop(self) -> None:
        self._running = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval)
            now = time.perf_counter()
            self._last_wake = now
            late = now - before - self.interval
            if self.current is not None and late > 0:
                self.current.stalls.append(late)

    def _sample(self) -> None:
        """While the loop is late by more than 20 ms, note where the main thread is."""
        while self._running:
            time.sleep(0.005)
            current = self.current
            if current is None or time.perf_counter() - self._last_wake < 0.02:
                continue
            frame = sys._current_frames().get(self._main_ident)
            if frame is None:
                continue
            current.blame[_where(frame)] += 1

    # -- attributing stalls --------------------------------------------------------------

    @contextlib.contextmanager
    def during(self, name: str):
        operation = self.operations.setdefault(name, Operation(name))
        previous, self.current = self.current, operation
        started = time.perf_counter()
        try:
            yield operation
        finally:
            operation.seconds += time.perf_counter() - started
            self.current = previous

    def worst(self, name: str) -> float:
        operation = self.operations.get(name)
        return operation.worst if operation is not None else 0.0

    def figure(self, operation: str, name: str, runs: int = 1, note: str = "") -> Figure:
        """Goal 4's figure for `operation`: its longest stall, at most STALL_BOUND ms, the
        note saying what the loop was doing then."""
        return Figure(
            "4",
            name,
            ms(self.worst(operation)),
            runs=runs,
            goal="max",
            bound=STALL_BOUND,
            note=note + self.blamed(operation),
        )

    def blamed(self, name: str, top: int = 2) -> str:
        operation = self.operations.get(name)
        if operation is None or not operation.blame:
            return ""
        return "; ".join(f"{where} ({n})" for where, n in operation.blame.most_common(top))


def _where(frame) -> str:
    """The innermost frame of the project (tui/, screens/) or else of Textual, else the
    innermost: what the profiler would blame for the stall."""
    stack = traceback.extract_stack(frame)
    if stack and stack[-1].filename.endswith("selectors.py"):
        # The loop thread is idle in select: it was late because another thread (the
        # in-process sandbox, a worker) held the GIL.
        return "another thread held the GIL (the loop was in select)"
    for wanted in ("/tui/", "/screens/", "/textual/", "/rich/", ""):
        for entry in reversed(stack):
            if wanted in entry.filename and "/benchmarks/" not in entry.filename:
                short = entry.filename.rsplit("/", 2)
                return f"{'/'.join(short[-2:])}:{entry.lineno} {entry.name}"
    return "?"
