"""What the DNS zones, records and record form look like, at 80x24 and 120x40.

Same reproducible world as tests/test_snapshots.py: a fixed epoch, real speed.
"""

import pytest
from textual.widgets import Input

from screens.record_form import RecordForm
from tests.pilot import (
    SNAPSHOT_SIZES,
    open_records,
    open_zones,
    snapshot_app,
    steady_cursors,
    type_text,
    wait_for,
)


async def settle(pilot) -> None:
    await steady_cursors(pilot)
    await pilot.pause(0.1)
    await pilot.wait_for_scheduled_animations()


@pytest.mark.parametrize("size", SNAPSHOT_SIZES)
def test_dns_zones(snap_compare, size):
    async def run_before(pilot):
        await open_zones(pilot)
        await settle(pilot)

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SNAPSHOT_SIZES)
def test_dns_records(snap_compare, size):
    async def run_before(pilot):
        await open_records(pilot)
        await settle(pilot)

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SNAPSHOT_SIZES)
def test_record_form_with_a_conflict(snap_compare, size):
    """A CNAME typed at www, where an A record stands: refused before sending."""

    async def run_before(pilot):
        await open_records(pilot)
        await pilot.press("a")
        form = await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, RecordForm) and pilot.app.screen
        )
        await type_text(pilot, "www")
        form.query_one("#type").value = "CNAME"
        form.query_one("#value", Input).value = "www.example.com.w.kunlunsl.com"
        form.query_one("#ttl", Input).value = "60"
        form.query_one("#value").focus()
        await settle(pilot)

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=run_before)
