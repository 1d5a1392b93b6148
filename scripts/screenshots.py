#!/usr/bin/env python3
"""The README's pictures: SVG screenshots of the main screens, in docs/screenshots/.

Each picture is the committed snapshot of a snapshot test's scene (pytest-textual-snapshot,
which takes it with Textual's own `export_screenshot`), copied as it is. The scenes run
against the sandbox at a fixed epoch, with what the machine decides frozen (latencies,
ports, countdowns, cursors), so a picture changes only when its screen does, and
tests/test_screenshots.py fails while a picture differs from its snapshot.

After changing a screen: update its snapshots (CONTRIBUTING.md), look at them, then

    python scripts/screenshots.py           # copy them to docs/screenshots/
    python scripts/screenshots.py --check   # or only say which pictures are out of date

All at 80x24: the size the app is made for (a bastion's terminal, SSH), and the one every
scene has; an SVG scales to the README's width, so the text stays sharp.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "tests" / "__snapshots__"
PICTURES = ROOT / "docs" / "screenshots"
COMMAND = "python scripts/screenshots.py"

# picture -> the snapshot it mirrors (under tests/__snapshots__/), in README's order.
SHOTS = {
    "domain-list.svg": "test_snapshots/test_screen[domain_list-80x24].svg",
    "add-form.svg": "test_add_form_80x24/test_the_add_form_at_80x24[valid].svg",
    "checklist.svg": "test_snapshots/test_screen[domain_details-80x24].svg",
    "propagation.svg": "test_snapshots_board/test_board_of_a_name_seen_everywhere.svg",
    "delivery.svg": "test_snapshots_delivery/test_a_file_served_through_the_cdn.svg",
}


def snapshot(name: str) -> bytes:
    source = SNAPSHOTS / SHOTS[name]
    if not source.is_file():
        raise SystemExit(
            f"{source.relative_to(ROOT)} is missing: was its test renamed? "
            f"Point SHOTS in scripts/screenshots.py at its snapshot."
        )
    return source.read_bytes()


def out_of_date(out: Path) -> list[str]:
    """What differs in `out` from the snapshots: pictures missing or older than their
    snapshot, and pictures no snapshot stands behind any more."""
    problems = []
    for name in SHOTS:
        picture = out / name
        if not picture.is_file():
            problems.append(f"{name}: missing")
        elif picture.read_bytes() != snapshot(name):
            problems.append(f"{name}: differs from tests/__snapshots__/{SHOTS[name]}")
    problems += [
        f"{extra.name}: no snapshot behind it"
        for extra in sorted(out.glob("*.svg"))
        if extra.name not in SHOTS
    ]
    return problems


def write(out: Path) -> list[str]:
    """Copies every snapshot to its picture in `out` and, in the project's own folder
    of pictures only, removes those no snapshot stands behind (another `--out` may hold
    pictures of its owner's); returns the names it changed."""
    out.mkdir(parents=True, exist_ok=True)
    changed = []
    for name in SHOTS:
        picture = out / name
        content = snapshot(name)
        if not picture.is_file() or picture.read_bytes() != content:
            picture.write_bytes(content)
            changed.append(name)
    if out.resolve() != PICTURES.resolve():
        return changed
    for extra in sorted(out.glob("*.svg")):
        if extra.name not in SHOTS:
            extra.unlink()
            changed.append(extra.name)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=PICTURES, help="where the pictures go (docs/screenshots)"
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; fail if a picture is out of date"
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = out_of_date(args.out)
        for problem in problems:
            print(problem)
        if problems:
            print(f"run `{COMMAND}` to update the pictures")
            return 1
        print(f"{len(SHOTS)} pictures match their snapshots")
        return 0
    changed = write(args.out)
    for name in changed:
        print(f"updated {name}")
    print(f"{len(SHOTS)} pictures in {args.out}" + ("" if changed else ", none changed"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
