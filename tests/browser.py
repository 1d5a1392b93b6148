"""The served app in a real browser, for tests/test_browser.py: Debian's
chromium-headless-shell driven by Playwright (never a browser of Playwright's own download:
`playwright install` needs the internet).

    async with served_page(tmp_path, args=["--sandbox-speed", "50"]) as tab:
        await wait_for_text(tab, "SANDBOX")
        await press(tab, "a")
        print(await screen_text(tab.page))

xterm.js draws the terminal on a canvas and keeps its Terminal object private: a script
that runs before the page's own catches it (`window.__ossCdnTerminal`), and the screen's
text is read from its buffer API.

Nothing it does leaves loopback, even if the page regresses and asks another host: every
host name fails to resolve in the browser, anything not bypassing its proxy goes to a
closed loopback port, and the page's requests (and websockets) to anyone but the server
are aborted by Playwright before they are sent, recorded in Tab.blocked.
"""

from __future__ import annotations

import os
import shutil
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Page, Route, WebSocketRoute, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.served import Served, serve_web

PACKAGE = "chromium-headless-shell"  # Debian's; .ci/run and scripts/test.sh install it
# Without the background-networking flags Chromium asks Google's hosts for updates,
# field trials and the like: the tests send nothing beyond loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No traffic off loopback if the page ever asks for more: no name resolves (the
    # server is an address: no name is needed), and what is not for 127.0.0.1 goes to a
    # proxy on the discard port, where nothing listens.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
]
TIMEOUT = 90.0  # seconds for anything the page waits for (a loaded 2-core machine)

# textual.js stores its xterm Terminal as `this.terminal = new Terminal(...)`: a setter on
# Object.prototype sees that assignment (any other `terminal` assignment only gets an own
# property, as it would have without the setter).
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  get() { return undefined; },
  set(value) {
    Object.defineProperty(this, "terminal", {
      value, writable: true, configurable: true, enumerable: true,
    });
    if (value && typeof value.loadAddon === "function" && value.buffer) {
      window.__ossCdnTerminal = value;
    }
  },
});
"""

SCREEN_TEXT = """
() => {
  const term = window.__ossCdnTerminal;
  if (!term) return null;
  const buffer = term.buffer.active;
  const lines = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
}
"""

HAS_TEXT = f"""
(wanted) => {{
  const text = ({SCREEN_TEXT})();
  return text !== null && text.includes(wanted);
}}
"""


def chromium() -> str:
    """The browser binary; fails (never skips) the test when the package is missing."""
    found = shutil.which(PACKAGE) or "/usr/lib/chromium/chromium-headless-shell"
    if not os.access(found, os.X_OK):
        pytest.fail(
            f"no {PACKAGE}: the browser tests need Debian's package "
            f"(apt-get install {PACKAGE}; scripts/test.sh installs it)"
        )
    return found


@dataclass
class Tab:
    page: Page
    served: Served
    requests: list[str] = field(default_factory=list)  # every URL and websocket it opened
    blocked: list[str] = field(default_factory=list)  # those not to the server: never sent

    @property
    def server(self) -> str:
        return urlsplit(self.served.url).netloc

    def elsewhere(self, url: str) -> bool:
        """Whether `url` is for anyone but the server (data: URLs are no request)."""
        return urlsplit(url).netloc != self.server and not url.startswith("data:")

    async def refuse(self, route: Route) -> None:
        self.blocked.append(route.request.url)
        await route.abort("blockedbyclient")

    async def refuse_socket(self, socket: WebSocketRoute) -> None:
        self.blocked.append(socket.url)
        await socket.close()  # never connected to its server


@asynccontextmanager
async def open_page(served: Served, *, width: int = 1280, height: int = 800):
    """The served app's page in headless Chromium, every request recorded. The page and
    the browser are closed on the way out (before the server stops: a connected page
    holds the server's exit for ~20 s)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": width, "height": height})
            tab = Tab(page, served)
            page.on("request", lambda request: tab.requests.append(request.url))
            # A websocket is no "request" to Playwright: recorded as well.
            page.on("websocket", lambda socket: tab.requests.append(socket.url))
            await page.route(tab.elsewhere, tab.refuse)
            await page.route_web_socket(tab.elsewhere, tab.refuse_socket)
            await page.add_init_script(CATCH_TERMINAL)
            await page.goto(served.url, timeout=TIMEOUT * 1000)
            try:
                yield tab
            finally:
                await page.close()
        finally:
            await browser.close()


@asynccontextmanager
async def served_page(home: Path, args: list[str] | tuple[str, ...] = (), **size: int):
    """`oss-cdn web ARGS` with one page open on it (see open_page and serve_web)."""
    with serve_web(home, *args) as served:
        async with open_page(served, **size) as tab:
            yield tab


async def screen_text(page: Page) -> str:
    """The terminal's text as shown, one line per row ("" before the terminal exists)."""
    return await page.evaluate(SCREEN_TEXT) or ""


async def wait_for_text(tab: Tab, text: str, timeout: float = TIMEOUT) -> str:
    """The screen once it shows `text`; fails with the screen and the server's output (a
    crashed app's traceback is there) when it does not in time."""
    try:
        await tab.page.wait_for_function(HAS_TEXT, arg=text, timeout=timeout * 1000, polling=100)
    except PlaywrightTimeout:
        pytest.fail(
            f"the page did not show {text!r} in {timeout:g} s; it shows:\n"
            f"{await screen_text(tab.page)}\n-- oss-cdn web's output:\n{tab.served.output()}"
        )
    return await screen_text(tab.page)


async def press(tab: Tab, *keys: str) -> None:
    """Keys as a user types them in the page (Playwright's names: "a", "Control+s")."""
    await tab.page.focus(".xterm-helper-textarea")  # the terminal's input
    for key in keys:
        await tab.page.keyboard.press(key)


async def type_text(tab: Tab, text: str) -> None:
    await tab.page.focus(".xterm-helper-textarea")
    await tab.page.keyboard.type(text)
