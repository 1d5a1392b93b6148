"""References: a bare Textual app (what any Textual app pays to paint its first frame),
and a bare Input (what any Textual app pays to show a key typed in a field).

    python benchmarks/bare_app.py      # the first-paint reference, run in a pty
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Input, Static

TITLE = "bare-reference"


class BareApp(App):
    """A header, a line of text and a footer: the start-up reference."""

    TITLE = TITLE

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("a bare Textual app")
        yield Footer()


class BareInput(App):
    """One Input and one Static under it: the typing reference."""

    def compose(self) -> ComposeResult:
        yield Input(id="field")
        yield Static("", id="echo")


if __name__ == "__main__":
    BareApp().run()
