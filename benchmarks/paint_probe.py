"""When a change reaches the screen: Textual's compositor renders an update and hands it to
App._display (headless too: only the write to the terminal is skipped). The probe wraps
`_display` on one app and resolves a future at the first paint after which a condition
holds: "key -> painted" is from the key's post to that paint."""

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
        self._waiting: list[tuple[Callable[[], bool], asyncio.Future]] = []
        self.paints = 0
        app._display = self._display  # this instance only

    def _display(self, screen, renderable) -> None:
        self._original(screen, renderable)
        if renderable is None:
            return
        self.paints += 1
        now = time.perf_counter()
        for entry in list(self._waiting):
            holds, future = entry
            if future.done():
                self._waiting.remove(entry)
            elif holds():
                future.set_result(now)
                self._waiting.remove(entry)

    def watch(self, holds: Callable[[], bool]) -> asyncio.Future:
        """A future of the perf_counter() of the first paint after which `holds()`."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((holds, future))
        return future

    def post_key(self, char: str) -> float:
        """Post a key as the terminal's driver does; when it was sent."""
        key = _character_to_key(char) if len(char) == 1 else char
        event = events.Key(key, char if len(char) == 1 else None)
        event.set_sender(self.app)
        sent = time.perf_counter()
        self.app.post_message(event)
        return sent

    async def key_to_paint(self, char: str, holds: Callable[[], bool], timeout=10.0) -> float:
        """Post `char` and return the seconds until the first paint after which `holds()`."""
        future = self.watch(holds)
        sent = self.post_key(char)
        painted = await asyncio.wait_for(future, timeout)
        return painted - sent
