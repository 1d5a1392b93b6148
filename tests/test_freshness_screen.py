"""The cache screen at 80x24 against the sandbox: typed URLs judged as you type, sent
after a confirmation with Cancel focused, followed until CDN completes them; "refresh
what changed"; read-only mode refuses."""

from __future__ import annotations

from textual.widgets import Button, TextArea

from screens.freshness import FreshnessScreen
from tests.pilot import (
    answer_yes,
    confirmation,
    messages,
    open_domain,
    sandbox_app,
    text_of,
    type_text,
    wait_for,
)
from tui.app import OssCdnApp
from tui.launch import LaunchOptions
from tui.widgets.export import CommandsDialog

DOMAIN = "img.example.com"
SIZE = (80, 24)


async def open_cache(pilot, name: str = DOMAIN) -> FreshnessScreen:
    await open_domain(pilot, name)
    await pilot.press("k")
    screen = await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, FreshnessScreen) and pilot.app.screen,
        what="the cache screen",
    )
    await wait_for(pilot, lambda: screen.quota is not None, what="the quota")
    return screen


def shown_text(screen, selector: str) -> str:
    return text_of(screen.query_one(selector))


async def test_a_bad_line_shows_its_rule_and_a_good_one_is_refreshed_until_complete():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cache(pilot)
        assert "10000 URL and 100 directory refreshes" in shown_text(screen, "#quota")
        assert "Refresh" in shown_text(screen, "#explained")
        assert "Prefetch" in shown_text(screen, "#explained")

        await type_text(pilot, "http://static.example.com/index.html")
        await wait_for(
            pilot,
            lambda: (
                "line 1: static.example.com is not img.example.com" in shown_text(screen, "#rules")
            ),
            what="the rule",
        )
        area = screen.query_one("#paths", TextArea)
        area.text = "http://img.example.com/index.html\nhttp://img.example.com/img/logo.png"
        await wait_for(
            pilot,
            lambda: "2 URLs (up to 1000 a request" in shown_text(screen, "#rules"),
            what="the count",
        )

        await pilot.press("ctrl+s")
        dialog = await confirmation(pilot)
        assert dialog.focused is dialog.query_one("#cancel", Button)
        assert "RefreshObjectCaches" not in app.sandbox.calls.actions()
        await answer_yes(pilot)

        await wait_for(pilot, lambda: len(screen.tasks) == 2, what="the two tasks")
        await wait_for(
            pilot,
            lambda: "Tasks: 2 of 2 complete" in shown_text(screen, "#tasks"),
            timeout=30,
            what="the tasks complete",
        )
        sent = app.sandbox.calls.of("RefreshObjectCaches")
        assert [p["ObjectPath"] for p in sent] == [
            "http://img.example.com/index.html\nhttp://img.example.com/img/logo.png"
        ]
        assert area.text == ""


async def test_prefetch_takes_files_only_and_cancel_sends_nothing():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cache(pilot)
        await pilot.press("ctrl+t")
        assert "Prefetch:" in shown_text(screen, "#mode")
        screen.query_one("#paths", TextArea).text = "http://img.example.com/img/"
        await wait_for(pilot, lambda: "files only" in shown_text(screen, "#rules"), what="the rule")
        screen.query_one("#paths", TextArea).text = "http://img.example.com/index.html"
        await wait_for(pilot, lambda: screen.checked.sendable, what="a sendable line")
        await pilot.press("ctrl+s")
        await confirmation(pilot)
        await pilot.press("enter")  # Cancel has the focus
        await wait_for(pilot, lambda: app.screen is screen, what="back on the screen")
        assert "PushObjectCache" not in app.sandbox.calls.actions()


async def test_refresh_what_changed_lists_then_refreshes_exactly_the_changed_objects():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cache(pilot)
        world = app.sandbox.world
        bucket = world.buckets["demo-assets"]
        for key in ("index.html", "img/logo.png"):  # the seed's objects: long unchanged
            bucket.written[key] = world.now() - 30 * 86400
        bucket.objects["app.js"] = b"console.log('v2')"
        bucket.written["app.js"] = world.now()

        await pilot.click("#since")
        await type_text(pilot, "1d")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: "1 of 3 objects changed" in shown_text(screen, "#changed"),
            what="the changed objects",
        )
        assert "app.js" in shown_text(screen, "#changed")

        await pilot.press("ctrl+r")
        dialog = await confirmation(pilot)
        assert dialog.focused is dialog.query_one("#cancel", Button)
        await answer_yes(pilot)
        await wait_for(
            pilot,
            lambda: "Refresh sent for 1 URL" in shown_text(screen, "#changed"),
            what="the outcome",
        )
        sent = app.sandbox.calls.of("RefreshObjectCaches")
        assert [p["ObjectPath"] for p in sent] == ["http://img.example.com/app.js"]
        await wait_for(
            pilot,
            lambda: "Tasks: 1 of 1 complete" in shown_text(screen, "#tasks"),
            timeout=30,
            what="the task completes",
        )


async def test_read_only_refuses_to_send_and_offers_the_commands():
    app = OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=1000.0, read_only=True))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cache(pilot)
        screen.query_one("#paths", TextArea).text = "http://img.example.com/index.html"
        await wait_for(pilot, lambda: screen.checked.sendable, what="a sendable line")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: any("read-only mode" in m for m in messages(app)),
            what="the refusal",
        )
        assert app.screen is screen  # no confirmation
        assert not {"RefreshObjectCaches", "DescribeRefreshTasks"} & set(
            app.sandbox.calls.actions()
        )
        # Listing what changed is a read: allowed. Refreshing it is not.
        world = app.sandbox.world
        world.buckets["demo-assets"].written["index.html"] = world.now()
        await pilot.click("#since")
        await type_text(pilot, "1d")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: "1 of 2 objects changed" in shown_text(screen, "#changed"), what="it"
        )
        refusals = len([m for m in messages(app) if "read-only mode" in m])
        await pilot.press("ctrl+r")
        await wait_for(
            pilot,
            lambda: len([m for m in messages(app) if "read-only mode" in m]) > refusals,
            what="the second refusal",
        )
        assert app.screen is screen
        assert "RefreshObjectCaches" not in app.sandbox.calls.actions()
        await pilot.press("ctrl+e")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, CommandsDialog)
                and "aliyun cdn RefreshObjectCaches" in app.screen.text
            ),
            what="the commands",
        )
