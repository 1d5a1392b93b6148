"""What the list screens share (domains, zones, records): a summary line, a filter `/`
opens, a PagedTable, an empty state that says what to do, loaded by one worker.

A new list says what its table holds (`make_table`), where its items come from (`read`),
and what its summary and empty state say; its keys stay its own (BINDINGS, with ids).
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Footer, Static

from screens.base import AppScreen
from tui.widgets.header import AppHeader
from tui.widgets.paged_table import FilterInput, PagedTable


class ListScreen(AppScreen):
    """A list of the account's things, read from the cloud when shown and on `r`."""

    CSS_PATH = "list_screen.tcss"
    # The filter box's placeholder; None: the list has no filter.
    FILTER_HINT: str | None = None

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False  # read once: the summary counts the items, the empty state shows

    # -- what a list says --------------------------------------------------------------

    def make_table(self) -> PagedTable:
        """The table, with its columns, its key, its cells and (if any) its filter."""
        raise NotImplementedError

    def read(self) -> Awaitable[Sequence]:
        """The cloud call that lists the items."""
        raise NotImplementedError

    def read_failure(self) -> str:
        """The title of the notification when reading fails."""
        return "Could not read the list"

    def listed(self, items: Sequence) -> None:
        """Show what `read` answered (a list may keep or order it first)."""
        self.query_one(PagedTable).fill(items)

    def summary(self, table: PagedTable) -> str | Text:
        """The line above the table; `table.counts` and `table.note()` say what it lists."""
        return ""

    def empty_state(self, total: int, matching: int) -> str | Text | None:
        """What shows in place of rows once loaded, when there are none (`total`) or the
        filter lets none through (`matching`); None: nothing."""
        return None

    # -- the screen ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        table = self.make_table()
        yield AppHeader()
        yield Static("", id="summary")
        if self.FILTER_HINT is not None:
            yield FilterInput(table.id or "", self.FILTER_HINT)
        yield table
        yield Static("", id="empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(PagedTable)
        table.loading = True
        self.watch(table, "counts", self._summarise)
        if self.app.services is not None:  # else once connected (the first screen)
            self.load()

    @work(exclusive=True, group="list")
    async def load(self) -> None:
        table = self.query_one(PagedTable)
        items = await self.fetch(self.read(), self.read_failure())
        table.loading = False
        if self.focused is None:
            table.focus()
        if items is not None:
            self.loaded = True
            self.listed(items)

    def is_loading(self) -> bool:
        return any(w.group == "list" and w.is_running for w in self.workers)

    def _summarise(self) -> None:
        table = self.query_one(PagedTable)
        total, matching, _ = table.counts
        self.query_one("#summary", Static).update(self.summary(table))
        message = self.empty_state(total, matching) if self.loaded else None
        empty = self.query_one("#empty", Static)
        empty.display = message is not None
        if message is not None:
            empty.update(message)

    # -- the keys a list's BINDINGS may name ---------------------------------------------

    def action_refresh(self) -> None:
        if self.app.services is not None:
            self.load()

    def action_filter(self) -> None:
        self.query_one(FilterInput).open()

    def action_clear_filter(self) -> None:
        self.query_one(FilterInput).close()

    def action_back(self) -> None:
        """Esc clears the filter first, then goes back."""
        if not any(box.close() for box in self.query(FilterInput)):
            self.dismiss()
