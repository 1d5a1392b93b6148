"""F1 / ?: what this screen is for and its keys."""

from __future__ import annotations

import inspect

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.keys import shown_bindings
from tui.safe_text import shown

GENERAL = (
    "oss-cdn takes a bucket to a CDN-served domain: add the domain (a), verify ownership "
    "when asked, wait until it is online, copy its CNAME, create the CNAME record in "
    "Alibaba Cloud DNS, watch resolvers see it, then fetch a file through the CDN (f on "
    "a domain) and keep the edge fresh (k). Without credentials everything runs "
    "against the embedded SANDBOX on 127.0.0.1. Enter opens the row under the cursor; "
    "Ctrl+P offers this screen's actions by name. Every change can be seen before it is "
    "sent as the aliyun-cli commands that make it: e shows them (ctrl+e in a form, and in "
    "every confirmation), c copies them, for a review, a ticket or a colleague who holds "
    "the write permission."
)
READ_ONLY = (
    "READ-ONLY mode (--read-only or OSS_CDN_READ_ONLY=1): nothing is sent to the cloud. "
    "The keys that would change something are dimmed and say what they would send; e "
    "still shows it as aliyun-cli commands."
)

TOUR = (
    "The TOUR is playing (--tour): the app adds a domain in its sandbox by itself. "
    "Space pauses and resumes it, → (Right) skips the pauses of the current step (it "
    "still waits for the cloud), Esc ends the tour and gives you the keys at the screen "
    "it is on. While it plays, other keys are ignored so they cannot fight it; F1 "
    "pauses it and opens this help."
)


class HelpScreen(ModalScreen):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen Static { margin: 0 0 1 0; }
    HelpScreen > VerticalScroll {
        width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; padding: 0 1; background: $surface;
    }
    """
    BINDINGS = [Binding("escape,q,f1,question_mark", "dismiss", "Close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold")
        keys.add_column()
        read_only = getattr(self.app, "read_only", False)
        sends_write = getattr(self.for_screen, "sends_write", lambda action: False)
        for _key, binding in shown_bindings(self.for_screen, with_app=True, hidden=True):
            description = binding.description
            if read_only and sends_write(binding.action):
                description += " (read-only: not sent)"
            # Keys may come from the user's keymap.json: shown, never interpreted.
            keys.add_row(Text(shown(self.app.get_key_display(binding))), Text(shown(description)))
        # The screen's docstring, its lines re-flowed into paragraphs.
        paragraphs = inspect.cleandoc(self.for_screen.__doc__ or "").split("\n\n")
        about = "\n\n".join(" ".join(p.split()) for p in paragraphs)
        with VerticalScroll():
            yield Static(Text(about, style="bold") if about else "")
            tour = getattr(self.app, "tour", None)
            if tour is not None and tour.steering:
                yield Static(Text(TOUR, style="bold"))
            yield Static(Text(GENERAL))
            if getattr(self.app, "read_only", False):
                yield Static(Text(READ_ONLY, style="bold"))
            yield Static(keys)
