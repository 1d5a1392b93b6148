"""Confirmation dialogs: a plain yes/no, and one that needs the name typed back."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.safe_text import shown

DIALOG_CSS = """
{cls} {{ align: center middle; }}
{cls} > Vertical {{
    width: 70; max-width: 100%; height: auto; border: thick $warning;
    background: $surface; padding: 0 1;
}}
{cls} Horizontal {{ height: auto; align-horizontal: right; }}
{cls} Button {{ margin: 0 0 0 1; }}
"""


class Dialog(ModalScreen[bool]):
    """A question answered once: Cancel or Esc says no, the confirm button yes."""

    BINDINGS = [Binding("escape", "answer(False)", "Cancel")]

    def action_answer(self, yes: bool) -> None:
        # A second Enter or click may already be queued when the first closes the dialog:
        # dismissing again would pop the screen below it.
        if self.is_active:
            self.dismiss(yes)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id == "confirm")


class Confirm(Dialog):
    """Yes or no. Enter confirms, Esc cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(cls="Confirm")

    def __init__(self, title: str, body: str | Text, confirm_label: str = "Confirm") -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical():
            # Names in a question come from the cloud: shown, never interpreted. A Text
            # body is built by its caller, who passes cloud text through shown() itself.
            yield Static(Text(shown(self.title_text), style="bold"))
            yield Static(self.body if isinstance(self.body, Text)
                         else Text(shown(self.body, multiline=True)))
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm_label, id="confirm", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#confirm", Button).focus()


class TypedConfirm(Dialog):
    """A destructive action: the user types `expected` before it is allowed."""

    DEFAULT_CSS = DIALOG_CSS.format(cls="TypedConfirm") + """
    TypedConfirm #hint { color: $text-error; height: auto; display: none; }
    """

    def __init__(self, title: str, body: str, expected: str, confirm_label: str = "Delete") -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.expected = expected
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(shown(self.title_text), style="bold"))
            yield Static(Text(shown(self.body, multiline=True)))
            yield Static(Text.assemble("Type ", (shown(self.expected), "bold"), " to confirm:"))
            yield Input(id="typed")
            yield Static("", id="hint")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm_label, id="confirm", variant="error", disabled=True)

    @on(Input.Changed, "#typed")
    def typed(self, event: Input.Changed) -> None:
        self.query_one("#confirm", Button).disabled = event.value.strip() != self.expected
        self.query_one("#hint", Static).display = False

    @on(Input.Submitted, "#typed")
    def submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() == self.expected:
            self.action_answer(True)
        else:
            # Enter did nothing visible otherwise: say what it waits for.
            hint = self.query_one("#hint", Static)
            hint.update(Text.assemble("Type exactly ", (shown(self.expected), "bold"),
                                      " to confirm."))
            hint.display = True
