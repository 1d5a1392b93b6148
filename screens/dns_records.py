"""Alibaba Cloud DNS: the account's zones, and one zone's records to add, edit, enable or
disable and delete."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import replace
from typing import TypeGuard

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.widgets import DataTable

from screens.base import AppScreen
from screens.list_screen import ListScreen
from screens.record_form import RecordForm
from tui.dns_rules import RECORD_TYPES, edition_name
from tui.listing import RECORD_SEARCH, record_order
from tui.rules import display_name, short
from tui.safe_text import shown
from tui.services import writes
from tui.services.errors import ServiceError, is_record_locked
from tui.services.models import DnsRecord, Zone
from tui.services.paging import Page
from tui.widgets.confirm import Confirm, void_dialogs
from tui.widgets.paged_table import PagedTable

ZONE_COLUMNS = (
    ("name", "Zone"),
    ("records", "Records"),
    ("edition", "Edition"),
    ("servers", "DNS servers"),
)
# The value last and cut short: a long one (a DKIM key) must not push the status off an
# 80-column screen. The edit form shows it whole.
RECORD_COLUMNS = (
    ("rr", "Host"),
    ("type", "Type"),
    ("status", "Status"),
    ("ttl", "TTL"),
    ("line", "Line"),
    ("locked", "Lock"),
    ("value", "Value"),
)
VALUE_CHARS = 36


def zone_cells(zone: Zone) -> tuple[Text, ...]:
    return (
        Text(shown(display_name(zone.name))),
        Text(str(zone.record_count), justify="right"),
        Text(shown(edition_name(zone.version_code))),
        Text(shown(", ".join(zone.dns_servers))),
    )


def record_cells(record: DnsRecord) -> tuple[Text, ...]:
    """One table row; cloud text goes in Text, so it is never read as markup, and through
    shown() (short() uses it), so its control characters are never interpreted."""
    value = Text(short(record.value, VALUE_CHARS))
    if record.type.upper() == "MX" and record.priority is not None:
        value.append(f"  priority {record.priority}", style="dim")
    return (
        Text(shown(record.rr)),
        Text(shown(record.type)),
        Text("● enabled", style="green")
        if record.enabled
        else Text("○ disabled", style="bright_black"),
        Text(str(record.ttl), justify="right"),
        Text(shown(record.line)),
        Text("locked", style="yellow") if record.locked else Text(""),
        value,
    )


def record_summary(record: DnsRecord) -> Text:
    """A record in a few lines, for a confirmation."""
    return Text.assemble(
        (shown(record.fqdn), "bold"),
        "\n",
        f"{shown(record.type)}  ",
        (short(record.value, 200), "bold"),
        f"  TTL {record.ttl}  line {shown(record.line)}  ",
        "enabled" if record.enabled else "disabled",
    )


def locked_message(record: DnsRecord) -> str:
    return (
        f"{record.fqdn} {record.type} is locked by Alibaba Cloud DNS: unlock it in the "
        "Alibaba Cloud DNS console to change it here."
    )


class ZonesScreen(ListScreen):
    """The domains hosted in this account's Alibaba Cloud DNS. Open one to see and edit
    its records."""

    AUTO_FOCUS = "#zones"
    BINDINGS = [
        Binding("enter", "open", "Open", id="zones.open"),
        Binding("r", "refresh", "Refresh", id="zones.refresh"),
        Binding("escape", "dismiss", "Back", id="zones.back"),
    ]

    def make_table(self) -> PagedTable:
        return PagedTable(ZONE_COLUMNS, key=lambda z: z.name, cells=zone_cells, id="zones")

    def read(self):
        return self.services.dns.list_zones()

    def read_failure(self) -> str:
        return "Could not list the DNS zones"

    def summary(self, table: PagedTable) -> str | Text:
        if not self.loaded:
            return "Alibaba Cloud DNS"
        count = table.counts[0]
        return Text(f"Alibaba Cloud DNS · {count} zone{'s' if count != 1 else ''}{table.note()}")

    def empty_state(self, total: int, matching: int) -> str | None:
        if total:
            return None
        return (
            "No domains are hosted in this account's Alibaba Cloud DNS. Add yours in the "
            "Alibaba Cloud DNS console, set the name servers it gives you (such as "
            "dns9.hichina.com) at your registrar, then press [b]r[/b]. If your DNS is "
            "hosted elsewhere, create the records at that provider instead."
        )

    def action_open(self) -> None:
        zone = self.query_one(PagedTable).selected
        if zone is not None:

            def back(_: object) -> None:
                self.load()  # the records' counts may have changed

            self.app.push_screen(RecordsScreen(zone), back)

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open()


class RecordsScreen(ListScreen):
    """The records of one zone in Alibaba Cloud DNS: add, edit, enable or disable and
    delete them. Enter opens the record under the cursor to edit it; e shows its delete
    and enable/disable as aliyun-cli commands. Records locked in the console are shown
    and left alone."""

    AUTO_FOCUS = "#records"
    BINDINGS = [
        # The footer fits 80 columns with f1 Help and ^q Quit; F1 and ctrl+p list the rest.
        Binding("a", "add", "Add", id="records.add"),
        Binding("enter", "edit", "Edit", id="records.edit"),
        Binding("d", "delete", "Delete", id="records.delete"),
        Binding("t,space", "toggle", "Enable/Disable", show=False, id="records.toggle"),
        Binding("r", "refresh", "Refresh", show=False, id="records.refresh"),
        Binding("slash", "filter", "Filter", id="records.filter"),
        Binding("escape", "back", "Back", id="records.back"),
        Binding("e", "export", "As commands", show=False, id="records.export"),
    ]
    BUSY_BLOCKS = AppScreen.BUSY_BLOCKS | {"back"}
    WRITE_ACTIONS = frozenset({"delete", "toggle"})
    FILTER_HINT = "filter: www, txt, type:mx, status:disabled · Esc clears"

    def __init__(self, zone: Zone) -> None:
        super().__init__()
        self.zone = zone
        self.records: dict[str, DnsRecord] = {}  # by record id, in record_order
        # Records with a change on its way: a second change waits for the first's answer.
        # Filled by the actions, not the workers: a second key may arrive before one starts.
        self.pending: set[str] = set()

    def make_table(self) -> PagedTable:
        return PagedTable(
            RECORD_COLUMNS,
            key=lambda r: r.record_id,
            cells=record_cells,
            search=RECORD_SEARCH,
            id="records",
        )

    def read_pages(self) -> AsyncGenerator[Page[DnsRecord], None]:
        return self.services.dns.record_pages(self.zone.name)

    def read_failure(self) -> str:
        return f"Could not list the records of {self.zone.name}"

    def listed(self, records: Sequence[DnsRecord]) -> None:
        self.records = {r.record_id: r for r in sorted(records, key=record_order)}
        self.query_one(PagedTable).fill(self.records.values())

    def arriving(self, records: Sequence[DnsRecord]) -> None:
        page = sorted(records, key=record_order)  # after the rows shown; `listed` orders all
        self.records.update((r.record_id, r) for r in page)
        self.query_one(PagedTable).extend(page)

    # -- the table -----------------------------------------------------------------------

    def _put(self, record: DnsRecord) -> None:
        self.records[record.record_id] = record
        self.query_one(PagedTable).put(record)

    def _forget(self, record_id: str) -> None:
        self.records.pop(record_id, None)
        self.query_one(PagedTable).drop(record_id)

    def summary(self, table: PagedTable) -> Text:
        summary = Text.assemble(
            (shown(display_name(self.zone.name)), "bold"),
            f" · {shown(edition_name(self.zone.version_code))} edition",
        )
        if self.loaded:
            total = table.counts[0]
            summary.append(
                f" · {total} record{'s' if total != 1 else ''}{self.reading_note()}{table.note()}"
            )
        return summary

    def empty_state(self, total: int, matching: int) -> Text | None:
        if total == 0:
            return Text.assemble(
                "No records in ",
                shown(display_name(self.zone.name)),
                " yet. Press ",
                ("a", "bold"),
                " to add one.",
            )
        if matching == 0:
            return Text.assemble(
                "No record matches the filter. Press ", ("Esc", "bold"), " to clear it."
            )
        return None

    def current(self) -> DnsRecord | None:
        return self.query_one(PagedTable).selected

    def _changeable(self, record: DnsRecord | None) -> TypeGuard[DnsRecord]:
        """Whether the record under the cursor may be changed now; says why not."""
        if record is None:
            return False
        if record.locked:
            self.notify(
                locked_message(record), title="Locked record", severity="warning", markup=False
            )
            return False
        if record.record_id in self.pending:
            self.notify(
                f"{record.fqdn} {record.type}: the last change is still on its way.", markup=False
            )
            return False
        return True

    # -- actions ---------------------------------------------------------------------------

    def action_add(self) -> None:
        if self.loaded and self._whole():
            self.app.push_screen(RecordForm(self.zone, list(self.records.values())), self._saved)

    def _whole(self) -> bool:
        """Whether every record is read: the form checks a record against all of them
        (a CNAME conflicts with any other record at its host). Says so when not yet."""
        if not self.reading_note():
            return True
        self.notify(
            f"The records of {self.zone.name} are still being read (r reads them again "
            "if they stopped): the form checks a record against all of them.",
            markup=False,
        )
        return False

    def action_edit(self) -> None:
        record = self.current()
        if not self._changeable(record) or not self._whole():
            return
        if record.type.upper() not in RECORD_TYPES:
            self.notify(
                f"{record.fqdn} is a {record.type} record: edit it in the Alibaba "
                f"Cloud DNS console (this form edits {', '.join(RECORD_TYPES)}).",
                markup=False,
            )
            return
        self.app.push_screen(
            RecordForm(self.zone, list(self.records.values()), record), self._saved
        )

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
            if yes and self._still(record):
                self._sending(record)
                self.delete(record)

        body = record_summary(record)
        body.append(
            f"\n\nResolvers may keep answering with it for up to its TTL ({record.ttl} s).",
            style="dim",
        )
        self.app.push_screen(
            Confirm(
                f"Delete this record from {self.zone.name}?",
                body,
                "Delete",
                writes=[writes.delete_record(record)],
                subject=("record", record.record_id),
            ),
            confirmed,
        )

    # The s key's start/stop (enable/disable): it replaces Textual's toggle(attribute),
    # which no key or command of this app uses.
    def action_toggle(self) -> None:  # type: ignore[override]
        record = self.current()
        if not self._changeable(record):
            return
        enable = not record.enabled

        def confirmed(yes: bool | None) -> None:
            if yes and self._still(record):
                self._sending(record)
                self.set_enabled(record, enable)

        body = record_summary(record)
        body.append(
            "\n\n"
            + (
                "Resolvers answer with it again once their caches expire."
                if enable
                else "Resolvers stop answering with it once their caches expire "
                f"(up to its TTL, {record.ttl} s): whatever uses this name "
                "stops reaching it."
            ),
            style="dim",
        )
        verb = "Enable" if enable else "Disable"
        self.app.push_screen(
            Confirm(
                f"{verb} this record in {self.zone.name}?",
                body,
                verb,
                writes=[writes.set_record_status(record, enable)],
                subject=("record", record.record_id),
            ),
            confirmed,
        )

    def _still(self, record: DnsRecord) -> bool:
        """A yes counts only for the record as it was asked about: checked again, for
        another change to it may have left, or ended, while the question was open."""
        if not self._changeable(record):
            return False
        now = self.records.get(record.record_id)
        if now != record:
            what = "was deleted" if now is None else "changed"
            self.notify(
                f"{record.fqdn} {record.type} {what} while this was asked: nothing sent.",
                markup=False,
            )
            return False
        return True

    # -- the export ------------------------------------------------------------------------

    def export_writes(self, action: str | None = None) -> list[writes.Write]:
        record = self.current()
        if record is None or record.locked:  # the API refuses to change it
            return []
        found = []
        if action in (None, "delete"):
            found.append(writes.delete_record(record))
        if action in (None, "toggle"):
            found.append(writes.set_record_status(record, not record.enabled))
        return found

    def export_note(self) -> str:
        return "Alternatives for the selected record: run only the one you mean."

    def nothing_to_export(self) -> str:
        record = self.current()
        return locked_message(record) if record is not None else "No record selected."

    # Writes are not exclusive: cancelling one mid-flight would leave the screen not
    # knowing whether it happened. `pending` keeps a record to one change at a time, and
    # while any is on its way the screen is busy: closing it would cancel the write's
    # worker with the screen, so Esc waits for the answer.

    def _sending(self, record: DnsRecord) -> None:
        self.pending.add(record.record_id)
        self.busy = True
        # A question about this record still open was asked before this change left: its
        # yes would send a second change (a second, failing delete). It sends nothing.
        if void_dialogs(
            self.app,
            ("record", record.record_id),
            "Another change to this record was just sent: this one will not be. Esc closes.",
        ):
            self.notify(
                f"{record.fqdn} {record.type}: the last change is still on its "
                "way; the other question sends nothing.",
                severity="warning",
                timeout=10,
                markup=False,
            )

    def _answered(self, record: DnsRecord) -> None:
        self.pending.discard(record.record_id)
        self.busy = bool(self.pending)

    def _refused(self, record: DnsRecord, error: Exception, failure: str) -> None:
        if is_record_locked(error):  # locked in the console since the list was read
            self._put(replace(record, locked=True))
            self.notify(
                locked_message(record), title="Locked record", severity="warning", markup=False
            )
        else:
            self.app.report(error, failure)

    @work(group="record-change")
    async def delete(self, record: DnsRecord) -> None:
        try:
            await self.call(self.services.dns.delete_record(record.record_id))
        except ServiceError as error:
            self._refused(record, error, f"Could not delete {record.fqdn} {record.type}")
            return
        finally:
            self._answered(record)
        self._forget(record.record_id)
        self.notify(f"Deleted {record.fqdn} {record.type} {short(record.value)}.", markup=False)

    @work(group="record-change")
    async def set_enabled(self, record: DnsRecord, enabled: bool) -> None:
        verb = "enable" if enabled else "disable"
        try:
            status = await self.call(self.services.dns.set_record_status(record.record_id, enabled))
        except ServiceError as error:
            self._refused(record, error, f"Could not {verb} {record.fqdn} {record.type}")
            return
        finally:
            self._answered(record)
        self._put(replace(record, status=(status or verb).upper()))
        self.notify(f"{verb.capitalize()}d {record.fqdn} {record.type}.", markup=False)
