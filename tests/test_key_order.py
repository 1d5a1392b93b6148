"""Keys typed faster than the app moves focus land where the user meant them (Pilot).

The keys are put in the app's queue all at once, as a terminal delivers a burst: none is
handled before the last is in. Pilot's `press` would let the app settle between keys and
hide the race.
"""

from __future__ import annotations

import time

from screens.dns_records import RecordsScreen
from screens.domains import DomainsScreen
from tests.pilot import connected, keys_at_once, open_records, sandbox_app, type_text, wait_for
from tui.widgets.confirm import TypedConfirm
from tui.widgets.paged_table import FilterInput, PagedTable

BURSTS = 50
# Every key the two lists bind to an action is in these (a s d r o z O / a e d t r space).
DOMAIN_TEXTS = ("video", "static", "a.zone", "drop", "Orsa")
RECORD_TEXTS = ("date", "trade", "tree", "a.e d", "txt")
WRITES = {
    "AddCdnDomain",
    "StartCdnDomain",
    "StopCdnDomain",
    "DeleteCdnDomain",
    "AddDomainRecord",
    "UpdateDomainRecord",
    "DeleteDomainRecord",
    "SetDomainRecordStatus",
}


def writes(app) -> list[str]:
    return [a for a in app.sandbox.calls.actions() if a in WRITES]


async def settled(pilot, condition, what: str, timeout: float = 10.0) -> None:
    """Wait for `condition`; on time-out say what the app shows instead."""
    app = pilot.app
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            focused = app.focused
            raise AssertionError(
                f"{what}: screens {[type(s).__name__ for s in app.screen_stack]}, "
                f"focus {focused!r}, filter {getattr(focused, 'value', None)!r}, "
                f"writes {writes(app)}"
            )
        await pilot.pause(0.01)


async def filter_bursts(pilot, screen, texts) -> None:
    """`/` + text at once, BURSTS times, starting from the table each time: the filter
    gets every letter, and no key runs a binding of the list."""
    app = pilot.app
    table = screen.query_one(PagedTable)
    box = screen.query_one(FilterInput)
    stack = list(app.screen_stack)
    notes = {note.identity for note in app._notifications}
    for burst in range(BURSTS):
        text = texts[burst % len(texts)]
        await settled(pilot, lambda: table.has_focus, f"burst {burst}: back at the table")
        keys_at_once(app, "/", *text)
        await settled(
            pilot, lambda: box.value == text and box.has_focus, f"burst {burst}: filter {text!r}"
        )
        assert app.screen_stack == stack, f"burst {burst}: a screen opened"
        assert writes(app) == [], f"burst {burst}: a write was sent"
        assert table.filter_text == text
        await pilot.press("enter")  # back to the table; the filter stays set
    # No "Sorted by", no "cannot stop" (by identity: older notifications may expire).
    assert [n.message for n in app._notifications if n.identity not in notes] == []


async def test_slash_and_text_at_once_go_to_the_domain_filter_every_time():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        screen = app.screen
        assert isinstance(screen, DomainsScreen)
        # A filter already set, the table focused again.
        await pilot.press("slash")
        await type_text(pilot, "example")
        await pilot.press("enter")
        await filter_bursts(pilot, screen, DOMAIN_TEXTS)
        assert (screen.sort_key, screen.sort_reverse) == ("name", False)


async def test_slash_and_text_at_once_go_to_the_records_filter_every_time():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_records(pilot)
        assert isinstance(screen, RecordsScreen)
        await pilot.press("slash")
        await type_text(pilot, "a")
        await pilot.press("enter")
        enabled = {r.record_id: r.enabled for r in screen.records.values()}
        await filter_bursts(pilot, screen, RECORD_TEXTS)
        assert {r.record_id: r.enabled for r in screen.records.values()} == enabled


async def test_keys_after_the_key_that_opens_a_dialog_go_to_the_dialog():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        screen = app.screen
        table = screen.query_one(PagedTable)
        name = "static.example.com"  # online: an `s` reaching the list would stop it
        table.move_cursor(row=table.get_row_index(name))
        await wait_for(pilot, lambda: screen.current_domain().name == name, what="cursor")
        stack = list(app.screen_stack)
        for attempt in range(10):
            await settled(
                pilot,
                lambda: app.screen is screen and table.has_focus,
                f"attempt {attempt}: back at the list",
            )
            keys_at_once(app, "d", *name)
            await settled(
                pilot,
                lambda: (
                    isinstance(app.screen, TypedConfirm)
                    and app.focused is not None
                    and getattr(app.focused, "value", None) == name
                ),
                f"attempt {attempt}: the name typed in the dialog",
            )
            assert app.screen_stack[:-1] == stack
            assert writes(app) == []
            assert (screen.sort_key, screen.sort_reverse) == ("name", False)
            await pilot.press("escape")
