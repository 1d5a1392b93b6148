"""What the one-shot commands (`check`, `fetch`, `status`, `doctor`, `onboard`) share: their
argument types, the account options they also take after their name, how they connect
(never the sandbox for want of credentials), and how they fail (exit 2; with --json, one
error object on stdout too).

Cheap to import (tui.cli builds its parser from here): the SDKs and dnspython load only
when a command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import sys
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from tui.launch import DEFAULT_SANDBOX_SPEED, LaunchOptions, connect
from tui.safe_text import shown
from tui.services.errors import CredentialsNotFound, ServiceError

if TYPE_CHECKING:
    from tui.services.profile import Profile
    from tui.services.propagation import Target

T = TypeVar("T")

USAGE_ERROR = 2


def timeout_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 60:
        raise argparse.ArgumentTypeError("the timeout is between 0 and 60 seconds")
    return value


def resolver_arg(text: str) -> Target:
    from tui.services.propagation import ResolverConfigError, parse_resolver

    try:
        return parse_resolver(text)
    except ResolverConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


# How to give credentials, for a command that found none.
NO_CREDENTIALS = (
    "no Alibaba Cloud credentials found. Give them with ALIBABA_CLOUD_ACCESS_KEY_ID and "
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET, or an aliyun-cli profile (`aliyun configure`; "
    "then --profile NAME, or the file's current one), or use the sandbox with --sandbox"
)


class CommandFailure(Exception):
    """Ends the command with exit status 2 and this message."""

    def __init__(self, message: str, code: str = "CheckFailed") -> None:
        super().__init__(message)
        self.code = code

    @classmethod
    def of(cls, error: ServiceError) -> CommandFailure:
        """A cloud error as the command's failure: its text (built without secrets)
        and its code."""
        return cls(str(error), getattr(error, "code", "") or type(error).__name__)


def error_json(code: str, message: str) -> str:
    return json.dumps({"error": {"code": code, "message": message}}) + "\n"


@contextlib.contextmanager
def json_usage_errors(argv: list[str]):
    """argparse's usage errors of `check ... --json` (and of `fetch`) as the JSON error
    object on stdout too (argparse itself writes them to stderr, which stays as it is)."""
    commands = ("check", "fetch", "doctor", "status", "onboard")
    wanted = any(c in argv for c in commands) and "--json" in argv
    if not wanted:
        yield
        return
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            yield
    except SystemExit as exit_:
        text = captured.getvalue()
        sys.stderr.write(text)
        if exit_.code == USAGE_ERROR:
            message = text.strip().splitlines()[-1] if text.strip() else "usage error"
            sys.stdout.write(error_json("UsageError", message.split(" error: ", 1)[-1]))
        raise
    else:
        sys.stderr.write(captured.getvalue())


def connect_for(args: argparse.Namespace, command: str = "check"):
    options = LaunchOptions(
        profile=getattr(args, "profile", None),
        region=getattr(args, "region", None),
        sandbox=getattr(args, "sandbox", False),
        sandbox_speed=getattr(args, "sandbox_speed", None) or DEFAULT_SANDBOX_SPEED,
        sandbox_fallback=False,
        sandbox_deny=tuple(getattr(args, "sandbox_deny", ()) or ()),
    )
    try:
        profile, box = connect(options)
    except CredentialsNotFound as error:
        message = str(error) if options.profile else NO_CREDENTIALS
        raise CommandFailure(message, type(error).__name__) from None
    except ServiceError as error:
        raise CommandFailure(
            str(error), getattr(error, "code", "") or type(error).__name__
        ) from None
    if profile.sandbox:
        where = (
            f"the shared sandbox (pid {profile.sandbox_pid})"
            if profile.sandbox_pid
            else "a sandbox of its own (no `oss-cdn sandbox serve` is running)"
        )
        print(f"oss-cdn {command}: using {where}", file=sys.stderr)
    return profile, box


def add_account_options(parser: argparse.ArgumentParser, command: str) -> None:
    """--sandbox, --profile and --region, also accepted after the command's name (left
    out unless given, so the ones before it stand)."""
    parser.add_argument(
        "--sandbox",
        action="store_true",
        default=argparse.SUPPRESS,
        help=f"{command} in the shared sandbox (`oss-cdn sandbox serve`), else in one of its own",
    )
    parser.add_argument(
        "--profile", default=argparse.SUPPRESS, help="aliyun-cli profile in ~/.aliyun/config.json"
    )
    parser.add_argument("--region", default=argparse.SUPPRESS, help="region id, e.g. cn-hangzhou")


def run_once(
    args: argparse.Namespace,
    command: str,
    profile: Profile | None,
    work: Callable[[Profile], Coroutine[Any, Any, T]],
) -> T | None:
    """`work` against `profile` (None: connect with the account options in `args`, a
    sandbox of its own stopped after): its result, or None once a failure was said on
    stderr (and with --json as the error object on stdout): the caller exits 2."""
    box = None
    try:
        if profile is None:
            profile, box = connect_for(args, command)
        return asyncio.run(work(profile))
    except CommandFailure as failure:
        print(f"oss-cdn {command}: {shown(failure, multiline=True)}", file=sys.stderr)
        if getattr(args, "json", False):
            sys.stdout.write(error_json(failure.code, str(failure)))
        return None
    finally:
        if box is not None:
            box.stop()
