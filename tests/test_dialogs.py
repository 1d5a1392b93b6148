"""The confirmation dialogs in a bare app: answered once, however fast the keys come."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from tests.pilot import press_at_once, text_of, type_text, wait_for
from tui.widgets.confirm import Confirm, TypedConfirm, void_dialogs


class Below(Screen):
    def compose(self) -> ComposeResult:
        yield Static("the screen below")


class DialogApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.below = Below()
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.below)

    async def ask(self, pilot, dialog):
        self.push_screen(dialog, self.answers.append)
        return await wait_for(
            pilot, lambda: self.screen is dialog and dialog.is_mounted and dialog, what="the dialog"
        )


async def test_a_double_enter_in_a_typed_confirmation_answers_once():
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = TypedConfirm("Delete img.example.com?", "It stops serving.", "img.example.com")
        await app.ask(pilot, dialog)
        await type_text(pilot, "img.example.com")
        await press_at_once(pilot, "enter", "enter")
        await wait_for(pilot, lambda: app.answers, what="the answer")
        await pilot.pause()
        assert app.answers == [True]
        assert app.screen is app.below


async def test_enter_and_escape_at_once_answer_once():
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = TypedConfirm("Delete img.example.com?", "It stops serving.", "img.example.com")
        await app.ask(pilot, dialog)
        await type_text(pilot, "img.example.com")
        await press_at_once(pilot, "enter", "escape")
        await wait_for(pilot, lambda: app.answers, what="the answer")
        await pilot.pause()
        assert len(app.answers) == 1
        assert app.screen is app.below


async def test_a_double_enter_on_a_confirmation_answers_once():
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await app.ask(pilot, Confirm("Delete this record?", "www A 127.0.0.11", "Delete"))
        await pilot.press("tab")
        assert dialog.query_one("#confirm", Button).has_focus
        await press_at_once(pilot, "enter", "enter")
        await wait_for(pilot, lambda: app.answers, what="the answer")
        await pilot.pause()
        assert app.answers == [True]
        assert app.screen is app.below


async def test_enter_alone_says_no_the_harmless_button_has_the_focus():
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await app.ask(pilot, Confirm("Stop static.example.com?", "It stops.", "Stop"))
        assert dialog.query_one("#cancel", Button).has_focus
        await press_at_once(pilot, "enter", "enter")
        await wait_for(pilot, lambda: app.answers, what="the answer")
        await pilot.pause()
        assert app.answers == [False]
        assert app.screen is app.below
        typed = TypedConfirm("Delete img.example.com?", "It stops serving.", "img.example.com")
        await app.ask(pilot, typed)
        assert typed.query_one("#typed", Input).has_focus
        await pilot.press("enter")
        assert app.screen is typed and app.answers == [False]


async def test_a_late_second_dismiss_sends_nothing_and_leaves_the_screen_below():
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await app.ask(pilot, Confirm("Delete this record?", "www A", "Delete"))
        dialog.dismiss(True)
        dialog.dismiss(True)  # a caller that did not know it was answered
        dialog.dismiss(False)
        await wait_for(pilot, lambda: app.answers, what="the answer")
        await pilot.pause()
        assert app.answers == [True]
        assert app.screen is app.below and app.screen_stack[-1] is app.below


async def test_a_voided_question_answers_no_whatever_is_pressed():
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = Confirm("Delete this record?", "www A", "Delete", subject=("record", "7"))
        app.push_screen(dialog, app.answers.append)
        # Voided before it is even mounted: a change to its record just left.
        assert void_dialogs(app, ("record", "7"), "Another change was just sent.")
        assert not void_dialogs(app, ("record", "8"), "not this one")
        await wait_for(pilot, lambda: app.screen is dialog and dialog.is_mounted, what="the dialog")
        await pilot.pause()
        assert dialog.query_one("#confirm", Button).disabled
        assert "Another change was just sent." in text_of(dialog.query_one("#void"))
        dialog.dismiss(True)  # a yes already on its way
        await wait_for(pilot, lambda: app.answers, what="the answer")
        assert app.answers == [False] and app.screen is app.below


async def test_two_buttons_clicked_in_a_burst_answer_once():
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await app.ask(pilot, Confirm("Delete this record?", "www A", "Delete"))
        dialog.query_one("#confirm", Button).press()
        dialog.query_one("#cancel", Button).press()
        await wait_for(pilot, lambda: app.answers, what="the answer")
        await pilot.pause()
        assert app.answers == [True]
        assert app.screen is app.below


async def test_enter_with_the_wrong_name_says_what_to_type():
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = TypedConfirm("Delete img.example.com?", "It stops serving.", "img.example.com")
        await app.ask(pilot, dialog)
        hint = dialog.query_one("#hint", Static)
        assert not hint.display
        await type_text(pilot, "img.example")
        await pilot.press("enter")
        assert hint.display
        assert text_of(hint).strip() == "Type exactly img.example.com to confirm."
        assert app.screen is dialog and app.answers == []
        await type_text(pilot, ".com")
        assert not hint.display  # typing again clears it
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.answers == [True], what="the answer")


async def test_cancel_and_escape_say_no():
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = TypedConfirm("Delete img.example.com?", "It stops serving.", "img.example.com")
        await app.ask(pilot, dialog)
        await pilot.press("escape")
        assert app.answers == [False] and app.screen is app.below
        confirm = Confirm("Delete this record?", "www A", "Delete")
        await app.ask(pilot, confirm)
        await pilot.click("#cancel")
        await wait_for(pilot, lambda: len(app.answers) == 2, what="the answer")
        assert app.answers == [False, False] and app.screen is app.below


async def test_e_shows_the_write_and_an_answer_under_it_pops_nothing():
    from textual.widgets import TextArea

    from tui.services import writes
    from tui.widgets.export import CommandsDialog

    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        stop = writes.stop_domain("static.example.com")
        dialog = await app.ask(
            pilot, Confirm("Stop static.example.com?", "It stops.", "Stop", writes=[stop])
        )
        assert "e: as aliyun-cli commands" in text_of(dialog.query_one(".keys"))
        await pilot.press("e")
        shown = await wait_for(
            pilot,
            lambda: isinstance(app.screen, CommandsDialog) and app.screen.is_mounted and app.screen,
            what="commands",
        )
        assert shown.query_one(TextArea).text == writes.commands([stop])
        dialog.dismiss(True)  # not the screen on top: Textual would pop the commands
        await pilot.pause()
        assert app.screen is shown and app.answers == []
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is dialog, what="the question again")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.answers == [False], what="no")
        assert app.screen is app.below
