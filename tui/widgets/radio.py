"""A radio button whose chosen option reads differently, not only in another colour.

Textual draws every RadioButton as `▐●▌` and tells the chosen one by colour alone: under
NO_COLOR (or on a monochrome terminal) the options differ by two greys (issue 13). Here
the chosen option reads `▐●▌` and the others `▐○▌`, so the choice survives without
colour, in a screen reader's text and in a copy of the screen.
"""

from __future__ import annotations

from textual.widgets import RadioButton

CHOSEN = "●"
NOT_CHOSEN = "○"


class Radio(RadioButton):
    """A RadioButton that marks its state in text: ● chosen, ○ not. Use it in every
    RadioSet of the app."""

    # Read by ToggleButton._button on every render; the value's watcher toggles the `-on`
    # class, which repaints the button, so the mark follows the value.
    @property  # type: ignore[override]  # a class constant in Textual
    def BUTTON_INNER(self) -> str:  # noqa: N802  # Textual's name
        return CHOSEN if self.value else NOT_CHOSEN
