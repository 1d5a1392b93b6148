"""The propagation board: who sees the CDN CNAME yet, re-checked until everyone does."""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from screens.base import AppScreen
from screens.verify import clock
from tui.rules import display_name, is_wildcard
from tui.safe_text import shown
from tui.services.cname_setup import probe_name
from tui.services.profile import poll_interval, real_seconds
from tui.widgets.header import AppHeader

if TYPE_CHECKING:
    from tui.services.verdicts import PropagationBoard

# CDN checks the CNAME through its own resolvers, minutes behind DNS: once DNS is
# propagated, CDN's row is asked again for up to ten minutes of cloud time (as the
# ownership check is, tui.services.ownership.VERIFY_FOR), every CDN_RECHECK at most.
CDN_WAIT = 600.0
CDN_RECHECK = 30.0

# verdict -> (symbol, style): the word is always shown too, for terminals without colour.
VERDICTS = {
    "match": ("✓", "green"),
    "mismatch": ("✗", "red"),
    "nxdomain": ("∅", "yellow"),
    "noanswer": ("∅", "yellow"),
    "timeout": ("⌛", "magenta"),
    "servfail": ("!", "red"),
    "error": ("!", "red"),
}
# The verdict and when it may change first: what fits in 80 columns matters most.
COLUMNS = ("Resolver", "Verdict", "Change due", "Latency", "Answer", "Address")


def verdict_text(verdict: str) -> Text:
    symbol, style = VERDICTS.get(verdict, ("?", ""))
    return Text(f"{symbol} {verdict}", style=style)


def row_cells(result, ttl_scale: float = 1.0) -> list[Text]:
    """One board row; `ttl_scale` turns the resolver's seconds into real ones."""
    answer = " → ".join(result.answer) or result.detail or "—"
    ttl = f"in ~{result.ttl * ttl_scale:.0f} s" if result.hint else ""
    latency = f"{result.latency_ms:.0f} ms" if result.latency_ms is not None else "—"
    # Resolver names come from the user's resolvers.json, answers and errors from DNS.
    return [
        Text(shown(result.resolver)),
        verdict_text(str(result.verdict)),
        Text(ttl),
        Text(latency, justify="right"),
        Text(shown(answer)),
        Text(shown(result.address)),
    ]


class PropagationScreen(AppScreen):
    """Is the CNAME live? Each row is one DNS server asked at the same moment: the zone's
    authoritative servers, public resolvers in and outside mainland China, and CDN's own
    view. Rows are judged by the CNAME target, not the final addresses (they differ by
    location). A stale or negative answer shows how long it may stay cached. The board
    re-checks on its own, backing off, pauses while hidden, and stops once propagated."""

    CSS_PATH = "propagation.tcss"
    BINDINGS = [
        Binding("r", "check_now", "Check now", id="board.check"),
        Binding("f", "fetch", "Fetch through CDN", id="board.fetch"),
        Binding("escape", "dismiss", "Back", id="board.back"),
    ]

    def __init__(self, domain: str, expected: str) -> None:
        super().__init__()
        self.domain = domain
        self.expected = expected
        self.board: PropagationBoard | None = None  # made on mount: it needs the sandbox
        self.generation = 0  # bumps on every (re)schedule; stale timers see a mismatch
        self.active = False
        self.servers: list[tuple[str, str]] = []  # the rows shown, in order
        # When (monotonic) DNS was first seen propagated while CDN did not see the CNAME:
        # CDN is asked again from then on for a bounded time (CDN_WAIT cloud seconds).
        self.cdn_wait_since: float | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        title = Text.assemble(
            ("Propagation of ", "bold"),
            (shown(display_name(self.domain)), "bold"),
            " → ",
            shown(self.expected),
        )
        if is_wildcard(self.domain):  # a wildcard is seen through a name it covers
            title.append(f"  (asking {shown(probe_name(self.domain))})", style="dim")
        yield Static(title, id="title")
        yield Static("", id="summary")
        table: DataTable = DataTable(id="board", cursor_type="row", zebra_stripes=True)
        for label in COLUMNS:
            table.add_column(label, key=label)
        yield table
        yield Static("", id="next")
        yield Footer()

    def on_mount(self) -> None:
        # Here, not at the top: it brings dnspython, which the first paint can do without.
        from tui.services.verdicts import PropagationBoard

        profile = self.app.profile
        # Resolver TTLs count the cloud's seconds (the sandbox's run faster); the board
        # waits in real ones.
        self.board = PropagationBoard(
            self.expected,
            ttl_scale=real_seconds(profile, 1.0),
            base_delay=poll_interval(profile, PropagationBoard.base_delay),
        )

    def on_screen_resume(self) -> None:
        self.active = True
        self.cdn_wait_since = None  # back here: CDN gets its ten minutes again
        self.check()

    def on_screen_suspend(self) -> None:
        self.active = False
        self.generation += 1  # pending re-checks lapse while hidden

    def action_check_now(self) -> None:
        self.cdn_wait_since = None
        self.check()

    @work(exclusive=True, group="board")
    async def check(self) -> None:
        board = self.board
        assert board is not None  # made on mount, before the first check (on resume)
        self.generation += 1
        self.query_one("#next", Static).update(Text("checking…", style="dim"))
        results = await self.fetch(
            self.services.propagation.check(
                probe_name(self.domain), self.expected, cdn_domain=self.domain
            ),
            "Could not check propagation",
        )
        if results is None:
            delay = max(board.backoff, board.base_delay)
            self.query_one("#next", Static).update(
                Text(f"check failed; trying again in {delay:.1f} s · r checks now", style="red")
            )
            if self.active:
                self.set_timer(delay, partial(self._due, self.generation))
            return
        self.board = board = board.advance(results)
        self.show()
        if board.cdn_waiting and self._wait_for_cdn(board):
            return
        if board.propagated:
            self.query_one("#next", Static).update(
                Text(
                    "Propagated: every server asked answers the CDN CNAME. Checks stopped; "
                    "r checks again. Next: f Fetch through CDN, to see your files served.",
                    style="green",
                )
            )
            return
        if self.active:
            delay = board.next_delay
            self.query_one("#next", Static).update(
                Text(f"next check in {delay:.1f} s · r checks now", style="dim")
            )
            self.set_timer(delay, partial(self._due, self.generation))

    def _wait_for_cdn(self, board) -> bool:
        """DNS is propagated, CDN does not see it yet: ask again, backing off, for up to
        CDN_WAIT seconds of cloud time, with the countdown and CDN's last answer. False
        once that time is up (the board then stops as propagated, saying so)."""
        per_second = real_seconds(self.profile, 1.0)
        now = time.monotonic()
        if self.cdn_wait_since is None:
            self.cdn_wait_since = now
        left = CDN_WAIT - (now - self.cdn_wait_since) / per_second
        cdn = board.cdn
        said = shown(cdn.detail or cdn.verdict.value) if cdn is not None else ""
        if left <= 0:
            self.query_one("#next", Static).update(
                Text(
                    "DNS is propagated, but CDN still does not see the CNAME after ten "
                    f"minutes (its last answer: {said}). Check the record; r checks again.",
                    style="red",
                )
            )
            return True
        delay = min(board.next_delay, poll_interval(self.profile, CDN_RECHECK), left * per_second)
        self.query_one("#next", Static).update(
            Text(
                f"DNS is propagated; CDN's own check says: {said}. CDN looks through "
                "its own resolvers, which lag minutes behind DNS. Asking again in "
                f"{delay / per_second:.0f} s; giving up in {clock(left)} · r checks now",
                style="yellow",
            )
        )
        if self.active:
            self.set_timer(delay, partial(self._due, self.generation))
        return True

    def _due(self, generation: int) -> None:
        if generation == self.generation and self.active:
            self.check()

    def show(self) -> None:
        board = self.board
        assert board is not None  # shown once a check has advanced it
        table = self.query_one(DataTable)
        # Rows are keyed by position: names may repeat in a user's resolvers.json.
        servers = [(r.resolver, r.address) for r in board.results]
        if servers != self.servers:
            self.servers = servers
            table.clear()
            for n, result in enumerate(board.results):
                table.add_row(*row_cells(result, board.ttl_scale), key=str(n))
        else:
            for n, result in enumerate(board.results):
                for column, cell in zip(COLUMNS, row_cells(result, board.ttl_scale), strict=True):
                    table.update_cell(str(n), column, cell)
        style = "bold green" if board.propagated else "bold yellow"
        verdict = "PROPAGATED" if board.propagated else "NOT YET"
        summary = board.summary.removeprefix("propagated · ")  # the verdict says it
        self.query_one("#summary", Static).update(
            Text.assemble((verdict, style), f"  {summary}  ·  round {board.rounds}")
        )

    def action_fetch(self) -> None:
        from screens.delivery import DeliveryScreen  # the next step: are the files served?

        self.app.push_screen(DeliveryScreen(self.domain))
