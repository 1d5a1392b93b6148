"""Nothing from the cloud drives the terminal: hostile values (OSC 0/8/52 ended by BEL and
by ST, CSI, DCS, APC/PM, NUL/BS/CR/LF, 8-bit C1, RTL override, zero-width characters,
4,000 characters) planted in the sandbox as CDN domains' CNAMEs and remarks, DNS records,
zone facts and API error messages; every screen that shows them is rendered while the
bytes the app writes to the terminal are captured. None of the planted sequences, no
OSC/DCS/APC/PM and no 8-bit C1 control may appear in them, and each value's escaped
form must (so the value was drawn, not skipped)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from screens.cname import DomainScreen
from screens.cname_plan import CnamePlanScreen
from screens.dns_records import ZonesScreen
from screens.help import HelpScreen
from screens.propagation import PropagationScreen
from screens.record_form import RecordForm
from screens.verify import VerifyScreen
from tests.hostile import HOSTILE, capture, drawn, leaks, plant, tag
from tests.pilot import connected, sandbox_app, text_of, wait_for
from tui.safe_text import shown

SIZE = (200, 50)  # wide enough that the planted columns are on screen


def assert_clean(written: list[str], where: str) -> None:
    found = leaks("".join(written))
    assert not found, f"{where}: reached the terminal raw: {found}"


async def shows_escaped(pilot, written: list[str], start: int, forms, where: str) -> None:
    """Wait until each escaped form is drawn (in what was written since `start`), then
    check that nothing raw was written meanwhile."""

    def missing() -> list[str]:
        text = drawn(written[start:])
        return [form for form in forms if form not in text]

    try:
        await wait_for(pilot, lambda: not missing(), timeout=20, what=where)
    except AssertionError:
        raise AssertionError(f"{where}: not drawn escaped: {missing()}") from None
    assert_clean(written[start:], where)


def heads(width: int = 12) -> list[str]:
    """The start of each value's escaped form: what any column shows of it."""
    return [visible[:width] for _, _, visible in HOSTILE]


async def planted_app(pilot):
    await connected(pilot)
    plant(pilot.app.sandbox.world)
    await pilot.press("r")
    table = pilot.app.screen.query_one(DataTable)
    await wait_for(
        pilot,
        lambda: all(f"{tag(n)}.example.com" in table.rows for n in range(len(HOSTILE))),
        what="the planted rows",
    )


async def back_to(pilot, screen_type) -> None:
    while not isinstance(pilot.app.screen, screen_type):
        await pilot.press("escape")
        await pilot.pause(0.05)


async def test_domain_list_details_plan_and_board_draw_cloud_text_escaped():
    app = sandbox_app()
    written = capture(app)
    async with app.run_test(headless=False, size=SIZE, notifications=True) as pilot:
        await planted_app(pilot)
        await shows_escaped(pilot, written, 0, heads(), "domain list (CNAME column)")
        table = app.screen.query_one(DataTable)
        for n, (name, _, visible) in enumerate(HOSTILE):
            before = len(written)
            table.move_cursor(row=table.get_row_index(f"{tag(n)}.example.com"))
            await pilot.press("enter")
            details = await wait_for(
                pilot,
                lambda: isinstance(app.screen, DomainScreen) and app.screen.domain and app.screen,
                what="details",
            )
            await wait_for(
                pilot,
                lambda: "Description" in text_of(details.query_one("#facts")),
                what="the facts",
            )
            await shows_escaped(pilot, written, before, [visible[:40]], f"details of {name}")
            # The CNAME plan: the planted CNAME is the old value of an update, and a TXT
            # at the same host blocks it.
            await pilot.press("n")
            plan = await wait_for(
                pilot,
                lambda: isinstance(app.screen, CnamePlanScreen) and app.screen.setup and app.screen,
                what="the plan",
            )
            steps = plan.setup.plan.steps
            assert [s.action for s in steps] == ["update"] and steps[0].old_value.startswith("old")
            assert plan.setup.plan.blockers
            await shows_escaped(pilot, written, before, ["old" + visible[:20]], f"plan of {name}")
            await back_to(pilot, type(table.screen))
        # The board, once: its title holds the CNAME; Help over it.
        n = 4
        table.move_cursor(row=table.get_row_index(f"{tag(n)}.example.com"))
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, DomainScreen) and app.screen.domain,
            what="details",
        )
        before = len(written)
        await pilot.press("p")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, PropagationScreen)
                and app.screen.board
                and app.screen.board.rounds
                and app.screen
            ),
            timeout=20,
            what="a round of the board",
        )
        await shows_escaped(pilot, written, before, [HOSTILE[n][2]], "propagation board")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        await pilot.pause(0.1)
        assert_clean(written[before:], "help over the board")
    assert_clean(written, "the whole run")


async def test_zones_records_and_the_record_form_draw_cloud_text_escaped():
    from tests.pilot import open_records, select_row

    app = sandbox_app()
    written = capture(app)
    async with app.run_test(headless=False, size=SIZE, notifications=True) as pilot:
        await planted_app(pilot)
        before = len(written)
        records = await open_records(pilot)
        # The zones list came first: the hostile zone's edition and DNS servers.
        await shows_escaped(
            pilot,
            written,
            before,
            [HOSTILE[0][2][:12], HOSTILE[11][2][:12]],
            "zones and records lists",
        )
        for n, (name, raw, visible) in enumerate(HOSTILE):
            before = len(written)
            await select_row(pilot, records, f"t{n}", "TXT")
            await pilot.press("enter")  # Enter edits the record
            form = await wait_for(
                pilot,
                lambda: isinstance(app.screen, RecordForm) and app.screen,
                what="the record form",
            )
            value = form.query_one("#value", Input)
            assert value.value == shown(raw, None)
            await wait_for(
                pilot,
                lambda: "not saved back" in text_of(form.query_one("#value_note")),
                what="the note on the value",
            )
            # The box shows the start or the end of the value, as its cursor has it.
            await wait_for(
                pilot,
                lambda: any(
                    part in drawn(written[before:]) for part in (visible[:10], visible[-8:])
                ),
                what=f"the record form of {name} drawn",
            )
            assert_clean(written[before:], f"record form of {name}")
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is records, what="the records")
        # Every planted TXT value was drawn in the list as its cursor passed it.
        await shows_escaped(
            pilot, written, 0, [visible[:12] for _, _, visible in HOSTILE], "records list"
        )
        # Help over the list.
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        await pilot.pause(0.1)
        # The hostile zone: its edition, unknown to the app, is named in the summary;
        # then a new record's form over it.
        await back_to(pilot, ZonesScreen)
        before = len(written)
        hostile_zone = await open_records(pilot, "hostile.example.net")
        assert HOSTILE[0][2] in text_of(hostile_zone.query_one("#summary"), 300)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordForm), what="the form")
        await shows_escaped(pilot, written, before, [HOSTILE[0][2][:20]], "the hostile zone")
    assert_clean(written, "the whole run")


def fault(
    app, action: str, raw: str, code: str = "InvalidParameter", count: int | None = 1
) -> None:
    app.sandbox.faults.add("http_error", action, count=count, status=400, code=code, message=raw)


async def test_cloud_error_messages_are_drawn_escaped_wherever_they_are_shown():
    from screens.add_domain import AddDomainScreen
    from tests.pilot import open_domain, open_records, select_row, type_text

    app = sandbox_app()
    written = capture(app)
    async with app.run_test(headless=False, size=SIZE, notifications=True) as pilot:
        await connected(pilot)
        # Every error notification (App.report): one per hostile message, the code too.
        for n, (name, raw, _visible) in enumerate(HOSTILE):
            # By identity, not by count: older notifications expire meanwhile.
            before = {note.identity for note in app._notifications}
            # Every listing fails until the notification shows: a poll of the list's own
            # that takes the fault and is then cancelled by r must not leave r a clean answer.
            fault(
                app,
                "DescribeUserDomains",
                raw,
                code=raw if n == 0 else "InvalidParameter",
                count=None,
            )
            await pilot.press("r")
            note = await wait_for(
                pilot,
                lambda: next(
                    (n for n in reversed(list(app._notifications)) if n.identity not in before),
                    None,
                ),
                what="the notification",
            )
            app.sandbox.faults.clear()
            # No listing that met the fault may report after this turn ends.
            await wait_for(pilot, lambda: not app.screen.is_loading(), what="the list idle")
            # A notification is a body of lines: a line feed in it stays a line break.
            assert shown(raw, 40, multiline=True)[:-1] in note.message and not note.markup
            assert_clean(written, f"notification of {name}")
        await shows_escaped(
            pilot, written, 0, [visible[:6] for _, _, visible in HOSTILE], "notifications"
        )
        app.clear_notifications()

        # The verify screen's status line: VerifyDomainOwner's answer.
        await open_domain(pilot, "img.example.com")
        # v there says ownership is done (the domain is in CDN): the screen itself.
        app.push_screen(VerifyScreen("img.example.com"))
        verify = await wait_for(
            pilot,
            lambda: isinstance(app.screen, VerifyScreen) and app.screen.challenge and app.screen,
            what="verify",
        )
        for name, raw, _visible in HOSTILE:
            before = len(written)
            fault(app, "VerifyDomainOwner", raw, code="DomainOwnerVerifyFail")
            await wait_for(pilot, lambda: not verify.busy, what="verify idle")
            await pilot.press("v")
            expected = shown(raw, 40, multiline=True)[:-1]  # a status line keeps line breaks
            await wait_for(
                pilot,
                lambda: expected in text_of(verify.query_one("#state"), 300),
                what=f"the failure with {name}",
            )
            await shows_escaped(
                pilot, written, before, [expected[:12]], f"verify status with {name}"
            )
        await back_to(pilot, type(app.screen_stack[1]))

        # The add-domain form's cloud check.
        await pilot.press("a")
        add = await wait_for(
            pilot,
            lambda: isinstance(app.screen, AddDomainScreen) and app.screen,
            what="the add form",
        )
        before = len(written)
        raw, visible = HOSTILE[4][1], HOSTILE[4][2]
        fault(app, "CheckCdnDomainExist", raw)
        await type_text(pilot, "new.example.com")
        await wait_for(
            pilot,
            lambda: visible in text_of(add.query_one("#checklist"), 300),
            what="the cloud check's failure",
        )
        await shows_escaped(pilot, written, before, [visible[:30]], "add-domain checklist")
        await back_to(pilot, type(app.screen_stack[1]))

        # The record form's error box: UpdateDomainRecord's answer.
        records = await open_records(pilot)
        await select_row(pilot, records, "www", "A")
        await pilot.press("enter")  # Enter edits the record
        form = await wait_for(
            pilot, lambda: isinstance(app.screen, RecordForm) and app.screen, what="the form"
        )
        form.query_one("#value", Input).value = "127.0.0.99"
        before = len(written)
        raw, visible = HOSTILE[1][1], HOSTILE[1][2]
        fault(app, "UpdateDomainRecord", raw)
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: visible in text_of(form.query_one("#error"), 300), what="the error box"
        )
        await shows_escaped(pilot, written, before, [visible[:30]], "record form error box")
    assert_clean(written, "the whole run")


# -- editing a value that holds control characters ---------------------------------------


def test_the_form_refuses_an_escaped_value_saved_back_unchanged_and_warns_of_leftovers():
    from screens.record_form import hidden_value_problem

    raw = "v=spf1\x1b]0;t\x07 -all\u202e"
    escaped = shown(raw, None)
    refused = hidden_value_problem(raw, escaped)
    assert refused.severity == "error"
    assert "\\x1b, \\x07, <U+202E>" in refused.message and "not saved back" in refused.message
    left = hidden_value_problem(raw, "v=spf1\\x1b]0;t -all")
    assert left.severity == "warning" and left.message.startswith("\\x1b in the value")
    assert hidden_value_problem(raw, "v=spf1 -all") is None
    assert hidden_value_problem("v=spf1 -all", "v=spf1 -all") is None  # nothing hidden
    assert hidden_value_problem(None, "typed\\x1b") is None  # a new record


async def test_editing_a_record_with_control_characters_shows_them_and_needs_a_change():
    from tests.pilot import (
        note,
        open_form,
        open_records,
        save_disabled,
        select_row,
        type_text,
        world_record,
        writes,
    )

    raw = "v=spf1 \x1b]52;c;cHduZWQ=\x07-all"
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        app.sandbox.world.add_record("example.com", "evil", "TXT", raw)
        records = await open_records(pilot)
        await select_row(pilot, records, "evil", "TXT")
        form = await open_form(pilot, "enter")
        assert form.value_of("value") == "v=spf1 \\x1b]52;c;cHduZWQ=\\x07-all"
        assert note(form, "value").startswith(
            "✗ This value holds control or invisible characters, shown here as \\x1b, \\x07"
        )
        assert save_disabled(form)
        # A new TTL alone does not make it savable: the value would be replaced unseen.
        form.query_one("#ttl", Input).value = "900"
        await pilot.pause()
        assert save_disabled(form)
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert app.screen is form and writes(app) == []
        # Typed anew: saved as typed.
        form.query_one("#value").focus()
        form.query_one("#value", Input).value = ""
        await type_text(pilot, "v=spf1 -all")
        await wait_for(pilot, lambda: not save_disabled(form), what="Save enabled")
        assert note(form, "value") == ""
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is records, what="back to the records")
        assert writes(app) == ["UpdateDomainRecord"]
        assert world_record(app, "evil", "TXT").value == "v=spf1 -all"


async def test_escaped_text_left_in_a_changed_value_is_saved_as_typed_with_a_warning():
    from tests.pilot import (
        note,
        open_form,
        open_records,
        save_disabled,
        select_row,
        type_text,
        world_record,
        writes,
    )

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        app.sandbox.world.add_record("example.com", "evil", "TXT", "a\x1bb")
        records = await open_records(pilot)
        await select_row(pilot, records, "evil", "TXT")
        form = await open_form(pilot, "enter")
        assert form.value_of("value") == "a\\x1bb"
        await pilot.press("end")
        await type_text(pilot, "c")
        assert note(form, "value") == (
            "! \\x1b in the value is plain text now, no longer the character it stood for: "
            "saved as typed."
        )
        assert not save_disabled(form)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is records, what="back to the records")
        assert writes(app) == ["UpdateDomainRecord"]
        assert world_record(app, "evil", "TXT").value == "a\\x1bbc"


# -- pastes and notifications ----------------------------------------------------------------


async def test_a_paste_lands_escaped_in_the_field():
    from textual import events

    from screens.domains import DomainsScreen

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        await pilot.press("slash")
        box = await wait_for(
            pilot, lambda: isinstance(app.focused, Input) and app.focused, what="the filter"
        )
        assert isinstance(app.screen, DomainsScreen)
        app.post_message(events.Paste("img\x1b]52;c;cHduZWQ=\x07\u202e"))
        await wait_for(pilot, lambda: box.value, what="the pasted text")
        assert box.value == "img\\x1b]52;c;cHduZWQ=\\x07<U+202E>"
        # A multi-line paste: the field takes its first line, whatever ended it.
        box.value = ""
        app.post_message(events.Paste("first\x9b\r\nsecond"))
        await wait_for(pilot, lambda: box.value, what="the second paste")
        assert box.value == "first\\x9b"


async def test_every_notification_is_literal_and_escaped():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.notify("[b]bold?[/b] \x1b]0;t\x07\nline two", title="T\x9b2J", markup=True)
        await wait_for(pilot, lambda: app._notifications, what="the notification")
        (note,) = list(app._notifications)
        assert note.message == "[b]bold?[/b] \\x1b]0;t\\x07\nline two"
        assert note.title == "T\\x9b2J" and note.markup is False
        app.screen.notify("x" * 5000)  # a screen's notify reaches the same wall
        await wait_for(pilot, lambda: len(app._notifications) == 2, what="the second")
        assert len(list(app._notifications)[-1].message) == 1000


# -- the command line ----------------------------------------------------------------------


def test_oss_cdn_check_prints_cloud_text_escaped(sandbox, profile, capsys):
    import json

    from tests.helpers import check

    domain = sandbox.world.domains["img.example.com"]
    for name, raw, _visible in HOSTILE:
        domain.cname = raw  # what DescribeCdnDomainDetail answers as the CNAME
        status, out, err = check(profile, capsys, "img.example.com")
        assert status == 1, err
        assert not leaks(out + err), name
        header = out.splitlines()[0]
        assert header.startswith("img.example.com: expecting CNAME ")
        assert shown(raw.strip().lower())[:20] in header, name
        # JSON escapes by itself: no control character is ever printed raw.
        status, out, err = check(profile, capsys, "img.example.com", "--json")
        assert status == 1 and not leaks(out + err), name
        assert json.loads(out)["expected"] == raw.strip().rstrip(".").lower()
        assert all(c.isprintable() or c == "\n" for c in out), name

    # An error's message (and code) from the cloud, on stderr.
    for name, raw, _visible in HOSTILE:
        sandbox.faults.add(
            "http_error", "DescribeCdnDomainDetail", status=400, code=raw, message=raw
        )
        status, out, err = check(profile, capsys, "img.example.com")
        assert status == 2 and out == ""
        assert not leaks(err), name
        assert shown(raw, 30, multiline=True)[:-1] in err, name


def test_oss_cdn_check_prints_a_resolver_name_escaped(profile, capsys):
    from tests.helpers import check

    alidns = dict(profile.resolvers)["AliDNS"]
    status, out, err = check(
        profile,
        capsys,
        "img.example.com",
        "--expect",
        "img.example.com.w.kunlunsl.com",
        "--resolver",
        f"‡1\x1b]0;x\x07\u202e={alidns}",
    )
    assert status == 0, err
    assert not leaks(out + err)
    assert "‡1\\x1b]0;x\\x07<U+202E>" in out


# -- a real terminal ---------------------------------------------------------------------

PLANTED_APP = """
import sys
sys.path.insert(0, {root!r})
from tests.hostile import plant
from tui.app import OssCdnApp
from tui.launch import LaunchOptions

connected = OssCdnApp._connected

def planted(self, profile, sandbox, services):
    plant(sandbox.world)  # before the first list: every row is a planted one or seeded
    connected(self, profile, sandbox, services)

OssCdnApp._connected = planted
OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=1000)).run()
"""


@pytest.mark.slow  # the app in a pty
def test_the_raw_pty_stream_of_the_app_holds_no_planted_sequence():
    """The app in a pseudo-terminal with Textual's real driver: the bytes it writes, read
    from the terminal's side, while it lists the planted domains and opens one."""
    import fcntl
    import os
    import pty
    import select
    import struct
    import subprocess
    import sys
    import termios
    import time
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1])}
    process = subprocess.Popen(
        [sys.executable, "-c", PLANTED_APP.format(root=root)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        cwd=root,
    )
    os.close(slave)
    stream = bytearray()

    def read_until(done, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not done(drawn([stream.decode("utf-8", "replace")])):
            found = leaks(stream.decode("utf-8", "replace"))
            assert not found, f"reached the terminal raw: {found}"  # at once, not at the end
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError(f"the app did not get there: {bytes(stream[-2000:])!r}")
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    stream.extend(os.read(master, 65536))
                except OSError:  # the app closed the terminal
                    return

    try:
        read_until(lambda text: all(head[:6] in text for head in heads()))
        # Filter the list down to h0.example.com and open it (unhurried keys: typing
        # starts once the filter is drawn, so its letters are not the list's keys).
        os.write(master, b"/")
        read_until(lambda text: "filter: type to narrow" in text)
        for keys in (b"h0.example", b"\r", b"\r"):
            os.write(master, keys)
            time.sleep(0.5)
        read_until(lambda text: "Description" in text and "‡1\\x1b]0;pwned-title" in text)
        os.write(master, b"\x11")  # ctrl+q: read what it writes on its way out, to the end
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the app closed the terminal
                    break
                if not chunk:
                    break
                stream.extend(chunk)
            elif process.poll() is not None:
                break
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        os.close(master)
    text = stream.decode("utf-8", "replace")
    assert not leaks(text)
    for raw_bytes in (b"\x1b]0;", b"\x1b]52;", b"\x1bP", b"\x1b_", b"\xc2\x9b", b"\xe2\x80\xae"):
        assert raw_bytes not in bytes(stream), raw_bytes


async def test_the_header_shows_its_title_escaped():
    from textual.widgets._header import HeaderTitle

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        app.sub_title = "profile \x1b]0;t\x07\u202e"
        header = app.screen.query_one(HeaderTitle)
        await wait_for(pilot, lambda: "\\x1b" in str(header.render()), what="the new title")
        assert str(header.render()).endswith("profile \\x1b]0;t\\x07<U+202E>")


async def test_a_crash_report_shows_an_error_message_escaped():
    import io

    import pytest
    from rich.console import Console

    raw = HOSTILE[4][1]

    def crash() -> None:
        raise RuntimeError(raw)

    app = sandbox_app()
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(80, 24)) as pilot:
            await connected(pilot)
            app.call_later(crash)
            await wait_for(pilot, lambda: app._exit_renderables, what="the crash report")
            renderables = list(app._exit_renderables)  # printed and cleared on the way out
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(*renderables)
    report = out.getvalue()
    assert "RuntimeError" in report and HOSTILE[4][2] in report
    assert not leaks(report)
