"""What the list screens share (domains, zones, records): a summary line, a filter `/`
opens, a PagedTable, an empty state that says what to do, loaded by one worker.

A new list says what its table holds (`make_table`), where its items come from (`read`),
and what its summary and empty state say; its keys stay its own (BINDINGS, with ids).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Sequence
from contextlib import aclosing, suppress

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.reactive import var
from textual.widgets import Static

from screens.base import AppScreen
from tui.explain import DOCTOR_HINT
from tui.safe_text import shown
from tui.services.errors import ServiceError
from tui.services.paging import Page
from tui.widgets.header import AppHeader
from tui.widgets.paged_table import FilterInput, PagedTable
from tui.widgets.steady_footer import SteadyFooter

# The longest a list waits for its first page to paint before asking for the rest.
PAINT_WAIT = 0.5


class ListScreen(AppScreen):
    """A list of the account's things, read from the cloud when shown and on `r`."""

    CSS_PATH = "list_screen.tcss"
    # The filter box's placeholder; None: the list has no filter.
    FILTER_HINT: str | None = None
    # Pages of the first reading shown, others still to come: the app's warm-up waits
    # for the whole list (and watches this for a reading that ends without one).
    partial = var(False)

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False  # read once: the summary counts the items, the empty state shows
        self.unreachable: Text | None = None  # why no listing will come (not connected)
        self._reading_note = ""

    # -- what a list says --------------------------------------------------------------

    def make_table(self) -> PagedTable:
        """The table, with its columns, its key, its cells and (if any) its filter."""
        raise NotImplementedError

    def read(self) -> Awaitable[Sequence]:
        """The cloud call that lists the items."""
        raise NotImplementedError

    async def read_pages(self) -> AsyncGenerator[Page, None]:
        """The items a page at a time as they arrive, for a list long enough to page
        (a list may say so instead of `read`); by default `read`'s answer as one page."""
        items = list(await self.read())
        yield Page(items, len(items), last=True)

    def read_failure(self) -> str:
        """The title of the notification when reading fails."""
        return "Could not read the list"

    def listed(self, items: Sequence) -> None:
        """Show what `read` answered (a list may keep or order it first)."""
        self.query_one(PagedTable).fill(items)

    def arriving(self, items: Sequence) -> None:
        """Show a page that arrived while the first reading of a long list goes on (the
        rest follow; `listed` has them all at the end). The user may be looking at the
        rows already: they are added after, the cursor and the filter left alone."""
        self.query_one(PagedTable).extend(items)

    def reading_note(self) -> str:
        """What a summary adds while the first pages are shown and the rest still read,
        or when they could not be: e.g. " · 500 of 10000 read, reading the rest…"."""
        return self._reading_note

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
        yield Static("", id="hint")  # a list may say one more thing (hidden till then)
        if self.FILTER_HINT is not None:
            yield FilterInput(table.id or "", self.FILTER_HINT)
        yield table
        yield Static("", id="empty")
        yield SteadyFooter()  # its keys from the first frame, rebuilt only if they change

    def on_mount(self) -> None:
        table = self.query_one(PagedTable)
        table.loading = True
        self.watch(table, "counts", self._summarise)
        # Columns pushed out of view (a narrow terminal, wider cells): the summary says so.
        self.watch(table, "beyond", self._summarise, init=False)
        if self.app.services is not None:  # else once connected (the first screen)
            self.load()
        elif (failure := getattr(self.app, "connect_failure", None)) is not None:
            self.not_connected(failure)  # it failed before this screen was up

    @work(exclusive=True, group="list")
    async def load(self) -> None:
        """Read the list. The first time, each page shows as it arrives (the first rows
        after one page's wait, not all of them); read again, the rows shown stay until
        the whole list has arrived, then it replaces them."""
        table = self.query_one(PagedTable)
        streaming = not self.loaded
        items: list = []
        try:
            async with aclosing(self.read_pages()) as pages:
                async for page in pages:
                    if self.gone:
                        raise asyncio.CancelledError  # the screen closed meanwhile
                    items.extend(page.items)
                    if page.last:
                        break
                    if streaming:
                        self._ready(table)
                        self.loaded = True
                        self.partial = True
                        self._reading_note = (
                            f" · {len(items)} of {page.total} read, reading the rest…"
                        )
                        self.arriving(page.items)
                        if len(items) == len(page.items):
                            # Page 1's rows painted before the other pages are asked
                            # for: their answers then compete for the loop, not it.
                            with suppress(asyncio.TimeoutError):
                                await asyncio.wait_for(table.wait_for_refresh(), PAINT_WAIT)
        except ServiceError as error:
            if self.gone:
                raise asyncio.CancelledError from None
            self.app.report(error, self.read_failure())
            if streaming and self.loaded:  # some pages shown: say the list is not whole
                self._reading_note = f" · only {len(items)} read: r reads again"
                self._summarise()
            self._ready(table)
            return
        finally:
            self.partial = False  # whole, failed or cancelled: no page still to come
        self._reading_note = ""
        self._ready(table)
        self.loaded = True
        self.listed(items)

    def _ready(self, table: PagedTable) -> None:
        """An answer arrived: the spinner goes, the table takes the keys."""
        table.loading = False
        if self.focused is None:
            table.focus()

    def not_connected(self, reason: str) -> None:
        """The app could not connect: no listing will come, say why in its place."""
        self.unreachable = Text(f"Not connected: {shown(reason, 500)}\n{DOCTOR_HINT}")
        self.query_one(PagedTable).loading = False
        self._summarise()

    def is_loading(self) -> bool:
        return any(w.group == "list" and w.is_running for w in self.workers)

    def _summarise(self) -> None:
        table = self.query_one(PagedTable)
        total, matching, _ = table.counts
        # One line high whatever it says: no layout of the screen when it changes.
        self.query_one("#summary", Static).update(self.summary(table), layout=False)
        message = self.empty_state(total, matching) if self.loaded else self.unreachable
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
