"""Messages the app posts to its screens."""

from __future__ import annotations

from textual.message import Message


class Connected(Message):
    """The app knows where it talks to (an account or the sandbox); services are ready."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label
