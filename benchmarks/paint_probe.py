"""When a change reaches the screen: Textual's compositor renders an update and hands it to
App._display (headless too: only the write to the terminal is skipped). The probe wraps
`_display` on one app and resolves a waiting future at the first paint after which a
condition holds: "key -> painted" is then from the key's post to that paint."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual import events
from textual.keys import _character_to_key


class PaintProbe:
    def __init__(self, app) -> None:
        self.app = app
        self._original = app._display
        self._waiting: tuple[Callable[[], bool], asyncio.Future] | None = None
        app._display = self._display  # this instance only

    def _display(self, screen, renderable) -> None:
        self._original(screen, renderable)
        if renderable is None or self._waiting is None:
            return
        holds, future = self._waiting
        if not future.done() and holds():
            future.set_result(time.perf_counter())
            self._waiting = None

    async def key_to_paint(self, char: str, holds: Callable[[], bool], timeout=10.0) -> float:
        """Post `char` as the terminal would and return the seconds until the first paint
        after which `holds()`."""
        future = asyncio.get_running_loop().create_future()
        self._waiting = (holds, future)
        event = events.Key(_character_to_key(char), char)
        event.set_sender(self.app)
        sent = time.perf_counter()
        self.app.post_message(event)
        painted = await asyncio.wait_for(future, timeout)
        return painted - sent
