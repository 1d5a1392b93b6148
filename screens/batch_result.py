"""What a batch of domains added from the add form came to: one line per name, with the
domain's status as CDN lists it now (or why it was not added). Enter opens a domain."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from screens.base import AppScreen
from screens.cname import DomainScreen
from tui.rules import display_name
from tui.safe_text import shown
from tui.services.errors import ServiceError
from tui.widgets.header import AppHeader
from tui.widgets.status import status_badge

READS_AT_ONCE = 4  # DescribeUserDomains in flight together: within CDN's API rate


class BatchResultScreen(AppScreen):
    """The batch's domains, in the order typed."""

    BINDINGS = [
        Binding("r", "reload", "Refresh", id="batch.reload"),
        Binding("escape", "dismiss", "Back", id="batch.back"),
    ]
    DEFAULT_CSS = """
    BatchResultScreen #batch_summary { padding: 0 1; height: auto; }
    """

    def __init__(self, outcomes: list[tuple[str, str]]) -> None:
        super().__init__()
        self.outcomes = outcomes  # (API name, "added" | "already in this account" | why not)
        self.statuses: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("", id="batch_summary")
        yield DataTable(id="batch", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Domain", key="name")
        table.add_column("Status", key="status")
        table.add_column("Progress", key="progress")
        table.add_column("Result", key="result")
        for name, outcome in self.outcomes:
            table.add_row(
                Text(shown(display_name(name), 60)),
                Text("…", style="dim"),
                Text("…", style="dim"),
                Text(shown(outcome, 120)),
                key=name,
            )
        added = sum(o == "added" for _, o in self.outcomes)
        self.query_one("#batch_summary", Static).update(
            Text(f"Batch of {len(self.outcomes)}: {added} added", style="bold")
        )
        table.focus()
        self.action_reload()

    def in_cdn(self) -> list[str]:
        return [n for n, o in self.outcomes if o in ("added", "already in this account")]

    def action_reload(self) -> None:
        self.read_statuses()

    @work(exclusive=True, group="statuses")
    async def read_statuses(self) -> None:
        """Each domain as the listing has it (the detail lags an add: cdn.listed)."""
        gate = asyncio.Semaphore(READS_AT_ONCE)
        cdn = self.services.cdn

        async def read(name: str):
            async with gate:
                return await cdn.listed(name)

        names = self.in_cdn()
        found = await self.call(asyncio.gather(*map(read, names), return_exceptions=True))
        table = self.query_one(DataTable)
        for name, domain in zip(names, found, strict=True):
            if isinstance(domain, ServiceError):
                cell = Text("could not read", style="yellow")
            elif isinstance(domain, BaseException):
                raise domain
            else:
                self.statuses[name] = domain.status if domain else "not found"
                cell = status_badge(self.statuses[name])
            table.update_cell(name, "status", cell)
        for name, _ in self.outcomes:
            if name not in names:
                table.update_cell(name, "status", Text("—", style="dim"))
                table.update_cell(name, "progress", Text("—", style="dim"))
        # Where each stands in the onboarding (the engine's cheap summary: one
        # DescribeDomainCname for the batch), so the batch reads as one checklist.
        listed = [d for d in found if d is not None and not isinstance(d, BaseException)]
        try:
            progress = await self.call(self.services.onboarding.summaries(listed))
        except ServiceError:
            progress = {}
        for domain in listed:
            text = progress.get(domain.name)
            table.update_cell(
                domain.name, "progress", Text(shown(text, 60)) if text else Text("—", style="dim")
            )

    @on(DataTable.RowSelected)
    def open_domain(self, event: DataTable.RowSelected) -> None:
        name = event.row_key.value
        if name in self.in_cdn():
            self.app.push_screen(DomainScreen(name))
