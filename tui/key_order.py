"""Keys in the order typed, each going where focus is once the key before it is done.

Textual (8.x, App.on_event) hands each key from the terminal to the focused widget the
moment the app takes it from its queue, then takes the next one. A key runs a screen's
binding only after it has bubbled up to the app, several queue hops later; `focus()` and
a new screen's AUTO_FOCUS are deferred as well. So in `/video` typed quickly, `v i d e o`
were all handed to the table before `/` had focused the filter, and `d` opened the delete
dialog behind it. The same for any key that opens a screen or a dialog.

KeyGate lets a key from the terminal through only when the key before it has settled:
no message queue of the app or of any screen's widgets holds or is handling anything,
no callback is pending and every widget is mounted, and focus and screen stayed the same
across two looks. A key arriving before that waits, in order, and then goes through
Textual's normal path (priority bindings first) to whatever has focus by then: the new
dialog's field, never the screen behind. A key after a pause is never held, and none is
held longer than SETTLE_CAP: a screen kept busy (a worker streaming updates) can slow
keys down, never swallow them.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from time import monotonic

from textual import events
from textual.screen import Screen

# The longest a key waits for the one before it to settle; after it the key goes anyway.
SETTLE_CAP = 0.5
# Looks taken between bare yields to the loop (one pass of every message pump each)
# before the watcher starts sleeping between looks; a key usually settles in a few.
QUICK_LOOKS = 20
SLOW_LOOK = 0.002


def _busy_pumps(app, handling: int) -> bool:
    """Whether anything that could still act on the last key is queued or running:
    messages in the app's or a widget's queue (or one being handled: `_unfinished_tasks`
    counts a message until its handler returns), callbacks waiting for the end of a
    message (`call_next`) or for the next repaint (`call_after_refresh`), or a widget not
    yet mounted (a screen being composed has an empty queue). `handling` is how many
    messages the app itself may be handling: 1 when asked from inside its own handler."""
    nodes = [app]
    for screen in app.screen_stack:
        nodes.extend(screen.walk_children(with_self=True))
    for node in nodes:
        if node._closing or node._closed:
            continue
        queue = node._message_queue
        if not node._is_mounted or node._next_callbacks or not queue.empty():
            return True
        if getattr(queue, "_unfinished_tasks", 0) > (handling if node is app else 0):
            return True
        if isinstance(node, Screen) and getattr(node, "_callbacks", None):
            return True
    return False


class KeyGate:
    """Holds keys (and pastes) from the terminal until the key before them has settled.
    The app asks `holds(event)` for every event it takes from its queue."""

    def __init__(self, app) -> None:
        self.app = app
        self._held: deque[events.Event] = deque()
        self._released: events.Event | None = None  # posted back to the app, not yet seen
        self._released_at = 0.0
        self._last: float | None = None  # when the last key was handed on
        self._watcher: asyncio.Task | None = None

    @property
    def idle(self) -> bool:
        """No key held or on its way back: every key typed has been handed on."""
        return not self._held and self._released is None

    def holds(self, event: events.Event) -> bool:
        """True if the gate keeps `event` for later: the app must do nothing with it now.
        Anything but a key or paste from the terminal passes."""
        if not isinstance(event, (events.Key, events.Paste)) or event.is_forwarded:
            return False
        if event is self._released:
            self._released = None
            self._handed_on()
            return False
        if self._released is not None and monotonic() - self._released_at > 2 * SETTLE_CAP:
            self._released = None  # never came back (the app dropped it): do not wait on it
        if self._held or self._released is not None or not self._previous_settled():
            self._held.append(event)
            self._watch()
            return True
        self._handed_on()
        return False

    def take_back(self, mine: Callable[[events.Event], bool]) -> list[events.Event]:
        """Remove the keys `mine` picks that the gate has not handed on yet and return
        them in order (the tour's own, on a pause or its end). One already posted back to
        the app comes first; the app must drop it when it arrives (it is no longer
        awaited here)."""
        taken: list[events.Event] = []
        if self._released is not None and mine(self._released):
            taken.append(self._released)
            self._released = None
        kept: deque[events.Event] = deque()
        for event in self._held:
            (taken if mine(event) else kept).append(event)
        self._held = kept
        if self._held and self._released is None:
            self._watch()
        return taken

    def _previous_settled(self) -> bool:
        if self._last is None or monotonic() - self._last >= SETTLE_CAP:
            return True
        return not _busy_pumps(self.app, handling=1)

    def _handed_on(self) -> None:
        self._last = monotonic()
        if self._held:
            self._watch()

    def _watch(self) -> None:
        if self._watcher is None and self._released is None:
            self._watcher = asyncio.create_task(
                self._release_when_settled(), name="oss-cdn key gate"
            )

    def _look(self):
        """(screen, focused) when nothing is busy, else None."""
        app = self.app
        if not app.screen_stack or _busy_pumps(app, handling=0):
            return None
        return app.screen, app.focused

    async def _release_when_settled(self) -> None:
        try:
            before = None
            looks = 0
            while self._held:
                await asyncio.sleep(0 if looks < QUICK_LOOKS else SLOW_LOOK)
                looks += 1
                app = self.app
                if app._closing or not app.is_running:
                    self._held.clear()
                    return
                now = self._look()
                if (now is not None and now == before) or (
                    monotonic() - (self._last or 0.0) >= SETTLE_CAP
                ):
                    self._release()
                    return
                before = now
        finally:
            self._watcher = None

    def _release(self) -> None:
        """Send the first held key back through the app's queue: the app then hands it on
        by Textual's own path, to the focused widget of the moment."""
        event = self._held.popleft()
        self._released, self._released_at = event, monotonic()
        if not self.app.post_message(event):
            self._released = None  # the app is closing
            self._held.clear()
