"""The CDN CNAME in one step: the DNS change shown as a plan, applied on confirmation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from screens.base import AppScreen
from screens.propagation import PropagationScreen
from tui.clipboard import copy
from tui.dns_plan import bind_line
from tui.explain import denial_advice, explain
from tui.rules import display_name
from tui.safe_text import shown
from tui.services.cname_setup import ApplyError, writes
from tui.services.errors import ServiceError
from tui.widgets.confirm import Confirm
from tui.widgets.header import AppHeader
from tui.widgets.record_table import record_table
from tui.widgets.status import status_badge

if TYPE_CHECKING:
    from tui.services.cname_setup import CnameSetup

ACTION_STYLES = {"create": "green", "update": "yellow", "delete": "red", "enable": "cyan"}


def plan_table(plan) -> Table:
    table = Table.grid(padding=(0, 2))
    for _ in range(4):
        table.add_column()
    for step in plan.steps:
        table.add_row(
            Text(step.action, style=f"bold {ACTION_STYLES[step.action]}"),
            Text(shown(step.rr)),
            Text(shown(step.type)),
            Text(shown(step.detail)),
        )
    return table


class CnamePlanScreen(AppScreen):
    """Point the domain at its CDN CNAME in Alibaba Cloud DNS. The change is shown as a
    plan (create / update / delete) and nothing is sent until you press Enter. Conflicting
    records block the plan until you choose to replace them (x); for a wildcard, records
    it would not cover can be removed (w). When the DNS is hosted elsewhere, the record
    to create there is shown instead."""

    CSS_PATH = "cname_plan.tcss"
    BUSY_BLOCKS = frozenset({"dismiss", "apply", "replace", "remove_shadows", "board"})
    BINDINGS = [
        # The footer fits 80 columns with f1 Help and ^q Quit (x and w show only where they
        # change the plan, r once reading failed); F1 and ctrl+p list the rest.
        Binding("enter", "apply", "Apply", id="plan.apply"),
        # (A tooltip is the longer words F1 and ctrl+p say: tui/keys.shown_bindings.)
        Binding("x", "replace", "Replace", tooltip="Replace conflicts (toggle)", id="plan.replace"),
        Binding(
            "w", "remove_shadows", "Shadows", tooltip="Remove shadows (toggle)", id="plan.shadows"
        ),
        Binding("c", "copy", "Copy", tooltip="Copy record", id="plan.copy"),
        Binding("p", "board", "Propagation", show=False, id="plan.board"),
        Binding("escape", "dismiss(False)", "Back", id="plan.back"),
        Binding("r", "retry", "Retry", id="plan.retry"),  # shown once reading failed
        Binding("e", "export", "As commands", show=False, id="plan.export"),
    ]
    WRITE_ACTIONS = frozenset({"apply"})

    def __init__(self, domain: str, cname: str) -> None:
        super().__init__()
        self.domain = domain
        self.cname = cname
        self.setup: CnameSetup | None = None  # None while the plan is being drawn
        self.replace = False
        self.remove_shadows = False
        self.failed = False  # the last reading of the records failed: r tries again

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll():
            yield Static(
                Text(shown(f"Point {display_name(self.domain)} at CDN"), style="bold"), id="title"
            )
            yield Static("", id="where")
            yield Static("", id="plan")
            yield Static("", id="notes")
            yield Static("", id="state")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#plan").loading = True
        self.prepare()

    @work(exclusive=True, group="plan")
    async def prepare(self) -> None:
        setup = await self.fetch(
            self.services.cname_setup.prepare(
                self.domain,
                self.cname,
                replace=self.replace,
                remove_shadows=self.remove_shadows,
            ),
            "Could not read the DNS records",
        )
        self.query_one("#plan").loading = False
        if setup is None:
            self.failed = True
            self.refresh_bindings()
            self.query_one("#plan", Static).update(
                Text(
                    "Could not read the DNS records, so there is no plan. Press r to try again.",
                    style="red",
                )
            )
            self.query_one("#notes", Static).update("")
            return
        self.failed = False
        self.setup = setup
        self.show()

    def show(self) -> None:
        self.refresh_bindings()  # x and w depend on the plan
        assert self.setup is not None  # shown once prepared
        plan = self.setup.plan
        where = self.query_one("#where", Static)
        notes = self.query_one("#notes", Static)
        if plan is None and self.setup.denied is not None:
            # Not "hosted elsewhere": RAM did not let the app look (alidns:DescribeDomains).
            where.update(
                Text(
                    shown(
                        "Alibaba Cloud DNS refused to list this account's zones, so whether "
                        f"{display_name(self.domain)} is hosted here is unknown. "
                        f"{denial_advice(self.setup.denied)}\nOr, if its DNS is at another "
                        "provider, create this record there (c copies it):"
                    )
                )
            )
            self.query_one("#plan", Static).update(record_table(self.domain, self.cname))
            notes.update(Text(shown(bind_line(self.domain, self.cname)), style="dim"))
            return
        if plan is None:
            where.update(
                Text(
                    shown(
                        f"{display_name(self.domain)} is not in a zone of this account's "
                        "Alibaba Cloud DNS: create this record at your DNS provider (c copies "
                        "it), then press p to watch resolvers pick it up."
                    )
                )
            )
            self.query_one("#plan", Static).update(record_table(self.domain, self.cname))
            notes.update(Text(shown(bind_line(self.domain, self.cname)), style="dim"))
            return
        where.update(Text(shown(f"Zone {plan.zone} in Alibaba Cloud DNS · host record {plan.rr}")))
        body = (
            plan_table(plan)
            if plan.steps
            else Text(
                shown(
                    f"{plan.rr} already points at {self.cname}: nothing to do. Press p to check "
                    "propagation."
                ),
                style="green",
            )
        )
        self.query_one("#plan", Static).update(body)
        lines = Text()
        for conflict in plan.blockers:
            lines.append("✗ ", style="red bold").append(shown(conflict.message) + "\n")
        if any(c.code != "locked" for c in plan.blockers):
            lines.append("Press x to delete them as part of the plan.\n", style="bold")
        for conflict in plan.warnings:
            lines.append("! ", style="yellow bold").append(shown(conflict.message) + "\n")
        if any(c.code == "shadow" for c in plan.warnings):
            lines.append("Press w to delete them as part of the plan.\n", style="bold")
        if plan.steps and plan.ready:
            lines.append("\nNothing has been changed yet. Enter applies the plan.", style="bold")
        notes.update(lines)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """x and w show only where they would change the plan (or undo a change)."""
        allowed = super().check_action(action, parameters)
        plan = self.setup.plan if self.setup else None
        if action == "replace":
            return allowed if self.replace or (plan and plan.blockers) else False
        if action == "retry":
            return allowed if self.failed else False
        if action == "remove_shadows":
            shadows = plan and any(c.code == "shadow" for c in plan.warnings)
            return allowed if self.remove_shadows or shadows else False
        return allowed

    def action_replace(self) -> None:
        self.replace = not self.replace
        self.replan()

    def action_remove_shadows(self) -> None:
        self.remove_shadows = not self.remove_shadows
        self.replan()

    def action_retry(self) -> None:
        self.failed = False
        self.replan()

    def replan(self) -> None:
        # The shown plan is void until the new one arrives: Enter must not apply it.
        self.setup = None
        self.query_one("#plan").loading = True
        self.prepare()

    def action_copy(self) -> None:
        copy(self.app, bind_line(self.domain, self.cname), "the BIND line")

    def action_board(self) -> None:
        if self.is_active:  # not under a dialog that covers this screen
            self.app.switch_screen(PropagationScreen(self.domain, self.cname))

    # -- the export ----------------------------------------------------------------------

    def export_writes(self, action: str | None = None) -> list:
        return writes(self.setup) if self.setup is not None else []

    def export_note(self) -> str:
        plan = self.setup.plan if self.setup else None
        if plan is not None and not plan.ready:
            return (
                "Conflicting records block this plan (x replaces them): as it stands, "
                "the record add would be refused."
            )
        return ""

    def nothing_to_export(self) -> str:
        if self.setup is None:
            return "The plan is still being drawn."
        if self.setup.plan is None and self.setup.denied is not None:
            return (
                "Nothing to send from here: RAM refused listing the zones "
                "(alidns:DescribeDomains), so no plan could be drawn."
            )
        if self.setup.plan is None:
            return (
                "Nothing to send from here: the domain's DNS is not in this account. "
                "Create the record at your DNS provider (c copies it)."
            )
        return "Nothing to do: the record already points at the CNAME."

    def sends_write(self, action: str) -> bool:
        # Enter applies a plan with steps; on "nothing to do" it opens the board.
        if action == "apply" and self.setup is not None:
            return bool(self.export_writes())
        return super().sends_write(action)

    # -- applying --------------------------------------------------------------------------

    def action_apply(self) -> None:
        plan = self.setup.plan if self.setup else None
        if self.setup is None:
            return
        if plan is None or not plan.steps:
            self.action_board()
        elif not plan.ready:
            self.notify(
                "Conflicting records block this plan: press x to replace them.", severity="warning"
            )
        else:
            self.busy = True
            self.check_then_apply(self.setup)

    @work(group="plan-apply")
    async def check_then_apply(self, setup: CnameSetup) -> None:
        """Apply once the CDN domain is online; else warn and ask again: DNS pointed at a
        domain CDN does not serve (stopped, offline, review failed, configuring) breaks
        the site."""
        try:
            status = (await self.call(self.services.cdn.domain(self.domain))).status
        except ServiceError as error:
            status, state = None, f"of unknown status (it could not be read: {error})"
        else:
            state = status_badge(status).plain
        if status == "online":
            self.apply(setup)
            return
        self.busy = False
        name = display_name(self.domain)

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            if self.setup is not setup or self.busy:
                self.notify("The plan changed while this was asked: nothing sent.")
                return
            self.busy = True
            self.apply(setup)

        self.app.push_screen(
            Confirm(
                f"{name} is not online in CDN: point DNS at it anyway?",
                f"{name} is {state} in CDN. Pointing its DNS at the CNAME now breaks the site: "
                f"requests to {name} fail until CDN serves it. Wait until it is online (its "
                "details screen watches it), then apply the plan.",
                "Apply anyway",
                writes=writes(setup),
                subject=("plan", self.domain),
            ),
            confirmed,
        )

    @work(group="plan-apply")  # not exclusive: a write in flight is never cancelled
    async def apply(self, setup: CnameSetup) -> None:
        state = self.query_one("#state", Static)
        state.update("Applying…")
        try:
            done = await self.call(self.services.cname_setup.apply(setup))
        except ApplyError as error:
            applied = "".join(f"\n  done: {shown(s.describe())}" for s in error.done)
            state.update(
                Text(
                    f"{shown(error.step.describe())} failed.{applied}\n"
                    f"{shown(explain(error.error), multiline=True)}",
                    style="red",
                )
            )
            self.replan()  # the records changed: plan again from what is there now
            return
        finally:
            self.busy = False
        self.notify(f"Applied {len(done)} change(s) to {setup.zone}.", markup=False)
        self.replan()  # "nothing to do" now, should the user come back to this screen
        self.action_board()
