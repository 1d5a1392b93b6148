"""Helpers for Pilot tests: wait for the app to reach a state, without fixed sleeps."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable

from textual import events


async def wait_for(
    pilot, predicate: Callable[[], object], timeout: float = 10.0, what: str = "condition"
):
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
