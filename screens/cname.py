"""One domain: its onboarding checklist first (every step read from the cloud, the next
one on Enter), then its CNAME, large and copyable, the DNS record, and its status watched
live until it is online."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Static

from screens.cname_plan import CnamePlanScreen
from screens.domain_actions import DomainActions
from screens.freshness import FreshnessScreen
from screens.propagation import PropagationScreen
from screens.verify import VerifyScreen
from tui.choices import CDN_TYPES, SCOPES
from tui.clipboard import copy
from tui.delivery_rules import UrlError
from tui.dns_plan import bind_line
from tui.explain import review_failed_hint
from tui.rules import display_name, parse_origin
from tui.safe_text import shown
from tui.services import origin_access, writes
from tui.services.errors import ServiceError, is_domain_not_found
from tui.services.profile import poll_interval
from tui.widgets.checklist import Checklist
from tui.widgets.confirm import Confirm
from tui.widgets.header import AppHeader
from tui.widgets.record_table import record_table
from tui.widgets.status import status_badge

# While the domain is changing (configuring takes 3-5 minutes), read it this often.
WATCH_INTERVAL = 5.0
# How long the line under the record says what c or b did (seconds).
COPIED_FOR = 15.0

# The action of the screen that serves a step, for a step whose own action is None (done).
STEP_SCREENS = {
    "ownership": "verify",
    "cname record": "cname",
    "propagated": "propagation",
    "origin access": "origin_auth",
    "served": "fetch",
}

if TYPE_CHECKING:
    from tui.services.models import CdnDomain
    from tui.services.onboarding import Standing, Step


def cache_update_text(domain: str, bucket: str, cnames) -> Text:
    """Auto CDN Cache Update for this domain, and what it means for keeping it fresh.
    No API switches it (OSS answers error 0018-00000004): only the OSS console does."""
    # OSS binds a wildcard as "*.example.com", not as the apex.
    bound = next((c for c in cnames if c.domain == display_name(domain)), None)
    if bound is None:
        return Text(
            shown(
                f"off: {display_name(domain)} is not bound to bucket {bucket}, so changed "
                "objects stay cached until they expire: after each deploy press k to "
                "refresh what changed. To automate it, map the domain in the OSS console "
                "(Bucket > Transmission > Domain Names) and turn on Auto CDN Cache Update; "
                "the API cannot switch it."
            ),
            style="yellow",
        )
    if bound.purge_cdn_cache:
        return Text(
            shown(
                f"on: when an object of {bucket} changes, OSS refreshes its URL here by "
                "itself (a little later; it uses the daily refresh quota)"
            ),
            style="green",
        )
    return Text(
        shown(
            "off: changed objects stay cached until they expire: after each deploy press k "
            f"to refresh what changed. Turn it on in the OSS console (bucket {bucket} > "
            "Transmission > Domain Names); the API cannot switch it."
        ),
        style="yellow",
    )


# The cname step's evidence when its plan changes a CNAME at the host that points
# elsewhere (onboarding._cname: "in <zone>: update <rr> CNAME (now <old>) -> <cname>").
_POINTS_ELSEWHERE = re.compile(r"\bupdate \S+ CNAME \(now ([^)]*)\)")


def record_label(standing: Standing | None) -> Text:
    """The line above the DNS record, from the onboarding engine's standing (None: not
    read yet): whether the record exists and points at the CNAME, never a guess."""
    if standing is None:
        return Text("DNS record (checking whether it exists…):")
    steps = {str(getattr(s.name, "value", s.name)): s for s in standing.steps}
    cname, propagated = steps.get("cname record"), steps.get("propagated")
    state = str(getattr(cname.state, "value", cname.state)) if cname else ""
    if state == "done":
        text = Text("DNS record: exists and points at the CNAME", style="green")
        spread = str(getattr(propagated.state, "value", propagated.state)) if propagated else ""
        if propagated is not None and spread == "done":
            text.append(shown(f"; propagated ({propagated.evidence})"))
        elif propagated is not None and spread == "in progress":
            text.append(shown(f"; propagating ({propagated.evidence} agree)"), style="yellow")
        text.append(":")
        return text
    if cname is not None and (elsewhere := _POINTS_ELSEWHERE.search(cname.evidence)):
        return Text(
            shown(f"DNS record: exists but points at {elsewhere.group(1)}; change it to:"),
            style="yellow",
        )
    if cname is not None and state == "failed":
        return Text(
            shown(f"DNS record to create, once this is resolved: {cname.evidence}"),
            style="yellow",
        )
    return Text("DNS record to create, at any DNS provider:")


class DomainScreen(DomainActions):
    """A CDN domain: its CNAME, the DNS record that points the domain at CDN, its state."""

    CSS_PATH = "cname.tcss"
    AUTO_FOCUS = "#checklist"  # Enter performs the step under the cursor: the next one
    BINDINGS = [
        # Short words: the footer is one line of 80 columns on a bastion, with f1 Help and
        # ^q Quit; the checklist's rows lead to every step, F1 and ctrl+p list the rest.
        Binding("c", "copy_cname", "Copy", id="domain.copy"),
        Binding("b", "copy_bind", "BIND", show=False, id="domain.copy_bind"),
        Binding("n", "dns_record", "DNS", tooltip="DNS record", id="domain.dns"),
        Binding("p", "propagation", "Propagation", id="domain.propagation"),
        Binding("v", "verify", "Verify", show=False, id="domain.verify"),
        Binding("f", "fetch", "Fetch", id="domain.fetch"),
        Binding("s", "toggle", "Start/Stop", show=False, id="domain.toggle"),
        Binding("d", "delete", "Delete", show=False, id="domain.delete"),
        Binding("k", "cache", "Cache", show=False, id="domain.cache"),
        Binding("r", "refresh", "Refresh", show=False, id="domain.refresh"),
        Binding("o", "origin_auth", "Origin auth", show=False, id="domain.origin_auth"),
        Binding("escape", "dismiss", "Back", id="domain.back"),
        Binding("e", "export", "As commands", show=False, id="domain.export"),
    ]

    WRITE_ACTIONS = DomainActions.WRITE_ACTIONS | {"origin_auth"}

    def __init__(self, name: str) -> None:
        super().__init__()
        self.domain_name = name
        self.origin_access: origin_access.OriginAccess | None = None
        self.domain: CdnDomain | None = None
        self.watch_started = time.monotonic()
        self.cache_update_checked = False
        self.cache_update = Text("checking…", style="dim")
        self.standing: Standing | None = None  # the checklist, as the cloud last said
        self._copied_timer: Timer | None = None
        self._step_over = False  # a step's screen covers this one (on_screen_suspend)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll():
            yield Static(Text(shown(display_name(self.domain_name)), style="bold"), id="title")
            yield Static("", id="status")
            yield Checklist(id="checklist")
            yield Static("", id="cname")
            yield Static(record_label(None), classes="label", id="record_label")
            yield Static("", id="record")
            yield Static("", id="bind")
            yield Static("", id="copied")  # what c and b did: in place, covering nothing
            yield Static("", id="facts")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cname").loading = True
        self.query_one(Checklist).loading = True
        self.set_interval(poll_interval(self.profile, WATCH_INTERVAL), self._tick)
        self.load()  # then the checklist, once the domain has loaded

    def current_domain(self):
        return self.domain

    def domain_changed(self) -> None:
        self.watch_started = time.monotonic()
        self.load()  # the checklist follows it
        if self.origin_access is not None:  # a change (the fix among them) may change it
            self.check_origin_access()

    @work(exclusive=True, group="domain")
    async def load(self) -> None:
        self.reading()
        try:
            domain = await self.call(self.services.cdn.domain(self.domain_name))
        except ServiceError as error:
            self.query_one("#cname").loading = False
            if is_domain_not_found(error):
                self.notify(f"{display_name(self.domain_name)} is no longer in CDN.", markup=False)
                self.leave()
            else:
                self.app.report(error, "Could not load the domain")
                if self.domain is None:  # nothing shown yet: say how to try again
                    self.query_one("#status", Static).update(
                        Text("Could not load the domain. Press r to try again.", style="red")
                    )
            return
        # Not in a `finally`: a worker cancelled as the screen closes must not touch it.
        self.query_one("#cname").loading = False
        self.domain = domain
        self.read_arrived()
        self.show()
        # After the domain, not beside it: one read of CDN at a time, and the checklist
        # reads the cloud as it is now (after a change, once CDN has taken it).
        self.load_standing()
        if not self.cache_update_checked:
            self.cache_update_checked = True
            self.check_cache_update()
            self.check_origin_access()

    @work(exclusive=True, group="cache-update")
    async def check_cache_update(self) -> None:
        """Is OSS set to refresh CDN when objects change? Only the console can switch it
        (OSS refuses the API call), but ListCname reports it."""
        oss, domain = self.services.oss, self.domain
        assert domain is not None  # asked once the domain has loaded
        origin = parse_origin(domain.origin) if domain.origin else None
        if origin is None:
            self.cache_update = Text("not an OSS origin", style="dim")
        else:
            try:
                cnames = await self.call(oss.bucket_cnames(oss.bucket_from_origin(domain.origin)))
            except ServiceError as error:
                self.cache_update = Text(shown(f"could not ask OSS: {error}"), style="dim")
            else:
                self.cache_update = cache_update_text(domain.name, origin.bucket, cnames)
        self.show()

    def _tick(self) -> None:
        """Poll while the domain is changing (one request at a time), and the checklist
        while a step is in progress (the cloud moves it on: configuring, propagating)."""
        loading = any(w.node is self and w.group == "domain" and w.is_running for w in self.workers)
        if self.domain is not None and self.domain.transitional and not loading:
            self.load()
        elif self.is_active and self._step_in_progress() and not self._worker_busy("standing"):
            self.load_standing()

    def _worker_busy(self, group: str) -> bool:
        return any(w.node is self and w.group == group and w.is_running for w in self.workers)

    def _step_in_progress(self) -> bool:
        return self.standing is not None and any(
            str(getattr(s.state, "value", s.state)) == "in progress" for s in self.standing.steps
        )

    # -- the checklist: where the domain stands, read from the cloud (issue 11) ----------

    @work(exclusive=True, group="standing")
    async def load_standing(self) -> None:
        checklist = self.query_one(Checklist)
        try:
            standing = await self.call(self.services.onboarding.standing(self.domain_name))
        except (ServiceError, UrlError) as error:  # UrlError: a sample key no URL can hold
            checklist.loading = False
            if self.standing is None and not is_domain_not_found(error):
                self.app.report(error, "Could not read where the domain stands")
            return
        checklist.loading = False
        self.standing = standing
        checklist.show(standing)
        # The record's label says what the engine read: in place and pointing at the
        # CNAME (and how far it has propagated), pointing elsewhere, or still to create.
        self.query_one("#record_label", Static).update(record_label(standing))

    @on(DataTable.RowSelected, "#checklist")
    def step_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        step = self.query_one(Checklist).selected
        if step is not None:
            self.perform(step)

    def perform(self, step: Step) -> None:
        """The step's action, by the screen that serves it (verify, CNAME plan, board, `o`,
        delivery); a step the cloud moves on alone (waiting) says so instead."""
        # A step with nothing left to do still opens the screen that serves it: to look.
        action = step.action or STEP_SCREENS.get(str(getattr(step.name, "value", step.name)))
        handlers = {
            "verify": self.action_verify,
            "cname": self.action_dns_record,
            "propagation": self.action_propagation,
            "origin_auth": self.action_origin_auth,
            "fetch": self.action_fetch,
        }
        handler = handlers.get(action or "")
        if handler is not None:
            handler()
        elif action == "wait":
            self.notify(
                shown(f"{step.evidence or 'In progress'}: the checklist reads it again by itself."),
                markup=False,
            )

    def show(self) -> None:
        d = self.domain
        assert d is not None  # shown once loaded
        status = status_badge(d.status)
        if d.transitional:
            elapsed = int(time.monotonic() - self.watch_started)
            status.append(f"   watching for {elapsed // 60}:{elapsed % 60:02d}", style="dim")
            if d.status == "configuring":
                status.append(" · usually 3-5 minutes", style="dim")
        elif d.status == "check_failed":
            status.append("   " + review_failed_hint(d.scope), style="bold")
        elif d.status == "configure_failed":
            status.append(
                "   CDN could not configure it: delete and add it again, or open a ticket.",
                style="bold",
            )
        self.query_one("#status", Static).update(status)
        cname = self.query_one("#cname", Static)
        if d.cname:
            cname.update(Text(shown(d.cname), style="bold"))
            self.query_one("#record", Static).update(record_table(d.name, d.cname))
            self.query_one("#bind", Static).update(
                Text(shown(bind_line(d.name, d.cname)), style="dim")
            )
        else:
            cname.update(Text("CDN has not assigned a CNAME yet.", style="italic"))
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="bold")
        facts.add_column()
        for source in d.sources:
            facts.add_row("Origin", Text(shown(f"{source.content}:{source.port} ({source.type})")))
        facts.add_row(
            "Business type", Text(shown(f"{CDN_TYPES.get(d.cdn_type, d.cdn_type)} ({d.cdn_type})"))
        )
        facts.add_row("Region scope", Text(shown(f"{SCOPES.get(d.scope, d.scope)} ({d.scope})")))
        facts.add_row("Created", Text(shown(d.created)))
        if d.description:  # the remarks set in the console
            facts.add_row("Description", Text(shown(d.description)))
        facts.add_row("Auto CDN Cache Update", self.cache_update)
        facts.add_row("Origin access", self.origin_access_text())
        self.query_one("#facts", Static).update(facts)

    def action_copy_cname(self) -> None:
        if self.domain and self.domain.cname:
            copy(self.app, self.domain.cname, "the CNAME", say=self._said("The CNAME"))

    def action_copy_bind(self) -> None:
        if self.domain and self.domain.cname:
            line = bind_line(self.domain.name, self.domain.cname)
            copy(self.app, line, "the BIND line", say=self._said("The BIND line"))

    def _said(self, what: str):
        """What a copy did, said on the line under the record: a notification would
        cover the very lines being copied at 80x24 (issue 13). The value is in view
        above, so it is not repeated."""

        def say(copied: bool) -> None:
            if self.gone:
                return
            line = self.query_one("#copied", Static)
            line.update(
                Text(f"✓ {what} is on the clipboard.", style="green")
                if copied
                else Text(
                    f"{what} was sent to the terminal (OSC 52; tmux drops it unless "
                    "set-clipboard is on). If it did not arrive, select it above.",
                    style="yellow",
                )
            )
            line.display = True
            # In view: under a short terminal's fold (or the tour's caption) it says nothing.
            line.scroll_visible(animate=False)
            if self._copied_timer is not None:
                self._copied_timer.stop()
            self._copied_timer = self.set_timer(COPIED_FOR, self._unsay)

        return say

    def _unsay(self) -> None:
        self._copied_timer = None
        self.query_one("#copied", Static).display = False

    def action_refresh(self) -> None:
        self.load()

    def action_dns_record(self) -> None:

        if self.domain and self.domain.cname:
            self.app.push_screen(CnamePlanScreen(self.domain.name, self.domain.cname))

    def action_propagation(self) -> None:
        if self.domain and self.domain.cname:
            self.app.push_screen(PropagationScreen(self.domain.name, self.domain.cname))

    def on_screen_suspend(self) -> None:
        # A step's screen over this one may change the cloud; a dialog (help, a
        # confirmation, the commands) does not by itself.
        self._step_over = not isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        """Back from a step's screen, or from the one that replaced it (the CNAME plan
        hands over to the propagation board): the checklist, and the record's line with
        it, read where the domain stands now."""
        if self._step_over and self.standing is not None:
            self._step_over = False
            self.load_standing()

    def action_verify(self) -> None:
        if self.domain is not None:
            # The domain is in CDN: CDN verified its root's ownership when it was added.
            self.notify(
                shown(
                    f"Ownership is done: CDN verified it when {display_name(self.domain.name)} "
                    "was added; nothing to verify."
                ),
                markup=False,
            )
            return
        origin = ""

        def verified(ok: bool | None) -> None:
            if ok:
                self.load()

        self.app.push_screen(VerifyScreen(self.domain_name, origin=origin), verified)

    # -- origin access: can the edge read a private bucket? (issue 9, part 2) ----------

    @work(exclusive=True, group="origin-access")
    async def check_origin_access(self) -> None:
        """The bucket's ACL and the domain's l2_oss_key setting, judged together; while
        CDN applies the setting, asked again until it is in force."""
        oss, domain = self.services.oss, self.domain
        assert domain is not None  # asked once the domain has loaded
        acl = config = None
        acl_error = config_error = ""
        oss_origin = parse_origin(domain.origin) is not None if domain.origin else False
        if oss_origin:
            try:
                acl = await self.call(oss.bucket_acl(oss.bucket_from_origin(domain.origin)))
            except ServiceError as error:
                acl_error = str(error)
            try:
                config = await self.call(self.services.cdn.private_origin_config(domain.name))
            except ServiceError as error:
                config_error = str(error)
        self.origin_access = origin_access.judge(
            acl, config, oss_origin=oss_origin, acl_error=acl_error, config_error=config_error
        )
        self.show()
        if self.origin_access.verdict == origin_access.CONFIGURING:
            self.set_timer(poll_interval(self.profile, WATCH_INTERVAL), self.check_origin_access)

    def origin_access_text(self) -> Text:
        verdict = self.origin_access
        if verdict is None:
            return Text("checking…", style="dim")
        style = {
            origin_access.READABLE: "green",
            origin_access.BLOCKED: "bold red",
            origin_access.CONFIGURING: "yellow",
        }.get(verdict.verdict, "dim")
        text = Text(shown(f"{verdict.verdict}: {verdict.reason}"), style=style)
        if verdict.fixable:
            text.append("\npress o to switch on back-to-origin authentication", style="bold")
        elif verdict.role_missing:
            text.append("\n" + origin_access.ROLE_HELP, style="yellow")
        return text

    def export_writes(self, action: str | None = None) -> list[writes.Write]:
        found = super().export_writes(action) if action != "origin_auth" else []
        if action in (None, "origin_auth") and self.domain and self._origin_fix_sendable():
            found.append(writes.private_origin(self.domain.name))
        return found

    def _origin_fix_sendable(self) -> bool:
        """The fix applies, and CDN takes configuration changes for the domain now: not
        while it is configuring (ServiceBusy) nor after its review failed."""
        verdict, domain = self.origin_access, self.domain
        return bool(
            domain and verdict and verdict.fixable and domain.status in ("online", "offline")
        )

    def action_origin_auth(self) -> None:
        domain, verdict = self.domain, self.origin_access
        if domain is None or verdict is None:
            return
        if self.refuse_read_only("origin_auth"):
            return
        if not verdict.fixable:
            self.notify(
                shown(f"Origin access is {verdict.verdict}: {verdict.reason}."),
                markup=False,
            )
            return
        if not self._origin_fix_sendable():
            self.notify(
                shown(
                    f"{display_name(domain.name)} is {status_badge(domain.status).plain}: "
                    "CDN takes the change once it is online."
                ),
                markup=False,
            )
            return
        if self._changing(domain.name) or self._stale(domain.name):
            return
        name = display_name(domain.name)
        self.app.push_screen(
            Confirm(
                f"Let CDN read the private bucket behind {name}?",
                "Switches on back-to-origin authentication for private OSS buckets "
                f"(l2_oss_key) for {name}: CDN signs its fetches with a temporary STS token "
                "and the bucket stays private. CDN then reads every object of the bucket "
                f"through {name}. It needs the role {origin_access.ROLE}, granted once "
                "per account in the CDN console.",
                "Switch on",
                writes=[writes.private_origin(domain.name)],
                subject=("domain", domain.name),
            ),
            self._when_confirmed(
                domain.name, "origin_auth", "Switching on back-to-origin authentication for"
            ),
        )

    def action_cache(self) -> None:
        """Refresh or prefetch the domain's cache, or refresh what changed in its origin."""
        if self.domain is not None:
            self.app.push_screen(FreshnessScreen(self.domain))

    def action_fetch(self) -> None:
        from screens.delivery import DeliveryScreen  # the delivery check: is it served?

        if self.domain:
            self.app.push_screen(DeliveryScreen(self.domain.name, self.domain.origin))
