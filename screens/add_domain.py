"""Add a domain to CDN with an OSS bucket as its origin, every rule checked as you type."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.geometry import Size
from textual.reactive import Reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, RadioSet, Select, Static

from screens.base import AppScreen
from screens.verify import VerifyScreen
from tui.choices import CDN_TYPES, DCDN, DCDN_LABEL, ICP_SCOPES, NOTES, SCOPES
from tui.explain import explain, holder_of
from tui.rules import (
    BatchCheck,
    check_names,
    check_origin_host,
    display_name,
    known_names,
    load_public_suffixes,
    public_suffixes_loaded,
    root_domain,
)
from tui.safe_text import shown
from tui.services import writes
from tui.services.errors import DomainInThisAccount, ServiceError, needs_owner_verification
from tui.services.models import Source
from tui.widgets import compositor
from tui.widgets.caption import Caption, caption_lines
from tui.widgets.confirm import Confirm
from tui.widgets.header import AppHeader
from tui.widgets.live_text import LiveText, MarkedLines
from tui.widgets.names_input import NamesInput
from tui.widgets.radio import Radio

# AddCdnDomain refusals of mainland China that the scope `overseas` avoids (AddCdnDomain's
# error table): no ICP filing for the domain; no real-name verification of the account.
NEEDS_MAINLAND = frozenset({"DomainNotRegistration", "NotInternationRealIdentity"})
TYPED = "__typed__"  # the origin Select's "type an endpoint" option
DEBOUNCE = 0.35  # seconds of quiet typing before the cloud checks run
# CheckCdnDomainExist calls in flight at once for a batch: well inside CDN's per-second
# API limit, and fast enough for the handful of names one pastes.
PARALLEL_CHECKS = 4
# The screen's lines that are not the checklist's: header, footer, the name (label,
# field, and the fix line under it, kept blank when there is no fix), scope (label,
# choices, note), origin (label, bucket), business type (two), port, and the Add button
# with the line above it. See fit_checklist.
FORM_LINES = 2 + 5 + 3 + 2 + 2 + 1 + 2
MIN_CHECKLIST = 3  # a failing rule (wrapped) and the folded line, on the smallest screen
# The checklist keeps at least this many lines (blank ones at the bottom), the room it
# has at 80x24: a rule's line that comes or goes as you type (a stray dot's) is then a
# repaint, not a layout of the form (3-10 ms and a redraw of every widget). Taller
# terminals lay it out again only when more lines than these fail.
STEADY_CHECKLIST = 24 - FORM_LINES


MARKS = {None: ("…", "yellow"), True: ("✓", "green"), False: ("✗", "red bold")}


Rows = list[tuple[Text, Text]]  # a checklist's lines: (mark, text), see MarkedLines


def _checklist(check, cloud: list[tuple[str, bool | None, str]]) -> tuple[Rows, Text]:
    """The rules that fail, each on a line of its own with the reason, and the cloud's
    checks; the rules that pass fold into one line ("✓ 15 rules pass"), so the scope,
    the origin and the Add button stay in view on a 24-line terminal."""
    failing: Rows = []
    passing = not_applying = 0
    for item in check.checklist:
        if item.passed is False:
            failing.append(
                (
                    Text("✗", style="red bold"),
                    Text.assemble((item.label, "bold"), " — ", item.message),
                )
            )
        elif item.passed:
            passing += 1
        else:
            not_applying += 1
    for label, passed, note in cloud:
        mark, style = MARKS[passed]
        failing.append(
            (
                Text(mark, style=style),
                Text.assemble(
                    (label, "bold" if passed is False else ""), f" — {shown(note)}" if note else ""
                ),
            )
        )
    folded = Text()
    if passing:
        folded.append("✓ ", style="green").append(f"{passing} rule{'s' * (passing != 1)} pass")
    if not_applying:
        if folded:
            folded.append(" · ", style="dim")
        # With a name typed and the suffix list in, a rule left unjudged is one that
        # does not concern this name (a wildcard rule for a plain name, say).
        settled = bool(check.name.strip()) and public_suffixes_loaded()
        verb = ("does" if not_applying == 1 else "do") + " not apply"
        folded.append(f"{not_applying} {verb if settled else 'not checked yet'}", style="dim")
    return failing, folded


def _batch_checklist(
    batch: BatchCheck, cloud: list[tuple[str, bool | None, str]]
) -> tuple[Rows, Text]:
    """Several names: each failing name with its failing rules in full, the cloud's
    checks, then one line for the batch ("3 names: 2 ready, 1 with problems"). Names that
    pass take no line, so ten pasted names still leave the Add button in view."""
    failing: Rows = []
    for check in batch.failing:
        for number, problem in enumerate(check.problems):
            failing.append(
                (
                    Text("✗" if number == 0 else "", style="red bold"),
                    Text.assemble(
                        (shown(display_name(check.name), 60) if number == 0 else "", "bold"),
                        " — " if number == 0 else "  ",
                        problem.message,
                    ),
                )
            )
    for label, passed, note in cloud:
        mark, style = MARKS[passed]
        failing.append(
            (
                Text(mark, style=style),
                Text.assemble(
                    (shown(label), "bold" if passed is False else ""),
                    f" — {shown(note)}" if note else "",
                ),
            )
        )
    summary = Text()
    summary.append(*(("✓ ", "green") if batch.ok else ("✗ ", "red bold")))
    summary.append(batch.summary(), style="" if batch.ok else "bold")
    return failing, summary


class FormScroll(VerticalScroll):
    """The form's scroll: when a checklist line comes or goes, one layout, not two.
    Widget's virtual-size reactive asks for a second layout after the one that resized
    the content; the scrollbar is updated by that first layout already (_scroll_update),
    and showing or hiding it asks for its own layout."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


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
        # Short words: with f1 Help and ^q Quit, the footer fits 80 columns.
        Binding("ctrl+s", "submit", "Add", tooltip="Add domain", id="add.submit"),
        Binding("ctrl+f", "fix", "Apply fix", id="add.fix"),
        # ctrl+e, not e: the fields take letters (and above Input's own ctrl+e, "end").
        Binding("ctrl+e", "export", "As commands", id="add.export", priority=True),
        Binding("escape", "dismiss", "Cancel", id="add.cancel"),
    ]
    WRITE_ACTIONS = frozenset({"submit"})
    # Set by the domain list: opens the added domain (or a batch's result, a list of
    # (name, outcome)) in place of this form and of a verification over it, without
    # showing either again; None: the form leaves with it.
    open_added: Callable[[str | list[tuple[str, str]]], None] | None = None
    # The add is being sent again under a verification that passed (still shown).
    _after_verify = False

    def __init__(self, existing: list[str] | None = None) -> None:
        super().__init__()
        # A key renders the field and the checklist, not all thirty widgets of the form.
        compositor.install(self)
        # Keyed once here, not on every keystroke (10,000 names took 5-13 ms a key).
        self.existing = known_names(existing or [])
        self.buckets: list = []
        self.cloud: dict[str, tuple[bool | None, str]] = {}
        self.debounce: Timer | None = None
        self._quiet_at = 0.0  # time.monotonic() when the pause that runs the cloud checks ends
        # The names pass the rules and the cloud's answer for them is not in yet: Add
        # waits (dimmed, not flipped on and off with every key: a restyle each time).
        self.cloud_pending = False
        self._submit_when_checked = False  # ctrl+s came before the cloud's answer
        self.names_check = check_names("")
        self.check = self.names_check.checks[0]
        # The note for the scope switched to overseas after a mainland refusal.
        self.switched_note: Text | None = None
        # The widgets shown only at times, each a line less for the checklist.
        self._optional_lines: list[Widget] | None = None

    def compose(self) -> ComposeResult:
        # The whole form fits 80x24 (issue 13): the choices are one-line radio sets
        # (business type two), the origin and the button compact, and the checklist
        # gives way (see fit_checklist) before any of them leaves the screen.
        yield AppHeader()
        with FormScroll():
            yield Label("Domains to accelerate (one, or several separated by commas)")
            yield NamesInput(placeholder="cdn.example.com, *.example.com, …", id="domain")
            # Both follow every keystroke, repainted in place (tui/widgets/live_text.py):
            # the fix line keeps its row (blank without a fix) and the checklist its
            # lines (STEADY_CHECKLIST), so a key that brings a fix or a rule's line
            # lays nothing out again.
            yield LiveText("", id="fix")
            yield MarkedLines("", id="checklist")
            yield Label("Region scope")
            with RadioSet(id="scope", compact=True):
                for value, label in SCOPES.items():
                    yield Radio(label, value=value == "domestic", name=value)
            yield Static(scope_note("domestic"), id="scope_note", classes="note")
            yield Label("Origin: an OSS bucket (its public endpoint)")
            yield Select([], prompt="Loading buckets…", id="origin", allow_blank=True, compact=True)
            yield Input(
                placeholder="bucket.oss-cn-hangzhou.aliyuncs.com", id="origin_host", compact=True
            )
            yield LiveText("", id="origin_note", classes="note")
            with Horizontal(classes="choice"):
                yield Label("Business type")
                with RadioSet(id="cdn_type", compact=True):
                    for value, label in [*CDN_TYPES.items(), (DCDN, DCDN_LABEL)]:
                        yield Radio(label, value=value == "web", name=value)
            yield Static("", id="cdn_type_note", classes="note")
            with Horizontal(classes="choice"):
                yield Label("Origin port")
                with RadioSet(id="port", compact=True):
                    # The labels say the protocol: no note line under them.
                    yield Radio("80 (HTTP)", value=True, name="80")
                    yield Radio("443 (HTTPS)", name="443")
            yield Static("", id="error")
            with Horizontal(id="buttons"):
                yield Button(
                    "Add domain", id="submit", variant="primary", disabled=True, compact=True
                )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#origin_host").display = False
        self.query_one("#error").display = False
        self.query_one("#cdn_type_note").display = False
        names = self.query_one("#domain", Input)
        names.focus()
        # Watched, not Input.Changed: the checks run as the key changes the value, so the
        # field and the checklist are painted in one frame (the message would arrive after
        # the field's own frame and wait for the next one, up to 30 ms later).
        self.watch(names, "value", self.domain_changed, init=False)
        # The public-suffix rules need the parsed list (40-60 ms): parse it on a thread
        # now, not on the event loop at the first name typed.
        # (exit_on_error off: a form closed, or an app quitting, before the list is
        # parsed has nobody to tell, and that is no error.)
        self.run_worker(self.warm_up, thread=True, group="warm-up", exit_on_error=False)
        self.load_buckets()
        self.refresh_checks()

    def warm_up(self) -> None:
        """(A thread) Parse the public-suffix list, then check the names typed meanwhile
        against its rules."""
        load_public_suffixes()
        self.app.call_from_thread(self._suffixes_loaded)

    def _suffixes_loaded(self) -> None:
        if self.is_attached:  # still open
            self.domain_changed()

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
        return (
            self.names_check.ok
            and not self.cloud_pending
            and public_suffixes_loaded()  # its rules have been checked
            and not self.origin_problems()
            and self.cdn_type != DCDN
            and cloud_ok
        )

    @property
    def several(self) -> bool:
        """More than one name typed: the batch's checklist and submit."""
        return len(self.names_check.checks) > 1

    # -- live checks ------------------------------------------------------------------

    def refresh_checks(self) -> None:
        self.judge()
        self.show_checks()

    def judge(self) -> None:
        """Check the names typed against the rules (the screen shows it in show_checks)."""
        text = self.query_one("#domain", Input).value
        # Never parse (or wait for) the public-suffix list here: until the warm-up has
        # it, its two rules say "not checked yet" and the name is not ready to add.
        self.names_check = check_names(
            text,
            existing=self.existing,
            origin=self.origin_host or None,
            wait_for_suffixes=False,
        )
        self.check = self.names_check.checks[0]

    def show_checks(self) -> None:
        fix = self.check.fix
        fixed = self.names_check.fixed_text
        fix_line = self.query_one("#fix", LiveText)
        if fixed is None:
            fix_line.show("")
        elif self.several:
            # Only the names the fix changes: the line stays short with many names typed.
            changed = [c.fix.value for c in self.names_check.checks if c.fix]
            fix_line.show(
                Text.assemble(
                    ("ctrl+f", "bold reverse"),
                    f" Fix {len(changed)} name{'s' * (len(changed) != 1)}: ",
                    (shown(", ".join(changed)), "bold"),
                )
            )
        else:
            assert fix is not None
            fix_line.show(
                Text.assemble(
                    ("ctrl+f", "bold reverse"), f" {fix.label}: ", (shown(fix.value), "bold")
                )
            )
        cloud = [(label, passed, note) for label, (passed, note) in self.cloud.items()]
        checklist = (
            _batch_checklist(self.names_check, cloud)
            if self.several
            else _checklist(self.check, cloud)
        )
        problems = self.origin_problems()
        note = self.query_one("#origin_note", LiveText)
        shows_problem = bool(problems) and self.buckets_loaded
        note.show(Text(problems[0].message, style="red") if shows_problem else "")
        note.display = shows_problem
        self.fit_checklist()
        self.query_one("#checklist", MarkedLines).show_rows(*checklist)
        self.query_one("#submit", Button).disabled = self.read_only or not self.ready()

    def fit_checklist(self) -> None:
        """Give the checklist the lines the rest of the form leaves on the screen, so the
        scope, origin, business type, port and Add stay in view at 80x24 (issue 13); rows
        past them fold into a "more" line. Called on every check and resize: it costs a
        few reads, and a layout only when the room changes."""
        if self._optional_lines is None:  # looked up once, not on every keystroke
            self._optional_lines = [
                self.query_one(f"#{widget_id}")
                for widget_id in ("origin_host", "origin_note", "cdn_type_note", "error")
            ]
        room = (
            self.size.height
            - caption_lines(self)  # the tour's caption, when it plays (tui/tour.py)
            - FORM_LINES
            - sum(w.display for w in self._optional_lines)
        )
        room = max(room, MIN_CHECKLIST)
        self.query_one("#checklist", MarkedLines).limit_lines(room, STEADY_CHECKLIST)

    def on_resize(self) -> None:
        self.fit_checklist()

    def on_caption_resized(self, _: Caption.Resized) -> None:
        # The tour's caption came, changed or went: once it is laid out (or gone).
        self.call_after_refresh(self.fit_checklist)

    @property
    def buckets_loaded(self) -> bool:
        return self.query_one("#origin", Select).value is not Select.NULL

    def domain_changed(self) -> None:
        # One check and one repaint a key: the cloud's lines ("checking…") are known
        # before the checklist is shown.
        self.judge()
        self.cloud = {}
        self._submit_when_checked = False  # for the names typed before, not these
        self.cloud_pending = bool(self.names_check.ready)
        if self.cloud_pending:
            self.cloud = {
                "Available in CDN": (None, "checking…"),
                "Within the domain quota": (None, "checking…"),
            }
            self._after_pause()
        self.show_checks()

    def _after_pause(self) -> None:
        """Run the cloud checks once typing pauses for DEBOUNCE seconds: one timer for a
        burst of keys, moved on when it fires early, not one started and stopped a key."""
        self._quiet_at = time.monotonic() + DEBOUNCE
        if self.debounce is None:
            self.debounce = self.set_timer(DEBOUNCE, self._paused)

    def _paused(self) -> None:
        self.debounce = None
        if not self.cloud_pending:  # the names typed since then fail a rule
            return
        wait = self._quiet_at - time.monotonic()
        if wait > 0.005:  # typed on meanwhile
            self.debounce = self.set_timer(wait, self._paused)
            return
        self.cloud_check()

    def _check_now(self) -> None:
        if self.debounce is not None:
            self.debounce.stop()
            self.debounce = None
        self.cloud_check()

    def _checked(self) -> None:
        """The cloud has answered for the names typed: show it, and add them now if
        ctrl+s was pressed while it was being asked."""
        self.cloud_pending = False
        self.refresh_checks()
        if self._submit_when_checked:
            self._submit_when_checked = False
            self.action_submit()

    @work(exclusive=True, group="cloud-check")
    async def cloud_check(self) -> None:
        """CheckCdnDomainExist for each name that passes the rules (a few at a time), and
        the quota for the whole batch: the names plus the domains in use must fit."""
        names = tuple(c.api_name for c in self.names_check.ready)
        cdn = self.services.cdn
        gate = asyncio.Semaphore(PARALLEL_CHECKS)

        async def exists(name: str):
            async with gate:
                return await cdn.check_exists(name)

        *found, quota = await self.call(
            asyncio.gather(*map(exists, names), cdn.quota(), return_exceptions=True)
        )
        if names != tuple(c.api_name for c in self.names_check.ready):  # typed on meanwhile
            return
        failed = next((r for r in (*found, quota) if isinstance(r, BaseException)), None)
        if failed is not None:
            if not isinstance(failed, ServiceError):
                raise failed
            self.cloud = {"Cloud checks": (None, f"could not check: {failed}")}
            self._checked()
            return
        held = [(e.domain, holder_of(e.status)) for e in found]
        fits = quota.used + len(names) <= quota.limit
        if len(names) == 1 and not self.several:
            holder = held[0][1]
            available = {
                "Available in CDN": (holder is None, f"already in {holder}" if holder else "free")
            }
            count = f"{quota.used} / {quota.limit} domains"
        else:
            taken = [(name, holder) for name, holder in held if holder]
            available = {
                f"{display_name(name)} available in CDN": (False, f"already in {holder}")
                for name, holder in taken
            } or {
                "Available in CDN": (
                    True,
                    "all free"
                    if len(names) == len(self.names_check.checks)
                    else f"the {len(names)} names that pass the rules are free",
                )
            }
            count = f"{quota.used} / {quota.limit} domains, {len(names)} to add"
            if not fits:
                count += f" (room for {quota.remaining})"
        self.cloud = {
            **available,
            "Within the domain quota": (
                fits,
                count + ("" if fits else ": delete some or raise the quota in Quota Center"),
            ),
        }
        self._checked()

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
        if set_id != "port":  # the port's labels say it all: no note
            note = scope_note(value) if set_id == "scope" else NOTES.get(value, "")
            if set_id == "scope" and self.switched_note is not None and value == "overseas":
                note, self.switched_note = self.switched_note, None
            note_box = self.query_one(f"#{set_id}_note", Static)
            note_box.update(note)
            note_box.display = bool(note)  # no empty line under the business type
        self.refresh_checks()

    # -- actions -----------------------------------------------------------------------

    def action_fix(self) -> None:
        fixed = self.names_check.fixed_text
        if fixed is not None:
            box = self.query_one("#domain", Input)
            box.value = fixed
            box.cursor_position = len(box.value)

    def _source(self):
        return Source(type="oss", content=self.origin_host, port=self.port)

    def export_writes(self, action: str | None = None) -> list:
        """The AddCdnDomain of every name the form holds now, as submit would send them."""
        source, cdn_type, scope = self._source(), self.cdn_type, self.scope
        return [
            writes.add_domain(name, cdn_type, [source], scope)
            for name in self.names_check.api_names
            if name
        ]

    def export_note(self) -> str:
        if self.names_check.ok and not self.origin_problems():
            return ""
        return "Some checks do not pass yet: this is what the form holds now."

    def nothing_to_export(self) -> str:
        return "Type the domain to add first."

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        if self.busy or self.refuse_read_only("submit"):
            return
        if self.cloud_pending and self.names_check.ok:
            # Before the pause that asks the cloud: ask it now, and add when it answers.
            self._submit_when_checked = True
            self._check_now()
            return
        if self.ready() and self.several:
            self.confirm_batch()
        elif self.ready():
            self.busy = True
            self.submit()
        elif self.several and self.names_check.failing:
            bad = ", ".join(display_name(c.name) for c in self.names_check.failing)
            self.notify(
                f"Not added: {shown(bad, 120)} do not pass the checks (the lines marked ✗).",
                severity="warning",
                markup=False,
            )
        else:
            self.notify("Some checks do not pass yet: see the lines marked ✗.", severity="warning")

    def confirm_batch(self) -> None:
        """One question for the whole batch, every AddCdnDomain listed (e: as commands)."""
        batch = self.export_writes()
        names = "\n".join(f"  {display_name(w.param('DomainName'))}" for w in batch)
        body = (
            f"Add these {len(batch)} domains to CDN, each with {self.origin_host} as "
            f"origin ({SCOPES[self.scope]}):\n{names}\n"
            "Ownership is verified once per root domain when CDN asks for it."
        )

        def answered(yes: bool | None) -> None:
            if yes and not self.busy:
                self.busy = True
                self.submit_batch()

        self.app.push_screen(
            Confirm(f"Add {len(batch)} domains?", body, "Add all", writes=batch), answered
        )

    @work(group="submit")  # not exclusive: writes in flight are never cancelled
    async def submit_batch(self) -> None:
        """Each name through cdn.add_domain (the write road: read-only wall, retries, a
        lost answer read back), grouped by root domain: the first name of a root that CDN
        refuses for ownership opens the verification once; the rest of that root follow
        without asking again. The outcome of every name goes to the batch's result."""
        names = list(self.names_check.api_names)
        source, cdn_type, scope = self._source(), self.cdn_type, self.scope
        button = self.query_one("#submit", Button)
        button.disabled, button.label = True, "Adding…"
        roots: dict[str, list[str]] = {}
        for name in names:
            roots.setdefault(root_domain(name), []).append(name)
        outcomes: dict[str, str] = {}
        for root, members in roots.items():
            asked = declined = False
            for name in members:
                if declined:  # the user left the verification: no add sent to be refused
                    outcomes[name] = f"not added: ownership of {root} not verified"
                    continue
                while True:
                    try:
                        await self.call(
                            self.services.cdn.add_domain(name, cdn_type, [source], scope)
                        )
                    except DomainInThisAccount:
                        outcomes[name] = "already in this account"
                    except ServiceError as error:
                        if needs_owner_verification(error) and not asked:
                            asked = True
                            if await self._verified_in_place(name):
                                continue  # verified: add it again, and the rest of the root
                        if needs_owner_verification(error):
                            declined = True
                            outcomes[name] = f"not added: ownership of {root} not verified"
                        else:
                            outcomes[name] = f"not added: {explain(error)}"
                    else:
                        outcomes[name] = "added"
                    break
        added = sum(o == "added" for o in outcomes.values())
        self.notify(f"Added {added} of {len(names)} domains.", markup=False)
        # The form's result: the batch, in the order typed, shown by the domain list
        # in place of this form and of a verification still over it (issue 13).
        result = [(name, outcomes[name]) for name in names]
        if self.open_added is not None:
            self.open_added(result)
        else:
            if isinstance(self.app.screen, VerifyScreen):  # a passed one, still shown
                self.pop_until_active()
            self.leave(result)

    async def _verified_in_place(self, name: str) -> bool:
        """The verification of `name`'s root, for a batch: True once it passed, its screen
        still shown while the batch carries on under it (so the form is not painted again
        on the way to the batch's result); False when the user left it (Esc)."""
        outcome: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def settle(passed: bool) -> None:
            if not outcome.done():
                outcome.set_result(passed)

        verify = VerifyScreen(name, origin=self.origin_host)
        verify.then = lambda: settle(True)
        self.app.push_screen(verify, lambda ok: settle(bool(ok)))
        return await outcome

    @work(group="submit")  # not exclusive: a write in flight is never cancelled
    async def submit(self) -> None:
        name = self.check.api_name
        source = self._source()
        error_box = self.query_one("#error", Static)
        error_box.display = False
        button = self.query_one("#submit", Button)
        button.disabled, button.label = True, "Adding…"
        after_verify, self._after_verify = self._after_verify, False
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
                self._added(error.domain)
                return
            if after_verify:  # the verification over the form goes: the error is here
                self.pop_until_active()
            elif needs_owner_verification(error):
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
        self._added(name)

    def _added(self, name: str) -> None:
        """On to the added domain's screen: straight there when the list can open it in
        place of this form (issue 13), else by leaving with its name."""
        if self.open_added is not None:
            self.open_added(name)
        else:
            self.leave(name)

    def _offer_overseas(self, code: str) -> None:
        """Mainland China refused the domain (no ICP filing, or the account lacks
        real-name verification): `overseas` needs neither. Switch the scope to it and
        say so next to it; the user looks and adds again (ctrl+s)."""
        refused = SCOPES[self.scope]
        overseas = next(
            b for b in self.query_one("#scope", RadioSet).query(Radio) if b.name == "overseas"
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

        def add_again() -> None:
            # Verified: the add is sent again while the verification stays shown, so the
            # form is not painted on the way to the new domain (issue 13).
            self._after_verify = True
            self.action_submit()
            if not self.busy:  # not sent (a check no longer passes): back to the form
                self._after_verify = False
                self.pop_until_active()

        verify = VerifyScreen(name, origin=self.origin_host)
        verify.then = add_again
        self.app.push_screen(verify, verified)
