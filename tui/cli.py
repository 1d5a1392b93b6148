"""Command line: `oss-cdn` (the app), `oss-cdn sandbox serve`, `oss-cdn check`, `oss-cdn
fetch`, `oss-cdn doctor`, `oss-cdn web`.

Kept free of heavy imports: the app module is imported only when the app runs, and the
SDKs only after its first paint.
"""

from __future__ import annotations

import argparse
import sys

from tui import __version__
from tui.check import add_check_parser, run_check
from tui.command_line import json_usage_errors
from tui.doctor import add_doctor_parser, run_doctor
from tui.fetch import add_fetch_parser, run_fetch
from tui.launch import (
    DEFAULT_SANDBOX_SPEED,
    TOUR_SANDBOX_SPEED,
    LaunchOptions,
    disable_ecs_metadata_by_default,
    read_only_requested,
)
from tui.onboard import add_onboard_parser, run_onboard
from tui.status import add_status_parser, run_status
from tui.web import add_web_parser, run_web


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the speed factor must be greater than 0")
    return value


def _ram_action(text: str) -> str:
    product, _, action = text.partition(":")
    if product not in ("cdn", "alidns", "oss") or not action.isalnum():
        raise argparse.ArgumentTypeError(
            f"not a RAM action of cdn, alidns or oss: {text!r} (e.g. cdn:AddCdnDomain)"
        )
    return text


def _quota(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("the quota cannot be negative")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oss-cdn",
        description="Serve an OSS bucket through Alibaba Cloud CDN on your own domain. "
        "Without credentials the app runs against the embedded sandbox; commands such as "
        "`check` need credentials, or --sandbox.",
    )
    parser.add_argument("--version", action="version", version=f"oss-cdn {__version__}")
    parser.add_argument("--profile", help="aliyun-cli profile in ~/.aliyun/config.json")
    parser.add_argument("--region", help="region id, e.g. cn-hangzhou")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="use the sandbox even when credentials are found: the shared "
        "one (`oss-cdn sandbox serve`) when it runs, else one of its own",
    )
    parser.add_argument(
        "--sandbox-speed",
        type=_speed,
        default=None,  # not given: the tour picks its own (see main)
        metavar="F",
        help=f"sandbox seconds per real second (default {DEFAULT_SANDBOX_SPEED:g}; "
        f"{TOUR_SANDBOX_SPEED:g} with --tour, whose steps each wait longer in a slower "
        "sandbox: at 1, CDN's minutes of configuring are real minutes)",
    )
    parser.add_argument(
        "--sandbox-deny",
        action="append",
        default=[],
        type=_ram_action,
        metavar="ACTION",
        help="in a sandbox of its own, refuse this RAM action as RAM does "
        "(e.g. alidns:DescribeDomains; repeatable)",
    )
    parser.add_argument(
        "--sandbox-quota",
        type=_quota,
        metavar="N",
        help="the sandbox account's CDN domain quota (default 50; a sandbox of its own)",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="send no change at all: every write is shown disabled and can "
        "be exported as aliyun-cli commands (also OSS_CDN_READ_ONLY=1)",
    )
    parser.add_argument(
        "--tour",
        action="store_true",
        help="play the whole onboarding by itself, with a caption per step, for a demo: "
        "Space pauses, Right skips the pauses, Esc hands you the keys. Always in a "
        "sandbox of its own, even when credentials are found: it never changes a real "
        "account",
    )
    parser.add_argument(
        "--tour-speed",
        type=_speed,
        default=1.0,
        metavar="F",
        help="the tour's pace: 2 plays it twice as fast (default 1)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    sandbox = commands.add_parser("sandbox", help="run the embedded sandbox on its own")
    sandbox_commands = sandbox.add_subparsers(
        dest="sandbox_command", metavar="ACTION", required=True
    )
    serve = sandbox_commands.add_parser(
        "serve", help="serve the sandbox until interrupted, shared with every other command"
    )
    serve.add_argument(
        "--json", action="store_true", help="print its endpoints and keys as one JSON line first"
    )
    serve.add_argument(
        "--sandbox-speed",
        type=_speed,
        default=DEFAULT_SANDBOX_SPEED,
        metavar="F",
        dest="serve_speed",
    )
    serve.add_argument(
        "--deny",
        action="append",
        default=[],
        metavar="ACTION",
        type=_ram_action,
        help="refuse this RAM action as a RAM user without it is refused "
        "(cdn:AddCdnDomain, alidns:DescribeDomains, oss:ListBuckets...; repeatable)",
    )
    serve.add_argument(
        "--sandbox-quota",
        type=_quota,
        metavar="N",
        dest="serve_quota",
        help="the account's CDN domain quota, as DescribeCdnUserQuota reports it (default 50)",
    )
    add_check_parser(commands)
    add_fetch_parser(commands)
    add_doctor_parser(commands)
    add_status_parser(commands)
    add_onboard_parser(commands)
    add_web_parser(commands, parser)  # last: it takes the app's options declared above
    return parser


def app_options(args: argparse.Namespace) -> LaunchOptions:
    """The app's LaunchOptions from its parsed command line."""
    speed = args.sandbox_speed or (TOUR_SANDBOX_SPEED if args.tour else DEFAULT_SANDBOX_SPEED)
    return LaunchOptions(
        profile=args.profile,
        region=args.region,
        # The tour never touches a real account: the sandbox even with credentials found
        # (launch.connect and the tour's player insist on it as well).
        sandbox=args.sandbox or args.tour,
        sandbox_speed=speed,
        sandbox_quota=args.sandbox_quota,
        read_only=read_only_requested(args.read_only),
        sandbox_deny=tuple(args.sandbox_deny),
        tour=args.tour,
        tour_speed=args.tour_speed,
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with json_usage_errors(argv):
        args = build_parser().parse_args(argv)
    disable_ecs_metadata_by_default()
    if args.command == "check":
        return run_check(args)
    if args.command == "fetch":
        return run_fetch(args)
    if args.command == "doctor":
        return run_doctor(args)
    if args.command == "status":
        return run_status(args)
    if args.command == "onboard":
        return run_onboard(args)
    if args.command == "web":
        return run_web(args)
    if args.command == "sandbox":
        from tui.sandbox.runner import main_serve  # the sandbox's server brings aiohttp

        return main_serve(
            speed=args.serve_speed, json_out=args.json, deny=args.deny, quota=args.serve_quota
        )
    if args.tour and read_only_requested(args.read_only):
        # The tour adds a domain and a DNS record (in its sandbox): read-only would stop
        # it at its first change.
        build_parser().error(
            "--tour makes changes in its own sandbox: it cannot run read-only "
            "(--read-only or OSS_CDN_READ_ONLY)"
        )
    # Textual only for the app: `check` and `sandbox serve` start without it.
    from tui.app import OssCdnApp

    app = OssCdnApp(app_options(args))
    app.run()
    return app.return_code or 0  # Textual sets 1 when the app crashed


if __name__ == "__main__":
    sys.exit(main())
