"""`python -m benchmarks`: every figure of issue 12 beside its reference, the ratio, the
goal and PASS/FAIL.

    python -m benchmarks                 # the whole suite (under 5 minutes on 2 cores)
    python -m benchmarks --quick         # fewer runs: a developer's quick look
    python -m benchmarks --only startup  # one benchmark (repeatable; --list names them)
    python -m benchmarks --json          # one JSON object for machines

Each benchmark runs in a fresh interpreter of its own (its RSS, its garbage, its imports
are its own), one after the other. Figures are medians of alternated runs (reference,
subject, reference, subject...); the table says how many runs and their spread (min-max).
Benchmarks print figures; tests never time things.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.measure import Figure

ROOT = Path(__file__).resolve().parents[1]

# name -> (module, what it measures). Run in this order.
BENCHMARKS = {
    "startup": ("benchmarks.startup", "goal 1: start-up through a real pty"),
    "typing": ("benchmarks.keystrokes", "goal 2: key -> checklist painted; check_domain"),
    "domains": ("benchmarks.big_list", "goal 3: 10,000 domains; idle CPU; RSS"),
    "records": ("benchmarks.big_zone", "goal 5: 2,000 records in a zone"),
    "stalls": ("benchmarks.stalls", "goal 4: loop lag while opening screens, onboarding"),
    "sandbox": ("benchmarks.sandbox_cpu", "goal 4: the sandbox's CPU per API call"),
    "propagation": ("benchmarks.propagation", "a propagation round with a dead resolver"),
    "keygate": ("benchmarks.key_gate", "what the key gate costs an idle app"),
}
CHILD_FLAG = "--child"


def run_child(name: str, quick: bool) -> list[Figure]:
    """In this process: one benchmark, its figures printed as JSON on the last line."""
    module = importlib.import_module(BENCHMARKS[name][0])
    return module.run(quick=quick)


def run_one(name: str, quick: bool) -> tuple[list[Figure], str]:
    """One benchmark in a fresh interpreter; (figures, what went wrong or "")."""
    argv = [sys.executable, "-m", "benchmarks", CHILD_FLAG, name]
    if quick:
        argv.append("--quick")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return [], (done.stderr.strip().splitlines() or ["no output"])[-1]
    return [Figure.from_json(d) for d in json.loads(lines[-1])], ""


def _num(value: float | None, unit: str = "") -> str:
    if value is None or value != value:
        return "-"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    if unit == "ms":
        return (
            f"{value:.3f} ms"
            if value < 1
            else f"{value:.0f} ms"
            if value >= 100
            else f"{value:.1f} ms"
        )
    return f"{value:.3g} {unit}".strip()


def _spread(low: float | None, high: float | None, unit: str) -> str:
    if low is None or high is None:
        return ""
    return f"[{_num(low, unit)}-{_num(high, unit)}]".replace(f" {unit}-", "-")


def table(figures: list[Figure]) -> str:
    rows = [("goal", "figure", "median [min-max] (runs)", "reference", "ratio", "goal", "")]
    for f in figures:
        runs = f"({f.samples} samples)" if f.samples else f"({f.runs} runs)"
        value = f"{_num(f.value, f.unit)} {_spread(f.low, f.high, f.unit)} {runs}".strip()
        reference = (
            f"{f.reference_name}: {_num(f.reference, f.unit)} "
            f"{_spread(f.reference_low, f.reference_high, f.unit)}".strip()
            if f.reference is not None
            else ""
        )
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else ""
        verdict = {True: "PASS", False: "FAIL", None: ""}[f.passed]
        rows.append((f.goal_id, f.name, value, reference, ratio, f.goal_text, verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    notes = [f"  {f.name}: {f.note}" for f in figures if f.note]
    if notes:
        out += ["", "notes:", *notes]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object, no table")
    parser.add_argument("--quick", action="store_true", help="fewer runs (a quick look)")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help="run only this benchmark (repeatable); --list names them",
    )
    parser.add_argument("--list", action="store_true", help="name the benchmarks and exit")
    parser.add_argument(CHILD_FLAG, metavar="NAME", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.list:
        for name, (_, what) in BENCHMARKS.items():
            print(f"{name:<12} {what}")
        return 0
    if args.child:
        figures = run_child(args.child, args.quick)
        print(json.dumps([f.to_json() for f in figures]))
        return 0

    names = [n for n in BENCHMARKS if not args.only or n in args.only]
    started = time.perf_counter()
    figures: list[Figure] = []
    failures: dict[str, str] = {}
    for name in names:
        if not args.json:
            print(f"running {name}: {BENCHMARKS[name][1]}…", file=sys.stderr, flush=True)
        began = time.perf_counter()
        found, problem = run_one(name, args.quick)
        if not args.json:
            print(f"  {name}: {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
        figures += found
        if problem:
            failures[name] = problem
    seconds = time.perf_counter() - started
    if args.json:
        print(
            json.dumps(
                {
                    "figures": [f.to_json() for f in figures],
                    "failures": failures,
                    "seconds": round(seconds, 1),
                    "quick": args.quick,
                    "cpus": os.cpu_count(),
                    "python": sys.version.split()[0],
                },
                indent=1,
            )
        )
    else:
        print(table(figures))
        for name, problem in failures.items():
            print(f"\n{name} did not finish: {problem}")
        verdicts = [f.passed for f in figures if f.passed is not None]
        print(
            f"\n{verdicts.count(True)} of {len(verdicts)} goals met; suite ran "
            f"{seconds:.0f} s on {os.cpu_count()} cores{' (--quick)' if args.quick else ''}; "
            "medians of alternated runs, [min-max] their spread."
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
