"""The status badge: a symbol and a word, so it reads without colour too."""

from __future__ import annotations

from rich.text import Text

from tui.safe_text import shown

# status -> (symbol, word, style). Styles are plain colour names so the `ansi` themes
# and NO_COLOR terminals still get the symbol and the word.
_BADGES: dict[str, tuple[str, str, str]] = {
    "online": ("●", "online", "green"),
    "offline": ("○", "offline", "bright_black"),
    "configuring": ("◐", "configuring", "yellow"),
    "checking": ("◐", "checking", "yellow"),
    "stopping": ("◐", "stopping", "yellow"),
    "deleting": ("◐", "deleting", "yellow"),
    "configure_failed": ("✗", "configure failed", "red"),
    "check_failed": ("✗", "check failed", "red"),
}


def status_badge(status: str) -> Text:
    symbol, word, style = _BADGES.get(status, ("?", shown(status, 40), ""))
    # Text() never interprets markup, shown() escapes: an unknown status is shown literally.
    return Text(f"{symbol} {word}", style=style)
