"""`e` on every screen that can write, and in every confirmation: the pending write as
the aliyun-cli commands tui.services.writes renders, shown literally, copyable (Pilot,
against the sandbox)."""

from __future__ import annotations

from textual.widgets import DataTable, Input, TextArea

from screens.dns_records import RecordsScreen
from screens.verify import VerifyScreen
from tests.pilot import (
    answer_yes,
    confirmation,
    connected,
    form_ready,
    open_domain,
    open_form,
    open_plan,
    open_records,
    sandbox_app,
    select_row,
    type_text,
    wait_for,
)
from tui.services import writes
from tui.services.cname_setup import writes as plan_writes
from tui.services.models import Source
from tui.services.ownership import FILE_NAME, publish_writes
from tui.widgets.confirm import TypedConfirm
from tui.widgets.export import CommandsDialog


async def shown_commands(pilot, key: str = "e") -> str:
    """Press the export key; the text the dialog shows (and holds for `c`)."""
    await pilot.press(key)
    dialog = await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, CommandsDialog)
            and pilot.app.screen.is_mounted
            and pilot.app.screen
        ),
        what="the commands",
    )
    text = dialog.query_one(TextArea).text
    assert text == dialog.text
    return text


async def close(pilot) -> None:
    below = pilot.app.screen_stack[-2]
    await pilot.press("escape")
    await wait_for(pilot, lambda: pilot.app.screen is below, what="the dialog closed")


def no_writes_sent(app) -> bool:
    return not [a for a in app.sandbox.calls.actions() if a in writes.WRITE_ACTIONS]


async def test_the_domain_list_shows_stop_and_delete_of_the_selected_domain_and_copies():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("img.example.com"))
        await pilot.pause()
        text = await shown_commands(pilot)
        assert text == writes.commands(
            [writes.stop_domain("img.example.com"), writes.delete_domain("img.example.com")]
        )
        assert "aliyun cdn StopCdnDomain --DomainName img.example.com" in text.splitlines()
        await pilot.press("c")
        assert app.clipboard == text
        await close(pilot)
        assert no_writes_sent(app)


async def test_the_details_of_an_offline_domain_show_start_and_delete():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_domain(pilot, "old.example.com")
        assert await shown_commands(pilot) == writes.commands(
            [writes.start_domain("old.example.com"), writes.delete_domain("old.example.com")]
        )
        await close(pilot)


async def test_a_domain_neither_online_nor_offline_shows_only_its_delete():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_domain(pilot, "dl.example.com")  # check_failed: s neither starts nor stops
        assert await shown_commands(pilot) == writes.commands(
            [writes.delete_domain("dl.example.com")]
        )


async def test_every_domain_question_offers_its_write():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_domain(pilot, "static.example.com")
        await pilot.press("s")
        await confirmation(pilot)
        assert await shown_commands(pilot) == writes.commands(
            [writes.stop_domain("static.example.com")]
        )
        await close(pilot)
        await pilot.press("escape")
        await pilot.press("d")
        dialog = await wait_for(
            pilot,
            lambda: isinstance(app.screen, TypedConfirm) and app.screen.is_mounted and app.screen,
            what="the question",
        )
        await pilot.press("e")  # a letter of the name being typed, not the export
        assert dialog.query_one("#typed", Input).value == "e"
        assert await shown_commands(pilot, "ctrl+e") == writes.commands(
            [writes.delete_domain("static.example.com")]
        )
        await close(pilot)
        assert app.screen is dialog
        assert no_writes_sent(app)


async def test_the_add_form_shows_the_add_as_submit_sends_it():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await form_ready(pilot, "*.shop.example.com")
        expected = writes.add_domain(
            ".shop.example.com",
            "web",
            [Source(type="oss", content=form.origin_host, port=80)],
            "domestic",
        )
        text = await shown_commands(pilot, "ctrl+e")
        assert text == writes.commands([expected])
        assert "aliyun cdn AddCdnDomain --DomainName .shop.example.com --CdnType web" in text
        await close(pilot)
        assert no_writes_sent(app)


async def test_the_verify_screen_shows_both_ways_to_prove_ownership():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        origin = "demo-assets.oss-cn-hangzhou.aliyuncs.com"
        verify = VerifyScreen("img.newsite.net", origin=origin)
        app.push_screen(verify)
        challenge = await wait_for(pilot, lambda: verify.challenge, what="the challenge")
        text = await shown_commands(pilot)
        # newsite.net is not served from a bucket of the account: no upload offered, the
        # file is served by hand (the note says where), then the check by file.
        assert text == writes.commands(
            [
                *publish_writes(challenge, "dnsCheck"),
                *publish_writes(challenge, "fileCheck"),
            ]
        )
        assert FILE_NAME not in " ".join(w.command() for w in verify.export_writes())
        assert "http://newsite.net/verification.html" in verify.export_note()
        lines = text.splitlines()
        assert any(
            line.startswith(
                "aliyun alidns AddDomainRecord --DomainName newsite.net "
                "--RR verification --Type TXT"
            )
            for line in lines
        )
        assert (
            "aliyun cdn VerifyDomainOwner --DomainName img.newsite.net --VerifyType "
            "fileCheck" in lines
        )
        await close(pilot)
        assert no_writes_sent(app)


async def test_the_cname_plan_shows_its_steps():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        plan = await open_plan(pilot, "static.example.com")
        expected = plan_writes(plan.setup)
        assert [w.action for w in expected] == ["AddDomainRecord"]
        assert await shown_commands(pilot) == writes.commands(expected)
        await close(pilot)
        assert no_writes_sent(app)


async def test_the_record_form_shows_the_add_and_the_update():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        form = await open_form(pilot)
        await type_text(pilot, "api")
        form.query_one("#value", Input).value = "127.0.0.50"
        assert await shown_commands(pilot, "ctrl+e") == writes.commands(
            [writes.add_record("example.com", "api", "A", "127.0.0.50", ttl=600)]
        )
        await close(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="the records")

        www = await select_row(pilot, screen, "www", "A")
        form = await open_form(pilot, "enter")
        form.query_one("#value", Input).value = "127.0.0.99"
        assert await shown_commands(pilot, "ctrl+e") == writes.commands(
            [writes.update_record(www, rr="www", type="A", value="127.0.0.99", ttl=www.ttl)]
        )
        await close(pilot)
        assert no_writes_sent(app)


async def test_the_records_list_and_its_questions_show_delete_and_toggle():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        www = await select_row(pilot, screen, "www", "A")
        assert await shown_commands(pilot) == writes.commands(
            [writes.delete_record(www), writes.set_record_status(www, False)]
        )
        await close(pilot)
        await pilot.press("d")
        await confirmation(pilot)
        assert await shown_commands(pilot) == writes.commands([writes.delete_record(www)])
        await close(pilot)
        await pilot.press("escape")
        await pilot.press("t")
        await confirmation(pilot)
        assert await shown_commands(pilot) == writes.commands(
            [writes.set_record_status(www, False)]
        )
        await close(pilot)
        assert isinstance(app.screen_stack[-2], RecordsScreen)
        await answer_yes(pilot)  # the export left the question as it was
        await wait_for(
            pilot, lambda: app.sandbox.calls.of("SetDomainRecordStatus"), what="the change"
        )
        assert [p["Status"] for p in app.sandbox.calls.of("SetDomainRecordStatus")] == ["Disable"]
