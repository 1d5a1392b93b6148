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

    BUTTON_INNER = NOT_CHOSEN  # read by ToggleButton._button on every render

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.BUTTON_INNER = CHOSEN if self.value else NOT_CHOSEN

    def watch_value(self) -> None:
        # Every change, the RadioSet's own included (it turns the others off): the mark
        # follows; the value's repaint shows it.
        self.BUTTON_INNER = CHOSEN if self.value else NOT_CHOSEN
        super().watch_value()
