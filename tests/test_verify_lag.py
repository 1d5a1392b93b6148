"""The verify screen while CDN's own resolvers lag: a countdown with CDN's last answer,
left and resumed from what the cloud holds, eventually verified; and the file method's
exact instruction and self-check."""

from __future__ import annotations

import re

from screens.add_domain import AddDomainScreen
from screens.cname import DomainScreen
from screens.verify import VerifyScreen, clock
from tests.helpers import serve_root_through_cdn
from tests.pilot import (
    connected,
    form_ready,
    press_and_confirm,
    sandbox_app,
    text_of,
    wait_for,
)
from tui.sandbox.cdn_checks import CDN_LAG
from tui.sandbox.dns_answers import SOA_MINIMUM

# Slow enough that CDN's lag and cached "nothing there" (720 sandbox s: 72 real s)
# outlast a loaded machine's pauses: the test moves the clock on when CDN is to catch up.
SLOWER = 10.0


def state_of(screen) -> str:
    return text_of(screen.query_one("#state"))


async def verify_screen(pilot, app, name: str = "") -> VerifyScreen:
    """Submit the add form (typing `name` into a new one first): CDN asks for proof."""
    if name:
        await form_ready(pilot, name)
    await pilot.press("ctrl+s")
    screen = await wait_for(
        pilot,
        lambda: isinstance(app.screen, VerifyScreen) and app.screen.challenge and app.screen,
        timeout=15,
        what="the verification screen",
    )
    return screen


def test_the_countdown_reads_as_minutes_and_seconds():
    assert [clock(s) for s in (0, 59.6, 61, 600, -3)] == ["0:00", "1:00", "1:01", "10:00", "0:00"]


async def test_after_publishing_the_app_counts_down_while_cdn_lags_and_resumes_on_return():
    app = sandbox_app(speed=SLOWER)
    async with app.run_test(size=(80, 24)) as pilot:
        verify = await verify_screen(pilot, app, "cdn.newsite.net")
        world = app.sandbox.world
        world.zones["newsite.net"].icp_filed = True  # the ICP refusal: test_add_scope.py
        await press_and_confirm(pilot, "t")
        await wait_for(
            pilot,
            lambda: "giving up in" in state_of(verify),
            timeout=15,
            what="the countdown",
        )
        shown = state_of(verify)
        assert "DomainOwnerVerifyFail" in shown and "verification.newsite.net" in shown
        # Which try depends on how fast this machine got here: that it counts tries.
        assert re.search(r"\(try \d+\)", shown) and "You may leave" in shown
        assert not world.is_verified("cdn.newsite.net")

        # Leave, and come back the way a user does: the form again. Nothing is kept
        # locally; the TXT in the zone says the record is published, so the new screen
        # carries on asking CDN without another key.
        await pilot.press("escape")
        await wait_for(
            pilot, lambda: isinstance(app.screen, AddDomainScreen), what="back on the form"
        )
        calls = app.sandbox.calls.actions().count("VerifyDomainOwner")
        again = await verify_screen(pilot, app)
        assert again is not verify
        await wait_for(
            pilot,
            lambda: "giving up in" in state_of(again),
            timeout=15,
            what="the countdown, resumed",
        )
        assert app.sandbox.calls.actions().count("VerifyDomainOwner") > calls
        assert app.sandbox.calls.actions().count("AddDomainRecord") == 1

        world.clock.advance(CDN_LAG + SOA_MINIMUM)  # CDN's resolvers catch up
        # Shown, not only pushed: an app closed before a pushed screen composes is
        # another test (and another story).
        details = await wait_for(
            pilot,
            lambda: isinstance(app.screen, DomainScreen) and app.screen.domain and app.screen,
            timeout=30,  # the next try may be two minutes of cloud time away
            what="the new domain, shown",
        )
        assert details.domain_name == "cdn.newsite.net"
        assert world.is_verified("cdn.newsite.net")


async def test_the_file_method_says_the_exact_url_and_checks_it_before_asking_cdn():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        verify = await verify_screen(pilot, app, "cdn.newsite.net")
        world = app.sandbox.world
        world.zones["newsite.net"].icp_filed = True  # the ICP refusal: test_add_scope.py
        content = world.verify_content("cdn.newsite.net")
        file = text_of(verify.query_one("#file"))
        assert "http://newsite.net/verification.html" in file and content in file
        hint = text_of(verify.query_one("#file_hint"))
        assert "No u: newsite.net is not served from a bucket" in hint
        assert "recommended" in text_of(verify.query_one("#txt_title"))
        assert verify.check_action("upload", ()) is False

        await pilot.press("f")  # newsite.net points at 127.0.0.20: nothing serves it
        await wait_for(
            pilot, lambda: "Not served yet" in state_of(verify), timeout=15, what="the check"
        )
        assert "127.0.0.20" in state_of(verify)
        assert "VerifyDomainOwner" not in app.sandbox.calls.actions()


async def file_verification(pilot, app):
    """The verification screen of cdn.newsite.net, its root served through CDN from the
    public bucket demo-assets: `u` is offered."""
    await connected(pilot)
    world = app.sandbox.world
    world.zones["newsite.net"].icp_filed = True  # the ICP refusal: test_add_scope.py
    serve_root_through_cdn(world, "newsite.net")  # served from demo-assets, public
    world.clock.advance(SOA_MINIMUM + CDN_LAG)
    verify = await verify_screen(pilot, app, "cdn.newsite.net")
    await wait_for(pilot, lambda: verify.file_host is not None, what="the file's host")
    return verify


async def test_u_puts_the_file_where_the_root_is_served_and_verifies_by_file():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        verify = await file_verification(pilot, app)
        world = app.sandbox.world
        assert "u puts the file in bucket demo-assets" in text_of(verify.query_one("#file_hint"))
        assert verify.check_action("upload", ()) is True
        await press_and_confirm(pilot, "u")
        details = await wait_for(
            pilot,
            lambda: isinstance(app.screen, DomainScreen) and app.screen,
            timeout=15,
            what="the new domain",
        )
        assert details.domain_name == "cdn.newsite.net"
        assert world.buckets["demo-assets"].objects["verification.html"] == (
            world.verify_content("cdn.newsite.net").encode()
        )
        actions = app.sandbox.calls.actions()
        assert actions.index("PutObject") < actions.index("VerifyDomainOwner")


async def test_u_asks_first_naming_the_bucket_and_key_and_enter_alone_uploads_nothing():
    from textual.widgets import Button, Static

    from tests.pilot import confirmation
    from tui.services import writes

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        verify = await file_verification(pilot, app)
        world = app.sandbox.world
        content = world.verify_content("cdn.newsite.net")
        await pilot.press("u")
        dialog = await confirmation(pilot)
        assert dialog.focused is dialog.query_one("#cancel", Button)
        said = " ".join(" ".join(text_of(s, width=70) for s in dialog.query(Static)).split())
        assert "bucket demo-assets" in said and "object key verification.html" in said
        assert content in said and "http://newsite.net/verification.html" in said
        assert dialog.writes[0] == writes.put_object("demo-assets", "verification.html", content)
        assert [w.action for w in dialog.writes][1:] == ["VerifyDomainOwner"]  # then by file
        await pilot.press("enter")  # Cancel
        await wait_for(pilot, lambda: app.screen is verify, what="the question closed")
        await pilot.pause()
        assert "PutObject" not in app.sandbox.calls.actions()
        assert "verification.html" not in world.buckets["demo-assets"].objects
        assert not verify.busy


async def test_a_question_open_when_ownership_is_verified_sends_nothing_on_yes():
    """The guard on a late yes: u asked, then the DNS watch gets CDN's yes while the
    question is open. The question is voided, and answering it uploads nothing. (Where
    u is offered the root is already in CDN, so the screen starts no watch itself: t
    starts it, the TXT record being there already.)"""
    from textual.widgets import Button

    from tests.pilot import answer_yes, confirmation, messages

    app = sandbox_app(speed=SLOWER)  # CDN's lag holds the watch's yes until the clock moves
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        world = app.sandbox.world
        serve_root_through_cdn(world, "newsite.net")  # u is offered: a public bucket
        world.add_record(
            "newsite.net", "verification", "TXT", world.verify_content("cdn.newsite.net")
        )
        verify = VerifyScreen("cdn.newsite.net")
        app.push_screen(verify)
        await wait_for(pilot, lambda: verify.file_host is not None, what="the file's host")
        await wait_for(pilot, lambda: app.screen is verify, what="the screen shown")
        await pilot.press("t")  # the record is there: reused, and watched (no question)
        await wait_for(
            pilot,
            lambda: any("reusing it" in m for m in messages(app)) and not verify.busy,
            what="the watch",
        )
        assert verify.watching_since is not None
        await pilot.press("u")
        dialog = await confirmation(pilot)
        world.clock.advance(CDN_LAG + SOA_MINIMUM)  # CDN's resolvers see the record
        await wait_for(pilot, lambda: dialog.voided is not None, timeout=30, what="voided")
        assert world.is_verified("cdn.newsite.net")
        assert dialog.query_one("#confirm", Button).disabled
        await answer_yes(pilot)  # Tab, Enter: Upload is disabled, so this is Cancel
        await wait_for(pilot, lambda: verify not in app.screen_stack, what="the screen left")
        assert "PutObject" not in app.sandbox.calls.actions()
        assert "verification.html" not in world.buckets["demo-assets"].objects
