"""`oss-cdn check DOMAIN`: one propagation round, as a table or one JSON object.

Exit status: 0 when every DNS server asked answers the expected CNAME, 1 when not (yet),
2 on a usage error or a cloud error (argparse's own errors exit 2 as well), CDN's own
view of the CNAME failing included. With --json every error is one JSON object on stdout
too: {"error": {"code": ..., "message": ...}} (a round whose CDN row failed: the report
with an "error" member).

Where it talks to: the account whose credentials are found, or with --sandbox the
shared sandbox (`oss-cdn sandbox serve`) or one of its own; never the sandbox for want
of credentials.

Cheap to import (tui.cli builds its parser from here): dnspython and the SDKs are
imported only when the command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING

from tui.command_line import (
    USAGE_ERROR,
    CommandFailure,
    add_account_options,
    connect_for,
    error_json,
    resolver_arg,
    timeout_arg,
)
from tui.rules import base_name, is_ip_address, is_wildcard, to_punycode
from tui.safe_text import shown
from tui.services.errors import ServiceError
from tui.services.facade import Services
from tui.services.profile import real_seconds

if TYPE_CHECKING:
    from tui.services.profile import Profile
    from tui.services.verdicts import PropagationBoard, ResolverResult

DEFAULT_TIMEOUT = 2.0  # the service layer's too (kept here so --help needs no dnspython)
COLUMNS = ("RESOLVER", "ADDRESS", "VERDICT", "ANSWER", "TTL", "LATENCY")


def _domain(text: str) -> str:
    if is_wildcard(text):  # "*.example.com" itself is never looked up by anyone
        raise argparse.ArgumentTypeError(
            f"{text!r} is a wildcard: check one name under it, with --expect CNAME"
        )
    name = to_punycode(base_name(text))
    if (
        not name
        or "." not in name
        or is_ip_address(name)
        or any(not label or len(label) > 63 for label in name.split("."))
        or len(name) > 253
    ):
        raise argparse.ArgumentTypeError(f"not a domain name: {text!r}")
    return name


def add_check_parser(subparsers) -> argparse.ArgumentParser:
    """Add `check` to the `oss-cdn` subcommands; `run_check` runs what it parses."""
    parser = subparsers.add_parser(
        "check",
        help="check once whether DNS resolvers see a domain's CDN CNAME",
        description="Ask the zone's authoritative servers and public resolvers in and "
        "outside mainland China (in the sandbox: its own) for DOMAIN, and compare the "
        "CNAME they answer with the one CDN assigned. Exit status 0: every server answers "
        "it; 1: not yet; 2: usage or cloud error.",
    )
    parser.add_argument(
        "domain",
        type=_domain,
        metavar="DOMAIN",
        help="the accelerated domain, e.g. img.example.com",
    )
    parser.add_argument(
        "--expect",
        metavar="CNAME",
        help="the CNAME target to look for (default: what CDN assigned)",
    )
    parser.add_argument(
        "--resolver",
        type=resolver_arg,
        action="append",
        dest="resolvers",
        metavar="[NAME=]HOST[:PORT]",
        help="ask this server instead of the default set (repeatable)",
    )
    parser.add_argument(
        "--timeout",
        type=timeout_arg,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds to wait for each server (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of a table (errors too)"
    )
    # The global options, also accepted after `check` (left out unless given, so the
    # ones before `check` stand).
    add_account_options(parser, "check")
    return parser


def run_check(args: argparse.Namespace, *, profile: Profile | None = None) -> int:
    """Run one round for parsed `check` arguments and print it; returns the exit status.

    `profile` is where to talk to; when None and the check needs the cloud (no --expect,
    or no --resolver), it comes from tui.launch.connect with the global options in `args`
    (--profile, --region, --sandbox, --sandbox-speed), like the app's.
    """
    box = None
    try:
        if profile is None and (args.expect is None or not args.resolvers):
            profile, box = connect_for(args)
        status, report, problem = asyncio.run(_check(args, profile))
    except CommandFailure as failure:
        # A cloud error's message is the cloud's text: shown, never interpreted.
        print(f"oss-cdn check: {shown(failure, multiline=True)}", file=sys.stderr)
        if getattr(args, "json", False):
            sys.stdout.write(error_json(failure.code, str(failure)))
        return USAGE_ERROR
    finally:
        if box is not None:
            box.stop()
    sys.stdout.write(report)
    if problem:
        print(f"oss-cdn check: {shown(problem, multiline=True)}", file=sys.stderr)
    return status


async def _check(args: argparse.Namespace, profile: Profile | None) -> tuple[int, str, str]:
    """(exit status, report, the problem to tell on stderr or "")."""
    from tui.services.propagation import PropagationService, check_round
    from tui.services.verdicts import PropagationBoard, Verdict, canonical

    services = None
    if profile is not None:
        services = Services(profile)
    try:
        expected = canonical(args.expect or await _cdn_cname(services, args.domain))
        if args.resolvers:  # asked alone, without CDN's own row
            results = await check_round(args.domain, expected, args.resolvers, timeout=args.timeout)
        else:
            # Connected: run() connects unless --expect and --resolvers say it all.
            assert profile is not None and services is not None
            checker = PropagationService(profile, services.cdn, timeout=args.timeout)
            results = await checker.check(args.domain, expected)
    except ServiceError as error:  # a bad resolvers.json too; no secret in the text
        raise CommandFailure(
            str(error), getattr(error, "code", "") or type(error).__name__
        ) from None
    finally:
        if services is not None:
            await services.close()
    # TTLs in real seconds, as the board shows them: a sandbox's clock runs faster.
    board = PropagationBoard(expected, ttl_scale=real_seconds(profile, 1.0)).advance(results)
    # CDN's own view is part of the check: when asking it failed (an error answer, an
    # answer of the wrong shape), the check is not done, whatever the resolvers said.
    cdn = board.cdn
    problem = (
        f"CDN's view of the CNAME could not be had: {cdn.detail}"
        if cdn is not None and cdn.verdict is Verdict.ERROR
        else ""
    )
    failure = {"code": "CdnViewFailed", "message": problem} if problem else None
    report = _json(args.domain, board, failure) if args.json else _table(args.domain, board)
    status = USAGE_ERROR if problem else 0 if board.propagated else 1
    return status, report, problem


async def _cdn_cname(services, domain: str) -> str:
    """The CNAME CDN assigned to `domain` (DescribeCdnDomainDetail)."""
    found = await services.cdn.domain(domain)
    if not found.cname:
        raise CommandFailure(
            f"CDN has not assigned {domain} a CNAME yet (status {found.status})", "NoCname"
        )
    return found.cname


def _json(domain: str, board: PropagationBoard, error: dict | None = None) -> str:
    report = {
        "domain": domain,
        "expected": board.expected,
        "propagated": board.propagated,
        # "ttl": real seconds (the board's clock), not the sandbox's.
        "results": [dict(r.to_json(), ttl=_json_seconds(board.real_ttl(r))) for r in board.results],
    }
    if error:
        report["error"] = error
    return json.dumps(report) + "\n"


def _json_seconds(seconds: float | None) -> float | int | None:
    if seconds is None:
        return None
    seconds = round(seconds, 3)
    return int(seconds) if seconds.is_integer() else seconds


def _cells(board: PropagationBoard, row: ResolverResult) -> tuple[str, ...]:
    """One table row. Names come from resolvers.json, answers and details from DNS and
    the cloud: shown(), so none of them writes to the terminal (JSON escapes by itself)."""
    from tui.services.verdicts import seconds_text

    ttl = board.real_ttl(row)
    answer = " -> ".join(row.answer)
    if row.detail:
        answer = f"{answer} ({row.detail})" if answer else row.detail
    return (
        shown(row.resolver, 200),
        shown(row.address, 200),
        row.verdict.value,
        shown(answer, 1000) or "-",
        "-" if ttl is None else seconds_text(ttl),
        "-" if row.latency_ms is None else f"{row.latency_ms:.1f} ms",
    )


def _table(domain: str, board: PropagationBoard) -> str:
    rows = [COLUMNS, *(_cells(board, r) for r in board.results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    right = {4, 5}  # numbers line up on the right

    def line(row: tuple[str, ...]) -> str:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    lines = [shown(f"{domain}: expecting CNAME {board.expected}"), ""]
    lines += [line(row) for row in rows]
    lines += ["", _verdict_line(board)]
    return "\n".join(lines) + "\n"


def _verdict_line(board: PropagationBoard) -> str:
    if board.propagated:
        return shown(f"Propagated: {board.summary.removeprefix('propagated · ')}.")
    from tui.services.verdicts import seconds_text

    due = [t for r in board.dns_rows if not r.matches and (t := board.real_ttl(r)) is not None]
    wait = f"; cached answers expire within about {seconds_text(max(due))}" if due else ""
    return shown(f"Not propagated yet: {board.summary}{wait}.")
