"""A table over a long list, and the filter box that narrows it.

DataTable measures every cell it is given: thousands of rows at once would stall typing
in the filter. PagedTable keeps the whole list and adds its rows a page at a time as the
cursor nears the end of those listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import DataTable, Input
from textual.widgets.data_table import RowKey

from tui.listing import Search
from tui.widgets import text_cells

T = TypeVar("T")

PAGE = 100  # rows added at once: two screens of a tall terminal (each row added costs ~50 µs)
NEAR_END = 20  # the next page arrives when the cursor is this close to the last row
# Over a list longer than this, re-filter once typing pauses rather than on every key.
DEBOUNCE_OVER = 500
DEBOUNCE = 0.15
# Rows removed one by one when a re-list leaves them out; more, and the table is cleared
# (DataTable renumbers every row after one it removes).
REMOVE_AT_MOST = 20


class PagedTable(DataTable[Text], Generic[T]):
    """One row per item, in the order given, narrowed by a filter text.

    `fill` hands the table every item, `extend` adds the items of a page that arrived,
    `filter_by` narrows them and `put` / `drop` change one without re-filling. Every
    change sets `counts`: a screen watches it to keep its summary in step (a watcher runs
    at once, a message would arrive later).
    """

    DEFAULT_CSS = """
    PagedTable {
        height: 1fr;
    }
    """
    # Home/End go to the first/last row, not sideways (DataTable's scroll the columns,
    # which hid the first column: issue 13); g/G as in less and vim.
    BINDINGS = [
        Binding("home,g,ctrl+home", "first_row", "First row", show=False, id="table.first"),
        Binding("end,G,ctrl+end", "last_row", "Last row", show=False, id="table.last"),
    ]

    counts: var[tuple[int, int, int]] = var((0, 0, 0), always_update=True)
    """(items, items the filter lets through, rows listed), set after every change."""
    beyond: var[int] = var(0)
    """Columns wholly or partly right of the view: a summary says they exist."""

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        *,
        key: Callable[[T], str],
        cells: Callable[[T], Sequence[Text]],
        search: Search[T] | None = None,
        id: str | None = None,
    ) -> None:
        """`columns` are (key, label) pairs; `key` names an item's row, `cells` gives its
        cells (Text: cloud text is never read as markup), `search` how a filter text
        narrows the items (None: the table has no filter)."""
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        for column, label in columns:
            self.add_column(label, key=column)
        self.column_keys = [column for column, _ in columns]
        self.key_of = key
        self.cells_of = cells
        self.search = search
        self._items: dict[str, T] = {}  # by key, in order
        # Each item's search key, worked out once (when the filter first needs it).
        self._search_keys: dict[str, Any] = {}
        # The items the filter lets through, in order; the first row_count of them listed.
        self.matches: list[T] = []
        self._matched: set[str] = set()  # their keys
        self.filter_text = ""
        # The filter text `matches` was narrowed by, over the same items (None: another).
        self._matched_by: str | None = ""
        self._refilter: Timer | None = None

    def on_mount(self) -> None:
        self.watch(self, "virtual_size", self._measure_beyond, init=False)
        self.watch(self, "scroll_x", self._measure_beyond, init=False)

    def on_resize(self) -> None:
        self._measure_beyond()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter is the screen's (Open, Edit) when it binds it: DataTable's own enter
        would shadow it, and the footer would lose or show "⏎ Open" depending on where
        the focus is (issue 13). The screen's binding does what a row's selection does."""
        if action == "select_cursor" and "enter" in self.screen._bindings.key_to_bindings:
            return False
        return super().check_action(action, parameters)

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last_row(self) -> None:
        """The last item, not the last row listed: the rest of the items are listed first."""
        if self.row_count < len(self.matches):
            self._add_page(upto=len(self.matches))
            self._count()
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)

    def _measure_beyond(self) -> None:
        edge = self.scroll_x + self.scrollable_content_region.width
        right = 0
        beyond = 0
        for column in self.ordered_columns:
            right += column.get_render_width(self)
            beyond += right > edge
        self.beyond = beyond

    @property
    def items(self) -> list[T]:
        """Every item, in order."""
        return list(self._items.values())

    @property
    def selected(self) -> T | None:
        """The item under the cursor (rows are matches[:row_count], in that order)."""
        return self.matches[self.cursor_row] if self.row_count else None

    def fill(self, items: Iterable[T]) -> None:
        """List these items, in this order, through the filter. The cursor stays on the
        item it was on if that is listed still."""
        before = self._items
        self._items = {self.key_of(item): item for item in items}
        # A search key stays good while its item is the very same object.
        keys = self._search_keys
        self._search_keys = {
            name: keys[name]
            for name, item in self._items.items()
            if name in keys and before.get(name) is item
        }
        self._matched_by = None
        self._relist()

    def extend(self, items: Iterable[T]) -> None:
        """Items that arrived after the others (the next page of a listing): new ones go
        after the last, known ones are changed in place. The cursor, the filter and the
        rows listed stay; the new rows are listed if the rows listed reached the end."""
        whole = self.row_count == len(self.matches)
        test = self._test()
        for item in items:
            name = self.key_of(item)
            if name in self._items:
                self.put(item, counted=False)
                continue
            self._items[name] = item
            # Worked out now, a page at a time as the pages arrive, rather than all
            # 10,000 at the first key typed in the filter.
            key = self._search_key(name, item) if self.search else None
            if test is None or test(key):
                self.matches.append(item)
                self._matched.add(name)
        if whole:
            self._add_page(upto=max(PAGE, self.row_count))
        self._count()

    def filter_by(self, text: str) -> None:
        """Narrow the rows to the items matching `text`."""
        self.filter_text = text
        if self._refilter is not None:
            self._refilter.stop()
        if len(self._items) > DEBOUNCE_OVER:
            self._refilter = self.set_timer(DEBOUNCE, self._relist)
        else:
            self._relist()

    def put(self, item: T, *, counted: bool = True) -> None:
        """One item added or changed: its row alone is touched, so long lists stay quick.
        A new item goes right after the rows listed, and the cursor to it; its place in the
        order waits for the next fill. A changed item leaves the cursor where it is: the
        answer to a change may arrive after the user has moved on."""
        key = self.key_of(item)
        added = key not in self._items
        self._items[key] = item
        self._search_keys.pop(key, None)
        test = self._test()
        index = self._index(key)
        if test is not None and not test(self._search_key(key, item)):
            if index is not None:
                self._unlist(index)
        elif index is None:
            self.matches.insert(self.row_count, item)
            self._matched.add(key)
            self.add_row(*self.cells_of(item), key=key)
        else:
            self.matches[index] = item
            self._update_row(key, item)
        if added and key in self.rows:
            self.move_cursor(row=self.get_row_index(key))
        if counted:
            self._count()

    def drop(self, key: str) -> None:
        """One item gone."""
        self._items.pop(key, None)
        self._search_keys.pop(key, None)
        index = self._index(key)
        if index is not None:
            self._unlist(index)
        self._count()

    def note(self) -> str:
        """What a summary adds about the filter, the paging and the columns out of view,
        e.g. " · 3 match the filter · first 100 listed (…) · 2 more columns →"; empty
        when every item is listed and every column in view."""
        total, matching, listed = self.counts
        text = ""
        if matching != total:
            text += f" · {matching} {'matches' if matching == 1 else 'match'} the filter"
        if listed < matching:
            narrows = "; / narrows" if self.search else ""
            text += f" · first {listed} listed (more as you scroll{narrows})"
        if self.beyond:
            text += f" · {self.beyond} more column{'s' * (self.beyond > 1)} →"
        return text

    @on(DataTable.RowHighlighted)
    def _more_rows(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.row_count - NEAR_END and self.row_count < len(self.matches):
            self._add_page()
            self._count()

    def _relist(self) -> None:
        """The rows again, after a fill or a new filter text. Rows that stay as they were
        are kept (typing that leaves the first rows matching repaints nothing), and a
        text that narrows the last one looks only among the last one's matches."""
        if self._refilter is not None:
            self._refilter.stop()
            self._refilter = None
        selected = self.selected
        shown = self.matches[: self.row_count]
        text = self.filter_text
        before = self._matched_by
        narrowing = (
            before is not None and self.search is not None and self.search.narrows(before, text)
        )
        self.matches = self._narrow(self.matches if narrowing else self._items.values())
        self._matched = {self.key_of(item) for item in self.matches}
        self._matched_by = text
        self._show(shown, max(PAGE, self.row_count))
        if selected is not None and (key := self.key_of(selected)) in self.rows:
            self.move_cursor(row=self.get_row_index(key))
        self._count()

    def _show(self, shown: list[T], upto: int) -> None:
        """Make the rows (which show `shown`) the first `upto` matches, keeping the rows
        already right."""
        wanted = self.matches[:upto]
        listed = [self.key_of(item) for item in shown]
        same = 0
        for have, item in zip(listed, wanted, strict=False):
            if have != self.key_of(item):
                break
            same += 1
        if len(listed) - same > REMOVE_AT_MOST:
            self.clear()  # removing a row renumbers every row after it: one sweep is quicker
            same = 0
        else:
            for name in reversed(listed[same:]):
                self.remove_row(name)
        for before, item in zip(shown[:same], wanted[:same], strict=True):
            if item is not before:
                self._update_row(self.key_of(item), item)
        self._add_page(upto=upto)

    def _update_row(self, key: str, item: T) -> None:
        """The cells of `key`'s row that changed, in place."""
        if key not in self.rows:
            return
        for column, before, cell in zip(
            self.column_keys, self.get_row(key), self.cells_of(item), strict=True
        ):
            # A narrower cell would have DataTable measure the whole column again.
            if cell != before:
                self.update_cell(key, column, cell, update_width=cell.cell_len > before.cell_len)

    if text_cells.USABLE:

        def _render_cell(
            self,
            row_index: int,
            column_index: int,
            base_style: Style,
            width: int,
            cursor: bool = False,
            hover: bool = False,
        ) -> list[list[Segment]]:
            """Text cells the quick way (text_cells.py): a screenful of rows painted in a
            few ms rather than 30-40, on every filter key and every page that arrives."""
            lines = text_cells.render_text_cell(
                self, row_index, column_index, base_style, width, cursor, hover
            )
            if lines is None:
                return super()._render_cell(
                    row_index, column_index, base_style, width, cursor, hover
                )
            return lines

    if text_cells.WIDTHS_USABLE:

        def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
            """The new rows' widths read off their Text cells (text_cells.py) rather than
            measured by Rich: a page of rows is listed without a measuring stall."""
            if text_cells.widen_columns(self, new_rows):
                new_rows = ()
            super()._update_dimensions(new_rows)

    def _test(self) -> Callable[[Any], bool] | None:
        return self.search.test(self.filter_text) if self.search else None

    def _search_key(self, name: str, item: T) -> Any:
        key = self._search_keys.get(name)
        if key is None:
            key = self._search_keys[name] = self.search.key(item)  # type: ignore[union-attr]
        return key

    def _narrow(self, items: Iterable[T]) -> list[T]:
        test = self._test()
        if test is None:
            return list(items)
        name = self.key_of
        return [item for item in items if test(self._search_key(name(item), item))]

    def _add_page(self, upto: int | None = None) -> None:
        """List the next PAGE matches (or up to the first `upto`)."""
        start = self.row_count
        end = start + PAGE if upto is None else upto
        for item in self.matches[start:end]:
            self.add_row(*self.cells_of(item), key=self.key_of(item))

    def _unlist(self, index: int) -> None:
        key = self.key_of(self.matches.pop(index))
        self._matched.discard(key)
        if key in self.rows:
            self.remove_row(key)

    def _index(self, key: str) -> int | None:
        """Where the item named `key` is among the matches (None: not there)."""
        if key not in self._matched:
            return None
        if key in self.rows:  # listed: its row says where, without a walk
            return self.get_row_index(key)
        return next((i for i, item in enumerate(self.matches) if self.key_of(item) == key), None)

    def _count(self) -> None:
        self.counts = (len(self._items), len(self.matches), self.row_count)


class FilterInput(Input):
    """The filter of a PagedTable, hidden until `open`ed (a screen binds / to it).

    Typing narrows the table; Enter goes back to the table, the filter staying in view
    while it narrows anything; `close` empties and hides it.
    """

    DEFAULT_CSS = """
    FilterInput {
        display: none;
    }
    """

    def __init__(self, table: str, placeholder: str, id: str = "filter") -> None:
        """`table` is the id of the PagedTable on the same screen that this filters."""
        super().__init__(placeholder=placeholder, id=id)
        self.table_id = table

    @property
    def table(self) -> PagedTable:
        return self.screen.query_one(f"#{self.table_id}", PagedTable)

    def open(self) -> None:
        self.display = True
        self.focus()

    def close(self) -> bool:
        """Empty and hide the filter, back to the table; False if it was closed already."""
        if not (self.display or self.value):
            return False
        self.value = ""
        self.display = False
        self.table.focus()
        return True

    @on(Input.Changed)
    def _narrow_table(self, event: Input.Changed) -> None:
        self.table.filter_by(event.value)

    @on(Input.Submitted)
    def _back_to_table(self) -> None:
        self.display = bool(self.value)
        self.table.focus()
