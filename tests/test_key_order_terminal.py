"""Keys typed with no pause into the real app in a real terminal (tmux at 80x24).

`tmux send-keys -l "/video"` writes the six bytes to the app's terminal in one go, the
way a fast typist or a pasted burst arrives. The filter must get every letter and no
letter may run a binding of the list (d = delete, s = stop, a = add, z = zones...).
"""

from __future__ import annotations

import re

import pytest

from tests.helpers import app_in_tmux

pytestmark = pytest.mark.slow  # the app in tmux

BURSTS = 50
TEXTS = ("video", "static", "a.zone", "drop", "Orsa")  # every binding letter of the list
# What the list never shows unless a key ran one of its bindings.
FOREIGN = (
    "to confirm",
    "from CDN?",
    "Domains to accelerate",
    "Alibaba Cloud DNS",
    "Sorted by",
    "Stopping",
    "Starting",
    "can be started",
    "still on its way",
)


def filter_text(screen: str) -> str | None:
    """The text in the filter box (the line between its ▊ … ▎ borders), if shown."""
    for line in screen.splitlines():
        match = re.fullmatch(r"▊ +(\S.*?) *▎", line.rstrip())
        if match:
            return match.group(1)
    return None


def table_focused(screen: str) -> bool:
    return "s Start/Stop" in screen  # the footer lists the table's keys


def test_slash_and_text_typed_with_no_pause_in_tmux_go_to_the_filter():
    with app_in_tmux() as tmux:
        tmux.wait(lambda s: "static.example.com" in s and table_focused(s), "the list")
        tmux.type("/example")
        tmux.wait(lambda s: filter_text(s) == "example", "the first filter")
        tmux.press("Enter")
        for burst in range(BURSTS):
            text = TEXTS[burst % len(TEXTS)]
            tmux.wait(table_focused, f"burst {burst}: back at the table", timeout=20)
            tmux.type("/" + text)
            screen = tmux.wait(
                lambda s: (
                    (filter_text(s) == text and not table_focused(s))
                    or any(f in s for f in FOREIGN)
                ),
                f"burst {burst}: {text!r} in the filter",
                timeout=20,
            )
            assert filter_text(screen) == text, f"burst {burst}:\n{screen}"
            assert not any(f in screen for f in FOREIGN), f"burst {burst}:\n{screen}"
            tmux.press("Enter")
        # Nothing was stopped behind the filter.
        tmux.press("Escape")
        screen = tmux.wait(
            lambda s: "video.example.com" in s and "old.example.com" in s and table_focused(s),
            "the whole list again",
        )
        assert re.search(r"static\.example\.com +● online", screen), screen
        assert re.search(r"img\.example\.com +● online", screen), screen
