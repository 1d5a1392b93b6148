"""Copying: OSC 52 through the terminal (works over SSH), plus the local clipboard when
pyperclip is installed and finds one. Never raises: a bastion host has no clipboard."""

from __future__ import annotations

import threading


def _local_copy(text: str) -> None:
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception:  # noqa: BLE001 - no clipboard tool, no display: OSC 52 already went out
        pass


def copy(app, text: str, what: str) -> None:
    """Copy `text` and tell the user what was copied."""
    app.copy_to_clipboard(text)
    # pyperclip shells out to xclip/wl-copy, which can hang without a display: a thread.
    threading.Thread(target=_local_copy, args=(text,), daemon=True).start()
    app.notify(f"Copied {what}: {text}", title="Clipboard", timeout=4, markup=False)
