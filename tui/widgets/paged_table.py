"""A table over a long list, and the filter box that narrows it.

DataTable measures every cell it is given: thousands of rows at once would stall typing
in the filter. PagedTable keeps the whole list and adds its rows a page at a time as the
cursor nears the end of those listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual import on
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import DataTable, Input

T = TypeVar("T")

PAGE = 200  # rows added at once
NEAR_END = 20  # the next page arrives when the cursor is this close to the last row
# Over a list longer than this, re-filter once typing pauses rather than on every key.
DEBOUNCE_OVER = 500
DEBOUNCE = 0.15


class PagedTable(DataTable[Text], Generic[T]):
    """One row per item, in the order given, narrowed by a filter text.

    `fill` hands the table every item, `filter_by` narrows them and `put` / `drop` change
    one without re-filling. Every change sets `counts`: a screen watches it to keep its
    summary in step (a watcher runs at once, a message would arrive later).
    """

    DEFAULT_CSS = """
    PagedTable {
        height: 1fr;
    }
    """

    counts: var[tuple[int, int, int]] = var((0, 0, 0), always_update=True)
    """(items, items the filter lets through, rows listed), set after every change."""

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        *,
        key: Callable[[T], str],
        cells: Callable[[T], Sequence[Text]],
        matching: Callable[[Iterable[T], str], list[T]] | None = None,
        id: str | None = None,
    ) -> None:
        """`columns` are (key, label) pairs; `key` names an item's row, `cells` gives its
        cells (Text: cloud text is never read as markup), `matching(items, text)` the
        items a filter text lets through (None: the table has no filter)."""
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        for column, label in columns:
            self.add_column(label, key=column)
        self.column_keys = [column for column, _ in columns]
        self.key_of = key
        self.cells_of = cells
        self.matching = matching
        self.items: list[T] = []
        # The items the filter lets through, in order; the first row_count of them listed.
        self.matches: list[T] = []
        self.filter_text = ""
        self._refilter: Timer | None = None

    @property
    def selected(self) -> T | None:
        """The item under the cursor (rows are matches[:row_count], in that order)."""
        return self.matches[self.cursor_row] if self.row_count else None

    def fill(self, items: Iterable[T]) -> None:
        """List these items, in this order, through the filter. The cursor stays on the
        item it was on if that is listed still."""
        self.items = list(items)
        self._relist()

    def filter_by(self, text: str) -> None:
        """Narrow the rows to the items matching `text`."""
        self.filter_text = text
        if self._refilter is not None:
            self._refilter.stop()
        if len(self.items) > DEBOUNCE_OVER:
            self._refilter = self.set_timer(DEBOUNCE, self._relist)
        else:
            self._relist()

    def put(self, item: T) -> None:
        """One item added or changed: its row alone is touched, so long lists stay quick.
        A new item goes right after the rows listed, and the cursor to it; its place in the
        order waits for the next fill. A changed item leaves the cursor where it is: the
        answer to a change may arrive after the user has moved on."""
        key = self.key_of(item)
        at = self._index(self.items, key)
        added = at is None
        if at is None:
            self.items.append(item)
        else:
            self.items[at] = item
        index = self._index(self.matches, key)
        if not self._narrow([item]):
            if index is not None:
                self._unlist(index)
        elif index is None:
            self.matches.insert(self.row_count, item)
            self.add_row(*self.cells_of(item), key=key)
        else:
            self.matches[index] = item
            if key in self.rows:
                for column, before, cell in zip(
                    self.column_keys, self.get_row(key), self.cells_of(item), strict=True
                ):
                    # A narrower cell would have DataTable measure the whole column again.
                    if cell != before:
                        self.update_cell(
                            key, column, cell, update_width=cell.cell_len > before.cell_len
                        )
        if added and key in self.rows:
            self.move_cursor(row=self.get_row_index(key))
        self._count()

    def drop(self, key: str) -> None:
        """One item gone."""
        at = self._index(self.items, key)
        if at is not None:
            del self.items[at]
        index = self._index(self.matches, key)
        if index is not None:
            self._unlist(index)
        self._count()

    def note(self) -> str:
        """What a summary adds about the filter and the paging, e.g. " · 3 match the
        filter · first 200 listed (…)"; empty when every item is listed."""
        total, matching, listed = self.counts
        text = ""
        if matching != total:
            text += f" · {matching} {'matches' if matching == 1 else 'match'} the filter"
        if listed < matching:
            narrows = "; / narrows" if self.matching else ""
            text += f" · first {listed} listed (more as you scroll{narrows})"
        return text

    @on(DataTable.RowHighlighted)
    def _more_rows(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.row_count - NEAR_END and self.row_count < len(self.matches):
            self._add_page()
            self._count()

    def _relist(self) -> None:
        if self._refilter is not None:
            self._refilter.stop()
            self._refilter = None
        selected = self.selected
        self.matches = self._narrow(self.items)
        self.clear()
        self._add_page()
        if selected is not None and (key := self.key_of(selected)) in self.rows:
            self.move_cursor(row=self.get_row_index(key))
        self._count()

    def _narrow(self, items: Iterable[T]) -> list[T]:
        return self.matching(items, self.filter_text) if self.matching else list(items)

    def _add_page(self) -> None:
        start = self.row_count
        for item in self.matches[start : start + PAGE]:
            self.add_row(*self.cells_of(item), key=self.key_of(item))

    def _unlist(self, index: int) -> None:
        key = self.key_of(self.matches.pop(index))
        if key in self.rows:
            self.remove_row(key)

    def _index(self, items: list[T], key: str) -> int | None:
        return next((i for i, item in enumerate(items) if self.key_of(item) == key), None)

    def _count(self) -> None:
        self.counts = (len(self.items), len(self.matches), self.row_count)


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
