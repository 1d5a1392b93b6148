"""`oss-cdn status DOMAIN...`: where each domain stands in the onboarding procedure.

The checklist of every domain (tui/services/onboarding.py), read from the cloud now:
each step with its state and evidence, then the next step. With --json one object,
{"domains": [{"domain", "steps": [{"step", "state", "evidence"}], "next"}]}.

Exit status: 0 every domain is served; 1 a step is left for some domain; 2 a usage or
cloud error (with --json, {"error": {"code", "message"}} on stdout too). Reads only.

Cheap to import (tui.cli builds its parser from here): the SDKs load when it runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from tui.command_line import (
    USAGE_ERROR,
    CommandFailure,
    add_account_options,
    run_once,
)
from tui.rules import check_domain
from tui.safe_text import shown
from tui.services.errors import ServiceError
from tui.services.facade import Services

if TYPE_CHECKING:
    from tui.services.onboarding import Standing
    from tui.services.profile import Profile

MARKS = {
    "done": "✓",
    "to do": "·",
    "in progress": "…",
    "failed": "✗",
    "not applicable": "-",
}


def _domain(text: str) -> str:
    name = text.strip().lower().rstrip(".")
    errors = [p for p in check_domain(name).problems if p.severity == "error"]
    if errors:
        raise argparse.ArgumentTypeError(f"{text!r}: {errors[0].message}")
    return name


def add_status_parser(subparsers) -> argparse.ArgumentParser:
    """Add `status` to the `oss-cdn` subcommands; `run_status` runs what it parses."""
    parser = subparsers.add_parser(
        "status",
        help="where each domain stands: the onboarding checklist, read from the cloud",
        description="For each DOMAIN, every onboarding step (ownership, added, online, "
        "cname record, propagated, origin access, auto cdn cache update, served) with "
        "its state and evidence, read from the cloud now, and the next step. Exit status "
        "0: every domain is served; 1: a step is left; 2: usage or cloud error.",
    )
    parser.add_argument("domains", type=_domain, nargs="+", metavar="DOMAIN")
    parser.add_argument(
        "--path",
        metavar="OBJECT",
        help="the object the served step fetches (default: the first in the bucket)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of text (errors too)"
    )
    add_account_options(parser, "status")
    return parser


def run_status(args: argparse.Namespace, *, profile: Profile | None = None) -> int:
    """Read and print the standing of every domain; the exit status."""
    standings = run_once(args, "status", profile, lambda where: _standings(args, where))
    if standings is None:
        return USAGE_ERROR
    if args.json:
        sys.stdout.write(json.dumps({"domains": [s.to_json() for s in standings]}) + "\n")
    else:
        sys.stdout.write("\n".join(human(s) for s in standings))
    return 0 if all(s.served for s in standings) else 1


async def _standings(args: argparse.Namespace, profile: Profile) -> list[Standing]:
    services = Services(profile)
    try:
        return await services.onboarding.standings(args.domains, path=args.path)
    except ServiceError as error:  # messages are built without secrets
        raise CommandFailure.of(error) from None
    finally:
        await services.close()


def human(standing: Standing) -> str:
    """The checklist: the domain and its summary, one line a step, the next step."""
    lines = [f"{shown(standing.domain)}  {standing.summary}"]
    for step in standing.steps:
        mark = MARKS[step.state.value]
        lines.append(
            f"  {mark} {step.name.value:<22} {step.state.value:<15} {shown(step.evidence, 300)}"
        )
    following = standing.next
    lines.append(
        f"  next: {following.name.value} ({following.state.value})" if following else "  next: none"
    )
    return "\n".join(lines) + "\n"
