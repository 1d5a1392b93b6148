"""`oss-cdn web`: the app in a browser, served by textual-serve (one app process per tab).

Cheap to import (tui.cli builds its parser from here): textual-serve and aiohttp load only
in the server's own process (tui/web_server.py), which this module starts in a process
group of its own so that stopping it ends every app process a tab started.

Safety first: the page drives the app with whatever credentials the server's process can
reach, for anyone who reaches the page. So it serves the sandbox unless credentials are
found AND --allow-credentials is given; then read-only unless --allow-writes. The page
answers only to its own address (tui/web_server.py: no other site's page drives the app).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import ipaddress
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from tui.launch import read_only_requested
from tui.services.credentials import credential_sources

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
READY_TIMEOUT = 60.0  # seconds for the server to answer on its port (a loaded machine)
STOP_GRACE = 5.0  # seconds the server's group gets to end on SIGTERM before SIGKILL

# The app's own options that `web` does not pass on: they are `web`'s or the parser's.
_NOT_PASSED_ON = ("help", "version", "command")


@dataclass(frozen=True)
class Serving:
    """What the served app will act on: decided before anything starts."""

    sandbox: bool
    read_only: bool

    def describe(self) -> str:
        if self.sandbox:
            return "the sandbox" + (" (read-only)" if self.read_only else "")
        if self.read_only:
            return "YOUR ACCOUNT, read-only (--allow-writes to send changes)"
        return "YOUR ACCOUNT, WITH WRITES: every visitor can change it"


class Refused(Exception):
    """`oss-cdn web` will not start as asked (exit 2): the message says why and how."""


def serving(
    credentials_found: bool,
    *,
    sandbox: bool,
    allow_credentials: bool,
    allow_writes: bool,
    read_only: bool,
    tour: bool = False,
) -> Serving:
    """Sandbox unless real credentials are found and allowed; with them, read-only unless
    writes are allowed. Raises Refused when credentials are found and not allowed.

    The tour always plays in a sandbox of its own, whatever credentials are found, and it
    makes changes there: read-only is refused with it, as the app refuses it."""
    if tour:
        if read_only:
            raise Refused(
                "--tour makes changes in its own sandbox: it cannot run read-only "
                "(--read-only or OSS_CDN_READ_ONLY)"
            )
        return Serving(sandbox=True, read_only=False)
    if sandbox or not credentials_found:
        return Serving(sandbox=True, read_only=read_only)
    if not allow_credentials:
        raise Refused(
            "Alibaba Cloud credentials were found, and whoever reaches the page would act "
            "with them: give --allow-credentials to serve your account (read-only unless "
            "--allow-writes), or --sandbox to serve the sandbox anyway"
        )
    return Serving(sandbox=False, read_only=read_only or not allow_writes)


def add_web_parser(commands: argparse._SubParsersAction, app: argparse.ArgumentParser) -> None:
    """The `web` subcommand. It takes every option of the app itself (`app`'s optional
    arguments, copied when this is called: call it after they are all declared), and
    passes them on to the app each tab runs."""
    web = commands.add_parser(
        "web",
        help="serve the app in a browser (textual-serve), against the sandbox by default",
        description="Serve the app in a browser: one app process per tab. Binds loopback "
        "unless --host says otherwise. Serves the sandbox unless credentials are found and "
        "--allow-credentials is given; then read-only unless --allow-writes. The app's own "
        "options below are passed on to the app.",
    )
    web.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to bind ({DEFAULT_HOST}); a wildcard (0.0.0.0, ::) needs --public-url, "
        "the address browsers reach it by",
    )
    web.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT}; 0: a free one)"
    )
    web.add_argument(
        "--public-url",
        metavar="URL",
        type=_public_url,
        help="the URL browsers reach the server by, when not http://HOST:PORT (a proxy, "
        "a wildcard --host): the page answers to it only",
    )
    web.add_argument(
        "--allow-credentials",
        action="store_true",
        help="serve the account of the credentials found (anyone reaching the page acts "
        "with them); read-only unless --allow-writes",
    )
    web.add_argument(
        "--allow-writes",
        action="store_true",
        help="with --allow-credentials: let the page send changes to the account",
    )
    passed_on = web.add_argument_group("the app's options, passed on to each tab's app")
    # Copied, not re-declared: an option the app gains (--tour, ...) is `web`'s too, with
    # the same checks. A copy without a default: one given before `web` (`oss-cdn
    # --read-only web`) is not reset by the subcommand's default.
    taken = set(web._option_string_actions)
    originals = []
    for action in app._actions:
        if not action.option_strings or action.dest in _NOT_PASSED_ON:
            continue
        if taken.intersection(action.option_strings):
            continue
        if not isinstance(action, _PASSABLE):
            raise TypeError(f"`web` cannot pass on {action.option_strings[0]}: {action!r}")
        own = copy.copy(action)
        own.default = argparse.SUPPRESS
        passed_on._add_action(own)
        originals.append(action)
    web.set_defaults(app_actions=originals)


_PASSABLE = (argparse._StoreTrueAction, argparse._StoreAction, argparse._AppendAction)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("a port is between 0 and 65535")
    return value


def _public_url(text: str) -> str:
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  # raises ValueError on a port that is no number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"not an http:// or https:// URL with a host: {text!r}"
        ) from None
    return text


def app_options(args: argparse.Namespace, actions: list[argparse.Action]) -> list[str]:
    """The app options given to `web`, as the app's command line again (defaults left
    out). Pure: `build_parser().parse_args(app_options(...))` gives the same values."""
    argv: list[str] = []
    for action in actions:
        value = getattr(args, action.dest, action.default)
        option = action.option_strings[-1]  # the long form
        if isinstance(action, argparse._StoreTrueAction):
            if value:
                argv.append(option)
        elif isinstance(action, argparse._AppendAction):
            argv += [f"{option}={item}" for item in value or ()]
        elif value is not None and value != action.default:
            argv.append(f"{option}={value}")  # `=`: a value may start with "-"
    return argv


def app_argv(options: list[str], mode: Serving) -> list[str]:
    """The app each tab runs: `options`, with --sandbox / --read-only as `mode` says."""
    argv = list(options)
    if mode.sandbox and "--sandbox" not in argv:
        argv.append("--sandbox")
    if mode.read_only and "--read-only" not in argv:
        argv.append("--read-only")
    return [sys.executable, "-m", "tui", *argv]


def shell_command(argv: list[str]) -> str:
    """textual-serve runs its app command through the shell: one string, each part quoted."""
    return " ".join(shlex.quote(part) for part in argv)


WILDCARDS = ("0.0.0.0", "::", "")  # every address of the machine: no URL to print


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _reach(host: str) -> str:
    """The address to check the server on: a wildcard bind answers on loopback."""
    return {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)


def free_port(host: str) -> int:
    """A port free on `host` now (textual-serve's port=0 puts 0 in the page's websocket
    URL, so the port is chosen here)."""
    family = socket.AF_INET6 if ":" in _reach(host) else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def port_taken(host: str, port: int) -> str | None:
    """Why `port` cannot be served on `host` (None: it can). Asked before the server starts:
    another server answering on that port would pass for ours."""
    family = socket.AF_INET6 if ":" in _reach(host) else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.strerror or str(error)
    return None


def url_for(host: str, port: int) -> str:
    shown_host = f"[{host}]" if ":" in host else host
    return f"http://{shown_host}:{port}/"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((_reach(host), port), timeout=1.0):
            return True
    except OSError:
        return False


class _Stop(Exception):
    """SIGTERM or SIGHUP, turned into an exception the way Ctrl+C is."""


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop


def stop_group(server: subprocess.Popen) -> None:
    """End the server and every app process its tabs started: SIGTERM to its whole
    process group, SIGKILL to whatever is left after a grace period (a connected page
    keeps aiohttp's shutdown waiting ~20 s; an app ignoring SIGTERM would stay)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=STOP_GRACE)
    # The group's members outlive their leader: end them all.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    if server.stdin is not None:
        server.stdin.close()  # its end-of-input: nothing is left to read it


def app_command(args: argparse.Namespace, credentials_found: bool) -> tuple[str, Serving]:
    """The shell command each tab runs, and what it acts on, for `web`'s parsed `args`.
    Raises Refused when credentials are found and not allowed, or --tour is read-only."""
    mode = serving(
        credentials_found,
        sandbox=args.sandbox,
        allow_credentials=args.allow_credentials,
        allow_writes=args.allow_writes,
        read_only=read_only_requested(args.read_only),
        tour=args.tour,
    )
    # `exec`: the app replaces the shell (Debian's dash keeps itself as the parent of a
    # lone `-c` command), so the server's stop signal reaches the app itself and its exit
    # code is the app's, not that of a shell killed on the way out.
    return "exec " + shell_command(app_argv(app_options(args, args.app_actions), mode)), mode


def public_url(args: argparse.Namespace, port: int) -> str:
    """The URL the page is reached by: --public-url, else the bound address. Raises
    Refused for a wildcard bind without --public-url (0.0.0.0 is no address a browser
    elsewhere can open, and the page only answers to its own URL)."""
    if args.public_url:
        return args.public_url
    if args.host in WILDCARDS:
        raise Refused(
            f"--host {shlex.quote(args.host)} binds every address of this machine: give "
            f"--public-url with the one browsers reach it by (e.g. http://192.0.2.10:{port}/); "
            "the page answers to that address only"
        )
    return url_for(args.host, port)


def credentials_found(args: argparse.Namespace) -> bool:
    """A profile named, or a step of the credential chain that has something to read
    (looked at without the credentials library: a step listed may still fail, and then
    the page would only show the error; refusing is the safe side)."""
    return bool(args.profile) or bool(credential_sources())


def run_web(args: argparse.Namespace) -> int:
    try:
        command, mode = app_command(args, credentials_found(args))
        port = args.port or free_port(args.host)
        url = public_url(args, port)
    except Refused as refused:
        print(f"oss-cdn web: {refused}", file=sys.stderr)
        return 2
    problem = port_taken(args.host, port)
    if problem:
        print(f"oss-cdn web: cannot serve on {args.host}:{port}: {problem}", file=sys.stderr)
        return 2
    server_argv = [sys.executable, "-m", "tui.web_server", "--host", args.host]
    server_argv += ["--port", str(port), "--command", command, "--public-url", url]
    # A closed terminal (SIGHUP) stops it as Ctrl+C and SIGTERM do: with its clean-up.
    previous = {
        signum: signal.signal(signum, _raise_stop) for signum in (signal.SIGTERM, signal.SIGHUP)
    }
    # Its own session: Ctrl+C reaches only this process, which ends the whole group. Its
    # stdin is a pipe from this process, never written: EOF tells it this process is gone
    # (even by SIGKILL, with no clean-up), and it ends its group itself.
    server = subprocess.Popen(
        [*server_argv, "--end-with-stdin"], stdin=subprocess.PIPE, start_new_session=True
    )
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while not _answers(args.host, port):
            if server.poll() is not None or time.monotonic() > deadline:
                print(
                    f"oss-cdn web: the server did not start on {args.host}:{port} "
                    "(its output is above)",
                    file=sys.stderr,
                )
                return 2
            time.sleep(0.1)
        print(f"oss-cdn web: serving {url}", flush=True)
        print(f"  each tab runs the app against {mode.describe()}", flush=True)
        if not is_loopback(args.host):
            print(
                f"  WARNING: bound to {args.host}, not loopback: anyone who can reach this "
                "address can use the app",
                flush=True,
            )
        print("  Ctrl+C stops it, and every app it started", flush=True)
        code = server.wait()
        print(f"oss-cdn web: the server ended (exit code {code})", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, _Stop):
        return 0
    finally:
        # A second Ctrl+C, SIGTERM or SIGHUP must not cut the clean-up short.
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
        for signum in previous:
            signal.signal(signum, signal.SIG_IGN)
        try:
            stop_group(server)
        finally:
            signal.signal(signal.SIGINT, interrupt)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
