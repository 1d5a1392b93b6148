"""The domain screen's "Origin access" row and its `o` fix, against the sandbox (Pilot):
a private bucket is seen blocked before anyone hits the 403, the fix is asked first with
Cancel focused, sent on yes and read back; read-only mode sends nothing."""

from __future__ import annotations

from textual.widgets import Button, Static, TextArea

from tests.pilot import (
    answer_yes,
    confirmation,
    connected,
    messages,
    open_domain,
    sandbox_app,
    text_of,
    wait_for,
)
from tui.services import origin_access
from tui.services.writes import WRITE_ACTIONS
from tui.widgets.export import CommandsDialog

VIDEO = "video.example.com"  # origin demo-video: a private bucket


def read_only_app():
    from tui.app import OssCdnApp
    from tui.launch import LaunchOptions

    return OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=1000.0, read_only=True))


def online(app, name: str) -> None:
    world = app.sandbox.world
    with world.lock:
        world.domains[name].status, world.domains[name].pending = "online", []


def facts(screen) -> str:
    return " ".join(text_of(screen.query_one("#facts", Static)).split())


def sent(app) -> list[str]:
    return [a for a in app.sandbox.calls.actions() if a in WRITE_ACTIONS]


async def verdict(pilot, screen, wanted: str):
    return await wait_for(
        pilot,
        lambda: (
            screen.origin_access
            and screen.origin_access.verdict == wanted
            and f"{wanted}:" in facts(screen)
        ),
        what=f"origin access {wanted}",
    )


async def test_a_private_origin_is_blocked_until_the_fix_is_confirmed():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        online(app, VIDEO)
        screen = await open_domain(pilot, VIDEO)
        await verdict(pilot, screen, origin_access.BLOCKED)
        assert "the edge will answer 403 AccessDenied" in facts(screen)
        assert "press o" in facts(screen)

        # e: the fix as its aliyun-cli command, among the screen's other changes.
        await pilot.press("e")
        dialog = await wait_for(
            pilot, lambda: isinstance(app.screen, CommandsDialog) and app.screen, what="export"
        )
        shown = dialog.query_one(TextArea).text
        assert "aliyun cdn BatchSetCdnDomainConfig --DomainNames video.example.com" in shown
        assert "l2_oss_key" in shown and "private_oss_auth" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back")

        # o asks first; Cancel has the focus, so Enter alone sends nothing.
        await pilot.press("o")
        question = await confirmation(pilot)
        assert question.query_one("#cancel", Button).has_focus
        said = " ".join(" ".join(text_of(s) for s in question.query(Static)).split())
        assert "back-to-origin authentication for private OSS buckets" in said
        assert origin_access.ROLE in said
        assert "public" not in said  # never the suggestion
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, what="no")
        assert sent(app) == []

        await pilot.press("o")
        await confirmation(pilot)
        await answer_yes(pilot)
        await verdict(pilot, screen, origin_access.READABLE)
        assert sent(app) == ["BatchSetCdnDomainConfig"]
        assert app.sandbox.world.domains[VIDEO].private_origin_auth
        # Read back after the write (the checklist reads the domain again as well).
        actions = app.sandbox.calls.actions()
        assert "DescribeCdnDomainConfigs" in actions[actions.index("BatchSetCdnDomainConfig") :]
        assert "press o" not in facts(screen)


async def test_without_the_role_it_says_how_to_grant_it():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        online(app, VIDEO)
        app.sandbox.world.private_oss_role = False
        screen = await open_domain(pilot, VIDEO)
        await verdict(pilot, screen, origin_access.BLOCKED)
        await pilot.press("o")
        await confirmation(pilot)
        await answer_yes(pilot)
        await wait_for(
            pilot,
            lambda: screen.origin_access and screen.origin_access.role_missing,
            what="the missing role",
        )
        text = facts(screen)
        assert "Origin fetch from private OSS bucket" in text
        assert "cdn.aliyuncs.com" in text
        # Nothing more to send: o now says why instead of asking again.
        await pilot.press("o")
        await wait_for(
            pilot,
            lambda: any(origin_access.ROLE in m for m in messages(app)),
            what="the reason",
        )
        assert app.screen is screen
        assert sent(app) == ["BatchSetCdnDomainConfig"]


async def test_a_public_origin_is_readable_and_o_sends_nothing():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_domain(pilot, "img.example.com")  # demo-assets, public-read
        await verdict(pilot, screen, origin_access.READABLE)
        assert "public-read" in facts(screen)
        await pilot.press("o")
        await wait_for(
            pilot, lambda: any("readable" in m for m in messages(app)), what="the reason"
        )
        assert app.screen is screen and sent(app) == []


async def test_read_only_shows_the_verdict_but_refuses_the_fix():
    app = read_only_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        online(app, VIDEO)
        screen = await open_domain(pilot, VIDEO)
        await verdict(pilot, screen, origin_access.BLOCKED)
        assert screen.check_action("origin_auth", ()) is None  # dimmed
        await pilot.press("o")
        await pilot.pause()
        assert app.screen is screen  # no question asked
        screen.action_origin_auth()  # even when reached another way (the palette)
        await wait_for(
            pilot,
            lambda: any("read-only" in m for m in messages(app)),
            what="the read-only notice",
        )
        assert app.screen is screen
        assert sent(app) == []
        assert app.sandbox.world.domains[VIDEO].configs == []


async def test_keys_kept_off_the_footer_are_in_help_and_the_palette():
    """The footer fits 80 columns, so `o` is not on it: F1 and ctrl+p still name it."""
    from screens.help import HelpScreen
    from tui.commands import ScreenCommands
    from tui.keys import shown_bindings

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        screen = await open_domain(pilot, VIDEO)
        footer = [b.action for _, b in shown_bindings(screen)]
        assert "origin_auth" not in footer
        offered = [b.description for b in ScreenCommands(screen)._commands()]
        assert "Origin auth" in offered and "Cache" in offered and "Fetch" in offered
        await pilot.press("f1")
        help_screen = await wait_for(
            pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen
        )
        listed = " ".join(text_of(s) for s in help_screen.query(Static))
        assert "Origin auth" in listed and "Cache" in listed
