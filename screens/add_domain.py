"""Add a domain to CDN with an OSS bucket as its origin, every rule checked as you type."""

from __future__ import annotations

import asyncio

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, Select, Static

from screens.base import AppScreen
from screens.verify import VerifyScreen
from tui.choices import CDN_TYPES, DCDN, DCDN_LABEL, ICP_SCOPES, NOTES, SCOPES
from tui.explain import explain, holder_of
from tui.rules import check_domain, check_origin_host, display_name
from tui.safe_text import shown
from tui.services import writes
from tui.services.errors import DomainInThisAccount, ServiceError, needs_owner_verification
from tui.services.models import Source
from tui.widgets.header import AppHeader

# AddCdnDomain refusals of mainland China that the scope `overseas` avoids (AddCdnDomain's
# error table): no ICP filing for the domain; no real-name verification of the account.
NEEDS_MAINLAND = frozenset({"DomainNotRegistration", "NotInternationRealIdentity"})
TYPED = "__typed__"  # the origin Select's "type an endpoint" option
DEBOUNCE = 0.35  # seconds of quiet typing before the cloud checks run


MARKS = {None: ("…", "yellow"), True: ("✓", "green"), False: ("✗", "red bold")}


def _checklist(check, cloud: list[tuple[str, bool | None, str]]) -> Group:
    """The rules that fail, each on a line of its own with the reason, and the cloud's
    checks; the rules that pass fold into one line ("✓ 15 rules pass"), so the scope,
    the origin and the Add button stay in view on a 24-line terminal."""
    failing = Table.grid(padding=(0, 1))
    failing.add_column(width=1)
    failing.add_column()
    passing = not_applying = 0
    for item in check.checklist:
        if item.passed is False:
            failing.add_row(
                Text("✗", style="red bold"),
                Text.assemble((item.label, "bold"), " — ", item.message),
            )
        elif item.passed:
            passing += 1
        else:
            not_applying += 1
    for label, passed, note in cloud:
        mark, style = MARKS[passed]
        failing.add_row(
            Text(mark, style=style),
            Text.assemble(
                (label, "bold" if passed is False else ""), f" — {shown(note)}" if note else ""
            ),
        )
    folded = Text()
    if passing:
        folded.append("✓ ", style="green").append(f"{passing} rule{'s' * (passing != 1)} pass")
    if not_applying:
        if folded:
            folded.append(" · ", style="dim")
        folded.append(f"{not_applying} not checked yet", style="dim")
    return Group(failing, folded)


def scope_note(scope: str) -> Text:
    """What the scope means for the domain, first of all whether it needs an ICP filing."""
    note = Text(NOTES.get(scope, ""))
    if scope in ICP_SCOPES:
        note.highlight_words(["ICP filing needed"], style="bold")
    return note


class AddDomainScreen(AppScreen):
    """Add a domain to CDN. Every rule shows as a line that passes or fails while you type;
    the name's availability and the account's quota are checked in the cloud as you pause."""

    CSS_PATH = "add_domain.tcss"
    BINDINGS = [
        Binding("ctrl+s", "submit", "Add domain", id="add.submit"),
        Binding("ctrl+f", "fix", "Apply fix", id="add.fix"),
        # ctrl+e, not e: the fields take letters (and above Input's own ctrl+e, "end").
        Binding("ctrl+e", "export", "As commands", id="add.export", priority=True),
        Binding("escape", "dismiss", "Cancel", id="add.cancel"),
    ]
    WRITE_ACTIONS = frozenset({"submit"})

    def __init__(self, existing: list[str] | None = None) -> None:
        super().__init__()
        self.existing = existing or []
        self.buckets: list = []
        self.cloud: dict[str, tuple[bool | None, str]] = {}
        self.debounce: Timer | None = None
        self.check = check_domain("")
        # The note for the scope switched to overseas after a mainland refusal.
        self.switched_note: Text | None = None

    def compose(self) -> ComposeResult:
        # What every add needs first (name, scope, origin, Add) fits 80x24; the business
        # type and the origin port, whose defaults suit most, follow below.
        yield AppHeader()
        with VerticalScroll():
            yield Label("Domain to accelerate")
            yield Input(placeholder="cdn.example.com or *.example.com", id="domain")
            yield Static("", id="fix")
            yield Static("", id="checklist")
            yield Label("Region scope")
            with RadioSet(id="scope"):
                for value, label in SCOPES.items():
                    yield RadioButton(label, value=value == "domestic", name=value)
            yield Static(scope_note("domestic"), id="scope_note", classes="note")
            yield Label("Origin: an OSS bucket (its public endpoint)")
            yield Select([], prompt="Loading buckets…", id="origin", allow_blank=True)
            yield Input(placeholder="bucket.oss-cn-hangzhou.aliyuncs.com", id="origin_host")
            yield Static("", id="origin_note", classes="note")
            yield Static("", id="error")
            with Horizontal(id="buttons"):
                yield Button("Add domain", id="submit", variant="primary", disabled=True)
            yield Label("Business type")
            with RadioSet(id="cdn_type"):
                for value, label in [*CDN_TYPES.items(), (DCDN, DCDN_LABEL)]:
                    yield RadioButton(label, value=value == "web", name=value)
            yield Static("", id="cdn_type_note", classes="note")
            yield Label("Origin port")
            with RadioSet(id="port"):
                yield RadioButton("80 (HTTP)", value=True, name="80")
                yield RadioButton("443 (HTTPS)", name="443")
            yield Static(NOTES[80], id="port_note", classes="note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#origin_host").display = False
        self.query_one("#error").display = False
        self.query_one("#domain", Input).focus()
        self.load_buckets()
        self.refresh_checks()

    # -- what the form holds -------------------------------------------------------

    def _pressed(self, radio_set: str) -> str:
        button = self.query_one(f"#{radio_set}", RadioSet).pressed_button
        return (button.name or "") if button is not None else ""

    @property
    def cdn_type(self) -> str:
        return self._pressed("cdn_type")

    @property
    def scope(self) -> str:
        return self._pressed("scope")

    @property
    def port(self) -> int:
        return int(self._pressed("port") or 80)

    @property
    def origin_host(self) -> str:
        value = self.query_one("#origin", Select).value
        if value == TYPED:
            return self.query_one("#origin_host", Input).value.strip().lower()
        return value if isinstance(value, str) else ""

    def origin_problems(self) -> list:
        return check_origin_host(self.origin_host)

    def ready(self) -> bool:
        if self.busy:  # AddCdnDomain on its way: never send a second one
            return False
        cloud_ok = all(passed is not False for passed, _ in self.cloud.values())
        return self.check.ok and not self.origin_problems() and self.cdn_type != DCDN and cloud_ok

    # -- live checks ------------------------------------------------------------------

    def refresh_checks(self) -> None:
        name = self.query_one("#domain", Input).value
        self.check = check_domain(name, existing=self.existing, origin=self.origin_host or None)
        fix = self.check.fix
        fix_line = self.query_one("#fix", Static)
        fix_line.update(
            Text.assemble(("ctrl+f", "bold reverse"), f" {fix.label}: ", (shown(fix.value), "bold"))
            if fix
            else ""
        )
        fix_line.display = fix is not None
        cloud = [(label, passed, note) for label, (passed, note) in self.cloud.items()]
        self.query_one("#checklist", Static).update(_checklist(self.check, cloud))
        problems = self.origin_problems()
        note = self.query_one("#origin_note", Static)
        shows_problem = bool(problems) and self.buckets_loaded
        note.update(Text(problems[0].message, style="red") if shows_problem else "")
        note.display = shows_problem
        self.query_one("#submit", Button).disabled = self.read_only or not self.ready()

    @property
    def buckets_loaded(self) -> bool:
        return self.query_one("#origin", Select).value is not Select.NULL

    @on(Input.Changed, "#domain")
    def domain_changed(self) -> None:
        self.cloud = {}
        self.refresh_checks()
        if self.debounce is not None:
            self.debounce.stop()
        if self.check.ok:
            self.cloud = {
                "Available in CDN": (None, "checking…"),
                "Within the domain quota": (None, "checking…"),
            }
            self.refresh_checks()
            self.debounce = self.set_timer(DEBOUNCE, self.cloud_check)

    @work(exclusive=True, group="cloud-check")
    async def cloud_check(self) -> None:
        """CheckCdnDomainExist and the quota, for the name in the box right now."""
        name = self.check.api_name
        cdn = self.services.cdn
        exists, quota = await self.call(
            asyncio.gather(cdn.check_exists(name), cdn.quota(), return_exceptions=True)
        )
        if name != self.check.api_name:  # the user typed on meanwhile
            return
        failed = next((r for r in (exists, quota) if isinstance(r, BaseException)), None)
        if failed is not None:
            if not isinstance(failed, ServiceError):
                raise failed
            self.cloud = {"Cloud checks": (None, f"could not check: {failed}")}
            self.refresh_checks()
            return
        holder = holder_of(exists.status)
        self.cloud = {
            "Available in CDN": (holder is None, f"already in {holder}" if holder else "free"),
            "Within the domain quota": (
                not quota.full,
                f"{quota.used} / {quota.limit} domains"
                + (": delete one or raise the quota in Quota Center" if quota.full else ""),
            ),
        }
        self.refresh_checks()

    @work(exclusive=True, group="buckets")
    async def load_buckets(self) -> None:
        select = self.query_one("#origin", Select)
        self.buckets = (
            await self.fetch(self.services.oss.list_buckets(), "Could not list buckets") or []
        )
        options: list[tuple[Text | str, str]] = [
            (Text(shown(f"{b.name} · {b.region} · {b.public_host}")), b.public_host)
            for b in self.buckets
        ]
        options.append(("Type a bucket endpoint…", TYPED))
        select.set_options(options)
        select.prompt = "Pick the bucket to serve"
        select.value = options[0][1]

    @on(Select.Changed, "#origin")
    def origin_changed(self, event: Select.Changed) -> None:
        typed = event.value == TYPED
        self.query_one("#origin_host").display = typed
        if typed and event.select.has_focus:  # the user chose it, not the bucket list
            self.query_one("#origin_host", Input).focus()
        self.refresh_checks()

    @on(Input.Changed, "#origin_host")
    def origin_host_changed(self) -> None:
        self.refresh_checks()

    @on(RadioSet.Changed)
    def choice_changed(self, event: RadioSet.Changed) -> None:
        set_id = event.radio_set.id
        value = event.pressed.name or ""  # every radio button has one
        key = int(value) if set_id == "port" else value
        note = scope_note(value) if set_id == "scope" else NOTES.get(key, "")
        if set_id == "scope" and self.switched_note is not None and value == "overseas":
            note, self.switched_note = self.switched_note, None
        self.query_one(f"#{set_id}_note", Static).update(note)
        self.refresh_checks()

    # -- actions -----------------------------------------------------------------------

    def action_fix(self) -> None:
        if self.check.fix:
            box = self.query_one("#domain", Input)
            box.value = self.check.fix.value
            box.cursor_position = len(box.value)

    def _source(self):
        return Source(type="oss", content=self.origin_host, port=self.port)

    def export_writes(self, action: str | None = None) -> list:
        """The AddCdnDomain the form holds now, as submit would send it."""
        if not self.check.api_name:
            return []
        return [writes.add_domain(self.check.api_name, self.cdn_type, [self._source()], self.scope)]

    def export_note(self) -> str:
        if self.check.ok and not self.origin_problems():
            return ""
        return "Some checks do not pass yet: this is what the form holds now."

    def nothing_to_export(self) -> str:
        return "Type the domain to add first."

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        if self.busy or self.refuse_read_only("submit"):
            return
        if self.ready():
            self.busy = True
            self.submit()
        else:
            self.notify("Some checks do not pass yet: see the lines marked ✗.", severity="warning")

    @work(group="submit")  # not exclusive: a write in flight is never cancelled
    async def submit(self) -> None:
        name = self.check.api_name
        source = self._source()
        error_box = self.query_one("#error", Static)
        error_box.display = False
        button = self.query_one("#submit", Button)
        button.disabled, button.label = True, "Adding…"
        try:
            await self.call(self.services.cdn.add_domain(name, self.cdn_type, [source], self.scope))
        except ServiceError as error:
            self.busy = False
            button.label = "Add domain"
            self.refresh_checks()
            if isinstance(error, DomainInThisAccount):
                # Nothing to add: it is already this account's (a lost answer's retry).
                self.notify(
                    f"{display_name(error.domain)} is already in this account's "
                    "CDN domains: opening it.",
                    markup=False,
                )
                self.leave(error.domain)
                return
            if needs_owner_verification(error):
                self._verify_then_retry(name)
                return
            error_box.update(Text(shown(explain(error), multiline=True)))
            error_box.display = True
            code = getattr(error, "code", "")
            if code in NEEDS_MAINLAND and self.scope != "overseas":
                self._offer_overseas(code)
            error_box.scroll_visible()
            return
        self.notify(f"Added {display_name(name)}: CDN is configuring it.", markup=False)
        self.leave(name)

    def _offer_overseas(self, code: str) -> None:
        """Mainland China refused the domain (no ICP filing, or the account lacks
        real-name verification): `overseas` needs neither. Switch the scope to it and
        say so next to it; the user looks and adds again (ctrl+s)."""
        refused = SCOPES[self.scope]
        overseas = next(
            b for b in self.query_one("#scope", RadioSet).query(RadioButton) if b.name == "overseas"
        )
        why = (
            "the domain has no ICP filing"
            if code == "DomainNotRegistration"
            else "the account has no real-name verification"
        )
        # Shown by choice_changed, when the RadioSet says the scope changed.
        self.switched_note = Text.assemble(
            ("Scope switched to Outside mainland China", "bold"),
            f": {refused} was refused because {why}; outside mainland China needs "
            "none. Press ctrl+s (Add domain) to add it there, or pick another scope.",
        )
        overseas.value = True
        self.query_one("#scope", RadioSet).scroll_visible()

    def _verify_then_retry(self, name: str) -> None:
        def verified(ok: bool | None) -> None:
            if ok:
                self.action_submit()

        self.app.push_screen(VerifyScreen(name, origin=self.origin_host), verified)
