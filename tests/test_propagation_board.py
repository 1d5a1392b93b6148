"""The propagation board at 80x24: columns sized once, what matters in view, rows grouped
by region, each server's own latency, and a countdown to the next check. Against the
sandbox's real DNS servers on loopback."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import DataTable

from screens.propagation import (
    ANSWER_MIN,
    FIRST,
    GROUPS,
    PAD,
    PropagationScreen,
    answer_text,
    column_widths,
)
from tests.pilot import connected, sandbox_app, text_of, wait_for
from tui.sandbox.world import cname_for
from tui.services.verdicts import RESOLVER, ResolverResult, Verdict

NAME = "static.example.com"  # in CDN, no DNS record yet: every row is a negative answer
LIVE = "img.example.com"  # its record is long in place: every row matches


async def open_board(pilot, name: str) -> PropagationScreen:
    board = PropagationScreen(name, cname_for(name))
    pilot.app.push_screen(board)
    await wait_for(pilot, lambda: board.board is not None, what="the board")
    return board


def widths(board: PropagationScreen) -> list[int]:
    table = board.query_one(DataTable)
    return [column.get_render_width(table) for column in table.columns.values()]


def labels(board: PropagationScreen) -> list[str]:
    return [column.label.plain for column in board.query_one(DataTable).columns.values()]


def rows(board: PropagationScreen) -> list[list[str]]:
    table = board.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(y)] for y in range(table.row_count)]


async def test_columns_are_sized_before_the_first_answer_and_never_move():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        board = await open_board(pilot, NAME)
        before = widths(board)
        await wait_for(pilot, lambda: board.board.rounds >= 1, what="round 1")
        await pilot.pause()
        first = widths(board)
        await wait_for(pilot, lambda: board.board.rounds >= 2, timeout=30, what="round 2")
        await pilot.pause()
        assert before == first == widths(board)
        # The first columns and the whole Answer (the CNAME answered) fit in 80 columns;
        # Latency and Address start past the edge, and the header says they are there.
        assert sum(before[:4]) == 80
        answer = labels(board)[3]
        assert "Latency, Address →" in answer
        assert before[3] - PAD >= len(cname_for(NAME))
        # Every verdict word is whole in its column ("∅ nxdom" was cut before).
        cells = rows(board)
        assert all(len(row[1]) <= FIRST[1].width for row in cells)
        assert any(row[1] == "∅ nxdomain" for row in cells)


async def test_wider_terminals_show_every_column():
    app = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await connected(pilot)
        board = await open_board(pilot, NAME)
        await wait_for(pilot, lambda: board.board.rounds >= 1, what="round 1")
        assert sum(widths(board)) <= 120
        assert labels(board)[3] == "Answer"


@given(
    width=st.integers(min_value=40, max_value=300),
    expected=st.text(alphabet="abcdefghij.", min_size=1, max_size=90),
)
def test_the_answer_holds_the_expected_cname_at_any_width(width, expected):
    answer, hidden = column_widths(width, expected)
    assert answer >= len(expected)
    first = sum(c.width + PAD for c in FIRST)
    if not hidden:  # all columns fit, the Answer takes what is left
        assert first + answer + PAD <= width
    elif first + max(ANSWER_MIN, len(expected)) + PAD <= width:  # the rest: past the edge
        assert first + answer + PAD == width


def test_the_answer_names_the_cname_chain_before_the_addresses():
    row = ResolverResult(
        "AliDNS", "223.5.5.5", RESOLVER, Verdict.MATCH, answer=("a.w.kunlunsl.com", "127.0.0.1")
    )
    assert answer_text(row) == "a.w.kunlunsl.com → 127.0.0.1"
    plain = ResolverResult("X", "1", RESOLVER, Verdict.MISMATCH, answer=("10.0.0.2", "10.0.0.1"))
    assert answer_text(plain) == "10.0.0.2, 10.0.0.1"
    failed = ResolverResult("X", "1", RESOLVER, Verdict.TIMEOUT, detail="no answer in 2 s")
    assert answer_text(failed) == "no answer in 2 s"


async def test_rows_are_grouped_by_region_with_a_tally_each():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        board = await open_board(pilot, LIVE)
        await wait_for(pilot, lambda: board.board.rounds >= 1, what="round 1")
        await pilot.pause()
        region = {r.resolver: r.region for r in board.board.results}
        heading = None
        seen: dict[str, list[str]] = {}
        for row in rows(board):
            if row[0] in GROUPS.values():
                heading = row[0]
                seen[heading] = []
                continue
            if region.get(row[0]):
                seen[heading].append(row[0])
        mainland = [name for name, where in region.items() if where == "mainland"]
        abroad = [name for name, where in region.items() if where == "global"]
        assert seen == {"Mainland China": mainland, "Outside mainland": abroad}
        tallies = {row[0]: row[1] for row in rows(board) if row[0] in GROUPS.values()}
        assert tallies == {
            "Mainland China": f"{len(mainland)}/{len(mainland)} match",
            "Outside mainland": f"{len(abroad)}/{len(abroad)} match",
        }


async def test_a_slow_resolver_shows_the_largest_latency():
    app = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await connected(pilot)
        app.sandbox.dns_faults.add("timeout", "Cloudflare", count=None, delay=0.4)
        board = await open_board(pilot, LIVE)
        await wait_for(pilot, lambda: board.board.rounds >= 1, what="round 1")
        await pilot.pause()
        latency = {
            row[0]: int(row[4].removesuffix(" ms"))
            for row in rows(board)
            if row[4].endswith(" ms") and row[0] != "CDN"  # CDN's row is an API call
        }
        # Its own answer time, not the round's: the slowed server shows at least the delay,
        # and the rows differ (a loaded machine may slow others too, never all of them).
        assert latency["Cloudflare"] >= 400
        assert min(ms for name, ms in latency.items() if name != "Cloudflare") < 400


def seconds_left(board: PropagationScreen) -> float | None:
    found = re.match(r"next check in ([\d.]+) s", text_of(board.query_one("#next")))
    return float(found.group(1)) if found else None


async def test_the_next_check_counts_down():
    # At real speed the board waits its whole two seconds between rounds.
    app = sandbox_app(speed=1.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        board = await open_board(pilot, NAME)
        first = await wait_for(pilot, lambda: seconds_left(board), what="the countdown")
        round_ = board.board.rounds
        await wait_for(
            pilot,
            lambda: (left := seconds_left(board)) is not None and left < first,
            what="the countdown to go down",
        )
        assert board.board.rounds == round_  # the same wait, counted down


async def test_a_wider_terminal_brings_the_other_columns_into_view():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        board = await open_board(pilot, LIVE)
        await wait_for(pilot, lambda: board.board.rounds >= 1, what="round 1")
        await pilot.pause()
        shown_before = len(rows(board))
        assert labels(board)[3] != "Answer"
        await pilot.resize_terminal(120, 40)
        await wait_for(pilot, lambda: labels(board)[3] == "Answer", what="the columns resized")
        assert sum(widths(board)) <= 120
        assert len(rows(board)) == shown_before  # the rows are all there again
