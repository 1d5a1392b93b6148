"""What every screen of the app shares."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING, TypeVar

from textual.screen import Screen

from tui.services.errors import ServiceError
from tui.widgets.export import CommandsDialog

if TYPE_CHECKING:
    from textual import getters

    from tui.app import OssCdnApp
    from tui.services.facade import Services
    from tui.services.profile import Profile

T = TypeVar("T")


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
    # Actions that send a write: in read-only mode they are shown dimmed and, pressed or
    # chosen in the command palette, say what is not sent (OssCdnApp.run_action).
    WRITE_ACTIONS: frozenset[str] = frozenset()

    if TYPE_CHECKING:
        # `self.app` is this project's App, for the type checker only: Textual declares its
        # own `app` the same way, and importing tui.app here would make a cycle.
        app = getters.app(OssCdnApp)

    @property
    def services(self) -> Services:
        """The app's service layer. Only the domain list opens before the app connects
        (it asks `self.app.services`, None until then); every other screen is opened
        from a loaded list, so reaching here unconnected is a bug, said plainly."""
        services = self.app.services
        if services is None:
            raise RuntimeError(f"{type(self).__name__} needs the cloud before the app connected")
        return services

    @property
    def profile(self) -> Profile:
        """The connected Profile (see `services`)."""
        profile = self.app.profile
        if profile is None:
            raise RuntimeError(f"{type(self).__name__} needs the cloud before the app connected")
        return profile

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
        if self.read_only and self.sends_write(action):
            return None
        return True

    def sends_write(self, action: str) -> bool:
        """Would `action` send a write? (A screen may say it depends on its state.)"""
        return action in self.WRITE_ACTIONS

    # -- the write road: read-only mode and the aliyun-cli export ------------------------

    @property
    def read_only(self) -> bool:
        return bool(getattr(self.app, "read_only", False))

    def export_writes(self, action: str | None = None) -> list:
        """The writes (tui.services.writes.Write) this screen would send now: those of
        `action`, or with None every one its keys offer (what `e` shows)."""
        return []

    def export_note(self) -> str:
        """A line above the exported commands (e.g. that they are alternatives)."""
        return ""

    def nothing_to_export(self) -> str:
        return "Nothing to send from here yet."

    def action_export(self) -> None:
        writes = self.export_writes()
        if writes:
            self.app.push_screen(CommandsDialog(writes, self.export_note()))
        else:
            self.notify(self.nothing_to_export(), markup=False)

    def export_key(self) -> str:
        # The key as typed ("ctrl+e", or as remapped in keymap.json), not the footer's "^e".
        for key, active in self.active_bindings.items():
            if active.binding.action == "export":
                return key
        return "e"

    def refuse_read_only(self, action: str) -> bool:
        """In read-only mode, say that `action`'s write is not sent, and True."""
        if not (self.read_only and self.sends_write(action)):
            return False
        try:
            writes = self.export_writes(action)
        except Exception:
            writes = []
        # Quoted: a summary is a sentence of its own ("Stop x: the site stops ..."); on one
        # line. (The notification shows its control characters escaped: App.notify.)
        what = ", ".join(f'"{" ".join(w.summary.split())}"' for w in writes) or f"this {action}"
        self.notify(
            f"read-only mode: {what} is not sent; press {self.export_key()} to "
            "see it as aliyun-cli commands",
            title="Read-only",
            severity="warning",
            markup=False,
        )
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

    async def fetch(self, awaitable: Awaitable[T], failure: str) -> T | None:
        """Await a cloud read for this screen, as `call` does: its answer, or None once a
        ServiceError is reported (a notification titled `failure`, "Could not list the
        zones"). A screen closed meanwhile ends the worker quietly. (A write whose answer
        may be None, or a failure to show on the screen, catches ServiceError itself.)"""
        try:
            return await self.call(awaitable)
        except ServiceError as error:
            self.app.report(error, failure)
            return None

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
