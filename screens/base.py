"""What every screen of the app shares."""

from __future__ import annotations

from textual.screen import Screen


class AppScreen(Screen):
    """A screen that can leave itself safely from a worker.

    `dismiss` pops whatever screen is on top; a worker finishing while Help or a dialog
    covers this screen must not close that one instead. `leave` waits until this screen
    is shown again.
    """

    _leaving: tuple | None = None

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
