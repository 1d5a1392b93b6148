"""Alibaba Cloud DNS: the account's zones, and one zone's records to add, edit, enable or
disable and delete."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static

from screens.record_form import RecordForm, edition_name
from tui.dns_rules import RECORD_TYPES
from tui.rules import display_name, short
from tui.services.models import DnsRecord, Zone
from tui.widgets.confirm import Confirm

ZONE_COLUMNS = (
    ("name", "Zone"),
    ("records", "Records"),
    ("edition", "Edition"),
    ("servers", "DNS servers"),
)
RECORD_COLUMNS = (
    ("rr", "Host"),
    ("type", "Type"),
    ("value", "Value"),
    ("ttl", "TTL"),
    ("line", "Line"),
    ("status", "Status"),
    ("locked", "Lock"),
)
VALUE_CHARS = 60  # a DKIM key would push every other column off an 80-column screen
ROWS_AT_ONCE = 200  # as in the domain list: rows arrive a page at a time
FILTER_DEBOUNCE = 0.15

# `field:text` in the filter matches that field exactly; other words, any part of these.
FILTER_FIELDS = {
    "rr": lambda r: r.rr,
    "type": lambda r: r.type,
    "value": lambda r: r.value,
    "ttl": lambda r: str(r.ttl),
    "line": lambda r: r.line,
    "status": lambda r: "enabled" if r.enabled else "disabled",
}
SEARCHED = ("rr", "type", "value")


def record_order(record: DnsRecord) -> tuple:
    """The apex first, then by host, type and value, as the console lists them."""
    return record.rr != "@", record.rr.lower(), record.type, record.value


def filter_records(records: Iterable[DnsRecord], text: str) -> list[DnsRecord]:
    """Records matching every word of `text`, case-insensitively: `type:mx`, `rr:www`,
    `status:disabled` (any of FILTER_FIELDS) match that field exactly; any other word
    matches part of the host, type or value."""
    exact: list[tuple[str, str]] = []
    loose: list[str] = []
    for word in text.lower().split():
        field, colon, wanted = word.partition(":")
        if colon and field in FILTER_FIELDS:
            if wanted:  # "type:" alone, half typed, narrows nothing yet
                exact.append((field, wanted))
        else:
            loose.append(word)
    if not exact and not loose:
        return list(records)
    return [
        r for r in records
        if all(FILTER_FIELDS[f](r).lower() == wanted for f, wanted in exact)
        and all(any(w in FILTER_FIELDS[f](r).lower() for f in SEARCHED) for w in loose)
    ]


def record_cells(record: DnsRecord) -> tuple[Text, ...]:
    """One table row; cloud text goes in Text, so it is never read as markup."""
    value = Text(short(record.value, VALUE_CHARS))
    if record.type.upper() == "MX" and record.priority is not None:
        value.append(f"  priority {record.priority}", style="dim")
    return (
        Text(record.rr),
        Text(record.type),
        value,
        Text(str(record.ttl), justify="right"),
        Text(record.line),
        Text("● enabled", style="green") if record.enabled
        else Text("○ disabled", style="bright_black"),
        Text("locked", style="yellow") if record.locked else Text(""),
    )


def record_summary(record: DnsRecord) -> Text:
    """A record in a few lines, for a confirmation."""
    return Text.assemble(
        (record.fqdn, "bold"), "\n",
        f"{record.type}  ", (short(record.value, 200), "bold"),
        f"  TTL {record.ttl}  line {record.line}  ",
        "enabled" if record.enabled else "disabled",
    )


def locked_message(record: DnsRecord) -> str:
    return (f"{record.fqdn} {record.type} is locked by Alibaba Cloud DNS: unlock it in the "
            "Alibaba Cloud DNS console to change it here.")


class ZonesScreen(Screen):
    """The domains hosted in this account's Alibaba Cloud DNS. Open one to see and edit
    its records."""

    CSS_PATH = "dns_records.tcss"
    AUTO_FOCUS = "#zones"
    BINDINGS = [
        Binding("enter", "open", "Open", id="zones.open"),
        Binding("r", "refresh", "Refresh", id="zones.refresh"),
        Binding("escape", "dismiss", "Back", id="zones.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.zones: list[Zone] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Alibaba Cloud DNS", id="summary")
        table: DataTable = DataTable(id="zones", cursor_type="row", zebra_stripes=True)
        for key, label in ZONE_COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Static("", id="empty")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).loading = True
        self.load()

    @work(exclusive=True, group="zones")
    async def load(self) -> None:
        from tui.services.errors import ServiceError

        table = self.query_one(DataTable)
        try:
            self.zones = await self.app.services.dns.list_zones()
        except ServiceError as error:
            self.app.report(error, "Could not list the DNS zones")
            return
        finally:
            table.loading = False
        self.show()

    def show(self) -> None:
        table = self.query_one(DataTable)
        selected = self.selected_name()
        table.clear()
        for z in self.zones:
            table.add_row(
                Text(display_name(z.name)),
                Text(str(z.record_count), justify="right"),
                Text(edition_name(z.version_code)),
                Text(", ".join(z.dns_servers)),
                key=z.name,
            )
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))
        count = len(self.zones)
        self.query_one("#summary", Static).update(
            Text(f"Alibaba Cloud DNS · {count} zone{'s' if count != 1 else ''}"))
        empty = self.query_one("#empty", Static)
        empty.display = not self.zones
        empty.update(
            "No domains are hosted in this account's Alibaba Cloud DNS. Add yours in the "
            "Alibaba Cloud DNS console, set the name servers it gives you (such as "
            "dns9.hichina.com) at your registrar, then press [b]r[/b]. If your DNS is "
            "hosted elsewhere, create the records at that provider instead.")

    def selected_name(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_open(self) -> None:
        name = self.selected_name()
        zone = next((z for z in self.zones if z.name == name), None)
        if zone is not None:
            # Back from the records, the counts may have changed.
            self.app.push_screen(RecordsScreen(zone), lambda _: self.load())

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open()

    def action_refresh(self) -> None:
        self.load()


class RecordsScreen(Screen):
    """The records of one zone in Alibaba Cloud DNS: add, edit, enable or disable and
    delete them. Records locked in the console are shown and left alone."""

    CSS_PATH = "dns_records.tcss"
    AUTO_FOCUS = "#records"
    BINDINGS = [
        Binding("a", "add", "Add", id="records.add"),
        Binding("e", "edit", "Edit", id="records.edit"),
        Binding("enter", "edit", "Edit", show=False, id="records.open"),
        Binding("d", "delete", "Delete", id="records.delete"),
        Binding("t,space", "toggle", "Enable/Disable", id="records.toggle"),
        Binding("r", "refresh", "Refresh", id="records.refresh"),
        Binding("slash", "filter", "Filter", id="records.filter"),
        Binding("escape", "back", "Back", id="records.back"),
    ]

    def __init__(self, zone: Zone) -> None:
        super().__init__()
        self.zone = zone
        self.records: dict[str, DnsRecord] = {}  # by record id, in record_order
        self.rows: list[DnsRecord] = []  # the records the filter lets through, in order
        self.loaded = False
        # Records with a change on its way: a second change waits for the first's answer.
        self.pending: set[str] = set()
        self.filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="summary")
        yield Input(placeholder="filter: www, txt, type:mx, status:disabled · Esc clears",
                    id="filter")
        table: DataTable = DataTable(id="records", cursor_type="row", zebra_stripes=True)
        for key, label in RECORD_COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Static("", id="empty")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).loading = True
        self._summarise()
        self.load()

    @work(exclusive=True, group="records")
    async def load(self) -> None:
        from tui.services.errors import ServiceError

        table = self.query_one(DataTable)
        try:
            records = await self.app.services.dns.records(self.zone.name)
        except ServiceError as error:
            self.app.report(error, f"Could not list the records of {self.zone.name}")
            return
        finally:
            table.loading = False
        self.records = {r.record_id: r for r in sorted(records, key=record_order)}
        self.loaded = True
        self.show()

    # -- the table -----------------------------------------------------------------------

    @property
    def filter_text(self) -> str:
        return self.query_one("#filter", Input).value

    def show(self) -> None:
        """Fill the table from self.records and the filter (after a load or a new filter)."""
        self.rows = filter_records(self.records.values(), self.filter_text)
        selected = self.selected_id()
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
        for r in self.rows[start:start + count]:
            table.add_row(*record_cells(r), key=r.record_id)

    @on(DataTable.RowHighlighted)
    def more_rows(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if event.cursor_row >= table.row_count - 20 and table.row_count < len(self.rows):
            self._add_rows(ROWS_AT_ONCE)
            self._summarise()

    def _put(self, record: DnsRecord) -> None:
        """One record added or changed: touch its row only, so thousands stay quick.
        A new record goes right after the rows listed; its place in the order waits
        for the next refresh."""
        key = record.record_id
        self.records[key] = record
        table = self.query_one(DataTable)
        index = next((i for i, r in enumerate(self.rows) if r.record_id == key), None)
        if not filter_records([record], self.filter_text):
            if index is not None:
                self._drop(index)
        elif index is not None:
            self.rows[index] = record
            if key in table.rows:
                for (column, _), before, cell in zip(RECORD_COLUMNS, table.get_row(key),
                                                     record_cells(record)):
                    # A narrower cell would have DataTable measure the whole column again.
                    if cell != before:
                        table.update_cell(key, column, cell,
                                          update_width=cell.cell_len > before.cell_len)
        else:
            self.rows.insert(table.row_count, record)
            table.add_row(*record_cells(record), key=key)
        if key in table.rows:
            table.move_cursor(row=table.get_row_index(key))
        self._summarise()

    def _forget(self, record_id: str) -> None:
        self.records.pop(record_id, None)
        index = next((i for i, r in enumerate(self.rows) if r.record_id == record_id), None)
        if index is not None:
            self._drop(index)
        self._summarise()

    def _drop(self, index: int) -> None:
        key = self.rows.pop(index).record_id
        table = self.query_one(DataTable)
        if key in table.rows:
            table.remove_row(key)

    def _summarise(self) -> None:
        total, matching = len(self.records), len(self.rows)
        summary = Text.assemble((display_name(self.zone.name), "bold"),
                                f" · {edition_name(self.zone.version_code)} edition")
        if self.loaded:
            summary.append(f" · {total} record{'s' if total != 1 else ''}")
            if matching != total:
                summary.append(f" · {matching} match the filter")
            listed = self.query_one(DataTable).row_count
            if listed < matching:
                summary.append(f" · first {listed} listed (more as you scroll; / narrows)")
        self.query_one("#summary", Static).update(summary)
        empty = self.query_one("#empty", Static)
        empty.display = self.loaded and matching == 0
        if total == 0:
            empty.update(Text.assemble("No records in ", display_name(self.zone.name),
                                       " yet. Press ", ("a", "bold"), " to add one."))
        elif matching == 0:
            empty.update(Text.assemble("No record matches the filter. Press ", ("Esc", "bold"),
                                       " to clear it."))

    def selected_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def current(self) -> DnsRecord | None:
        return self.records.get(self.selected_id() or "")

    def _changeable(self, record: DnsRecord | None) -> bool:
        """Whether the record under the cursor may be changed now; says why not."""
        if record is None:
            return False
        if record.locked:
            self.notify(locked_message(record), title="Locked record", severity="warning",
                        markup=False)
            return False
        if record.record_id in self.pending:
            self.notify(f"{record.fqdn} {record.type}: the last change is still on its way.",
                        markup=False)
            return False
        return True

    # -- actions ---------------------------------------------------------------------------

    def action_add(self) -> None:
        if self.loaded:
            self.app.push_screen(RecordForm(self.zone, list(self.records.values())), self._saved)

    def action_edit(self) -> None:
        record = self.current()
        if not self._changeable(record):
            return
        if record.type.upper() not in RECORD_TYPES:
            self.notify(f"{record.fqdn} is a {record.type} record: edit it in the Alibaba "
                        f"Cloud DNS console (this form edits {', '.join(RECORD_TYPES)}).",
                        markup=False)
            return
        self.app.push_screen(RecordForm(self.zone, list(self.records.values()), record),
                             self._saved)

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_edit()

    def _saved(self, record: DnsRecord | None) -> None:
        if record is not None:
            self._put(record)
            self.notify(f"Saved {record.fqdn} {record.type}.", markup=False)

    def action_delete(self) -> None:
        record = self.current()
        if not self._changeable(record):
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete(record)

        body = record_summary(record)
        body.append(f"\n\nResolvers may keep answering with it for up to its TTL "
                    f"({record.ttl} s).", style="dim")
        self.app.push_screen(Confirm(f"Delete this record from {self.zone.name}?", body,
                                     "Delete"), confirmed)

    def action_toggle(self) -> None:
        record = self.current()
        if self._changeable(record):
            self.set_enabled(record, not record.enabled)

    # Writes are not exclusive: cancelling one mid-flight would leave the screen not
    # knowing whether it happened. `pending` keeps a record to one change at a time.

    @work(group="record-change")
    async def delete(self, record: DnsRecord) -> None:
        from tui.services.errors import ServiceError

        self.pending.add(record.record_id)
        try:
            await self.app.services.dns.delete_record(record.record_id)
        except ServiceError as error:
            self.app.report(error, f"Could not delete {record.fqdn} {record.type}")
            return
        finally:
            self.pending.discard(record.record_id)
        self._forget(record.record_id)
        self.notify(f"Deleted {record.fqdn} {record.type} {short(record.value)}.", markup=False)

    @work(group="record-change")
    async def set_enabled(self, record: DnsRecord, enabled: bool) -> None:
        from tui.services.errors import ServiceError

        verb = "enable" if enabled else "disable"
        self.pending.add(record.record_id)
        try:
            status = await self.app.services.dns.set_record_status(record.record_id, enabled)
        except ServiceError as error:
            self.app.report(error, f"Could not {verb} {record.fqdn} {record.type}")
            return
        finally:
            self.pending.discard(record.record_id)
        self._put(replace(record, status=(status or verb).upper()))
        self.notify(f"{verb.capitalize()}d {record.fqdn} {record.type}.", markup=False)

    def action_refresh(self) -> None:
        self.load()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_back(self) -> None:
        """Esc clears the filter first, then goes back to the zones."""
        box = self.query_one("#filter", Input)
        if box.display or box.value:
            box.value = ""
            box.display = False
            self.query_one(DataTable).focus()
        else:
            self.dismiss()

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        if not self.loaded:
            return
        # Over a long list, wait for a pause in typing rather than re-filter every key.
        if self.filter_timer is not None:
            self.filter_timer.stop()
            self.filter_timer = None
        if len(self.records) > 500:
            self.filter_timer = self.set_timer(FILTER_DEBOUNCE, self.show)
        else:
            self.show()

    @on(Input.Submitted, "#filter")
    def filter_done(self, event: Input.Submitted) -> None:
        # Enter keeps the filter (shown while it narrows the list) and goes to the table.
        event.input.display = bool(event.value)
        self.query_one(DataTable).focus()
