"""The textual-serve server of `oss-cdn web`, in a process of its own (`python -m
tui.web_server`): `Server.serve()` installs signal handlers, so it must own the main thread
of its process; `oss-cdn web` (tui/web.py) starts it in a new process group and ends the
group, with every app process a tab started.

What it adds to textual-serve 1.1.3:
- our page template (tui/web_templates/): the font from the server's own static files
  instead of a web font from the internet, so the page makes no request outside it;
- an app that ends on its own (a crash) is logged with its exit code, and its page is
  closed ("Session ended.", a Restart button) instead of staying on the splash screen.
  textual-serve already copies the app's error output to this process's stdout.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import textual_serve.server
from textual_serve.app_service import AppService
from textual_serve.server import Server

TEMPLATES = Path(__file__).resolve().parent / "web_templates"

log = logging.getLogger("textual-serve")


class WatchedAppService(AppService):
    """An app process whose end is told: logged when it failed, its page closed."""

    async def run(self) -> None:
        await super().run()  # returns when the app's output ends: it quit or died
        process = self._process
        if process is None:
            return
        code = await process.wait()
        if code != 0:
            log.error(
                "the app ended with exit code %s (its error output, if any, is above): %s",
                code,
                self.command,
            )
        await self.remote_close()  # already closed when the app quit normally: no-op


class OssCdnServer(Server):
    def __init__(self, command: str, host: str, port: int, public_url: str | None) -> None:
        super().__init__(
            command,
            host=host,
            port=port,
            title="oss-cdn",
            public_url=public_url,
            templates_path=TEMPLATES,
        )

    async def on_startup(self, app: object) -> None:
        """Quiet: `oss-cdn web` prints the URL and what is served, once it answers."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tui.web_server")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--command", required=True, help="the app, one shell string")
    parser.add_argument("--public-url")
    args = parser.parse_args(argv)
    # textual-serve builds each tab's AppService by this module-level name: there is no
    # parameter for it (1.1.3). tests/test_web.py checks that a dying app is reported.
    textual_serve.server.AppService = WatchedAppService  # type: ignore[misc]  # see above
    OssCdnServer(args.command, args.host, args.port, args.public_url).serve()


if __name__ == "__main__":
    main()
