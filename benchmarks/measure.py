"""Figures, their references and goals, and the statistics the suite reports.

A Figure is one line of the table: what was measured (median of its runs), the reference
measured in the same run (a bare Textual app, the SDK import, one API page...), the ratio
between them, and the goal it is judged by: a ratio to the reference ("<= 1.3x") or an
absolute bound ("<= 50 ms"). Figures travel between processes as JSON (each benchmark
runs in a fresh interpreter of its own: RSS and garbage are its own).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field


def median(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def percentile(values: Iterable[float], p: float) -> float:
    """The nearest-rank percentile (p in 0..100): p99 of 100 samples is the 99th."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.4999)))
    return ordered[rank - 1]


@dataclass
class Figure:
    goal_id: str  # "1", "2", ... the goal; "-" for figures kept for information
    name: str
    value: float
    unit: str = "ms"
    runs: int = 1
    low: float | None = None  # the spread of the runs: min and max (or the IQR, say so)
    high: float | None = None
    reference_name: str = ""
    reference: float | None = None
    reference_low: float | None = None
    reference_high: float | None = None
    # "ratio": value / reference <= bound; "max": value <= bound (absolute, in `unit`);
    # "": no goal (information only).
    goal: str = ""
    bound: float | None = None
    note: str = ""
    samples: int = 0  # samples behind a percentile (keystrokes...), 0 when runs say it

    @property
    def ratio(self) -> float | None:
        if self.reference is None or not self.reference:
            return None
        return self.value / self.reference

    @property
    def passed(self) -> bool | None:
        if self.bound is None or self.goal == "":
            return None
        if self.goal == "ratio":
            return self.ratio is not None and self.ratio <= self.bound
        return self.value <= self.bound

    @property
    def goal_text(self) -> str:
        if self.goal == "ratio":
            return f"<= {self.bound:g}x"
        if self.goal == "max":
            return f"<= {self.bound:g} {self.unit}"
        if self.goal == "min":
            return f">= {self.bound:g} {self.unit}"
        return ""

    def to_json(self) -> dict:
        data = asdict(self)
        data["ratio"] = self.ratio
        data["passed"] = self.passed
        data["goal_text"] = self.goal_text
        return data

    @classmethod
    def from_json(cls, data: dict) -> Figure:
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Runs:
    """Samples of one quantity over alternated runs; `figure()` turns them into a line."""

    samples: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.samples.append(value)

    @property
    def median(self) -> float:
        return median(self.samples)

    @property
    def low(self) -> float | None:
        return min(self.samples) if self.samples else None

    @property
    def high(self) -> float | None:
        return max(self.samples) if self.samples else None


def ms(seconds: float) -> float:
    return seconds * 1000.0


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


def figure_of(
    goal_id: str,
    name: str,
    subject: Runs,
    reference: Runs | None = None,
    reference_name: str = "",
    *,
    goal: str = "",
    bound: float | None = None,
    unit: str = "ms",
    note: str = "",
) -> Figure:
    """A Figure from the medians of alternated runs, with their min-max spread."""
    return Figure(
        goal_id=goal_id,
        name=name,
        value=subject.median,
        unit=unit,
        runs=len(subject.samples),
        low=subject.low,
        high=subject.high,
        reference_name=reference_name,
        reference=reference.median if reference is not None else None,
        reference_low=reference.low if reference is not None else None,
        reference_high=reference.high if reference is not None else None,
        goal=goal,
        bound=bound,
        note=note,
    )


def percentile_figure(
    goal_id: str, name: str, samples: list[float], p: float, *, high_p: float = 100, **extra
) -> Figure:
    """A Figure of `samples`' p-th percentile (keystrokes...), spread min to the `high_p`-th
    percentile (the max by default); `extra` are Figure's other fields."""
    return Figure(
        goal_id,
        name,
        percentile(samples, p),
        samples=len(samples),
        low=min(samples),
        high=percentile(samples, high_p),
        **extra,
    )


def rss_mib() -> float:
    """This process's resident set (VmRSS of /proc/self/status), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")
