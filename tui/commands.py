"""The command palette offers what the current screen can do (its key bindings)."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.keys import shown_bindings


class ScreenCommands(Provider):
    def _commands(self):
        for _key, binding in shown_bindings(self.screen, hidden=True):
            if not binding.action.startswith("dismiss"):
                yield binding

    async def discover(self) -> Hits:
        for binding in self._commands():
            yield DiscoveryHit(
                binding.description, self._runner(binding.action), help=self._help(binding)
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for binding in self._commands():
            score = matcher.match(binding.description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(binding.description),
                    self._runner(binding.action),
                    help=self._help(binding),
                )

    def _help(self, binding) -> str:
        text = f"key: {self.app.get_key_display(binding)}"
        sends_write = getattr(self.screen, "sends_write", None)
        if getattr(self.app, "read_only", False) and sends_write and sends_write(binding.action):
            text += " · read-only mode: not sent (e shows it as aliyun-cli commands)"
        return text

    def _runner(self, action: str):
        screen = self.screen

        async def run() -> None:
            await screen.run_action(action)

        return run
