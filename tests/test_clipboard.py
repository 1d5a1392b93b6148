"""Copying says "Copied" only when the local clipboard surely took it (Pilot, sandbox).

Without pyperclip (a bastion host), only OSC 52 went out: the app cannot know whether the
terminal took it (tmux drops it unless set-clipboard is on), so it says so and shows the
value to copy by hand. `local_copier` is swapped for a function here: these tests are
about what the app says, not about the machine's clipboard.
"""

from __future__ import annotations

import threading

import pytest

from tests.pilot import open_domain, open_plan, sandbox_app, text_of, wait_for
from tui import clipboard


def clipboard_notes(app) -> list[str]:
    return [n.message for n in app._notifications if n.title == "Clipboard"]


def copied_line(screen) -> str:
    """What the domain screen says under its record about a copy ("" before one)."""
    line = screen.query_one("#copied")
    return " ".join(text_of(line).split()) if line.display else ""


@pytest.mark.parametrize("local", [None, lambda text: False], ids=["no pyperclip", "no display"])
async def test_without_a_local_clipboard_the_copy_says_it_was_sent_to_the_terminal(
    monkeypatch, local
):
    monkeypatch.setattr(clipboard, "local_copier", lambda: local)
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(pilot, "static.example.com")
        cname = app.sandbox.world.domains["static.example.com"].cname
        bind = f"static.example.com. 600 IN CNAME {cname}."
        await pilot.press("c")  # the plan's "Copy record": its BIND line
        assert app.clipboard == bind  # what OSC 52 carried
        [note] = await wait_for(pilot, lambda: clipboard_notes(app), what="a note")
        assert "Copied" not in note
        assert "sent to the terminal (OSC 52; tmux drops it unless set-clipboard is on)" in note
        assert note.endswith(bind)  # there to copy by hand


async def test_the_domain_screen_says_it_under_the_record_not_over_it(monkeypatch):
    """Issue 13: a notification covered the record and BIND lines at 80x24; the domain
    screen says what c did on its own line, and sends no notification."""
    monkeypatch.setattr(clipboard, "local_copier", lambda: None)
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_domain(pilot, "static.example.com")
        assert copied_line(screen) == ""
        await pilot.press("c")
        assert app.clipboard == app.sandbox.world.domains["static.example.com"].cname
        said = await wait_for(pilot, lambda: copied_line(screen), what="the copy's line")
        assert "The CNAME was sent to the terminal (OSC 52" in said and "Copied" not in said
        assert clipboard_notes(app) == []
        # Below the BIND line, which stays in view beside it at 80x24.
        bind, line = screen.query_one("#bind").region, screen.query_one("#copied").region
        assert line.y > bind.y and bind.height and line.height


async def test_a_local_copy_that_worked_says_copied(monkeypatch):
    copied = []
    monkeypatch.setattr(clipboard, "local_copier", lambda: lambda text: copied.append(text) is None)
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_domain(pilot, "static.example.com")
        cname = app.sandbox.world.domains["static.example.com"].cname
        await pilot.press("b")
        said = await wait_for(pilot, lambda: copied_line(screen), what="the copy's line")
        bind = f"static.example.com. 600 IN CNAME {cname}."
        assert said == "✓ The BIND line is on the clipboard."
        assert copied == [bind]
        assert clipboard_notes(app) == []


async def test_a_local_clipboard_that_hangs_does_not_leave_the_user_waiting(monkeypatch):
    release = threading.Event()
    monkeypatch.setattr(clipboard, "LOCAL_WAIT", 0.2)
    monkeypatch.setattr(clipboard, "local_copier", lambda: lambda text: release.wait(30))
    app = sandbox_app()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_domain(pilot, "static.example.com")
            await pilot.press("c")
            said = await wait_for(pilot, lambda: copied_line(screen), what="the copy's line")
            assert "sent to the terminal" in said
    finally:
        release.set()
