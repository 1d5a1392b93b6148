"""What the delivery check looks like at 80x24 when a file is served through the CDN.

Same reproducible world as tests/test_snapshots.py (a fixed epoch, real speed). What
still depends on the machine is frozen in the scene: how long the fetch took and the
sandbox edge's port (a free one, picked at start).
"""

from dataclasses import replace

from textual.widgets import DataTable

from screens.delivery import DeliveryScreen
from tests.pilot import connected, snapshot_app, steady_cursors, wait_for

NAME = "img.example.com"  # online, its CNAME record in DNS, a public bucket behind it
KEY = "index.html"
EDGE = "127.0.0.1:40080"  # stands for the sandbox edge's port of the day


def test_a_file_served_through_the_cdn(snap_compare):
    async def run_before(pilot):
        app = pilot.app
        await connected(pilot)
        screen = DeliveryScreen(NAME)
        app.push_screen(screen)
        await wait_for(pilot, lambda: app.screen is screen and screen.objects, timeout=30)
        table = screen.query_one(DataTable)
        # The table measures its new rows when idle; a key pressed before that can leave
        # the header drawn at its labels' widths (a loaded machine's race, Textual 8).
        await wait_for(pilot, lambda: not table._require_update_dimensions, what="measured")
        for _ in screen.objects:
            if screen.objects[table.cursor_row].key == KEY:
                break
            await pilot.press("down")
        assert screen.objects[table.cursor_row].key == KEY, f"{KEY} not in the bucket"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.results, timeout=30, what="the fetch")
        result = replace(screen.results[-1], elapsed_ms=12.0, edge=EDGE)
        screen.results[-1] = result
        screen.show(result)
        await steady_cursors(pilot)
        await pilot.pause(0.1)
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=run_before)
