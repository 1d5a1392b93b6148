"""A write plan as aliyun-cli commands: to review, paste into a ticket, or hand to someone
who holds the write permission. The text comes from tui.services.writes, whole."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from tui.clipboard import copy
from tui.services.writes import Write, commands


class CommandsDialog(ModalScreen[None]):
    """The commands, shown literally and selectable (a read-only text area: no markup is
    read in them). c copies them all; Esc closes."""

    DEFAULT_CSS = """
    CommandsDialog { align: center middle; }
    CommandsDialog > Vertical {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    CommandsDialog TextArea { height: auto; max-height: 16; }
    CommandsDialog .note, CommandsDialog .keys { height: auto; }
    CommandsDialog .keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("c", "copy", "Copy", id="export.copy"),
        Binding("escape", "dismiss", "Close", id="export.close"),
    ]

    def __init__(self, writes: Sequence[Write], note: str = "") -> None:
        super().__init__()
        self.writes = tuple(writes)
        self.note = note
        self.text = commands(self.writes)

    def compose(self) -> ComposeResult:
        count = len(self.writes)
        with Vertical():
            yield Static(
                Text(
                    f"As aliyun-cli commands ({count} change{'' if count == 1 else 's'})",
                    style="bold",
                )
            )
            if self.note:
                yield Static(Text(self.note), classes="note")
            yield TextArea(self.text, read_only=True, soft_wrap=True, id="commands")
            yield Static(
                Text("c copies them · select with the mouse or shift+arrows · Esc closes"),
                classes="keys",
            )

    def action_copy(self) -> None:
        copy(self.app, self.text, "the commands")
