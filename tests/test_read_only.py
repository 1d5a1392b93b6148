"""Read-only mode: every write key of every screen, pressed for real against the sandbox,
sends nothing (the screens refuse it and say why), the service layer refuses too, and
the plans can still be shown as aliyun-cli commands."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from screens.add_domain import AddDomainScreen
from screens.cname import DomainScreen
from screens.cname_plan import CnamePlanScreen
from screens.help import HelpScreen
from screens.record_form import RecordForm
from screens.verify import VerifyScreen
from tests.pilot import (
    answer_yes,
    connected,
    open_records,
    select_row,
    text_of,
    type_text,
    wait_for,
)
from tui.app import OssCdnApp
from tui.cli import build_parser
from tui.launch import LaunchOptions, read_only_requested
from tui.services.errors import ReadOnlyError
from tui.services.writes import WRITE_ACTIONS
from tui.widgets.confirm import Dialog
from tui.widgets.export import CommandsDialog

REFUSED = "is not sent; press "


def read_only_app() -> OssCdnApp:
    app = OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=1000.0, read_only=True))
    # Every notification said, kept: the app's own list forgets them as they time out.
    app.said = []
    notify = app.notify

    def recording(message, *args, **kwargs):
        app.said.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = recording
    return app


def writes_sent(app) -> list[str]:
    return [a for a in app.sandbox.calls.actions() if a in WRITE_ACTIONS]


def notices(app) -> list[str]:
    return [m for m in app.said if m.startswith("read-only mode: ")]


async def press_write(pilot, key: str, *, expect: str = "") -> str:
    """Press a write key; answer yes to a question should one appear (none should); the
    read-only notice it gave."""
    app = pilot.app
    before = len(notices(app))
    screen = app.screen
    await pilot.press(key)
    await pilot.pause()
    if isinstance(app.screen, Dialog):  # a question slipped through: say yes to it
        await answer_yes(pilot)
    await wait_for(pilot, lambda: len(notices(app)) > before, what=f"the notice for {key}")
    assert app.screen is screen, key
    said = notices(app)[-1]
    assert REFUSED in said and "to see it as aliyun-cli commands" in said, said
    assert expect in said, said
    return said


async def select(pilot, name: str) -> None:
    table = pilot.app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(name))
    await pilot.pause()


async def test_every_write_key_of_every_screen_sends_nothing():
    app = read_only_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        assert app.sub_title == f"{app.services.profile.label} · READ-ONLY"
        assert app.has_class("-read-only")
        assert "READ-ONLY" in text_of(app.screen.query_one("HeaderTitle"))
        assert app.services.profile.read_only
        domains = app.screen
        # The domain list: stop (online), start (offline), delete.
        await select(pilot, "img.example.com")
        assert domains.check_action("toggle", ()) is None  # dimmed in the footer
        await press_write(
            pilot, "s", expect="Stop img.example.com: the site stops being served by CDN"
        )
        await press_write(pilot, "d", expect="Delete img.example.com from CDN")
        await select(pilot, "old.example.com")
        await press_write(pilot, "s", expect="Start old.example.com")
        # The same from the command palette.
        await pilot.press("ctrl+p")
        await type_text(pilot, "delete")
        await pilot.pause(0.3)
        before = len(notices(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(notices(app)) > before, what="the palette's notice")
        assert notices(app)[-1].startswith(
            'read-only mode: "Delete old.example.com from CDN, with its configuration" is '
            "not sent; press e to see it as aliyun-cli commands"
        )
        await wait_for(pilot, lambda: app.screen is domains, what="the list")

        # The add form: submit (its button is disabled too).
        await pilot.press("a")
        form = await wait_for(
            pilot,
            lambda: isinstance(app.screen, AddDomainScreen) and app.screen,
            what="the add form",
        )
        await wait_for(pilot, lambda: form.origin_host, what="buckets")
        await type_text(pilot, "cdn.newsite.net")
        await wait_for(
            pilot,
            lambda: (
                form.check.ok and form.cloud and all(passed for passed, _ in form.cloud.values())
            ),
            what="the checks",
        )
        assert form.query_one("#submit").disabled
        await press_write(pilot, "ctrl+s", expect="Add cdn.newsite.net to CDN")
        assert "press ctrl+e" in notices(app)[-1]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is domains, what="the list")

        # The details: stop, delete, then verify's publish / upload / verify.
        await select(pilot, "img.example.com")
        await pilot.press("enter")
        details = await wait_for(
            pilot,
            lambda: isinstance(app.screen, DomainScreen) and app.screen.domain and app.screen,
            what="details",
        )
        await press_write(pilot, "s", expect="Stop img.example.com")
        await press_write(pilot, "d", expect="Delete img.example.com")
        # v on a domain in CDN says ownership is done; the verify screen's own keys:
        app.push_screen(VerifyScreen("img.example.com"))
        verify = await wait_for(
            pilot,
            lambda: isinstance(app.screen, VerifyScreen) and app.screen.challenge and app.screen,
            what="verify",
        )
        # Its root is proven (issue 13: said, not "Not verified yet"); its keys still send
        # nothing in read-only mode.
        assert "Verified: example.com is already proven" in text_of(verify.query_one("#state"))
        await press_write(pilot, "t", expect="Add the TXT record verification.example.com")
        # No upload offered: example.com is not served from a bucket of the account.
        assert verify.check_action("upload", ()) is False
        await press_write(pilot, "v", expect="Ask CDN to check the ownership of img.example.com")
        await pilot.press("e")  # the plans can still be shown
        await wait_for(pilot, lambda: isinstance(app.screen, CommandsDialog), what="commands")
        await pilot.press("escape")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is details, what="details")

        # The CNAME plan of static.example.com (a record to create): apply.
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is domains, what="the list")
        await select(pilot, "static.example.com")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, DomainScreen) and app.screen.domain,
            what="details",
        )
        await pilot.press("n")
        plan = await wait_for(
            pilot,
            lambda: isinstance(app.screen, CnamePlanScreen) and app.screen.setup and app.screen,
            what="the plan",
        )
        assert plan.setup.plan.steps
        await press_write(pilot, "enter", expect="Add the CNAME record static.example.com")
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: app.screen is domains, what="the list")

        # The records: delete, toggle (both keys), save from the edit and the add form.
        records = await open_records(pilot)
        www = await select_row(pilot, records, "www", "A")
        await press_write(pilot, "d", expect="Delete the A record www.example.com")
        await press_write(pilot, "t", expect="Disable the A record www.example.com")
        await press_write(pilot, "space", expect="Disable the A record www.example.com")
        await pilot.press("enter")
        edit = await wait_for(
            pilot, lambda: isinstance(app.screen, RecordForm) and app.screen, what="the edit form"
        )
        edit.query_one("#value", Input).value = "127.0.0.99"
        await pilot.pause()
        await press_write(pilot, "ctrl+s", expect="Change the record www.example.com")
        edit.query_one("#value", Input).focus()
        await press_write(pilot, "enter", expect="Change the record www.example.com")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is records, what="the records")
        await pilot.press("a")
        add = await wait_for(
            pilot, lambda: isinstance(app.screen, RecordForm) and app.screen, what="the add form"
        )
        await type_text(pilot, "api")
        add.query_one("#value", Input).value = "127.0.0.50"
        await pilot.pause()
        await press_write(pilot, "ctrl+s", expect="Add the A record api.example.com")
        await pilot.press("escape")

        assert writes_sent(app) == []
        assert app.sandbox.world.domains["img.example.com"].status == "online"
        assert app.sandbox.world.domains["old.example.com"].status == "offline"
        assert [
            r.value
            for r in app.sandbox.world.current_records("example.com")
            if r.record_id == www.record_id
        ] == ["127.0.0.11"]

        # The second wall: the service layer itself refuses, before anything is sent.
        with pytest.raises(ReadOnlyError, match=r"^read-only mode: Delete the A record "):
            await app.services.dns.delete_record(www)
        with pytest.raises(ReadOnlyError):
            await app.services.cdn.stop_domain("img.example.com")
        with pytest.raises(ReadOnlyError):
            await app.services.oss.put_object("demo-assets", "verification.html", "x")
        assert writes_sent(app) == []


async def test_help_and_the_footer_show_the_writes_disabled_with_the_reason():
    app = read_only_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        screen = app.screen
        enabled = {b.binding.action: b.enabled for b in screen.active_bindings.values()}
        assert enabled["toggle"] is False and enabled["delete"] is False
        assert enabled["export"] is True and enabled["refresh"] is True
        await pilot.press("f1")
        help_screen = await wait_for(
            pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen, what="help"
        )
        shown = " ".join(" ".join(text_of(s, 76) for s in help_screen.query("Static")).split())
        assert "READ-ONLY mode (--read-only or OSS_CDN_READ_ONLY=1): nothing is sent" in shown
        assert "Delete (read-only: not sent)" in shown
        assert "e shows them" in shown


async def test_a_writable_app_offers_the_same_keys_enabled():
    from tests.pilot import sandbox_app

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        assert "READ-ONLY" not in app.sub_title and not app.services.profile.read_only
        enabled = {b.binding.action: b.enabled for b in app.screen.active_bindings.values()}
        assert enabled["toggle"] and enabled["delete"]


@pytest.mark.parametrize(
    "value, wanted",
    [("1", True), ("true", True), ("YES", True), ("0", False), ("", False), ("no", False)],
)
def test_the_environment_variable_asks_for_read_only(monkeypatch, value, wanted):
    monkeypatch.setenv("OSS_CDN_READ_ONLY", value)
    assert read_only_requested(False) is wanted
    assert read_only_requested(True) is True


def test_the_flag_asks_for_read_only(monkeypatch):
    monkeypatch.delenv("OSS_CDN_READ_ONLY", raising=False)
    assert build_parser().parse_args(["--read-only"]).read_only is True
    assert build_parser().parse_args([]).read_only is False
    assert read_only_requested(build_parser().parse_args([]).read_only) is False
