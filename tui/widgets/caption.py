"""The tour's caption bar: what the step on screen is and why, and the keys that steer it.

Docked at the bottom of each screen the tour passes through, above the footer (the
screen's own content loses those lines, it is not covered). Its text is the tour's own
(tui/tour.py), never cloud text, yet still shown literally: never read as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.screen import Screen

KEYS_HINT = "Space pause · → skip · Esc take over"


def caption_text(sentence: str, *, step: int = 0, steps: int = 0, state: str = "playing") -> Text:
    """The caption's two parts: "3/12 The sentence." then the keys (or what paused it)."""
    text = Text()
    if state == "failed":
        text.append("Tour stopped  ", style="bold")
        text.append(sentence)
        text.append("\nThe keys are yours.", style="bold")
        return text
    if steps:
        text.append(f"{step}/{steps} ", style="bold")
    text.append(sentence)
    if state == "paused":
        text.append("\nPAUSED", style="bold reverse")
        text.append("  Space resume · → skip · Esc take over")
    elif state == "finished":
        text.append("\nEsc ends the tour: the keys are yours.", style="dim")
    else:
        text.append(f"\n{KEYS_HINT}", style="dim")
    return text


class Caption(Static):
    """One per screen, the same text on each (the tour mounts it where it is shown)."""

    DEFAULT_CSS = """
    Caption {
        dock: bottom;
        /* Above the footer (one line, docked at the bottom too): docked widgets overlap. */
        margin: 0 0 1 0;
        height: auto;
        max-height: 4;
        width: 100%;
        padding: 0 1;
        background: $primary-background;
        color: $text;
    }
    Caption.-failed {
        background: $error-darken-2;
    }
    """

    class Resized(Message):
        """Sent to the caption's screen when the lines it takes change (shown, resized,
        removed): a screen that sizes its content to the terminal fits it again."""

    def __init__(self, text: Text, *, failed: bool = False) -> None:
        super().__init__(text, markup=False)
        self.set_class(failed, "-failed")
        self._on_screen: Screen | None = None

    def on_mount(self) -> None:
        self._on_screen = self.screen

    def on_resize(self) -> None:
        if self._on_screen is not None:
            self._on_screen.post_message(self.Resized())

    def on_unmount(self) -> None:
        if self._on_screen is not None:
            self._on_screen.post_message(self.Resized())

    def say(self, text: Text, *, failed: bool = False) -> None:
        self.set_class(failed, "-failed")
        self.update(text)

    @property
    def plain(self) -> str:
        content = self.content
        return content.plain if isinstance(content, Text) else str(content)


def caption_lines(screen) -> int:
    """The lines a caption takes at the bottom of `screen` (0 without one): a screen that
    sizes its content to the terminal (the add form's checklist) leaves them free."""
    for child in screen.children:
        if isinstance(child, Caption) and child.display:
            return child.outer_size.height
    return 0
