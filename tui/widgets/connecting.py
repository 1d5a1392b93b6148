"""What a loading widget shows while the app connects: still text, not a spinner.

Textual's LoadingIndicator redraws 16 times a second; during start-up each frame takes
the GIL from the thread importing the SDK and starting the sandbox (issue 12). Once
connected, loading shows Textual's indicator as usual (OssCdnApp.get_loading_widget).
"""

from __future__ import annotations

from textual.widgets import Static


class Connecting(Static):
    DEFAULT_CSS = """
    Connecting {
        width: 100%;
        height: 100%;
        min-height: 1;
        content-align: center middle;
        color: $text-muted;
    }
    Connecting.-textual-loading-indicator {
        layer: _loading;
        background: $boost;
        dock: top;
    }
    """

    def __init__(self) -> None:
        super().__init__("connecting…")
