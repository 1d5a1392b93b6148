"""The domain list: every CDN domain of the account, filterable and sortable."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing, suppress

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.widgets import DataTable, Static

from screens.domain_actions import DomainActions
from screens.list_screen import PAINT_WAIT, ListScreen
from screens.navigation import replace_above
from tui.explain import ACCOUNT_PROBLEMS, explain
from tui.listing import DOMAIN_SEARCH, SORT_KEYS, sort_domains
from tui.messages import Connected
from tui.rules import display_name
from tui.safe_text import shown
from tui.services.errors import CloudError, ServiceError
from tui.services.models import CdnDomain
from tui.services.onboarding import SUMMARY_TTL
from tui.services.paging import Page
from tui.services.profile import poll_interval
from tui.widgets.paged_table import PagedTable
from tui.widgets.status import status_badge

# By importance: at 80 columns the first four show whole and the summary says how many
# more lie to the right (the CNAME and the origin are long; the domain's screen shows them).
COLUMNS = (
    ("name", "Domain"),
    ("status", "Status"),
    ("progress", "Progress"),
    ("scope", "Scope"),
    ("type", "Type"),
    ("origin", "Origin"),
    ("cname", "CNAME"),
    ("created", "Created"),
)

# While a domain is changing, read it again every few seconds (paced to the sandbox's
# clock): those domains alone, never the whole list.
AUTO_REFRESH = 5.0
# Changing domains read at once (one DescribeUserDomains each, an exact match).
REREAD_AT_ONCE = 4


# The progress column's summaries are asked for this many rows at a time (the engine
# batches its DescribeDomainCname reads 30 names a call and caches them briefly).
PROGRESS_BATCH = 60


# The progress column's width: every cell is cut or padded to it, so a summary arriving
# after the rows painted never makes DataTable measure and lay out the table again.
PROGRESS_WIDTH = 25


def progress_cell(summary: str | None) -> Text:
    """A domain's progress ("5/8 · cname record to do", "serving"); "…" until read."""
    if summary is None:
        text = Text("…", style="dim")
    else:
        text = Text(shown(summary), style="green" if summary == "serving" else "")
    text.truncate(PROGRESS_WIDTH, overflow="ellipsis", pad=True)
    return text


def sandbox_hint(zones: Sequence[str], domains: Sequence[str]) -> str:
    """Where the sandbox's DNS zones are and which of them verification awaits, in one
    line for the first screen: a zone (a root) without a domain of its own in this
    account's CDN has not shown CDN its ownership, as the checklist's ownership step reads
    it (tui/services/onboarding.py). Names are the cloud's: made safe for the terminal."""
    if not zones:
        return "Sandbox: no DNS zones in its Alibaba Cloud DNS (z shows them once added)"
    pending = [zone for zone in zones if not _has_domain(zone, domains)]
    text = "Sandbox: DNS zones " + ", ".join(shown(display_name(z)) for z in zones) + " (z)"
    if pending:
        names = ", ".join(shown(display_name(z)) for z in pending)
        text += f" · no CDN domain yet, CDN may ask to verify: {names}"
    return text


def _has_domain(zone: str, domains: Sequence[str]) -> bool:
    """Whether a domain is `zone` or under it. A zone is a root, so this is whether a
    domain's root is the zone, without parsing the suffix list for each of 10,000
    domains on the loop."""
    under = "." + zone
    return any(name == zone or name.endswith(under) for name in domains)


def domain_cells(d: CdnDomain, progress: str | None = None) -> tuple[Text, ...]:
    return (  # in COLUMNS' order
        Text(shown(display_name(d.name))),
        status_badge(d.status),
        progress_cell(progress),
        Text(shown(d.scope)),
        Text(shown(d.cdn_type)),
        Text(shown(d.origin)),
        Text(shown(d.cname)),
        Text(shown(d.created[:10])),
    )


class DomainsScreen(ListScreen, DomainActions):
    """Every CDN domain of the account. Open one for its CNAME; add, start, stop or
    delete from here. The list refreshes itself while any domain is changing state."""

    AUTO_FOCUS = "#domains"
    # The footer fits 80 columns with the app's f1 Help and ^q Quit (tests/test_footers.py);
    # the keys kept off it (show=False) are listed by F1 and the command palette.
    BINDINGS = [
        Binding("a", "add", "Add", id="domains.add"),
        Binding("enter", "open", "Open", id="domains.open"),
        Binding("z", "zones", "Zones", id="domains.zones"),
        Binding("slash", "filter", "Filter", id="domains.filter"),
        Binding("s", "toggle", "Start/Stop", id="domains.toggle"),
        Binding("d", "delete", "Delete", show=False, id="domains.delete"),
        Binding("r", "refresh", "Refresh", show=False, id="domains.refresh"),
        Binding("o", "sort", "Sort", show=False, id="domains.sort"),
        Binding("e", "export", "As commands", show=False, id="domains.export"),
        Binding("O", "sort_reverse", "Reverse sort", show=False, id="domains.reverse"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="domains.clear"),
    ]
    FILTER_HINT = "filter: type to narrow the list, Esc to clear"

    def __init__(self) -> None:
        super().__init__()
        self.domains: list[CdnDomain] = []
        self.quota: int | None = None
        self.account_problem: str | None = None  # why the account lists no domain
        self.sort_key = "name"
        self.sort_reverse = False
        # Each domain's progress summary, by name, as the engine last said; a row listed
        # before its summary arrives shows "…" and is updated in place.
        self.progress: dict[str, str] = {}
        # The full checklist's summary of a domain opened in this session ("serving" needs
        # the delivery check, which the cheap summary leaves out), and when it was read.
        self.checked: dict[str, tuple[float, str]] = {}
        # The sandbox's Alidns zones, read once (None: not yet, or not the sandbox).
        self.zones: list[str] | None = None

    def make_table(self) -> PagedTable:
        return PagedTable(
            COLUMNS,
            key=lambda d: d.name,
            cells=lambda d: domain_cells(d, self.progress.get(d.name)),
            search=DOMAIN_SEARCH,
            id="domains",
        )

    def on_mount(self) -> None:
        # (Textual runs ListScreen's on_mount as well.) A page of rows listed (scrolling,
        # filtering): their progress is read then.
        self.watch(self.query_one(PagedTable), "counts", self._progress_wanted, init=False)

    def on_connected(self, message: Connected) -> None:
        self.set_interval(poll_interval(self.profile, AUTO_REFRESH), self._tick)
        self.load()

    async def read_pages(self) -> AsyncGenerator[Page[CdnDomain], None]:
        """The account's domains, a page at a time; an account that cannot have any yet
        (CDN not activated) lists none, and the empty state says what to do instead of a
        passing notice."""
        self.reading()
        self.account_problem = None
        try:
            async with aclosing(self.services.cdn.domain_pages()) as pages:
                async for page in pages:
                    yield page
        except CloudError as error:
            if error.code not in ACCOUNT_PROBLEMS:
                raise
            self.account_problem = explain(error)
            yield Page([], 0, last=True)

    def read_failure(self) -> str:
        return "Could not list domains"

    def arriving(self, domains: Sequence[CdnDomain]) -> None:
        if not self.domains:
            self.read_arrived()  # what is shown was read after reading() began
        self.domains.extend(domains)
        # Each page in the chosen order after the rows shown; `listed` orders them all.
        self.query_one(PagedTable).extend(sort_domains(domains, self.sort_key, self.sort_reverse))

    def listed(self, domains: Sequence[CdnDomain]) -> None:
        self.domains = list(domains)
        self.read_arrived()
        self.quota = self.services.cdn.domain_quota
        self.show()
        if self.account_problem is None:
            self.load_quota()
        self.load_progress(fresh=True)
        self.show_hint()

    def show_hint(self) -> None:
        """In the sandbox, one line under the summary names its DNS zones (z) and the
        roots that verification awaits, read from the cloud the app talks to (Alidns'
        DescribeDomains, the domains listed): a first run shows where to go."""
        if not self.profile.sandbox:
            return
        if self.zones is None:
            self.load_zones()
            return
        hint = self.query_one("#hint", Static)
        hint.update(Text(sandbox_hint(self.zones, [d.name for d in self.domains])))
        hint.display = True

    @work(exclusive=True, group="zones")
    async def load_zones(self) -> None:
        try:
            zones = await self.call(self.services.dns.list_zones())
        except ServiceError:
            return  # no hint: the zones screen (z) says what went wrong
        self.zones = [zone.name for zone in zones]
        self.show_hint()

    def _progress_wanted(self) -> None:
        table = self.query_one(PagedTable)
        listed = table.matches[: table.row_count]
        if any(d.name not in self.progress for d in listed) and not self._progress_running():
            self.load_progress()

    def _progress_running(self) -> bool:
        return any(w.group == "progress" and w.is_running for w in self.workers)

    @work(exclusive=True, group="progress")
    async def load_progress(self, fresh: bool = False) -> None:
        """The progress column, for the rows listed only (a list of 10,000 domains lists
        a page at a time), in small batches after the rows have painted: the rows in view
        first, the rest of the page after; rows further down get theirs as they are
        listed. `fresh`: after a re-list, read the listed rows again (the engine's brief
        cache keeps that cheap)."""
        table = self.query_one(PagedTable)
        # The rows painted first: asked for with page 1's rows, the summaries' reads came
        # between that page's answer and its paint.
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(table.wait_for_refresh(), PAINT_WAIT)
        if self.gone:
            return
        top = table.scroll_offset.y
        listed = list(table.matches[: table.row_count])
        # The rows on screen first, then those below them, then those above.
        order = listed[top:] + listed[:top]
        wanted = [d for d in order if fresh or d.name not in self.progress]
        for start in range(0, len(wanted), PROGRESS_BATCH):
            batch = wanted[start : start + PROGRESS_BATCH]
            try:
                summaries = self._fuller(await self.call(self.services.onboarding.summaries(batch)))
            except ServiceError:
                return  # the column keeps "…"; the next re-list asks again
            self.progress.update(summaries)
            for domain in batch:
                if domain.name in summaries and domain.name in table.rows:
                    cell = progress_cell(summaries[domain.name])
                    table.update_cell(domain.name, "progress", cell)

    @work(exclusive=True, group="quota")
    async def load_quota(self) -> None:
        """DescribeCdnUserQuota's DomainQuota for the summary line; unsaid if unread."""
        try:
            self.quota = await self.call(self.services.cdn.domain_limit())
        except ServiceError:
            return
        self._summarise()

    def _tick(self) -> None:
        """On a gentle timer, read again the domains in a transitional state (configuring,
        stopping, ...), those alone, while no other screen is on top. (Not `is_current`:
        Textual counts the screen right under the top one as current, as it may show
        through.)"""
        if not self.is_active or self.is_loading() or self._rereading():
            return
        changing = [d.name for d in self.domains if d.transitional]
        if changing:
            self.reread(changing)

    def _rereading(self) -> bool:
        return any(w.group == "changing" and w.is_running for w in self.workers)

    @work(exclusive=True, group="changing")
    async def reread(self, names: list[str]) -> None:
        """Read these domains again (DescribeUserDomains, an exact match of each name: the
        listing's own fields, domains in review included) and change their rows alone.
        A domain no longer listed is gone (deleted)."""
        cdn = self.services.cdn
        limit = asyncio.Semaphore(REREAD_AT_ONCE)

        async def one(name: str) -> tuple[str, CdnDomain | None]:
            async with limit:
                return name, await cdn.listed(name)

        listing = self.domains  # a whole listing arriving meanwhile replaces this list
        try:
            found = await self.call(asyncio.gather(*map(one, names)))
        except ServiceError:
            return  # the rows stay as they were; the next turn asks again
        if self.is_loading() or self.domains is not listing:
            return  # a whole listing under way, or read meanwhile, has the newer word
        table = self.query_one(PagedTable)
        where = {d.name: i for i, d in enumerate(self.domains)}
        gone: set[str] = set()
        moved = False  # a domain's status changed: its progress is read again
        for name, domain in found:
            at = where.get(name)
            if at is None or domain == self.domains[at]:
                continue
            if domain is None or domain.status != self.domains[at].status:
                moved = self.progress.pop(name, None) is not None or moved
            if domain is None:
                gone.add(name)
                table.drop(name)
            else:
                self.domains[at] = domain
                table.put(domain)
        if gone:
            self.domains = [d for d in self.domains if d.name not in gone]
        if moved:
            self.load_progress()  # the rows without a summary (theirs show "…")

    def show(self) -> None:
        """Fill the table from self.domains in the chosen order (the table filters)."""
        self.query_one(PagedTable).fill(
            sort_domains(self.domains, self.sort_key, self.sort_reverse)
        )

    def summary(self, table: PagedTable) -> str | Text:
        if not self.loaded:
            return ""
        total = table.counts[0]
        text = f"{total} domain{'s' * (total != 1)}"
        if self.quota:
            text += f" · quota {self.quota}"
        return Text(text + self.reading_note() + table.note())

    def empty_state(self, total: int, matching: int) -> str | Text | None:
        if total == 0 and self.account_problem:
            return Text(shown(self.account_problem, multiline=True))
        if total == 0:
            return "No CDN domains yet. Press [b]a[/b] to add your first one."
        if matching == 0:
            return "No domain matches the filter. Esc clears it."
        return None

    def current_domain(self) -> CdnDomain | None:
        return self.query_one(PagedTable).selected

    def domain_changed(self) -> None:
        self.load()

    # The screens this list opens are imported when first opened (the app imports them on
    # a thread once the first listing has painted): ~40 ms less before the list shows.

    def action_add(self) -> None:
        from screens.add_domain import AddDomainScreen
        from screens.batch_result import BatchResultScreen

        if self.app.services is None:
            return

        def back(_: object) -> None:
            self.load()

        def added(name: str | list | None) -> None:
            self.load()
            if isinstance(name, list):  # several names added as one batch: its result
                self.app.push_screen(BatchResultScreen(name), back)
            elif name:
                self.open(name)

        form = AddDomainScreen([d.name for d in self.domains])
        # One name added: its screen opens in place of the form (and of the verification
        # over it), never showing the form or this list on the way (issue 13).
        # (Through the list's own loop: Esc on the domain's screen leads back here.)
        form.open_added = self._open_added_later
        self.app.push_screen(form, added)

    def _open_added_later(self, name: str | list) -> None:
        self.call_later(self._open_added, name)

    def _open_added(self, name: str | list) -> None:
        from screens.batch_result import BatchResultScreen

        self.load()
        if isinstance(name, list):  # a batch: its result, straight (issue 13)

            def back(_: object) -> None:
                self.load()

            replace_above(self, BatchResultScreen(name), back)
        else:
            self.open(name)

    def action_open(self) -> None:
        domain = self.current_domain()
        if domain is not None:
            self.open(domain.name)

    def open(self, name: str) -> None:
        from screens.cname import DomainScreen

        screen = DomainScreen(name)

        def back(_: object) -> None:
            if screen.standing is not None:
                self.checked[name] = (time.monotonic(), screen.standing.summary)
            self.load()

        # In place of whatever is over the list (the add form, its verification).
        replace_above(self, screen, back)

    def _fuller(self, summaries: dict[str, str]) -> dict[str, str]:
        """The cheap summaries, each replaced by the full checklist's if that was read
        for the domain within the engine's cache time."""
        now = time.monotonic()
        return {
            name: checked[1]
            if (checked := self.checked.get(name)) and now - checked[0] < SUMMARY_TTL
            else summary
            for name, summary in summaries.items()
        }

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open()

    def action_zones(self) -> None:
        from screens.dns_records import ZonesScreen

        if self.app.services is not None:
            self.app.push_screen(ZonesScreen())

    def action_sort(self) -> None:
        keys = list(SORT_KEYS)
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self.notify(f"Sorted by {self.sort_key}", timeout=2)
        self.show()

    def action_sort_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.show()

    @on(DataTable.HeaderSelected)
    def sort_by_header(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        if key not in SORT_KEYS:  # every column is sortable; the type checker asks
            return
        self.sort_reverse = not self.sort_reverse if key == self.sort_key else False
        self.sort_key = key
        self.show()
