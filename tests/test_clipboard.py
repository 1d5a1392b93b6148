"""Copying says "Copied" only when the local clipboard surely took it (Pilot, sandbox).

Without pyperclip (a bastion host), only OSC 52 went out: the app cannot know whether the
terminal took it (tmux drops it unless set-clipboard is on), so it says so and shows the
value to copy by hand. `local_copier` is swapped for a function here: these tests are
about what the app says, not about the machine's clipboard.
"""

from __future__ import annotations

import threading

import pytest

from tests.pilot import open_domain, sandbox_app, wait_for
from tui import clipboard


def clipboard_notes(app) -> list[str]:
    return [n.message for n in app._notifications if n.title == "Clipboard"]


@pytest.mark.parametrize("local", [None, lambda text: False], ids=["no pyperclip", "no display"])
async def test_without_a_local_clipboard_the_copy_says_it_was_sent_to_the_terminal(
    monkeypatch, local
):
    monkeypatch.setattr(clipboard, "local_copier", lambda: local)
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_domain(pilot, "static.example.com")
        cname = app.sandbox.world.domains["static.example.com"].cname
        await pilot.press("c")
        assert app.clipboard == cname  # what OSC 52 carried
        [note] = await wait_for(pilot, lambda: clipboard_notes(app), what="a note")
        assert "Copied" not in note
        assert "sent to the terminal (OSC 52; tmux drops it unless set-clipboard is on)" in note
        assert note.endswith(cname)  # there to copy by hand


async def test_a_local_copy_that_worked_says_copied(monkeypatch):
    copied = []
    monkeypatch.setattr(clipboard, "local_copier", lambda: lambda text: copied.append(text) is None)
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_domain(pilot, "static.example.com")
        cname = app.sandbox.world.domains["static.example.com"].cname
        await pilot.press("b")
        [note] = await wait_for(pilot, lambda: clipboard_notes(app), what="a note")
        bind = f"static.example.com. 600 IN CNAME {cname}."
        assert note == f"Copied the BIND line: {bind}"
        assert copied == [bind]


async def test_a_local_clipboard_that_hangs_does_not_leave_the_user_waiting(monkeypatch):
    release = threading.Event()
    monkeypatch.setattr(clipboard, "LOCAL_WAIT", 0.2)
    monkeypatch.setattr(clipboard, "local_copier", lambda: lambda text: release.wait(30))
    app = sandbox_app()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await open_domain(pilot, "static.example.com")
            await pilot.press("c")
            [note] = await wait_for(pilot, lambda: clipboard_notes(app), what="a note")
            assert "sent to the terminal" in note
    finally:
        release.set()
