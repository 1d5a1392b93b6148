"""What the propagation board looks like at 80x24 after its first round.

Same reproducible world as tests/test_snapshots.py (a fixed epoch, real speed). What
still depends on the machine is frozen in the scene: the rows' latencies, the TTLs left
(they run down while a loaded machine starts up) and the countdown to the next check.
"""

from dataclasses import replace

from screens.propagation import PropagationScreen, next_check_text
from tests.pilot import connected, snapshot_app, steady_cursors, wait_for
from tui.sandbox.dns_answers import SOA_MINIMUM
from tui.sandbox.dns_server import PUBLIC_RESOLVERS

NAME = "static.example.com"  # in CDN, no DNS record yet


def frozen(result, n: int):
    """`result` with what the machine decides replaced: its latency, its TTL left (each
    resolver's cap on negative answers, the authoritative server's SOA minimum)."""
    caps = {r.name: r.max_negative_ttl for r in PUBLIC_RESOLVERS}
    ttl = None if result.ttl is None else caps.get(result.resolver, SOA_MINIMUM)
    return replace(result, latency_ms=None if result.latency_ms is None else 3.0 + n, ttl=ttl)


async def frozen_board(pilot, name: str) -> None:
    """The board of `name` after its first round, what the machine decides frozen: the
    clock stopped (pending checks lapse, as when the board is hidden; the countdown stands
    at the board's first wait)."""
    app = pilot.app
    await connected(pilot)
    board = PropagationScreen(name, app.sandbox.world.domains[name].cname)
    app.push_screen(board)
    await wait_for(pilot, lambda: board.board is not None and board.board.rounds >= 1)
    board.active = False
    board.generation += 1
    board._stop_countdown()
    state = board.board
    board.board = replace(state, results=tuple(frozen(r, n) for n, r in enumerate(state.results)))
    board.show()
    board.query_one("#next").update(next_check_text(state.base_delay))
    await steady_cursors(pilot)
    await pilot.pause(0.1)
    await pilot.wait_for_scheduled_animations()


def test_board_after_its_first_round(snap_compare):
    async def run_before(pilot):
        await frozen_board(pilot, NAME)

    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=run_before)


def test_board_of_a_name_seen_everywhere(snap_compare):
    """img.example.com: its CNAME record in DNS from the start, so every resolver and CDN
    see it (the board's happy ending; README's picture)."""

    async def run_before(pilot):
        await frozen_board(pilot, "img.example.com")

    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=run_before)
