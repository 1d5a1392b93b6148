"""The DNS zones and records editor against the sandbox (Pilot), and its pure helpers."""

from textual.widgets import Button, DataTable, Input, Static

from screens.dns_records import RecordsScreen, ZonesScreen
from screens.record_form import RecordForm, field_of
from tests.pilot import (
    answer_yes,
    confirmation,
    connected,
    messages,
    note,
    open_form,
    open_records,
    open_zones,
    sandbox_app,
    save_disabled,
    select_row,
    text_of,
    type_text,
    wait_for,
    world_record,
    writes,
)
from tui.dns_rules import check_record
from tui.widgets.confirm import Confirm
from tui.widgets.paged_table import PAGE

STATUS, VALUE = 2, 6  # columns of the records table
# -- helpers --------------------------------------------------------------------------


def cells(table: DataTable, key: str) -> list[str]:
    return [str(cell) for cell in table.get_row(key)]


async def choose_type(pilot, form: RecordForm, type: str) -> None:
    """Pick a record type with the keyboard: focus the Select, open it, walk down."""
    from tui.dns_rules import RECORD_TYPES

    form.query_one("#type").focus()
    await pilot.press("enter")
    for _ in range(RECORD_TYPES.index(type) - RECORD_TYPES.index(form.type)):
        await pilot.press("down")
    await pilot.press("enter")
    await wait_for(pilot, lambda: form.type == type, what=f"type {type}")


# -- pure helpers ---------------------------------------------------------------------


def test_each_problem_goes_under_its_field():
    check = check_record("a b", "MX", "http://x", "60", priority="99")
    assert {p.code: field_of(p) for p in check.problems} == {
        "rr_characters": "rr",
        "value_url": "value",
        "mx_priority": "priority",
        "ttl_range": "ttl",
    }


# -- zones and records ----------------------------------------------------------------


async def test_zones_and_records_are_listed_exactly_as_the_world_holds_them():
    app = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        zones = await open_zones(pilot)
        world = app.sandbox.world
        table = zones.query_one(DataTable)
        hosted = {n for n, z in world.zones.items() if z.hosted_in_alidns}
        assert set(table.rows) == hosted  # partner.org is DNS hosted elsewhere: not listed
        row = cells(table, "example.com")
        assert row[1:3] == [str(len(world.current_records("example.com"))), "Free"]
        assert row[3] == "dns9.hichina.com, dns10.hichina.com"

        screen = await open_records(pilot)
        records = screen.query_one(DataTable)
        held = world.current_records("example.com")
        assert set(records.rows) == {r.record_id for r in held}
        for r in held:
            value = r.value + (f"  priority {r.priority}" if r.type == "MX" else "")
            assert cells(records, r.record_id) == [
                r.rr,
                r.type,
                "● enabled" if r.enabled else "○ disabled",
                str(r.ttl),
                r.line,
                "locked" if r.locked else "",
                value,
            ]
        assert "8 records" in text_of(screen.query_one("#summary"))
        # The apex comes first.
        first = records.coordinate_to_cell_key((0, 0)).row_key.value
        assert screen.records[first].rr == "@"

        await pilot.press("escape")
        assert isinstance(app.screen, ZonesScreen)


async def test_filter_as_you_type_and_escape_clears_then_goes_back():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        table = screen.query_one(DataTable)

        def shown() -> list[str]:
            return sorted(
                f"{screen.records[k.value].rr} {screen.records[k.value].type}" for k in table.rows
            )

        async def shows(expected: list[str]) -> None:
            await wait_for(pilot, lambda: shown() == expected, what=f"{expected} shown")

        await pilot.press("slash")
        await type_text(pilot, "w")
        await shows(["img CNAME", "www A", "www2 A"])  # img's value has ".w.kunlunsl.com"
        await type_text(pilot, "w")
        await shows(["www A", "www2 A"])
        await type_text(pilot, "w2")
        await shows(["www2 A"])
        assert "1 matches the filter" in text_of(screen.query_one("#summary"))
        screen.query_one("#filter", Input).value = ""
        await type_text(pilot, "TYPE:txt")
        await shows(["@ TXT", "_dmarc TXT"])
        await type_text(pilot, " zzz")
        await shows([])
        assert "No record matches" in text_of(screen.query_one("#empty"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(shown()) == 8, what="every record again")
        assert not screen.query_one("#filter").display
        await pilot.press("escape")
        assert isinstance(app.screen, ZonesScreen)


async def test_every_page_of_records_is_read_and_the_table_fills_as_the_cursor_goes():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        world = app.sandbox.world
        for i in range(600):  # more than one page of DescribeDomainRecords (500)
            world.add_record("example.com", f"host{i:03}", "A", f"127.0.{i // 250}.{i % 250}")
        screen = await open_records(pilot)
        pages = [p["PageNumber"] for p in app.sandbox.calls.of("DescribeDomainRecords")]
        assert sorted(pages) == ["1", "2"]
        assert len(screen.records) == 608
        table = screen.query_one(DataTable)
        assert table.row_count == PAGE
        assert f"first {PAGE} listed" in text_of(screen.query_one("#summary"))
        while table.row_count < 608:
            before = table.row_count
            table.move_cursor(row=before - 1)
            await wait_for(pilot, lambda: table.row_count > before, what="more rows")
        assert "listed" not in text_of(screen.query_one("#summary"))
        last = table.coordinate_to_cell_key((607, 0)).row_key.value
        assert screen.records[last].rr == "www2"  # in order to the end
        # A filter over the long list waits for a pause in typing, then narrows it.
        await pilot.press("slash")
        await type_text(pilot, "host59")
        await wait_for(pilot, lambda: table.row_count == 10, what="host590-599")


# -- the form ---------------------------------------------------------------------------


async def test_add_an_a_record_typed_char_by_char():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        form = await open_form(pilot)
        assert save_disabled(form)
        assert note(form, "value") == ""  # untouched fields show no error yet
        await type_text(pilot, "api")
        assert note(form, "rr") == "api.example.com"
        await pilot.press("tab", "tab")  # past the type (A) to the value
        assert form.query_one("#value", Input).has_focus
        for typed in ("1", "127", "127.0.0", "127.0.0.500"):
            await type_text(pilot, typed[len(form.value_of("value")) :])
            assert form.value_of("value") == typed
            assert note(form, "value").startswith("✗ An A record needs an IPv4 address")
            assert save_disabled(form)
        await pilot.press("backspace")
        assert form.value_of("value") == "127.0.0.50"
        assert note(form, "value") == ""
        assert not save_disabled(form)
        assert "AddDomainRecord" not in writes(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="back to the records")

        added = world_record(app, "api", "A")
        assert (added.value, added.ttl, added.line, added.enabled) == (
            "127.0.0.50",
            600,
            "default",
            True,
        )
        assert writes(app) == ["AddDomainRecord"]
        table = screen.query_one(DataTable)
        assert cells(table, added.record_id) == [
            "api",
            "A",
            "● enabled",
            "600",
            "default",
            "",
            "127.0.0.50",
        ]
        assert screen.current().record_id == added.record_id
        assert "9 records" in text_of(screen.query_one("#summary"))


async def test_edit_a_records_value():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        www = await select_row(pilot, screen, "www", "A")
        form = await open_form(pilot, "enter")
        assert form.value_of("value") == "127.0.0.11"
        assert "Nothing changed yet" in text_of(form.query_one("#conflicts"))
        assert save_disabled(form)
        await pilot.press("end", "backspace", "backspace")  # focus selected it all
        await type_text(pilot, "99")
        assert not save_disabled(form)
        await pilot.press("enter")  # Enter in a field saves too
        await wait_for(pilot, lambda: app.screen is screen, what="back to the records")

        changed = world_record(app, "www", "A")
        assert changed.record_id == www.record_id and changed.value == "127.0.0.99"
        assert writes(app) == ["UpdateDomainRecord"]
        assert cells(screen.query_one(DataTable), www.record_id)[VALUE] == "127.0.0.99"


async def test_toggle_disables_then_enables():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        www2 = await select_row(pilot, screen, "www2", "A")
        table = screen.query_one(DataTable)
        await pilot.press("t")
        confirm = await confirmation(pilot)
        assert "Disable this record" in text_of(confirm.query_one(Static))
        await answer_yes(pilot)
        await wait_for(
            pilot,
            lambda: cells(table, www2.record_id)[STATUS] == "○ disabled",
            what="disabled in the table",
        )
        assert world_record(app, "www2", "A").enabled is False
        await pilot.press("space")
        await confirmation(pilot)
        await answer_yes(pilot)
        await wait_for(
            pilot,
            lambda: cells(table, www2.record_id)[STATUS] == "● enabled",
            what="enabled in the table",
        )
        assert world_record(app, "www2", "A").enabled is True
        assert [p["Status"] for p in app.sandbox.calls.of("SetDomainRecordStatus")] == [
            "Disable",
            "Enable",
        ]


async def test_delete_asks_first_and_cancel_keeps_the_record():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        www2 = await select_row(pilot, screen, "www2", "A")
        await pilot.press("d")
        confirm = await wait_for(
            pilot, lambda: isinstance(app.screen, Confirm) and app.screen, what="the confirmation"
        )
        shown = " ".join(text_of(s) for s in confirm.query("Static"))
        assert "www2.example.com" in shown and "127.0.0.12" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back to the records")
        assert world_record(app, "www2", "A") is not None
        assert writes(app) == []

        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm), what="the confirmation")
        await pilot.press("enter")  # Cancel has the focus: Enter alone deletes nothing
        await wait_for(pilot, lambda: app.screen is screen, what="back to the records")
        assert writes(app) == []

        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm), what="the confirmation")
        await answer_yes(pilot)
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: www2.record_id not in table.rows, what="the row gone")
        assert world_record(app, "www2", "A") is None
        assert [p["RecordId"] for p in app.sandbox.calls.of("DeleteDomainRecord")] == [
            www2.record_id
        ]
        assert "7 records" in text_of(screen.query_one("#summary"))


# The add test types char by char; the ones below set long values directly.


async def test_a_cname_beside_an_a_record_is_refused_before_sending():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_records(pilot)
        form = await open_form(pilot)
        await type_text(pilot, "www")
        await choose_type(pilot, form, "CNAME")
        form.query_one("#value", Input).value = "www.example.com.w.kunlunsl.com"
        await pilot.pause()
        assert note(form, "value") == ""  # the value itself is fine
        conflicts = text_of(form.query_one("#conflicts"))
        assert "✗" in conflicts and "already has an A record (127.0.0.11)" in conflicts
        assert save_disabled(form)
        await pilot.press("ctrl+s")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert "AddDomainRecord" not in app.sandbox.calls.actions()


async def test_a_cname_at_the_apex_beside_mx_and_txt_is_warned_about_but_allowed():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        world = app.sandbox.world
        world.add_zone("mail.test")
        world.add_record("mail.test", "@", "MX", "mx.mail.test", priority=5)
        world.add_record("mail.test", "@", "TXT", "v=spf1 -all")
        screen = await open_records(pilot, "mail.test")
        form = await open_form(pilot)
        await type_text(pilot, "@")
        await choose_type(pilot, form, "CNAME")
        form.query_one("#value", Input).value = "mail.test.w.kunlunsl.com"
        await pilot.pause()
        conflicts = text_of(form.query_one("#conflicts"))
        assert conflicts.count("!") == 2 and "✗" not in conflicts
        assert "MX record beside a CNAME" in conflicts
        assert not save_disabled(form)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="back to the records")
        assert world_record(app, "@", "CNAME", "mail.test").value == "mail.test.w.kunlunsl.com"


async def test_ttl_below_the_free_edition_is_refused_with_the_edition_message():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_records(pilot)
        form = await open_form(pilot)
        await type_text(pilot, "api")
        form.query_one("#value", Input).value = "127.0.0.51"
        form.query_one("#ttl").focus()
        await pilot.pause()
        assert form.query_one("#ttl", Input).has_focus
        await pilot.press("backspace", "backspace", "backspace")
        await type_text(pilot, "60")
        assert note(form, "ttl") == (
            "✗ A TTL of 60 is outside the 600-86400 seconds the free edition of Alibaba "
            "Cloud DNS allows, so pick one in that range."
        )
        assert save_disabled(form)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert "AddDomainRecord" not in app.sandbox.calls.actions()
        await type_text(pilot, "0")  # 600
        assert note(form, "ttl").startswith("seconds, 600-86400")
        assert not save_disabled(form)


async def test_a_cloud_refusal_is_explained_and_keeps_what_was_typed():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        # Someone adds a record in the console after the list was read: the form cannot
        # know, and Alidns refuses the CNAME.
        app.sandbox.world.add_record("example.com", "cdn", "A", "127.0.0.60")
        form = await open_form(pilot)
        await type_text(pilot, "cdn")
        await choose_type(pilot, form, "CNAME")
        form.query_one("#value", Input).value = "cdn.example.com.w.kunlunsl.com"
        await pilot.pause()
        assert not save_disabled(form)
        await pilot.press("ctrl+s")
        error = form.query_one("#error")
        await wait_for(pilot, lambda: error.display, what="the error panel")
        text = text_of(error)
        assert "DomainRecordConflict" in text and "RequestId" in text
        assert "a CNAME cannot share its host" in text  # in plain words
        assert app.screen is form
        assert (form.rr, form.type, form.value) == (
            "cdn",
            "CNAME",
            "cdn.example.com.w.kunlunsl.com",
        )
        assert not save_disabled(form)  # fix it (or the other record) and try again
        await pilot.press("escape")
        assert app.screen is screen
        assert "cdn" not in {r.rr for r in screen.records.values()}


async def test_a_locked_record_cannot_be_edited_deleted_or_toggled():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        locked = await select_row(pilot, screen, "_dmarc", "TXT")
        assert locked.locked
        for key in ("enter", "d", "t", "space", "e"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen, key
        assert writes(app) == []
        said = messages(app)
        assert len(said) == 5  # e too: no commands for a change the API refuses
        assert all(
            "locked by Alibaba Cloud DNS: unlock it in the Alibaba Cloud DNS console" in m
            for m in said
        )
        assert world_record(app, "_dmarc", "TXT").value == "v=DMARC1; p=none"


async def test_a_record_locked_in_the_console_after_listing_is_shown_locked_when_refused():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        www2 = await select_row(pilot, screen, "www2", "A")
        app.sandbox.world.replace_record(www2.record_id, locked=True)  # in the console
        table = screen.query_one(DataTable)
        for key in ("d", "t"):
            await pilot.press(key)
            await confirmation(pilot)
            await answer_yes(pilot)
            await wait_for(pilot, lambda: screen.records[www2.record_id].locked, what="locked")
            assert cells(table, www2.record_id)[5] == "locked"
            assert "locked by Alibaba Cloud DNS" in messages(app)[-1]
            screen._put(www2)  # as listed before the lock: try the other change
        assert writes(app) == ["DeleteDomainRecord", "SetDomainRecordStatus"]  # both refused
        assert world_record(app, "www2", "A").enabled


async def test_a_record_type_the_form_does_not_know_is_sent_to_the_console():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        app.sandbox.world.add_record("example.com", "go", "REDIRECT_URL", "http://example.org")
        screen = await open_records(pilot)
        await select_row(pilot, screen, "go", "REDIRECT_URL")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert "REDIRECT_URL record: edit it in the Alibaba Cloud DNS console" in messages(app)[-1]


# -- impatient users --------------------------------------------------------------------


async def test_pressing_save_twice_adds_the_record_once():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        form = await open_form(pilot)
        await type_text(pilot, "api")
        form.query_one("#value", Input).value = "127.0.0.50"
        await wait_for(pilot, lambda: not save_disabled(form), what="Save enabled")
        # Held long enough for the presses below to land while it is on its way, even on
        # a loaded machine (the test waits for the answer, so a longer hold costs little).
        app.sandbox.faults.add("timeout", action="AddDomainRecord", delay=3.0)
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+s")
        await pilot.press("enter")  # Enter in a field saves too
        assert save_disabled(form)  # typing again while it is on its way does not enable it
        await type_text(pilot, "x")
        assert save_disabled(form)
        await wait_for(pilot, lambda: app.screen is screen, what="back to the records")
        assert app.sandbox.calls.actions().count("AddDomainRecord") == 1
        added = world_record(app, "api", "A")
        assert added.value == "127.0.0.50"
        assert added.record_id in screen.query_one(DataTable).rows


async def test_leaving_the_zones_or_records_while_they_load_does_not_crash_the_app():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        domains = app.screen
        app.sandbox.faults.add("timeout", action="DescribeDomains", delay=0.4)
        await pilot.press("z")
        await wait_for(pilot, lambda: isinstance(app.screen, ZonesScreen), what="the zones")
        await pilot.press("escape")
        await pilot.pause(0.6)  # the held answer arrives after the screen is gone
        assert app.is_running and app.return_code is None and app.screen is domains

        zones = await open_zones(pilot)
        app.sandbox.faults.add("timeout", action="DescribeDomainRecords", delay=0.4)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordsScreen), what="records")
        await pilot.press("escape")
        await pilot.pause(0.6)
        assert app.is_running and app.return_code is None and app.screen is zones


async def test_a_quick_double_toggle_sends_one_change():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        www = await select_row(pilot, screen, "www", "A")
        # Held long enough for the second t to come while the first change is on its way.
        app.sandbox.faults.add("timeout", action="SetDomainRecordStatus", delay=3)
        await pilot.press("t")
        await confirmation(pilot)
        await answer_yes(pilot)
        await wait_for(
            pilot, lambda: app.screen is screen and screen.pending, what="the change on its way"
        )
        await pilot.press("t")
        assert app.screen is screen  # no second question
        assert "the last change is still on its way" in messages(app)[-1]
        table = screen.query_one(DataTable)
        await wait_for(
            pilot,
            lambda: cells(table, www.record_id)[STATUS] == "○ disabled",
            what="disabled in the table",
        )
        assert [p["Status"] for p in app.sandbox.calls.of("SetDomainRecordStatus")] == ["Disable"]
        assert world_record(app, "www", "A").enabled is False


async def test_a_quick_double_delete_confirmation_sends_one_delete():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        www = await select_row(pilot, screen, "www", "A")
        app.sandbox.faults.add("timeout", action="DeleteDomainRecord", delay=2.0)

        async def confirmation() -> Confirm:
            return await wait_for(
                pilot,
                lambda: isinstance(app.screen, Confirm) and app.screen.is_mounted and app.screen,
                what="the confirmation",
            )

        await pilot.press("d")
        (await confirmation()).dismiss(True)
        # d again before the answer was acted on: a second confirmation, confirmed too.
        screen.action_delete()
        await confirmation()
        await pilot.press("enter")
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: www.record_id not in table.rows, what="the row gone")
        assert len(app.sandbox.calls.of("DeleteDomainRecord")) == 1
        assert any("the last change is still on its way" in m for m in messages(app))


async def test_escape_waits_for_a_change_on_its_way_then_goes_back():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        www = await select_row(pilot, screen, "www", "A")
        app.sandbox.faults.add("timeout", action="SetDomainRecordStatus", delay=2.0)
        await pilot.press("t")
        await confirmation(pilot)
        await answer_yes(pilot)
        await wait_for(pilot, lambda: app.screen is screen and screen.busy, what="sending")
        await pilot.press("escape")  # leaving now would cancel the write half-way
        assert app.screen is screen and screen.busy
        table = screen.query_one(DataTable)
        await wait_for(
            pilot,
            lambda: cells(table, www.record_id)[STATUS] == "○ disabled",
            what="disabled in the table",
        )
        await wait_for(
            pilot,
            lambda: "Disabled www.example.com A." in messages(app),
            what="the notice",
        )
        assert not screen.busy
        await pilot.press("escape")
        assert isinstance(app.screen, ZonesScreen)


async def test_escape_during_a_slow_save_keeps_the_form_until_the_record_is_saved():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        form = await open_form(pilot)
        await type_text(pilot, "api")
        form.query_one("#value", Input).value = "127.0.0.50"
        await wait_for(pilot, lambda: not save_disabled(form), what="Save enabled")
        # Held long enough for the presses below to land while it is on its way, even on
        # a loaded machine (the test waits for the answer, so a longer hold costs little).
        app.sandbox.faults.add("timeout", action="AddDomainRecord", delay=3.0)
        await pilot.press("ctrl+s")
        await pilot.press("escape")
        assert app.screen is form
        cancel = form.query_one("#cancel", Button)
        assert cancel.disabled
        cancel.press()  # a click on a disabled button does nothing either
        await pilot.pause()
        assert app.screen is form
        await wait_for(pilot, lambda: app.screen is screen, what="back to the records")
        assert app.sandbox.calls.actions().count("AddDomainRecord") == 1
        added = world_record(app, "api", "A")
        assert added.record_id in screen.query_one(DataTable).rows
        await pilot.press("escape")
        assert isinstance(app.screen, ZonesScreen)


async def test_a_long_value_is_cut_short_and_shown_whole_in_the_form():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        key = "v=DKIM1; k=rsa; p=" + "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC" * 3
        app.sandbox.world.add_record("example.com", "mail._domainkey", "TXT", key)
        screen = await open_records(pilot)
        dkim = await select_row(pilot, screen, "mail._domainkey", "TXT")
        shown = cells(screen.query_one(DataTable), dkim.record_id)
        assert shown[VALUE] == key[:35] + "…"
        assert shown[STATUS] == "● enabled"
        form = await open_form(pilot, "enter")
        assert form.value_of("value") == key
