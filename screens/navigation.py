"""Moving between screens without showing the ones passed on the way."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen, ScreenResultCallbackType


def replace_above(below: Screen, screen: Screen, callback: ScreenResultCallbackType | None) -> None:
    """Show `screen` in place of every screen above `below`, in one step: `screen` is
    pushed on top, then those in between (the add form and its verification, say) are
    taken off the stack unseen, their results dropped. Popping them one by one would
    make each the active screen again, painted for a frame or for a whole cloud call
    (issue 13: the add form and the list flashing past before the new domain opens).

    Call it from `below`'s own message loop (e.g. through `below.call_later`): the
    callback runs there when `screen` is dismissed, and Esc on `screen` leads to `below`.
    With nothing in between it is a plain push."""
    app = below.app
    # Textual has no public way to drop a screen that is not on top: the stack itself.
    stack = app._screen_stack
    between = stack[stack.index(below) + 1 :]
    app.push_screen(screen, callback)
    for passed in between:
        stack.remove(passed)
        # Suspended and removed as a pop would (its workers cancelled), never resumed.
        app.call_later(app._replace_screen, passed)
