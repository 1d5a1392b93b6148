"""The textual-serve server of `oss-cdn web`, in a process of its own (`python -m
tui.web_server`): `Server.serve()` installs signal handlers, so it must own the main thread
of its process; `oss-cdn web` (tui/web.py) starts it in a new process group and ends the
group, with every app process a tab started.

What it adds to textual-serve 1.1.3:
- our page template (tui/web_templates/): the font from the server's own static files
  instead of a web font from the internet, so the page makes no request outside it;
- it answers only to its own address: textual-serve checks neither the Host of a request
  nor the Origin of the websocket that drives the app, so any web page the presenter
  visits could open ws://127.0.0.1:8000/ws and type into the app (and DNS rebinding could
  read the page). A foreign Host, or a websocket from another site's page, gets 403;
- an app that ends on its own (a crash) is logged with its exit code, and its page is
  closed ("Session ended.", a Restart button) instead of staying on the splash screen.
  textual-serve already copies the app's error output to this process's stdout. An app
  stopped by a signal (the server's stop, a user's kill) is no crash: not logged;
- with --end-with-stdin, it ends its whole group when its stdin ends: `oss-cdn web` holds
  the other end, so this happens when it is gone, even killed with no chance to clean up.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import textual_serve.server
from aiohttp import web
from aiohttp.typedefs import Handler
from textual_serve.app_service import AppService
from textual_serve.server import Server

from tui.web import STOP_GRACE, is_loopback, url_for

TEMPLATES = Path(__file__).resolve().parent / "web_templates"
DEFAULT_PORTS = {"http": 80, "https": 443}
# Signals that stop a process on purpose (the server's stop, a user's kill): no crash.
STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT, signal.SIGHUP})

log = logging.getLogger("textual-serve")


@dataclass(frozen=True)
class SameSite:
    """The addresses the page is served at: a request must name one in its Host header,
    and a websocket must come from a page of one (its Origin). Browsers always send Origin
    with a websocket, and another site's page cannot forge it; a DNS name rebound to this
    address still shows in Host. Compared as browsers write them (lowercase, the port left
    out when it is the scheme's default), exactly: nothing is parsed leniently."""

    hosts: frozenset[str]  # "127.0.0.1:8000", "[::1]:8000", "demo.example.com"
    origins: frozenset[str]  # "http://127.0.0.1:8000", "https://demo.example.com"

    @classmethod
    def serving(cls, public_url: str, host: str, port: int) -> SameSite:
        """The public URL's address; the bound address too (a proxy in front may pass it
        as Host; no other site's name can be it), and localhost when bound to loopback."""
        urls = [public_url, url_for(host, port)]
        if is_loopback(host):
            urls.append(url_for("localhost", port))
        hosts: set[str] = set()
        origins: set[str] = set()
        for url in urls:
            parts = urlsplit(url)
            scheme, name = parts.scheme.lower(), parts.hostname
            if scheme not in DEFAULT_PORTS or not name:
                continue
            shown = f"[{name}]" if ":" in name else name
            number = parts.port or DEFAULT_PORTS[scheme]
            forms = {f"{shown}:{number}"} | ({shown} if number == DEFAULT_PORTS[scheme] else set())
            hosts |= forms
            origins |= {f"{scheme}://{form}" for form in forms}
        return cls(frozenset(hosts), frozenset(origins))

    def host_allowed(self, host: str | None) -> bool:
        return host is not None and host.lower() in self.hosts

    def origin_allowed(self, origin: str | None) -> bool:
        """("null", from a sandboxed frame or a file: page, is no origin of ours.)"""
        return origin is not None and origin.lower() in self.origins


def crashed(code: int, *, stopping: bool) -> bool:
    """Whether an app's exit code tells of a crash: an error exit, or a signal nobody
    sent to stop it (SIGSEGV, SIGABRT, a SIGKILL while the server is not stopping). A
    signal's end is -N (Python's default), or 128+N (the app's own exit on SIGTERM and
    SIGHUP, tui/app.py, as shells report it)."""
    if code == 0:
        return False
    signum = -code if code < 0 else code - 128 if code > 128 else None
    if signum is None:
        return True
    return not stopping and signum not in STOP_SIGNALS


class WatchedAppService(AppService):
    """An app process whose end is told: logged when it failed, its page closed."""

    stopping = False  # set for every app by OssCdnServer when the server stops

    async def run(self) -> None:
        await super().run()  # returns when the app's output ends: it quit or died
        process = self._process
        if process is None:
            return
        code = await process.wait()
        if crashed(code, stopping=WatchedAppService.stopping):
            log.error(
                "the app ended with exit code %s (its error output, if any, is above): %s",
                code,
                self.command,
            )
        await self.remote_close()  # already closed when the app quit normally: no-op


class OssCdnServer(Server):
    def __init__(self, command: str, host: str, port: int, public_url: str) -> None:
        super().__init__(
            command,
            host=host,
            port=port,
            title="oss-cdn",
            # textual-serve appends each path ("/ws") to it: no trailing slash.
            public_url=public_url.rstrip("/"),
            templates_path=TEMPLATES,
        )
        self.same_site = SameSite.serving(public_url, host, port)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        # Before any route: a refused websocket starts no app.
        app.middlewares.append(self._same_site_only)
        return app

    @web.middleware
    async def _same_site_only(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        host = request.headers.get("Host")
        origin = request.headers.get("Origin")
        websocket = request.headers.get("Upgrade", "").lower() == "websocket"
        # A page of ours sends no Origin with its own GETs, or ours: one present must match.
        if not self.same_site.host_allowed(host) or (
            (websocket or origin is not None) and not self.same_site.origin_allowed(origin)
        ):
            # %r: the headers are the requester's text, shown escaped.
            log.warning("refused a request from another site: Host %r, Origin %r", host, origin)
            raise web.HTTPForbidden(
                text=f"This server answers only at {self.public_url}/ (open that address).\n"
            )
        return await handler(request)

    def request_exit(self) -> None:
        WatchedAppService.stopping = True  # the apps stopped with it did not crash
        super().request_exit()

    async def on_startup(self, app: object) -> None:
        """Quiet: `oss-cdn web` prints the URL and what is served, once it answers."""


def end_with_stdin() -> threading.Event:
    """Watch stdin (a pipe from `oss-cdn web`, never written): at its end, the parent is
    gone. Then end the group as `oss-cdn web` would have: SIGTERM (this server's graceful
    exit, and each tab's app), SIGKILL for whatever is left after the grace period."""
    gone = threading.Event()

    def watch() -> None:
        while os.read(sys.stdin.fileno(), 4096):
            pass
        gone.set()
        os.killpg(os.getpgrp(), signal.SIGTERM)
        time.sleep(STOP_GRACE)
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="end-with-stdin", daemon=True).start()
    return gone


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tui.web_server")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--command", required=True, help="the app, one shell string")
    parser.add_argument("--public-url", help="the page's URL (default http://HOST:PORT/)")
    parser.add_argument(
        "--end-with-stdin",
        action="store_true",
        help="end the whole process group when stdin ends (a pipe from the parent)",
    )
    args = parser.parse_args(argv)
    # textual-serve builds each tab's AppService by this module-level name: there is no
    # parameter for it (1.1.3). tests/test_web.py checks that a dying app is reported.
    textual_serve.server.AppService = WatchedAppService  # type: ignore[misc]  # see above
    parent_gone = end_with_stdin() if args.end_with_stdin else None
    public = args.public_url or url_for(args.host, args.port)
    OssCdnServer(args.command, args.host, args.port, public).serve()
    if parent_gone is not None and parent_gone.is_set():
        # Served its graceful exit: end what outlived the SIGTERM, this process with it.
        os.killpg(os.getpgrp(), signal.SIGKILL)


if __name__ == "__main__":
    main()
