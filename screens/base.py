"""What every screen of the app shares."""

from __future__ import annotations

import asyncio

from textual.screen import Screen


class AppScreen(Screen):
    """A screen that can leave itself safely from a worker.

    `dismiss` pops whatever screen is on top; a worker finishing while Help or a dialog
    covers this screen must not close that one instead. `leave` waits until this screen
    is shown again.
    """

    _leaving: tuple | None = None
    _busy = False
    # Actions refused while a write is in flight: leaving would cancel the write's
    # worker half-way (a plan applied in part, a record neither saved nor not).
    BUSY_BLOCKS: frozenset[str] = frozenset({"dismiss"})

    @property
    def busy(self) -> bool:
        return self._busy

    @busy.setter
    def busy(self, value: bool) -> None:
        self._busy = value
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._busy and action in self.BUSY_BLOCKS:
            return None  # shown dimmed, not run
        return True

    @property
    def gone(self) -> bool:
        """Closing or closed. Textual removes a screen's widgets before it cancels the
        screen's workers: an answer arriving in between must not touch them."""
        return not self.is_attached or self._closing or self._pruning

    async def call(self, awaitable):
        """Await a cloud call for this screen. If the screen closed meanwhile, end the
        worker as cancelled (quietly) rather than touch removed widgets."""
        try:
            return await awaitable
        finally:
            if self.gone:
                raise asyncio.CancelledError

    def leave(self, result=None) -> None:
        if self.is_active:
            self.dismiss(result)
        else:
            self._leaving = (result,)

    def on_screen_resume(self) -> None:
        if self._leaving is not None:
            (result,) = self._leaving
            self._leaving = None
            self.dismiss(result)
