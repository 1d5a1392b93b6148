"""The propagation board: who sees the CDN CNAME yet, re-checked until everyone does."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Static

from screens.base import AppScreen
from screens.verify import clock
from tui.rules import display_name, is_ip_address, is_wildcard
from tui.safe_text import shown
from tui.services.cname_setup import probe_name
from tui.services.profile import poll_interval, real_seconds
from tui.widgets.header import AppHeader

if TYPE_CHECKING:
    from tui.services.verdicts import PropagationBoard, ResolverResult

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


@dataclass(frozen=True)
class Column:
    key: str
    width: int  # cells of content; the table pads each side by one


# Sized once, from what can appear, before the first answer: the rows never re-lay the
# table out. What fits in 80 columns matters most: who, the verdict, when it may change,
# the CNAME answered; Latency and Address follow, shown when the terminal is wider.
RESOLVER = Column("Resolver", 16)  # "Authoritative 2", "dns9.hichina.com", group names
VERDICT = Column("Verdict", 10)  # "∅ nxdomain", "✗ mismatch", "! servfail"
DUE = Column("Change due", 10)  # "in ~600 s", "in ~0.6 s"
LATENCY = Column("Latency", 7)  # "1234 ms"
ADDRESS = Column("Address", 19)  # "127.0.0.1:53535", "DescribeDomainCname"
ANSWER_MIN = 30  # "CDN does not see the CNAME yet"; the expected CNAME when longer
FIRST, LATER = (RESOLVER, VERDICT, DUE), (LATENCY, ADDRESS)
COLUMNS = ("Resolver", "Verdict", "Change due", "Answer", "Latency", "Address")
PAD = 2  # a DataTable cell's padding, one each side
GUTTER = 2  # the vertical scrollbar's room, when there is one
TICK = 0.5  # seconds between the countdown's updates

# Rows are grouped by where their server sees from, in this order: whether users in
# mainland China see the change is decided by the resolvers there. The public resolvers'
# groups get a heading row with their tally; the others' rows name themselves
# ("Authoritative", "System", "CDN").
GROUPS = {
    "authoritative": "",
    "mainland": "Mainland China",
    "global": "Outside mainland",
    "resolver": "Other resolvers",  # a resolvers.json entry without a region
    "system": "",
    "cdn": "",
}
GROUP_ORDER = tuple(GROUPS)


def group_of(result: ResolverResult) -> str:
    if result.kind == "resolver" and result.region in ("mainland", "global"):
        return result.region
    return result.kind if result.kind in GROUPS else "resolver"


def column_widths(screen_width: int, expected: str) -> tuple[int, bool]:
    """(the Answer column's width, whether Latency and Address are off to the right).

    The Answer gets room for the expected CNAME at least; when everything fits it takes
    the rest; when only the first columns do, it reaches the edge, so the columns past
    it start off-screen (not cut in half) and the header says they are there."""
    answer = max(ANSWER_MIN, len(expected))
    first = sum(c.width + PAD for c in FIRST)
    later = sum(c.width + PAD for c in LATER)
    if first + answer + PAD + later <= screen_width - GUTTER:
        return screen_width - GUTTER - first - later - PAD, False
    # Up to the screen's edge (a vertical scrollbar, when there is one, covers the
    # Answer's last cells, past the CNAME's end, rather than a column's first ones).
    return max(answer, screen_width - first - PAD), True


def next_check_text(left: float) -> Text:
    """The countdown to the next round, `left` real seconds away."""
    return Text(f"next check in {left:.1f} s · r checks now", style="dim")


def verdict_text(verdict: str) -> Text:
    symbol, style = VERDICTS.get(verdict, ("?", ""))
    return Text(f"{symbol} {verdict}", style=style)


def answer_text(result: ResolverResult) -> str:
    """The names the server answered (the CNAME chain: what the verdict judges); the
    final addresses follow, or stand alone when there is no CNAME."""
    names = [a for a in result.answer if not is_ip_address(a)]
    addresses = [a for a in result.answer if is_ip_address(a)]
    shown_ = " → ".join(names + addresses) if names else ", ".join(addresses)
    return shown_ or result.detail or "—"


def row_cells(result: ResolverResult, board: PropagationBoard | None = None) -> list[Text]:
    """One board row; TTLs in real seconds by the board's clock (`PropagationBoard.real_ttl`)."""
    from tui.services.verdicts import seconds_text

    ttl = board.real_ttl(result) if board is not None else result.ttl
    due = f"in ~{seconds_text(ttl)}" if result.hint and ttl is not None else ""
    latency = f"{result.latency_ms:.0f} ms" if result.latency_ms is not None else "—"
    # Resolver names come from the user's resolvers.json, answers and errors from DNS.
    return [
        Text(shown(result.resolver)),
        verdict_text(str(result.verdict)),
        Text(due),
        Text(shown(answer_text(result))),
        Text(latency, justify="right"),
        Text(shown(result.address)),
    ]


def group_cells(group: str, results: list[ResolverResult]) -> list[Text]:
    """A group's heading row: its name, and how many of its servers see the CNAME."""
    matching = sum(r.matches for r in results)
    style = "green" if matching == len(results) else "yellow"
    tally = Text(f"{matching}/{len(results)} match", style=style)
    return [Text(GROUPS[group], style="bold"), tally, Text(""), Text(""), Text(""), Text("")]


class PropagationScreen(AppScreen):
    """Is the CNAME live? Each row is one DNS server asked at the same moment: the zone's
    authoritative servers, public resolvers in and outside mainland China, and CDN's own
    view. The public resolvers are grouped under "Mainland China" and "Outside mainland",
    each with how many of them see the CNAME: users in China get the change once the
    mainland group does. Rows are judged by the CNAME target, not the final addresses
    (they differ by location). A stale or negative answer shows how long it may stay
    cached ("Change due", in real seconds). Latency is each server's own answer time.

    At 80 columns Latency and Address are to the right of the Answer (scroll right, or
    widen the terminal). The board re-checks on its own, counting down to the next
    check and backing off, pauses while hidden, and stops once propagated."""

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
        self.columns_hidden = False  # Latency and Address are off to the right
        self.sized_for = 0  # the terminal width the columns were sized for
        # The countdown to the next check: when it is due (monotonic) and its words.
        self.due_at: float | None = None
        self.due_text: Callable[[float], Text] | None = None
        self.ticker: Timer | None = None

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
        self._add_columns(table, self.app.size.width)
        yield table
        yield Static("", id="next")
        yield Footer()

    def _add_columns(self, table: DataTable, screen_width: int) -> None:
        answer, hidden = column_widths(screen_width, self.expected)
        self.columns_hidden = hidden
        self.sized_for = screen_width
        label = "Answer  (Latency, Address →)" if hidden else "Answer"
        for column in FIRST:
            table.add_column(column.key, key=column.key, width=column.width)
        table.add_column(label, key="Answer", width=answer)
        for column in LATER:
            table.add_column(column.key, key=column.key, width=column.width)

    def on_resize(self, event: Resize) -> None:
        """A new terminal width sizes the columns again (rounds never do)."""
        if event.size.width == self.sized_for:
            return
        table = self.query_one(DataTable)
        table.clear(columns=True)
        self._add_columns(table, event.size.width)
        self.servers = []  # the rows are added again
        if self.board is not None and self.board.rounds:
            self.show()

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
        # The countdown ticks in place: one line's text, never a layout.
        self.ticker = self.set_interval(TICK, self._tick, pause=True)

    def on_screen_resume(self) -> None:
        self.active = True
        self.cdn_wait_since = None  # back here: CDN gets its ten minutes again
        self.check()

    def on_screen_suspend(self) -> None:
        self.active = False
        self.generation += 1  # pending re-checks lapse while hidden
        self._stop_countdown()

    def _count_down(self, delay: float, text: Callable[[float], Text]) -> None:
        """Show `text(seconds left)` now and every TICK until the next check."""
        self.due_at = time.monotonic() + delay
        self.due_text = text
        self.query_one("#next", Static).update(text(delay))
        if self.ticker is not None:
            self.ticker.reset()
            self.ticker.resume()

    def _stop_countdown(self) -> None:
        self.due_at = self.due_text = None
        if self.ticker is not None:
            self.ticker.pause()

    def _tick(self) -> None:
        if self.due_at is None or self.due_text is None:
            return
        left = max(0.0, self.due_at - time.monotonic())
        # The same line's words: no layout, only the line is drawn again.
        self.query_one("#next", Static).update(self.due_text(left), layout=False)

    def action_check_now(self) -> None:
        self.cdn_wait_since = None
        self.check()

    @work(exclusive=True, group="board")
    async def check(self) -> None:
        board = self.board
        assert board is not None  # made on mount, before the first check (on resume)
        self.generation += 1
        self._stop_countdown()
        self.query_one("#next", Static).update(Text("checking…", style="dim"))
        results = await self.fetch(
            self.services.propagation.check(
                probe_name(self.domain), self.expected, cdn_domain=self.domain
            ),
            "Could not check propagation",
        )
        if results is None:
            delay = max(board.backoff, board.base_delay)

            def failed_text(left: float) -> Text:
                return Text(
                    f"check failed; trying again in {left:.1f} s · r checks now", style="red"
                )

            if self.active:
                self._count_down(delay, failed_text)
                self.set_timer(delay, partial(self._due, self.generation))
            else:
                self.query_one("#next", Static).update(failed_text(delay))
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
            self._count_down(delay, next_check_text)
            self.set_timer(delay, partial(self._due, self.generation))

    def _wait_for_cdn(self, board: PropagationBoard) -> bool:
        """DNS is propagated, CDN does not see it yet: ask again, backing off, for up to
        CDN_WAIT seconds of cloud time, with the countdown and CDN's last answer. False
        once that time is up (the board then stops as propagated, saying so)."""
        from tui.services.verdicts import seconds_text

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
        # Real seconds, as every clock on the board: a sandbox's ten minutes pass sooner.
        given_up_at = left * per_second - delay  # from the next check on

        def wait_text(due: float) -> Text:
            return Text(
                f"DNS is propagated; CDN's own check says: {said}. CDN looks through "
                "its own resolvers, which lag minutes behind DNS. Asking again in "
                f"{seconds_text(due)}; giving up in {clock(due + given_up_at)} · r checks now",
                style="yellow",
            )

        if self.active:
            self._count_down(delay, wait_text)
            self.set_timer(delay, partial(self._due, self.generation))
        else:
            self.query_one("#next", Static).update(wait_text(delay))
        return True

    def _due(self, generation: int) -> None:
        if generation == self.generation and self.active:
            self.check()

    def show(self) -> None:
        board = self.board
        assert board is not None  # shown once a check has advanced it
        table = self.query_one(DataTable)
        groups: dict[str, list[tuple[int, ResolverResult]]] = {}
        for n, result in enumerate(board.results):
            groups.setdefault(group_of(result), []).append((n, result))
        order = [g for g in GROUP_ORDER if g in groups]
        # Rows are keyed by position: names may repeat in a user's resolvers.json.
        servers = [(r.resolver, r.address) for r in board.results]
        if servers != self.servers:
            self.servers = servers
            table.clear()
            for group in order:
                rows = groups[group]
                if GROUPS[group]:
                    cells = group_cells(group, [r for _, r in rows])
                    table.add_row(*cells, key=f"group:{group}")
                for n, result in rows:
                    table.add_row(*row_cells(result, board), key=str(n))
        else:
            for group in order:
                rows = groups[group]
                if GROUPS[group]:
                    cells = group_cells(group, [r for _, r in rows])
                    for column, cell in zip(COLUMNS, cells, strict=True):
                        table.update_cell(f"group:{group}", column, cell)
                for n, result in rows:
                    for column, cell in zip(COLUMNS, row_cells(result, board), strict=True):
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
