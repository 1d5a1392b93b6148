"""The domain list: every CDN domain of the account, filterable and sortable."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from tui.listing import SORT_KEYS, display_name, filter_domains, sort_domains
from tui.messages import Connected
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


class DomainsScreen(Screen):
    CSS_PATH = "domains.tcss"
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="domains.refresh"),
        Binding("slash", "filter", "Filter", id="domains.filter"),
        Binding("o", "sort", "Sort", id="domains.sort"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="domains.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.domains: list = []
        self.quota: int | None = None
        self.sort_key = "name"
        self.sort_reverse = False

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
            self.query_one(DataTable).loading = False
        self.quota = services.cdn.domain_quota
        self.show()

    def show(self) -> None:
        """Fill the table from self.domains, the filter and the sort."""
        table = self.query_one(DataTable)
        text = self.query_one("#filter", Input).value
        rows = sort_domains(filter_domains(self.domains, text), self.sort_key, self.sort_reverse)
        selected = self.selected_name()
        table.clear()
        for d in rows:
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
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))
        self._summarise(len(rows))

    def selected_name(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _summarise(self, shown: int) -> None:
        total = len(self.domains)
        quota = f"{total} / {self.quota} domains" if self.quota else f"{total} domains"
        if shown != total:
            quota += f" · {shown} shown"
        self.query_one("#summary", Static).update(Text(quota))
        empty = self.query_one("#empty", Static)
        empty.display = total == 0
        if total == 0:
            empty.update("No CDN domains yet. Press [b]a[/b] to add your first one.")

    def action_refresh(self) -> None:
        if self.app.services is not None:
            self.load()

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
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
        self.show()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.query_one(DataTable).focus()
