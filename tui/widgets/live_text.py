"""A Static whose content follows every keystroke without laying out the screen again.

`Static.update` asks for a layout of the whole screen each time (its height may have
changed): on a form of forty widgets that is most of a keystroke's cost. `LiveText.show`
repaints the widget in place and asks for a layout only when its height really changed
(a line more or less), and does nothing when the content is the same as shown.
"""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.reactive import Reactive
from textual.visual import VisualType
from textual.widgets import Static


class LiveText(Static):
    # A Static is not scrollable: its virtual size follows its size and matters to no
    # other widget. Widget's reactive would ask for a second layout after each one that
    # resizes it; a repaint is enough.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def show(self, content: VisualType) -> None:
        """Show `content`: repainted in place, laid out only if its height changes."""
        if _same(content, self.content):
            return
        width, height = self.content_size
        if not (width and self.display and self.is_mounted):
            self.update(content)  # not laid out yet (or hidden): nothing to keep
            return
        self.update(content, layout=False)
        if self.get_content_height(self.container_size, self.app.size, width) != height:
            self.refresh(layout=True)


def _same(new: VisualType, old: VisualType) -> bool:
    # Strings and Rich Texts compare by value (Text: its characters and styles); other
    # renderables (a Rich Group) have no equality worth the name: always shown again.
    return type(new) is type(old) and isinstance(new, (str, Text)) and new == old
