"""Add or edit one Alibaba Cloud DNS record, every rule checked as you type."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select, Static

from screens.base import AppScreen
from tui.dns_plan import Conflict, record_conflicts
from tui.dns_rules import MX_PRIORITY, RECORD_TYPES, RecordCheck, check_record, ttl_hint, ttl_range
from tui.explain import explain
from tui.rules import Problem
from tui.safe_text import hidden, shown
from tui.services import writes
from tui.services.errors import ServiceError
from tui.services.models import DnsRecord, Zone

DEFAULT_TTL = 600
DEFAULT_PRIORITY = "10"
LINE = "default"  # the only resolution line the form writes: every resolver
PLACEHOLDERS = {
    "A": "IPv4 address, e.g. 203.0.113.10",
    "AAAA": "IPv6 address, e.g. 2001:db8::10",
    "CNAME": "host name, e.g. img.example.com.w.kunlunsl.com",
    "NS": "name server, e.g. ns1.example.net",
    "MX": "mail server, e.g. mx1.example.com",
    "TXT": "text, e.g. v=spf1 -all",
    "CAA": 'e.g. 0 issue "letsencrypt.org"',
    "SRV": "priority weight port target, e.g. 0 5 5060 sip.example.com",
}
FIELDS = ("rr", "value", "ttl", "priority")


def field_of(problem: Problem) -> str:
    """Which input a problem of tui.dns_rules.check_record belongs under."""
    for prefix, field in (("rr_", "rr"), ("ttl_", "ttl"), ("mx_priority", "priority")):
        if problem.code.startswith(prefix):
            return field
    return "value"


def hidden_value_problem(original: str | None, typed: str) -> Problem | None:
    """What to say when the record being edited holds control, bidi or invisible
    characters. The Value box shows them escaped (`\\x1b`, `<U+202E>`: tui.safe_text),
    since drawn raw they would drive the terminal; so saving the box as it is would
    replace them with that text without anyone meaning it. While the box still shows the
    escaped value the form refuses to save and says why; once changed, escaped forms left
    in it are saved as the text they now are, which a warning says."""
    forms = hidden(original) if original else []
    if not forms:
        return None
    listed = ", ".join(forms[:4]) + (", …" if len(forms) > 4 else "")
    if typed == shown(original, None):
        return Problem(
            "value_hidden",
            f"This value holds control or invisible characters, "
            f"shown here as {listed}: they are not saved back. Remove them, or "
            "type the value you mean, to save.",
        )
    left = [form for form in forms if form in typed]
    if left:
        return Problem(
            "value_escaped_text",
            f"{', '.join(left[:4])} in the value is plain "
            "text now, no longer the character it stood for: saved as typed.",
            severity="warning",
        )
    return None


_MARKS = {"error": ("✗", "red bold"), "warning": ("!", "yellow bold")}


def marked(severity: str, message: str) -> Text:
    """A problem as a line: a mark that reads without colour, then the message (which may
    quote cloud text: shown, never interpreted)."""
    mark, style = _MARKS[severity]
    return Text.assemble((mark, style), " ", shown(message))


class RecordForm(ModalScreen[DnsRecord | None], AppScreen):
    """A DNS record of the zone, new or edited. Each field shows what is wrong with it as
    you type; records already at the host that would conflict are shown before anything
    is sent. Dismissed with the saved record, or None when cancelled."""

    CSS_PATH = "record_form.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="record.save"),
        # ctrl+e, not e: the fields take letters (and above Input's own ctrl+e, "end").
        Binding("ctrl+e", "export", "As commands", id="record.export", priority=True),
        Binding("escape", "dismiss(None)", "Cancel", id="record.cancel"),
        # A modal screen's footer leaves out the app's keys: shown here, under the app's
        # binding ids (a keymap that moves them moves these too).
        Binding("ctrl+q", "app.quit", "Quit", id="quit"),
        Binding("f1", "app.help", "Help", id="help"),
    ]
    WRITE_ACTIONS = frozenset({"save"})

    def __init__(
        self, zone: Zone, records: Sequence[DnsRecord], record: DnsRecord | None = None
    ) -> None:
        super().__init__()
        self.zone = zone
        self.records = records  # the zone's records, to find conflicts before sending
        self.record = record  # None: a new record
        self.min_ttl, self.max_ttl = ttl_range(zone.version_code)
        # A field shows its errors once typed in (or when it arrives filled in, to edit).
        self.touched: set[str] = set(FIELDS) if record else set()
        self.check: RecordCheck = RecordCheck(())
        self.conflicts: list[Conflict] = []
        self.hidden_problem: Problem | None = None  # see hidden_value_problem

    def compose(self) -> ComposeResult:
        r = self.record
        title = shown(
            f"Edit {r.rr} {r.type} in {self.zone.name}" if r else f"New record in {self.zone.name}"
        )
        priority = str(r.priority) if r and r.priority is not None else DEFAULT_PRIORITY
        with Vertical(id="dialog"):
            yield Static(Text(title, style="bold"), id="title")
            with VerticalScroll():
                yield from self._field(
                    "Host",
                    Input(
                        r.rr if r else "",
                        id="rr",
                        compact=True,
                        placeholder="@ for the domain, www, *",
                    ),
                )
                with Horizontal(classes="field", id="type_row"):
                    yield Label("Type")
                    yield Select(
                        [(t, t) for t in RECORD_TYPES],
                        value=r.type if r else "A",
                        allow_blank=False,
                        compact=True,
                        id="type",
                    )
                # Escaped, whole: an Input draws its value raw (hidden_value_problem).
                yield from self._field(
                    "Value", Input(shown(r.value, None) if r else "", id="value", compact=True)
                )
                yield from self._field(
                    "TTL", Input(str(r.ttl if r else DEFAULT_TTL), id="ttl", compact=True)
                )
                yield from self._field(
                    "Priority", Input(priority, id="priority", compact=True), row_id="priority_row"
                )
                with Horizontal(classes="field", id="line_row"):
                    yield Label("Line")
                    yield Static(Text(f"{LINE} (every resolver)"), id="line")
                yield Static("", id="conflicts")
                yield Static("", id="error")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Save", id="save", variant="primary", compact=True, disabled=True)
        yield Footer()

    def _field(self, label: str, box: Input, row_id: str | None = None) -> ComposeResult:
        with Horizontal(classes="field", id=row_id):
            yield Label(label)
            yield box
        yield Static("", id=f"{box.id}_note", classes="note")

    def on_mount(self) -> None:
        self.query_one("#error").display = False
        self.query_one("#rr" if self.record is None else "#value", Input).focus()
        self.type_changed()

    # -- what the form holds -----------------------------------------------------------

    def value_of(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    @property
    def type(self) -> str:
        return str(self.query_one("#type", Select).value)

    @property
    def rr(self) -> str:
        return self.value_of("rr").lower()

    @property
    def value(self) -> str:
        value = self.value_of("value")
        return value if self.type == "TXT" else value.strip()  # spaces are data in TXT

    @property
    def priority(self) -> int | None:
        return int(self.value_of("priority")) if self.type == "MX" else None

    def unchanged(self) -> bool:
        r = self.record
        return (
            r is not None
            and (r.rr, r.type, r.value, str(r.ttl))
            == (self.rr, self.type, self.value, self.value_of("ttl").strip())
            and (self.type != "MX" or str(r.priority) == self.value_of("priority").strip())
        )

    def ready(self) -> bool:
        return (
            self.check.ok
            and not any(c.severity == "error" for c in self.conflicts)
            and not self.unchanged()
            and not (self.hidden_problem and self.hidden_problem.severity == "error")
        )

    # -- live checks -----------------------------------------------------------------

    def refresh_checks(self) -> None:
        self.check = check_record(
            self.rr,
            self.type,
            self.value,
            self.value_of("ttl").strip(),
            priority=self.value_of("priority").strip() if self.type == "MX" else None,
            min_ttl=self.min_ttl,
            max_ttl=self.max_ttl,
        )
        problems: dict[str, list[Problem]] = {field: [] for field in FIELDS}
        for problem in self.check.problems:
            problems[field_of(problem)].append(problem)
        self.hidden_problem = hidden_value_problem(
            self.record.value if self.record else None, self.value_of("value")
        )
        if self.hidden_problem:  # first: it is what the value's note says
            problems["value"].insert(0, self.hidden_problem)
        for field in FIELDS:
            self.query_one(f"#{field}_note", Static).update(self._note(field, problems[field]))
        editing = self.record.record_id if self.record else None
        self.conflicts = (
            record_conflicts(
                self.rr, self.type, self.records, value=self.value, line=LINE, ignore_id=editing
            )
            if not problems["rr"]
            else []
        )
        lines = [marked(c.severity, c.message) for c in self.conflicts]
        if self.unchanged():
            lines.append(Text("Nothing changed yet.", style="dim"))
        self.query_one("#conflicts", Static).update(Text("\n").join(lines))
        self.query_one("#save", Button).disabled = self.busy or self.read_only or not self.ready()

    def _note(self, field: str, problems: list[Problem]) -> Text:
        """Under a field: its first error or warning once touched, else a hint."""
        if problems and field in self.touched:
            return marked(problems[0].severity, problems[0].message)
        if field == "rr" and not problems:
            fqdn = self.zone.name if self.rr == "@" else f"{self.rr}.{self.zone.name}"
            return Text(shown(fqdn), style="dim")
        if field == "ttl":
            # shown(): an unknown edition is named by its code, which is cloud text.
            return Text(shown(ttl_hint(self.zone.version_code)), style="dim")
        if field == "priority":
            return Text(
                f"{MX_PRIORITY.start}-{MX_PRIORITY.stop - 1}, lower is tried first", style="dim"
            )
        return Text("")

    @on(Input.Changed)
    def field_changed(self, event: Input.Changed) -> None:
        if event.input.id is not None:  # every field has one
            self.touched.add(event.input.id)
        self.refresh_checks()

    @on(Select.Changed, "#type")
    def type_changed(self) -> None:
        self.query_one("#priority_row").display = self.type == "MX"
        self.query_one("#priority_note").display = self.type == "MX"
        self.query_one("#value", Input).placeholder = PLACEHOLDERS.get(self.type, "")
        self.refresh_checks()

    # -- the export -------------------------------------------------------------------

    def export_writes(self, action: str | None = None) -> list:
        """The add or update the form holds now, as save would send it."""
        try:
            ttl = int(self.value_of("ttl"))
            priority = self.priority
        except ValueError:
            return []
        if self.record is None:
            return [
                writes.add_record(
                    self.zone.name,
                    self.rr,
                    self.type,
                    self.value,
                    ttl=ttl,
                    line=LINE,
                    priority=priority,
                )
            ]
        return [
            writes.update_record(
                self.record,
                rr=self.rr,
                type=self.type,
                value=self.value,
                ttl=ttl,
                priority=priority,
            )
        ]

    def export_note(self) -> str:
        if self.ready():
            return ""
        return "The form does not pass its checks yet: this is what it holds now."

    def nothing_to_export(self) -> str:
        return "The TTL (and an MX priority) must be numbers to show the command."

    # -- saving ------------------------------------------------------------------------

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.busy:  # a save is on its way: Enter or ctrl+s again must not send it twice
            return
        if self.refuse_read_only("save"):  # Enter in a field comes here directly
            return
        self.touched.update(FIELDS)
        self.refresh_checks()
        if self.ready():
            # Set here, not in the worker: a second key may arrive before it starts.
            self._sending(True)
            self.save()

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def _sending(self, busy: bool) -> None:
        """While a save is on its way the form stays: closing it would cancel the save's
        worker mid-flight, leaving unknown whether the record was written."""
        self.busy = busy
        self.query_one("#cancel", Button).disabled = busy
        self.query_one("#save", Button).label = "Saving…" if busy else "Save"
        self.refresh_checks()  # which disables Save while busy

    # Not exclusive, which would cancel a write mid-flight and leave unknown whether it
    # happened: `busy` keeps the form to one at a time.
    @work(group="record-save")
    async def save(self) -> None:
        dns = self.services.dns
        ttl = int(self.value_of("ttl"))
        error_box = self.query_one("#error", Static)
        error_box.display = False
        try:
            if self.record is None:
                saved = await self.call(
                    dns.add_record(
                        self.zone.name,
                        self.rr,
                        self.type,
                        self.value,
                        ttl=ttl,
                        line=LINE,
                        priority=self.priority,
                    )
                )
            else:
                saved = await self.call(
                    dns.update_record(
                        self.record,
                        rr=self.rr,
                        type=self.type,
                        value=self.value,
                        ttl=ttl,
                        priority=self.priority,
                    )
                )
        except ServiceError as error:
            # Everything typed stays; the cloud's answer says what to change.
            self._sending(False)
            error_box.update(Text(shown(explain(error), multiline=True)))
            error_box.display = True
            error_box.scroll_visible()
            return
        self.leave(saved)  # once shown again, if Help was opened over the form meanwhile
