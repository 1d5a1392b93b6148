"""The domain list: every CDN domain of the account, filterable and sortable."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Static

from screens.domain_actions import DomainActions
from tui.listing import SORT_KEYS, filter_domains, sort_domains
from tui.messages import Connected
from tui.rules import display_name
from tui.widgets.status import status_badge

COLUMNS = (
    ("name", "Domain"),
    ("status", "Status"),
    ("cname", "CNAME"),
    ("type", "Type"),
    ("scope", "Scope"),
    ("origin", "Origin"),
    ("created", "Created"),
)


# While a domain is changing, re-list every few seconds (quicker in the sandbox).
AUTO_REFRESH = 5.0
AUTO_REFRESH_SANDBOX = 1.0
ROWS_AT_ONCE = 200
FILTER_DEBOUNCE = 0.15


class DomainsScreen(DomainActions):
    """Every CDN domain of the account. Open one for its CNAME; add, start, stop or
    delete from here. The list refreshes itself while any domain is changing state."""

    CSS_PATH = "domains.tcss"
    AUTO_FOCUS = "#domains"
    BINDINGS = [
        Binding("a", "add", "Add", id="domains.add"),
        Binding("enter", "open", "Open", id="domains.open"),
        Binding("s", "toggle", "Start/Stop", id="domains.toggle"),
        Binding("d", "delete", "Delete", id="domains.delete"),
        Binding("r", "refresh", "Refresh", id="domains.refresh"),
        Binding("slash", "filter", "Filter", id="domains.filter"),
        Binding("o", "sort", "Sort", id="domains.sort"),
        Binding("z", "zones", "DNS zones", id="domains.zones"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="domains.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.domains: list = []
        self.quota: int | None = None
        self.sort_key = "name"
        self.sort_reverse = False
        self.rows: list = []  # the domains the filter and sort give, in order
        self.filter_timer = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="summary")
        yield Input(placeholder="filter: type to narrow the list, Esc to clear", id="filter")
        table: DataTable = DataTable(id="domains", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Static("", id="empty")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).loading = True
        if self.app.services is not None:
            self.load()

    def on_connected(self, message: Connected) -> None:
        interval = AUTO_REFRESH_SANDBOX if self.app.profile.sandbox else AUTO_REFRESH
        self.set_interval(interval, self._tick)
        self.load()

    @work(exclusive=True, group="domains")
    async def load(self) -> None:
        from tui.services.errors import ServiceError

        services = self.app.services
        try:
            self.domains = await services.cdn.list_domains()
        except ServiceError as error:
            self.app.report(error, "Could not list domains")
            return
        finally:
            table = self.query_one(DataTable)
            table.loading = False
            if self.focused is None:
                table.focus()
        self.quota = services.cdn.domain_quota
        self.show()

    def _tick(self) -> None:
        """Refresh on a gentle timer, only while anything is in a transitional state."""
        if any(d.transitional for d in self.domains) and not self.is_loading():
            self.load()

    def is_loading(self) -> bool:
        return any(w.group == "domains" and w.is_running for w in self.workers)

    def show(self) -> None:
        """Fill the table from self.domains, the filter and the sort."""
        text = self.query_one("#filter", Input).value
        self.rows = sort_domains(filter_domains(self.domains, text), self.sort_key,
                                 self.sort_reverse)
        selected = self.selected_name()
        table = self.query_one(DataTable)
        table.clear()
        self._add_rows(ROWS_AT_ONCE)
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))
        self._summarise()

    def _add_rows(self, count: int) -> None:
        # DataTable measures every cell it is given: thousands of rows at once would
        # stall typing in the filter, so rows arrive a page at a time as the cursor
        # nears the end.
        table = self.query_one(DataTable)
        start = table.row_count
        for d in self.rows[start:start + count]:
            table.add_row(
                Text(display_name(d.name)),
                status_badge(d.status),
                Text(d.cname),
                Text(d.cdn_type),
                Text(d.scope),
                Text(d.origin),
                Text(d.created[:10]),
                key=d.name,
            )

    @on(DataTable.RowHighlighted)
    def more_rows(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if event.cursor_row >= table.row_count - 20 and table.row_count < len(self.rows):
            self._add_rows(ROWS_AT_ONCE)
            self._summarise()

    def selected_name(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _summarise(self) -> None:
        total, matching = len(self.domains), len(self.rows)
        text = f"{total} / {self.quota} domains" if self.quota else f"{total} domains"
        if matching != total:
            text += f" · {matching} {'matches' if matching == 1 else 'match'} the filter"
        shown = self.query_one(DataTable).row_count
        if shown < matching:
            text += f" · first {shown} listed (more as you scroll; / narrows)"
        self.query_one("#summary", Static).update(Text(text))
        empty = self.query_one("#empty", Static)
        empty.display = total == 0
        if total == 0:
            empty.update("No CDN domains yet. Press [b]a[/b] to add your first one.")

    def current_domain(self):
        name = self.selected_name()
        return next((d for d in self.domains if d.name == name), None)

    def domain_changed(self) -> None:
        self.load()

    def action_add(self) -> None:
        from screens.add_domain import AddDomainScreen

        if self.app.services is None:
            return

        def added(name: str | None) -> None:
            self.load()
            if name:
                self.open(name)

        self.app.push_screen(AddDomainScreen([d.name for d in self.domains]), added)

    def action_open(self) -> None:
        domain = self.current_domain()
        if domain is not None:
            self.open(domain.name)

    def open(self, name: str) -> None:
        from screens.cname import DomainScreen

        self.app.push_screen(DomainScreen(name), lambda _: self.load())

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open()

    def action_refresh(self) -> None:
        if self.app.services is not None:
            self.load()

    def action_zones(self) -> None:
        from screens.dns_records import ZonesScreen

        if self.app.services is not None:
            self.app.push_screen(ZonesScreen())

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        self.query_one(DataTable).focus()

    def action_sort(self) -> None:
        keys = list(SORT_KEYS)
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self.notify(f"Sorted by {self.sort_key}", timeout=2)
        self.show()

    @on(DataTable.HeaderSelected)
    def sort_by_header(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        self.sort_reverse = not self.sort_reverse if key == self.sort_key else False
        self.sort_key = key
        self.show()

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        # Over a long list, wait for a pause in typing rather than re-filter every key.
        if self.filter_timer is not None:
            self.filter_timer.stop()
            self.filter_timer = None
        if len(self.domains) > 500:
            self.filter_timer = self.set_timer(FILTER_DEBOUNCE, self.show)
        else:
            self.show()

    @on(Input.Submitted, "#filter")
    def filter_done(self, event: Input.Submitted) -> None:
        # Enter keeps the filter (shown while it narrows the list) and goes to the table.
        event.input.display = bool(event.value)
        self.query_one(DataTable).focus()
