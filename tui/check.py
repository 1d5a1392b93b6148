"""`oss-cdn check DOMAIN`: one propagation round, as a table or one JSON object.

Exit status: 0 when every DNS server asked answers the expected CNAME, 1 when not (yet),
2 on a usage error or a cloud error (argparse's own errors exit 2 as well).

Cheap to import (tui.cli builds its parser from here): dnspython and the SDKs are
imported only when the command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING

from tui.safe_text import shown

if TYPE_CHECKING:
    from tui.services.profile import Profile
    from tui.services.propagation import Target
    from tui.services.verdicts import PropagationBoard, ResolverResult

DEFAULT_TIMEOUT = 2.0  # the service layer's too (kept here so --help needs no dnspython)
USAGE_ERROR = 2
COLUMNS = ("RESOLVER", "ADDRESS", "VERDICT", "ANSWER", "TTL", "LATENCY")


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 60:
        raise argparse.ArgumentTypeError("the timeout is between 0 and 60 seconds")
    return value


def _resolver(text: str) -> Target:
    from tui.services.propagation import ResolverConfigError, parse_resolver

    try:
        return parse_resolver(text)
    except ResolverConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _domain(text: str) -> str:
    from tui.rules import base_name, is_ip_address, is_wildcard, to_punycode

    if is_wildcard(text):  # "*.example.com" itself is never looked up by anyone
        raise argparse.ArgumentTypeError(
            f"{text!r} is a wildcard: check one name under it, with --expect CNAME")
    name = to_punycode(base_name(text))
    if not name or "." not in name or is_ip_address(name) or any(
        not label or len(label) > 63 for label in name.split(".")
    ) or len(name) > 253:
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
    parser.add_argument("domain", type=_domain, metavar="DOMAIN",
                        help="the accelerated domain, e.g. img.example.com")
    parser.add_argument("--expect", metavar="CNAME",
                        help="the CNAME target to look for (default: what CDN assigned)")
    parser.add_argument("--resolver", type=_resolver, action="append", dest="resolvers",
                        metavar="[NAME=]HOST[:PORT]",
                        help="ask this server instead of the default set (repeatable)")
    parser.add_argument("--timeout", type=_timeout, default=DEFAULT_TIMEOUT, metavar="S",
                        help=f"seconds to wait for each server (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object instead of a table")
    return parser


class _Failure(Exception):
    """Ends the command with exit status 2 and this message."""


def run_check(args: argparse.Namespace, *, profile: Profile | None = None) -> int:
    """Run one round for parsed `check` arguments and print it; returns the exit status.

    `profile` is where to talk to; when None and the check needs the cloud (no --expect,
    or no --resolver), it comes from tui.launch.connect with the global options in `args`
    (--profile, --region, --sandbox, --sandbox-speed), like the app's.
    """
    box = None
    try:
        if profile is None and (args.expect is None or not args.resolvers):
            profile, box = _connect(args)
        ok, report = asyncio.run(_check(args, profile))
    except _Failure as failure:
        # A cloud error's message is the cloud's text: shown, never interpreted.
        print(f"oss-cdn check: {shown(failure, multiline=True)}", file=sys.stderr)
        return USAGE_ERROR
    finally:
        if box is not None:
            box.stop()
    sys.stdout.write(report)
    return 0 if ok else 1


def _connect(args: argparse.Namespace):
    from tui.launch import DEFAULT_SANDBOX_SPEED, LaunchOptions, connect
    from tui.services.errors import ServiceError

    options = LaunchOptions(
        profile=getattr(args, "profile", None),
        region=getattr(args, "region", None),
        sandbox=getattr(args, "sandbox", False),
        sandbox_speed=getattr(args, "sandbox_speed", DEFAULT_SANDBOX_SPEED),
    )
    try:
        profile, box = connect(options)
    except ServiceError as error:
        raise _Failure(str(error)) from None
    if box is not None and not options.sandbox:
        print("oss-cdn check: no Alibaba Cloud credentials found; "
              "checking against the embedded sandbox", file=sys.stderr)
    return profile, box


async def _check(args: argparse.Namespace, profile: Profile | None) -> tuple[bool, str]:
    from tui.services.errors import ServiceError
    from tui.services.propagation import PropagationService, check_round
    from tui.services.verdicts import PropagationBoard, canonical

    services = None
    if profile is not None:
        from tui.services.facade import Services

        services = Services(profile)
    try:
        expected = canonical(args.expect or await _cdn_cname(services, args.domain))
        if args.resolvers:  # asked alone, without CDN's own row
            results = await check_round(args.domain, expected, args.resolvers,
                                        timeout=args.timeout)
        else:
            checker = PropagationService(profile, services.cdn, timeout=args.timeout)
            results = await checker.check(args.domain, expected)
    except ServiceError as error:  # a bad resolvers.json too; no secret in the text
        raise _Failure(str(error)) from None
    finally:
        if services is not None:
            await services.close()
    board = PropagationBoard(expected).advance(results)
    report = _json(args.domain, board) if args.json else _table(args.domain, board)
    return board.propagated, report


async def _cdn_cname(services, domain: str) -> str:
    """The CNAME CDN assigned to `domain` (DescribeCdnDomainDetail)."""
    found = await services.cdn.domain(domain)
    if not found.cname:
        raise _Failure(f"CDN has not assigned {domain} a CNAME yet (status {found.status})")
    return found.cname


def _json(domain: str, board: PropagationBoard) -> str:
    return json.dumps({
        "domain": domain,
        "expected": board.expected,
        "propagated": board.propagated,
        "results": [r.to_json() for r in board.results],
    }) + "\n"


def _cells(row: ResolverResult) -> tuple[str, ...]:
    """One table row. Names come from resolvers.json, answers and details from DNS and
    the cloud: shown(), so none of them writes to the terminal (JSON escapes by itself)."""
    answer = " -> ".join(row.answer)
    if row.detail:
        answer = f"{answer} ({row.detail})" if answer else row.detail
    return (
        shown(row.resolver, 200),
        shown(row.address, 200),
        row.verdict.value,
        shown(answer, 1000) or "-",
        "-" if row.ttl is None else f"{row.ttl}s",
        "-" if row.latency_ms is None else f"{row.latency_ms:.1f} ms",
    )


def _table(domain: str, board: PropagationBoard) -> str:
    rows = [COLUMNS, *(_cells(r) for r in board.results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    right = {4, 5}  # numbers line up on the right

    def line(row: tuple[str, ...]) -> str:
        cells = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    lines = [shown(f"{domain}: expecting CNAME {board.expected}"), ""]
    lines += [line(row) for row in rows]
    lines += ["", _verdict_line(board)]
    return "\n".join(lines) + "\n"


def _verdict_line(board: PropagationBoard) -> str:
    if board.propagated:
        return shown(f"Propagated: {board.summary.removeprefix('propagated · ')}.")
    due = [r.ttl for r in board.dns_rows if not r.matches and r.ttl is not None]
    wait = f"; cached answers expire within about {max(due)} s" if due else ""
    return shown(f"Not propagated yet: {board.summary}{wait}.")
