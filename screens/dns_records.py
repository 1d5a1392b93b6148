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
from textual.widgets import DataTable, Footer, Header, Input, Static

from screens.record_form import RecordForm, edition_name
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
        self.loaded = False
        # Records with a change on its way: a second change waits for the first's answer.
        self.pending: set[str] = set()

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
        self._summarise(0)
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
        """Rebuild the table from self.records and the filter (a load or a new filter)."""
        table = self.query_one(DataTable)
        selected = self.selected_id()
        rows = filter_records(self.records.values(), self.filter_text)
        table.clear()
        for r in rows:
            table.add_row(*record_cells(r), key=r.record_id)
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))
        self._summarise(len(rows))

    def _put(self, record: DnsRecord) -> None:
        """One record added or changed: touch its row only, so thousands stay quick.
        (Its place in the order waits for the next refresh.)"""
        self.records[record.record_id] = record
        table = self.query_one(DataTable)
        key = record.record_id
        if not filter_records([record], self.filter_text):
            if key in table.rows:
                table.remove_row(key)
        elif key in table.rows:
            for (column, _), cell in zip(RECORD_COLUMNS, record_cells(record)):
                table.update_cell(key, column, cell, update_width=True)
        else:
            table.add_row(*record_cells(record), key=key)
        if key in table.rows:
            table.move_cursor(row=table.get_row_index(key))
        self._summarise(table.row_count)

    def _forget(self, record_id: str) -> None:
        self.records.pop(record_id, None)
        table = self.query_one(DataTable)
        if record_id in table.rows:
            table.remove_row(record_id)
        self._summarise(table.row_count)

    def _summarise(self, shown: int) -> None:
        total = len(self.records)
        edition = edition_name(self.zone.version_code or "mianfei")
        summary = Text.assemble((display_name(self.zone.name), "bold"), f" · {edition} edition")
        if self.loaded:
            summary.append(f" · {total} record{'s' if total != 1 else ''}")
            if shown != total:
                summary.append(f" · {shown} shown")
        self.query_one("#summary", Static).update(summary)
        empty = self.query_one("#empty", Static)
        empty.display = self.loaded and shown == 0
        if total == 0:
            empty.update(Text.assemble("No records in ", display_name(self.zone.name),
                                       " yet. Press ", ("a", "bold"), " to add one."))
        elif shown == 0:
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
        if self._changeable(record):
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
        if self.loaded:
            self.show()

    @on(Input.Submitted, "#filter")
    def filter_done(self, event: Input.Submitted) -> None:
        # Enter keeps the filter (shown while it narrows the list) and goes to the table.
        event.input.display = bool(event.value)
        self.query_one(DataTable).focus()
