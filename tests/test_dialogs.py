"""The confirmation dialogs in a bare app: answered once, however fast the keys come."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Button, Static

from tests.pilot import press_at_once, text_of, type_text, wait_for
from tui.widgets.confirm import Confirm, TypedConfirm


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
        return await wait_for(pilot, lambda: self.screen is dialog and dialog.is_mounted
                              and dialog, what="the dialog")




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
        dialog = await app.ask(pilot, Confirm("Delete this record?", "www A 127.0.0.11",
                                              "Delete"))
        assert dialog.query_one("#confirm", Button).has_focus
        await press_at_once(pilot, "enter", "enter")
        await wait_for(pilot, lambda: app.answers, what="the answer")
        await pilot.pause()
        assert app.answers == [True]
        assert app.screen is app.below


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
