"""A Static whose content follows every keystroke without laying out the screen again.

`Static.update` asks for a layout of the whole screen each time (its height may have
changed): on a form of forty widgets that is most of a keystroke's cost. `LiveText.show`
repaints the widget in place and asks for a layout only when its height really changed
(a line more or less), and does nothing when the content is the same as shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import RenderResult
from textual.content import Content
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
        if self.styles.height is not None and self.styles.height.is_cells:
            return  # a height set in cells (CSS): the content never moves the layout
        if self.get_content_height(self.container_size, self.app.size, width) != height:
            self.refresh(layout=True)


def _same(new: VisualType, old: VisualType) -> bool:
    # Strings and Rich Texts compare by value (Text: its characters and styles); other
    # renderables (a Rich Group) have no equality worth the name: always shown again.
    return type(new) is type(old) and isinstance(new, (str, Text)) and new == old


class MarkedLines(LiveText):
    """Lines of a one-cell mark ("✓", "✗", "…") and a text, then an optional closing line.
    A text too long for the width wraps under itself, two cells in (as a two-column grid
    shows it), drawn as Textual Content: no Rich table to measure and render again on
    every keystroke. `content` holds the lines unwrapped (what a test or a copy reads).

    With `max_lines` set, the rows that would draw past it give way to one line saying
    how many more there are; the closing line always shows (a form keeps its fields
    below in view on a short terminal). With `min_lines` set, the widget keeps at least
    that many lines (blank at the bottom): lines that come and go under it move nothing,
    so a keystroke that adds or removes one is a repaint, not a layout of the screen."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._rows: tuple[tuple[Content, Content], ...] = ()
        self._last: Content | None = None
        self._laid_out: tuple[int, Content] | None = None  # (width, lines) last drawn
        self.max_lines: int | None = None
        self.min_lines = 0
        self.hidden_rows = 0  # rows left out of the last drawing for max_lines

    def limit_lines(self, max_lines: int | None, min_lines: int = 0) -> None:
        """Draw at most `max_lines` lines (None: all) in at least `min_lines` (blank ones
        at the bottom); laid out again only if either changed."""
        if max_lines is not None:
            min_lines = min(min_lines, max_lines)
        if (max_lines, min_lines) != (self.max_lines, self.min_lines):
            self.max_lines, self.min_lines = max_lines, min_lines
            self._laid_out = None
            self.refresh(layout=True)

    def show_rows(self, rows: Iterable[tuple[Text, Text]], last: Text | None = None) -> None:
        rows = tuple(rows)
        plain = Text("\n").join(
            [*(Text.assemble(mark, " ", text) for mark, text in rows), *([last] if last else [])]
        )
        if _same(plain, self.content):
            # The same lines (a key that changes no check): update() draws nothing.
            self.update(plain, layout=False)
            return
        self._rows = tuple((_content(mark), _content(text)) for mark, text in rows)
        self._last = _content(last) if last else None
        self._laid_out = None
        self.show(plain)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        # The lines shown already: no repaint (a repaint renders every line again, as
        # much as the field's own), and no layout.
        if (self._rows or self._last) and _same(content, self.content):
            return
        super().update(content, layout=layout)

    def _lines(self, width: int) -> Content:
        if self._laid_out is not None and self._laid_out[0] == width:
            return self._laid_out[1]
        room = max(width - 2, 1)
        rows = []
        for mark, text in self._rows:
            parts = text.wrap(room) if text.cell_length > room else [text]
            rows.append(
                [
                    Content.assemble(mark if n == 0 else " ", " ", part)
                    for n, part in enumerate(parts)
                ]
            )
        last = []
        if self._last is not None:
            last = self._last.wrap(width) if self._last.cell_length > width else [self._last]
        lines = [line for row in rows for line in row]
        self.hidden_rows = 0
        if self.max_lines is not None and len(lines) + len(last) > self.max_lines:
            # Whole rows while they fit with the "more" line; the closing line stays.
            room_left = max(self.max_lines - len(last) - 1, 0)
            lines = []
            shown_rows = 0
            for row in rows:
                if len(lines) + len(row) > room_left:
                    break
                lines.extend(row)
                shown_rows += 1
            self.hidden_rows = len(rows) - shown_rows
            more = Content.assemble(
                "… ",
                (f"{self.hidden_rows} more not shown", "bold"),
                ": fix the ones above first, or enlarge the terminal",
            )
            lines.append(more.truncate(width, ellipsis=True) if more.cell_length > width else more)
        lines.extend(last)
        laid_out = Content("\n").join(lines)
        self._laid_out = (width, laid_out)
        return laid_out

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not (self._rows or self._last):
            height = super().get_content_height(container, viewport, width)
        else:
            height = self._lines(width).plain.count("\n") + 1 if width else 0
        return max(height, self.min_lines)

    def render(self) -> RenderResult:
        width = self.content_size.width
        if not (self._rows or self._last) or not width:
            return super().render()
        return self._lines(width)


def _content(text: Text) -> Content:
    # Textual maps a Text's spans through the app's ANSI theme ("red" as the terminal
    # shows it) but parses its base style as a CSS colour ("red" = #ff0000): make the
    # base style a span, so a mark looks as it did in a Rich table.
    spanned = Text()
    spanned.append_text(text)
    return Content.from_rich_text(spanned)
