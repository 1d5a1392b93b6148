"""The command palette offers what the current screen can do (its key bindings)."""

from __future__ import annotations

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenCommands(Provider):
    def _commands(self):
        screen = self.screen
        seen = set()
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.description and binding.show:
                if binding.action in seen or binding.action.startswith("dismiss"):
                    continue
                seen.add(binding.action)
                yield binding

    async def discover(self) -> Hits:
        for binding in self._commands():
            yield DiscoveryHit(binding.description, self._runner(binding.action),
                               help=f"key: {binding.key}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for binding in self._commands():
            score = matcher.match(binding.description)
            if score > 0:
                yield Hit(score, matcher.highlight(binding.description),
                          self._runner(binding.action), help=f"key: {binding.key}")

    def _runner(self, action: str):
        screen = self.screen

        async def run() -> None:
            await screen.run_action(action)

        return run
