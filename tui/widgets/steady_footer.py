"""A Footer that composes its keys once and again only when they change.

Textual's Footer composes nothing at mount, then rebuilds every key (a widget each:
styles applied, the screen laid out again) each time the screen says its bindings may
have changed: the focus settling, the screen resumed, and a screen covered by the next
one too. On a list screen those rebuilds came between page 1's answer and its rows on
screen (issue 12). This one shows its keys from the first frame and rebuilds only when
what it would show is different.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The keys at the first compose: a screen's bindings are known when it mounts.
        self.set_reactive(Footer._bindings_ready, True)
        self._shown: tuple | None = None  # what the last compose showed
        self._pending = False  # a rebuild is asked for and not run yet

    def _keys(self) -> tuple:
        """What compose would show: each binding shown, enabled or not, its tooltip."""
        return (
            self.compact,
            self.show_command_palette,
            tuple(
                (binding.key, binding.action, binding.description, enabled, tooltip)
                for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
                if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
            ),
        )

    def compose(self):
        self._shown = self._keys()
        return super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        # A screen under another one keeps its keys till it is shown again (its resume
        # says its bindings changed then); asks made meanwhile run once.
        if self._pending or not screen.is_active:
            return
        self._pending = True
        self.call_after_refresh(self._rebuild, screen)

    async def _rebuild(self, screen: Screen) -> None:
        self._pending = False
        if not (self.is_attached and screen is self.screen and screen.app.app_focus):
            return
        if self._keys() != self._shown:
            await self.recompose()
