"""`oss-cdn fetch URL`: is the URL served through the CDN, and is it the origin's object?

Resolves the URL's host through one DNS server, checks it reaches the domain's CDN CNAME,
sends the request to the address it ends at with the URL's Host, then compares the
answer with a HEAD of the same object in OSS (tui/services/delivery.py). One line of
verdict and evidence, then the explanation; or with --json one object.

Exit status (as `check`'s): 0 `served`; 1 every other verdict (stale, denied, not-found,
not-cdn, offline, error); 2 a usage error or a cloud error (the host on no CDN domain of
the account included). With --json every error is {"error": {"code", "message"}} on
stdout too. Where it talks to: the account whose credentials are found, or with
--sandbox the shared sandbox or one of its own; never the sandbox for want of credentials.

Cheap to import (tui.cli builds its parser from here): aiohttp, dnspython and the SDKs are
imported when the command runs.
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
    resolver_arg,
    run_once,
    timeout_arg,
)
from tui.delivery_rules import FetchUrl, UrlError, Verdict, parse_url
from tui.safe_text import shown
from tui.services.errors import ServiceError
from tui.services.facade import Services

if TYPE_CHECKING:
    from tui.services.delivery import Delivery
    from tui.services.profile import Profile

DEFAULT_TIMEOUT = 10.0  # the delivery service's too (kept here: --help needs no aiohttp)


def _url(text: str) -> FetchUrl:
    try:
        return parse_url(text)
    except UrlError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_fetch_parser(subparsers) -> argparse.ArgumentParser:
    """Add `fetch` to the `oss-cdn` subcommands; `run_fetch` runs what it parses."""
    parser = subparsers.add_parser(
        "fetch",
        help="fetch a URL through the CDN and compare it with the origin",
        description="Resolve URL's host, check it reaches the CDN domain's CNAME, request "
        "the URL from the CDN edge it resolves to, and compare the answer with the object "
        "in OSS. Verdicts: served, stale, denied, not-found, not-cdn, offline, error. Exit "
        "status 0: served; 1: any other verdict; 2: usage or cloud error.",
    )
    parser.add_argument(
        "url", type=_url, metavar="URL", help="e.g. http://img.example.com/img/logo.png"
    )
    parser.add_argument(
        "--resolver",
        type=resolver_arg,
        metavar="[NAME=]HOST[:PORT]",
        help="the DNS server to resolve the host with (default: the system's; in the "
        "sandbox, its first simulated resolver)",
    )
    parser.add_argument(
        "--timeout",
        type=timeout_arg,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds to wait for each step: DNS, the edge, OSS (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of a line (errors too)"
    )
    # The global options, also accepted after `fetch` (left out unless given).
    add_account_options(parser, "fetch")
    return parser


def run_fetch(args: argparse.Namespace, *, profile: Profile | None = None) -> int:
    """Fetch once for parsed `fetch` arguments and print the outcome; the exit status.
    `profile` is where to talk to; None: tui.launch.connect with the global options."""
    result = run_once(args, "fetch", profile, lambda where: _fetch(args, where))
    if result is None:
        return USAGE_ERROR
    sys.stdout.write(json.dumps(result.to_json()) + "\n" if args.json else human(result))
    return 0 if result.verdict is Verdict.SERVED else 1


async def _fetch(args: argparse.Namespace, profile: Profile) -> Delivery:
    from tui.services.delivery import DeliveryService

    services = Services(profile)
    try:
        checker = DeliveryService(profile, services.cdn, services.oss, timeout=args.timeout)
        return await checker.check(args.url, resolver=args.resolver)
    except ServiceError as error:  # messages are built without secrets
        raise CommandFailure(
            str(error), getattr(error, "code", "") or type(error).__name__
        ) from None
    finally:
        await services.close()


def human(result: Delivery) -> str:
    """The verdict and its evidence on one line, the explanation on the next. Every part
    from the network or the cloud goes through shown()."""
    parts = [result.verdict.value.upper(), shown(result.url, 300)]
    if result.status is not None:
        parts.append(str(result.status))
    if result.cache:
        parts.append(f"X-Cache {result.cache}")
    if result.edge:
        parts.append(f"edge {shown(result.edge)}")
    if result.etag or result.origin_etag:
        same = "=" if result.etag == result.origin_etag else "≠"
        parts.append(
            f"ETag {shown(result.etag) or '-'} {same} origin {shown(result.origin_etag) or '-'}"
        )
    parts.append(f"{result.elapsed_ms:.0f} ms")
    return " · ".join(parts) + "\n" + shown(result.explanation, 2000) + "\n"
