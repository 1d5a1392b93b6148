"""Ownership verification end to end on the sandbox's unverified zone (newsite.net)."""

from screens.cname import DomainScreen
from screens.verify import VerifyScreen
from tests.pilot import form_ready, press_and_confirm, sandbox_app, text_of, wait_for
from tui.widgets.confirm import Confirm


def txt_records(world):
    return [
        r
        for r in world.current_records("newsite.net")
        if r.rr == "verification" and r.type == "TXT"
    ]


async def test_add_under_an_unverified_zone_verify_with_t_and_come_online():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await form_ready(pilot, "cdn.newsite.net")
        world = app.sandbox.world
        assert not world.zones["newsite.net"].verified_for_cdn
        world.zones["newsite.net"].icp_filed = True  # the ICP refusal: test_add_scope.py
        await pilot.press("ctrl+s")
        verify = await wait_for(
            pilot,
            lambda: isinstance(app.screen, VerifyScreen) and app.screen,
            what="the verification screen",
        )
        await wait_for(pilot, lambda: verify.challenge is not None, what="the challenge")
        content = world.verify_content("cdn.newsite.net")
        shown = text_of(verify.query_one("#txt"))
        assert "verification" in shown and content in shown and "TXT" in shown
        assert txt_records(world) == []

        # t, then yes: create the record, watch DNS, verify
        await press_and_confirm(pilot, "t")
        details = await wait_for(
            pilot,
            lambda: isinstance(app.screen, DomainScreen) and app.screen,
            timeout=15,
            what="the new domain",
        )
        assert details.domain_name == "cdn.newsite.net"
        assert world.zones["newsite.net"].verified_for_cdn
        assert [r.value for r in txt_records(world)] == [content]
        assert "cdn.newsite.net" in world.domains
        # The app asked DNS before CDN: VerifyDomainOwner came after the record existed.
        actions = app.sandbox.calls.actions()
        assert actions.index("AddDomainRecord") < actions.index("VerifyDomainOwner")
        await wait_for(
            pilot,
            lambda: details.domain and details.domain.status == "online",
            timeout=15,
            what="online",
        )
        await pilot.press("c")
        assert app.clipboard == world.domains["cdn.newsite.net"].cname


async def test_publishing_twice_reuses_the_record(sandbox, profile):
    from tui.services.facade import Services

    services = Services(profile)
    ownership = services.ownership
    challenge = await ownership.challenge("img.newsite.net")
    assert challenge.zone == "newsite.net" and challenge.root == "newsite.net"
    assert await ownership.publish_txt(challenge) is True
    assert await ownership.publish_txt(challenge) is False
    assert len(txt_records(sandbox.world)) == 1
    seen = await ownership.txt_seen(challenge)
    assert seen and all(seen.values())
    # CDN's resolvers lag behind the authoritative servers: the app asks until it sees.
    assert await ownership.verify_until(challenge) is True
    assert sandbox.world.zones["newsite.net"].verified_for_cdn


async def test_a_failed_verification_says_why(sandbox, profile):
    from tui.services.errors import CloudError
    from tui.services.facade import Services

    ownership = Services(profile).ownership
    challenge = await ownership.challenge("img.newsite.net")
    assert (await ownership.txt_seen(challenge)) and not any(
        (await ownership.txt_seen(challenge)).values()
    )
    try:
        await ownership.verify(challenge)
    except CloudError as error:
        assert error.code == "DomainOwnerVerifyFail"
        assert error.request_id
    else:
        raise AssertionError("verification passed without the TXT record")


async def test_a_file_in_the_origin_bucket_is_not_the_roots_url(sandbox, profile):
    """What the old `u` did: upload to the domain's origin bucket. CDN fetches
    http://newsite.net/verification.html, which that bucket does not serve."""
    from tui.services.errors import CloudError
    from tui.services.facade import Services

    ownership = Services(profile).ownership
    challenge = await ownership.challenge("img.newsite.net")
    await ownership.upload_file(challenge, "demo-assets")
    assert not (await ownership.file_served(challenge)).ok
    try:
        await ownership.verify(challenge, "fileCheck")
    except CloudError as error:
        assert error.code == "InvalidFile"
    else:
        raise AssertionError("a file no URL serves passed the check")
    assert not sandbox.world.zones["newsite.net"].verified_for_cdn


async def test_t_goes_straight_to_the_new_domain_without_showing_the_form_or_the_list():
    """Issue 13: after t the form and the list are never the active screen again (they
    used to flash past before the new domain opened); Esc then leads to the list."""
    from screens.add_domain import AddDomainScreen
    from screens.domains import DomainsScreen

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await form_ready(pilot, "cdn.newsite.net")
        app.sandbox.world.zones["newsite.net"].icp_filed = True
        await pilot.press("ctrl+s")
        verify = await wait_for(
            pilot,
            lambda: isinstance(app.screen, VerifyScreen) and app.screen,
            what="the verification screen",
        )
        await wait_for(pilot, lambda: verify.challenge is not None, what="the challenge")
        seen: list[type] = []  # every screen that became the active one, in order
        app.screen_change_signal.subscribe(app, lambda s: seen.append(type(s)), immediate=True)
        await press_and_confirm(pilot, "t")
        details = await wait_for(
            pilot,
            lambda: isinstance(app.screen, DomainScreen) and app.screen,
            timeout=30,
            what="the new domain",
        )
        assert details.domain_name == "cdn.newsite.net"
        # The question, this screen again once answered, then the domain.
        assert seen == [Confirm, VerifyScreen, DomainScreen]
        assert [type(s) for s in app.screen_stack][-2:] == [DomainsScreen, DomainScreen]
        assert not any(isinstance(s, (AddDomainScreen, VerifyScreen)) for s in app.screen_stack)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DomainsScreen), what="the list")
        await wait_for(
            pilot,
            lambda: "cdn.newsite.net" in app.screen.query_one("#domains").rows,
            what="the new domain listed",
        )


def _recording_states(screen: VerifyScreen) -> list[str]:
    """Every text the screen's state line is given, in order."""
    said: list[str] = []
    original = screen.set_state

    def set_state(text: str, style: str = "") -> None:
        said.append(text)
        original(text, style)

    screen.set_state = set_state
    return said


async def test_v_on_a_verified_online_domain_says_verified_before_anything_else():
    """Issue 13: `v` on img.example.com (online, so its root is proven) said "Not verified
    yet". The screen reads the real state first: a domain of the root in this account's
    CDN means verified, and nothing is watched or sent."""
    from tests.pilot import connected, keys_at_once

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        table = app.screen.query_one("#domains")
        table.move_cursor(row=table.get_row_index("img.example.com"))
        opened: list[VerifyScreen] = []
        said: list[list[str]] = []  # each verification screen's state lines

        def became_active(screen) -> None:
            if isinstance(screen, VerifyScreen) and screen not in opened:
                opened.append(screen)
                said.append(_recording_states(screen))

        app.screen_change_signal.subscribe(app, became_active, immediate=True)
        notices = lambda: [n.message for n in app._notifications]  # noqa: E731
        # Enter then v at once: v may come before the domain has loaded.
        keys_at_once(app, "enter", "v")
        await wait_for(
            pilot,
            lambda: (
                any("Ownership is done" in n for n in notices())
                or (opened and opened[0].verified_by and opened[0].challenge)
            ),
            what="ownership said",
        )
        await pilot.pause()
        if opened:  # the verification screen: it says verified, and only that
            verify = opened[0]
            assert said[0] and said[0][0].startswith("Verified: example.com is already proven")
            assert not any("Not verified" in line for line in said[0])
            assert verify.watching_since is None
        assert not any("not verified" in n.lower() for n in notices())
        assert "VerifyDomainOwner" not in app.sandbox.calls.actions()


async def test_the_verification_screen_reads_the_roots_state_before_saying_anything():
    from tests.pilot import connected

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        for name, verified in (("new.example.com", True), ("cdn.newsite.net", False)):
            verify = VerifyScreen(name)
            said = _recording_states(verify)
            app.push_screen(verify)
            await wait_for(pilot, lambda: verify.challenge is not None, what="the challenge")
            await pilot.pause()
            assert said, name
            if verified:  # a sibling (img.example.com ...) is in this account's CDN
                assert said[0].startswith("Verified: example.com is already proven"), said
                assert not any("Not verified" in s for s in said)
                assert verify.watching_since is None
            else:
                assert said[0].startswith("Not verified yet"), said
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, VerifyScreen), what="back")


# -- t asks first: a stray key writes nothing to the user's DNS ------------------------------


async def _verify_screen(pilot, name: str) -> VerifyScreen:
    from tests.pilot import connected

    await connected(pilot)
    verify = VerifyScreen(name)
    pilot.app.push_screen(verify)
    await wait_for(pilot, lambda: verify.challenge is not None, what="the challenge")
    await wait_for(pilot, lambda: pilot.app.screen is verify, what="the screen shown")
    return verify


def _count(app, action: str) -> int:
    return app.sandbox.calls.actions().count(action)


async def test_t_asks_first_and_enter_alone_sends_nothing_then_tab_enter_verifies():
    from textual.widgets import Button, Static

    from tests.pilot import answer_yes, confirmation
    from tui.services import writes

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        verify = await _verify_screen(pilot, "cdn.newsite.net")
        world = app.sandbox.world
        content = world.verify_content("cdn.newsite.net")

        await pilot.press("t")
        dialog = await confirmation(pilot)
        assert dialog.focused is dialog.query_one("#cancel", Button)  # the harmless answer
        said = " ".join(" ".join(text_of(s, width=70) for s in dialog.query(Static)).split())
        # Exactly what is created where, and what follows.
        for part in ("newsite.net", "host verification", "type TXT", f"value {content}"):
            assert part in said, part
        assert "watches the authoritative servers" in said and "asks CDN to verify" in said
        assert [w.action for w in dialog.writes] == ["AddDomainRecord", "VerifyDomainOwner"]
        assert dialog.writes[0] == writes.add_record("newsite.net", "verification", "TXT", content)

        await pilot.press("enter")  # Cancel: nothing is sent
        await wait_for(pilot, lambda: app.screen is verify, what="the question closed")
        await pilot.pause()
        assert _count(app, "AddDomainRecord") == 0 and _count(app, "VerifyDomainOwner") == 0
        assert txt_records(world) == [] and not verify.busy

        await pilot.press("t")
        await confirmation(pilot)
        await answer_yes(pilot)
        await wait_for(
            pilot, lambda: world.is_verified("cdn.newsite.net"), timeout=15, what="verified"
        )
        assert [r.value for r in txt_records(world)] == [content]
        assert _count(app, "AddDomainRecord") == 1
        actions = app.sandbox.calls.actions()
        assert actions.index("AddDomainRecord") < actions.index("VerifyDomainOwner")
        await wait_for(pilot, lambda: app.screen is not verify, what="the screen left")


async def test_e_in_the_question_shows_the_record_as_an_aliyun_cli_command():
    from textual.widgets import TextArea

    from tests.pilot import confirmation
    from tui.widgets.export import CommandsDialog

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        verify = await _verify_screen(pilot, "cdn.newsite.net")
        content = app.sandbox.world.verify_content("cdn.newsite.net")
        await pilot.press("t")
        dialog = await confirmation(pilot)
        await pilot.press("e")
        commands = await wait_for(
            pilot,
            lambda: isinstance(app.screen, CommandsDialog) and app.screen.is_mounted and app.screen,
            what="the commands",
        )
        text = commands.query_one(TextArea).text
        assert "aliyun alidns AddDomainRecord" in text and "--DomainName newsite.net" in text
        assert "--RR verification" in text and "--Type TXT" in text and content in text
        assert "aliyun cdn VerifyDomainOwner" in text
        await pilot.press("escape")  # the commands close: the question is still open
        await wait_for(pilot, lambda: app.screen is dialog, what="the question again")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is verify, what="the question closed")
        assert _count(app, "AddDomainRecord") == 0


async def test_t_with_a_correct_record_already_there_asks_nothing_and_has_cdn_check_it():
    """Nothing to create: t only has CDN check (as v does), without a question. Reached
    once the screen's own watch is over (RAM refused its check), so only t can verify."""
    from tests.pilot import connected, messages
    from tui.widgets.confirm import Dialog

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        world = app.sandbox.world
        world.add_record(
            "newsite.net", "verification", "TXT", world.verify_content("cdn.newsite.net")
        )
        world.denied.add("cdn:VerifyDomainOwner")  # the watch's check is refused, once
        verify = await _verify_screen(pilot, "cdn.newsite.net")
        assert verify.challenge.txt_published
        await wait_for(
            pilot,
            lambda: "Verification failed" in text_of(verify.query_one("#state")),
            timeout=30,
            what="the watch's check refused",
        )
        await wait_for(pilot, lambda: verify.watching_since is None, what="the watch over")
        assert not world.is_verified("cdn.newsite.net")
        world.denied.clear()  # the permission granted
        seen: list[type] = []
        app.screen_change_signal.subscribe(app, lambda s: seen.append(type(s)), immediate=True)
        await pilot.press("t")
        await wait_for(
            pilot,
            lambda: any("already there: reusing it" in m for m in messages(app)),
            what="the record reused",
        )
        await wait_for(
            pilot, lambda: world.is_verified("cdn.newsite.net"), timeout=30, what="verified"
        )
        assert _count(app, "AddDomainRecord") == 0 and len(txt_records(world)) == 1
        assert not any(issubclass(s, Dialog) for s in seen)


async def test_t_while_the_screen_watches_dns_says_so_and_keeps_the_watch():
    from tests.pilot import connected, messages
    from tui.sandbox.cdn_checks import CDN_LAG
    from tui.sandbox.dns_answers import SOA_MINIMUM

    # CDN's two-minute lag lasts 12 real seconds: the watch is still asking CDN.
    app = sandbox_app(speed=10.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        world = app.sandbox.world
        world.add_record(
            "newsite.net", "verification", "TXT", world.verify_content("cdn.newsite.net")
        )
        verify = await _verify_screen(pilot, "cdn.newsite.net")
        await wait_for(pilot, lambda: verify.watching_since is not None, what="the watch")
        since = verify.watching_since
        [watch] = [w for w in verify.workers if w.group == "verify-watch"]
        await pilot.press("t")
        await wait_for(
            pilot, lambda: any("Already watching" in m for m in messages(app)), what="said"
        )
        assert not any("reusing it" in m for m in messages(app))
        assert verify.watching_since == since and watch.is_running  # not restarted
        assert [w for w in verify.workers if w.group == "verify-watch"] == [watch]
        world.clock.advance(CDN_LAG + SOA_MINIMUM)  # CDN's resolvers catch up
        await wait_for(
            pilot, lambda: world.is_verified("cdn.newsite.net"), timeout=30, what="verified"
        )


async def test_t_asks_again_when_the_record_it_would_reuse_was_removed_meanwhile():
    from tests.pilot import confirmation

    # Real time: CDN's two-minute lag outlasts the test, so the watch (started as the
    # record is there) cannot verify with it before it is removed.
    app = sandbox_app(speed=1.0)
    async with app.run_test(size=(80, 24)) as pilot:
        from tests.pilot import connected

        await connected(pilot)
        world = app.sandbox.world
        record = world.add_record(
            "newsite.net", "verification", "TXT", world.verify_content("cdn.newsite.net")
        )
        verify = await _verify_screen(pilot, "cdn.newsite.net")
        assert verify.challenge.txt_published
        world.delete_record(record.record_id)  # removed at the console, say
        await pilot.press("t")
        dialog = await confirmation(pilot)
        assert [w.action for w in dialog.writes] == ["AddDomainRecord", "VerifyDomainOwner"]
        assert not verify.challenge.txt_published  # what the screen knows now
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is verify, what="the question closed")
        assert _count(app, "AddDomainRecord") == 0
