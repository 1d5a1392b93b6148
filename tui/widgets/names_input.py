"""An Input for a list of names: a paste of several lines keeps every line.

Textual's Input keeps only the first line of a paste; a column of domains copied from a
spreadsheet or a terminal would lose all but one. Here the lines arrive joined by ", ",
the separator the add form reads (tui.rules.split_names), so the one-line field that
fits 80x24 takes a whole list.
"""

from __future__ import annotations

from textual import events
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


def one_line(text: str) -> str:
    """The lines of a paste as one line of comma-separated parts (blank lines dropped)."""
    return ", ".join(line.strip() for line in text.splitlines() if line.strip())


class NamesInput(Input):
    # Input sets its virtual size (the text's width, for scrolling) on every keystroke,
    # and Widget's reactive asks for a layout of the whole screen each time it changes:
    # on the add form, the most of a keystroke's cost. This Input has a fixed size and
    # no scrollbars, so a new virtual size changes no other widget: repaint it only (the
    # horizontal scroll reads the reactive's value directly and follows the cursor).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def _on_paste(self, event: events.Paste) -> None:
        if event.text:
            line = one_line(event.text)
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(line)
            else:
                self.replace(line, *selection)
        # Textual runs each class's _on_paste in turn: without this, Input's own would
        # then insert the first line a second time.
        event.prevent_default()
        event.stop()
