"""Helpers for Pilot tests, shared by the test modules (which import helpers from here or
tests/helpers.py, never from one another): wait for the app to reach a state without fixed
sleeps, open a screen the way a person does, read what the app said and the sandbox saw."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable

from textual import events
from textual.widgets import Button, DataTable

from screens.add_domain import AddDomainScreen
from screens.cname import DomainScreen
from screens.cname_plan import CnamePlanScreen
from screens.dns_records import RecordsScreen, ZonesScreen
from screens.record_form import RecordForm
from tui.services.models import DnsRecord
from tui.widgets.confirm import Confirm
from tui.widgets.paged_table import PagedTable


async def wait_for(
    pilot, predicate: Callable[[], object], timeout: float = 20.0, what: str = "condition"
):
    # The timeout only matters when the state never comes: generous, for a loaded machine.
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)
        await asyncio.sleep(0)


def text_of(widget, width: int = 200) -> str:
    """What a Static shows, as plain text (its content rendered by Rich)."""
    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return console.export_text()


def sandbox_app(speed: float = 1000.0):
    from tui.app import OssCdnApp
    from tui.launch import LaunchOptions

    return OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=speed))


async def connected(pilot) -> None:
    """Wait until the app has its sandbox and has listed the domains."""
    from textual.widgets import DataTable

    app = pilot.app
    # Generous: on a loaded machine, importing the SDKs and starting the sandbox is slow.
    await wait_for(
        pilot,
        lambda: app.services is not None and app.screen.query_one(DataTable).row_count > 0,
        timeout=30,
        what="the domain list",
    )


async def type_text(pilot, text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


def keys_at_once(app, *keys: str) -> None:
    """Put keys in the app's queue in one go, none handled before the last is in: a burst
    from the terminal (Pilot's `press` lets the app work between keys). A one-character
    key is typed as that character ("/", "a", " "), a longer one is a key name ("enter")."""
    from textual.keys import _character_to_key

    for key in keys:
        event = events.Key(_character_to_key(key), key) if len(key) == 1 else events.Key(key, None)
        event.set_sender(app)
        app.post_message(event)


async def press_at_once(pilot, *keys: str) -> None:
    """Keys sent back to back, none handled before the next is sent (an impatient user,
    or a slow terminal delivering a burst)."""
    for key in keys:
        event = events.Key(key, None)
        event.set_sender(pilot.app)
        pilot.app._driver.send_message(event)
    await pilot.pause()
    gate = getattr(pilot.app, "key_gate", None)  # OssCdnApp hands keys on in turn
    if gate is not None:
        await wait_for(pilot, lambda: gate.idle, what="every key handed on")
        await pilot.pause()


async def answer_yes(pilot) -> None:
    """Say yes to the Confirm on top the way a person does: Cancel has the focus (Enter
    alone says no), so Tab to the confirm button, then Enter."""
    await pilot.press("tab", "enter")


async def steady_cursors(pilot) -> None:
    """Stop the text cursors of the screen blinking, shown: a snapshot taken on a loaded
    machine may otherwise catch a cursor in its hidden half-second."""
    from textual.widgets import Input, TextArea

    for field in pilot.app.screen.query("Input, TextArea"):
        if isinstance(field, (Input, TextArea)):
            field.cursor_blink = False
    await pilot.pause()


# -- screens opened the way a person does, returned once they show what they read --------


async def open_domain(pilot, name: str) -> DomainScreen:
    await connected(pilot)
    table = pilot.app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(name))
    await pilot.press("enter")
    screen = await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, DomainScreen)
            and pilot.app.screen.domain
            and pilot.app.screen
        ),
        what="details",
    )
    return screen


async def open_plan(pilot, name: str) -> CnamePlanScreen:
    await open_domain(pilot, name)
    await pilot.press("n")
    return await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, CnamePlanScreen)
            and pilot.app.screen.setup
            and pilot.app.screen
        ),
        what="the plan",
    )


async def open_add_form(pilot) -> AddDomainScreen:
    await connected(pilot)
    await pilot.press("a")
    screen = await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, AddDomainScreen) and pilot.app.screen,
        what="the add form",
    )
    # The bucket list arrives from OSS; the first bucket is preselected.
    await wait_for(pilot, lambda: screen.origin_host, what="buckets")
    return screen


async def form_ready(pilot, name: str) -> AddDomainScreen:
    """The add form with `name` typed and every check passed (Submit enabled)."""
    screen = await open_add_form(pilot)
    await type_text(pilot, name)
    await wait_for(
        pilot, lambda: not screen.query_one("#submit", Button).disabled, what="submit enabled"
    )
    return screen


async def open_zones(pilot) -> ZonesScreen:
    await connected(pilot)
    await pilot.press("z")
    return await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, ZonesScreen)
            and pilot.app.screen.query_one(DataTable).row_count
            and pilot.app.screen
        ),
        what="the zones",
    )


async def open_records(pilot, zone: str = "example.com", *, whole: bool = True) -> RecordsScreen:
    """The zone's records screen once it lists every record (`whole`), or once it shows
    the first page (a long zone shows its first page while the rest are read)."""
    zones = await open_zones(pilot)
    for _ in range(zones.query_one(DataTable).row_count):
        if zones.query_one(PagedTable).selected.name == zone:
            break
        await pilot.press("down")
    await pilot.press("enter")
    return await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, RecordsScreen)
            and pilot.app.screen.loaded
            and not (whole and pilot.app.screen.is_loading())
            and pilot.app.screen
        ),
        what="the records",
    )


async def select_row(pilot, screen: RecordsScreen, rr: str, type: str) -> DnsRecord:
    table = screen.query_one(DataTable)
    target = next(r for r in screen.records.values() if r.rr == rr and r.type == type)
    table.move_cursor(row=table.get_row_index(target.record_id))
    await pilot.pause()
    assert screen.current() == target
    return target


async def open_form(pilot, key: str = "a") -> RecordForm:
    await pilot.press(key)
    return await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, RecordForm) and pilot.app.screen,
        what="the record form",
    )


def note(form: RecordForm, field: str) -> str:
    return text_of(form.query_one(f"#{field}_note")).strip()


def save_disabled(form: RecordForm) -> bool:
    return form.query_one("#save", Button).disabled


async def confirmation(pilot) -> Confirm:
    return await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, Confirm)
            and pilot.app.screen.is_mounted
            and pilot.app.screen
        ),
        what="the confirmation",
    )


async def press_and_confirm(pilot, key: str) -> Confirm:
    """Press `key`, wait for the question it asks, and say yes to it (Tab, Enter): the
    verification screen's t and u, and every other key that writes after asking."""
    await pilot.press(key)
    dialog = await confirmation(pilot)
    await answer_yes(pilot)
    return dialog


# -- a long account: many domains, and pages held back ------------------------------------

ORIGIN = [
    {
        "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
        "type": "oss",
        "port": 80,
        "priority": "20",
        "weight": "10",
    }
]


def many_domains(world, count: int, status: str = "online") -> None:
    for n in range(count):
        world.add_domain(f"d{n:05d}.example.com", "web", ORIGIN, "domestic", status=status)


def hold_all_but_the_next(faults, action: str):
    """The next call of `action` answers at once; every one after it is held (a minute,
    or until the app hangs up). Returns the fault holding them."""
    faults.add("timeout", action, delay=0)
    return faults.add("timeout", action, count=None, delay=60)


# -- what the app said and what the sandbox was sent ----------------------------------------

WRITES = {"AddDomainRecord", "UpdateDomainRecord", "DeleteDomainRecord", "SetDomainRecordStatus"}


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


def writes(app) -> list[str]:
    return [a for a in app.sandbox.calls.actions() if a in WRITES]


def world_record(app, rr: str, type: str, zone: str = "example.com"):
    found = [r for r in app.sandbox.world.current_records(zone) if r.rr == rr and r.type == type]
    return found[0] if len(found) == 1 else None


# -- snapshots: the sandbox world starts at a fixed epoch and runs at real speed, so dates,
# statuses and verification contents are the same on every run --------------------------

SNAPSHOT_EPOCH = 1767225600.0  # 2026-01-01T00:00:00Z
SNAPSHOT_SIZES = [(80, 24), (120, 40)]


def snapshot_app():
    from tui.app import OssCdnApp
    from tui.launch import LaunchOptions

    return OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=1.0, sandbox_epoch=SNAPSHOT_EPOCH))
