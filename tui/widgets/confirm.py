"""Confirmation dialogs: a plain yes/no, and one that needs the name typed back.

Both focus the harmless answer (Cancel, or the field to type the name in): Enter alone
never deletes or stops anything. Both answer once: a second Enter, a click in the same
burst, or a late `dismiss` sends nothing more. Both offer `e`: the write they confirm as
aliyun-cli commands.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.safe_text import shown
from tui.widgets.export import CommandsDialog

if TYPE_CHECKING:
    from tui.services.writes import Write

DIALOG_CSS = """
{cls} {{ align: center middle; }}
{cls} > Vertical {{
    width: 70; max-width: 100%; height: auto; border: thick $warning;
    background: $surface; padding: 0 1;
}}
{cls} Horizontal {{ height: auto; align-horizontal: right; }}
{cls} Button {{ margin: 0 0 0 1; }}
{cls} .keys {{ color: $text-muted; height: auto; }}
{cls} #void {{ color: $text-error; height: auto; display: none; }}
"""


class Dialog(ModalScreen[bool]):
    """A question answered once: Cancel or Esc says no, the confirm button yes.

    `writes` are what a yes sends (shown as commands with `e`). `subject` names what the
    answer is about (a record id, a domain name): when a change to it starts elsewhere
    while the question is open, `void_dialogs` voids it, and a yes then sends nothing.
    """

    BINDINGS = [
        Binding("escape", "answer(False)", "Cancel"),
        Binding("e", "export", "As commands", id="confirm.export"),
        # Where the name is typed, `e` is a letter of it.
        Binding("ctrl+e", "export", "As commands", show=False, priority=True),
    ]

    def __init__(self, *, writes: Sequence[Write] = (), subject: Hashable = None) -> None:
        super().__init__()
        self.writes = tuple(writes)
        self.subject = subject
        self.answer: bool | None = None  # once answered
        self.voided: str | None = None  # why a yes no longer stands

    def action_answer(self, yes: bool) -> None:
        # A second Enter or click may already be queued when the first closes the dialog.
        if self.is_active:
            self.dismiss(yes)

    def dismiss(self, result: bool | None = None) -> AwaitComplete:
        """Answer once. A second answer (a queued key, a late caller) would run the
        action again, or pop the screen below this one: it does nothing. So does an
        answer while another screen covers this one (Textual pops the top screen)."""
        if self.answer is not None or self.app.screen is not self:
            return AwaitComplete.nothing()
        self.answer = bool(result) and self.voided is None
        return super().dismiss(self.answer)

    def void(self, reason: str) -> None:
        """The question no longer stands (its subject changed meanwhile): yes is refused."""
        if self.answer is not None or self.voided is not None:
            return
        self.voided = reason
        if self.is_mounted:
            self._show_void(reason)

    def _show_void(self, reason: str) -> None:
        note = self.query_one("#void", Static)
        note.update(Text(reason))
        note.display = True
        confirm = self.query_one("#confirm", Button)
        confirm.disabled = True
        self.query_one("#cancel", Button).focus()

    def on_mount(self) -> None:
        # After the subclass's own on_mount (Textual calls each class's, subclass first).
        if self.voided is not None:
            self._show_void(self.voided)

    def keys_line(self) -> Text:
        text = Text("Tab, Enter: confirm · Esc: cancel")
        if self.writes:
            text.append(" · e: as aliyun-cli commands")
        return text

    def action_export(self) -> None:
        if not self.writes:
            return
        self.app.push_screen(CommandsDialog(self.writes))

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id == "confirm")


class Confirm(Dialog):
    """Yes or no. Cancel has the focus: Enter alone says no; Tab, then Enter says yes."""

    DEFAULT_CSS = DIALOG_CSS.format(cls="Confirm")

    def __init__(
        self,
        title: str,
        body: str | Text,
        confirm_label: str = "Confirm",
        *,
        writes: Sequence[Write] = (),
        subject: Hashable = None,
    ) -> None:
        super().__init__(writes=writes, subject=subject)
        self.title_text = title
        self.body = body
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical():
            # Names in a question come from the cloud: shown, never interpreted. A Text
            # body is built by its caller, who passes cloud text through shown() itself.
            yield Static(Text(shown(self.title_text), style="bold"))
            yield Static(
                self.body if isinstance(self.body, Text) else Text(shown(self.body, multiline=True))
            )
            yield Static("", id="void")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm_label, id="confirm", variant="warning")
            yield Static(self.keys_line(), classes="keys")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()


class TypedConfirm(Dialog):
    """A destructive action: the user types `expected` before it is allowed."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(cls="TypedConfirm")
        + """
    TypedConfirm #hint { color: $text-error; height: auto; display: none; }
    """
    )

    def __init__(
        self,
        title: str,
        body: str,
        expected: str,
        confirm_label: str = "Delete",
        *,
        writes: Sequence[Write] = (),
        subject: Hashable = None,
    ) -> None:
        super().__init__(writes=writes, subject=subject)
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
            yield Static("", id="void")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm_label, id="confirm", variant="error", disabled=True)
            yield Static(self.keys_line(), classes="keys")

    def keys_line(self) -> Text:
        text = Text("Type the name, Enter · Esc: cancel")
        if self.writes:
            text.append(" · ctrl+e: as commands")
        return text

    def on_mount(self) -> None:
        self.query_one("#typed", Input).focus()

    @on(Input.Changed, "#typed")
    def typed(self, event: Input.Changed) -> None:
        self.query_one("#confirm", Button).disabled = (
            self.voided is not None or event.value.strip() != self.expected
        )
        self.query_one("#hint", Static).display = False

    @on(Input.Submitted, "#typed")
    def submitted(self, event: Input.Submitted) -> None:
        if self.voided is not None:
            return  # the reason is shown; Esc closes
        if event.value.strip() == self.expected:
            self.action_answer(True)
        else:
            # Enter did nothing visible otherwise: say what it waits for.
            hint = self.query_one("#hint", Static)
            hint.update(
                Text.assemble("Type exactly ", (shown(self.expected), "bold"), " to confirm.")
            )
            hint.display = True


def void_dialogs(app, subject: Hashable, reason: str) -> bool:
    """Void every open dialog about `subject` (a change to it just started); True if any."""
    found = False
    for screen in app.screen_stack:
        if (
            isinstance(screen, Dialog)
            and screen.subject is not None
            and screen.subject == subject
            and screen.answer is None
        ):
            screen.void(reason)
            found = True
    return found
