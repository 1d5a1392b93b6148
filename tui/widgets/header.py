"""The app's header: Textual's, minus a crash.

Textual's Header updates its title from an async watcher that catches NoScreen but not
NoMatches; when a screen closes while that update is queued (a slow cloud answer
arriving as the user leaves), the update lands on a header whose children are gone and
the app crashes. This header ignores updates once it is detached, and waits for its
title widget when the first update comes before it is mounted. Its title is there from
its first frame (Textual's is set a frame after mounting): the app's first frame says
where it talks to.
"""

from __future__ import annotations

import contextlib

from textual.app import ComposeResult
from textual.dom import NoScreen
from textual.events import Mount
from textual.widgets import Header
from textual.widgets._header import HeaderTitle


class AppHeader(Header):
    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, HeaderTitle):
                # Not on a screen yet: the title is set once mounted, as Textual does.
                with contextlib.suppress(NoScreen):
                    widget = HeaderTitle(self.format_title())
            yield widget

    def _on_mount(self, event: Mount) -> None:
        event.prevent_default()  # replaces Header._on_mount

        def set_title() -> None:
            if not self.is_attached:
                return
            titles = self.query(HeaderTitle)
            if titles:
                titles.first().update(self.format_title())
            else:  # on a loaded machine the title may be mounted a moment after the header
                self.call_after_refresh(set_title)

        for obj in (self.app, self.screen):
            self.watch(obj, "title", set_title)
            self.watch(obj, "sub_title", set_title)
