"""`oss-cdn web` in a real browser (headless Chromium): the terminal's text is read from
xterm.js, keys are typed in the page, and the page asks nothing of anyone but the server."""

from urllib.parse import urlsplit

import pytest

from tests.browser import open_page, press, served_page, type_text, wait_for_text
from tests.served import in_groups, serve_web, wait_gone

pytestmark = pytest.mark.slow  # a browser, a server and an app per test

NEW_DOMAIN = "shop.example.com"


async def test_the_page_paints_the_domain_list_against_the_sandbox(tmp_path):
    async with served_page(tmp_path) as tab:
        screen = await wait_for_text(tab, "static.example.com")  # a sandbox domain
        header = screen.splitlines()[0]
        assert "SANDBOX" in header, screen
        # A first paint from the server, not xterm's blank screen: the list has columns.
        assert "Domain" in screen or "domain" in screen


async def test_keys_typed_in_the_page_reach_the_app(tmp_path):
    async with served_page(tmp_path) as tab:
        await wait_for_text(tab, "static.example.com")
        await press(tab, "a")
        await wait_for_text(tab, "demo-assets")  # the add form, its bucket chosen
        await type_text(tab, NEW_DOMAIN)
        await wait_for_text(tab, NEW_DOMAIN)  # the field shows what was typed
        screen = await wait_for_text(tab, "rules pass")
        (passing,) = [line for line in screen.splitlines() if "rules pass" in line]
        assert passing.split()[0] == "✓", screen  # the checklist judged the whole name
        await press(tab, "Control+s")
        await wait_for_text(tab, "ownership")  # the new domain's checklist
        await press(tab, "Escape")
        screen = await wait_for_text(tab, "static.example.com")
        assert NEW_DOMAIN in screen, screen


async def test_the_page_asks_nothing_outside_the_server(tmp_path):
    async with served_page(tmp_path) as tab:
        await wait_for_text(tab, "SANDBOX")
        requested = list(tab.requests)
        # Were it to ask anyone else, that is stopped before it is sent, and told. (Another
        # loopback address: were the guard broken, nothing would leave the machine.)
        elsewhere = f"http://127.0.0.2:{urlsplit(tab.served.url).port}/"
        outcome = await tab.page.evaluate(
            "(url) => fetch(url).then(() => 'answered', () => 'failed')", elsewhere
        )
        socket_url = elsewhere.replace("http:", "ws:") + "ws"
        await tab.page.evaluate(  # until it closes
            "(url) => new Promise((done) => { new WebSocket(url).onclose = done; })",
            socket_url,
        )
    assert any(url.startswith("ws://") for url in requested), requested  # the app's socket
    assert any("/static/fonts/" in url for url in requested), requested  # our font
    outside = [url for url in requested if urlsplit(url).netloc != tab.server]
    assert outside == [], outside
    assert outcome == "failed" and elsewhere in tab.blocked, tab.blocked
    assert socket_url in tab.blocked, tab.blocked


async def test_no_app_process_is_left_after_the_page_and_the_server_close(tmp_path):
    with serve_web(tmp_path) as served:
        async with open_page(served) as tab:
            await wait_for_text(tab, "SANDBOX")
            groups = served.server_groups()
            assert len(in_groups(groups)) >= 2, "the server and the page's app"
        # The page closed, then Ctrl+C to `oss-cdn web`: its own stop ends them all, checked
        # before serve_web's clean-up would kill what is left.
        assert served.stop() == 0
        wait_gone(groups)
    assert "exit code" not in served.output(), served.output()  # stopped, not crashed


async def test_the_tour_plays_to_served_in_the_page(tmp_path):
    # `oss-cdn web --tour`: the page's app onboards a domain by itself, to the delivery
    # check's "served" verdict and the tour's last caption (fast: a test's pace).
    args = ["--tour", "--tour-speed", "50", "--sandbox-speed", "1000"]
    async with served_page(tmp_path, args=args) as tab:
        await wait_for_text(tab, "1/13")  # the first caption: the tour has begun
        screen = await wait_for_text(tab, "Served through the CDN", timeout=240)
        verdicts = [line for line in screen.splitlines() if "served" in line.lower()]
        assert len(verdicts) >= 2, screen  # the delivery verdict and the caption
