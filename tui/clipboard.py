"""Copying, and saying honestly what happened.

Two roads: OSC 52 through the terminal (works over SSH, but the app cannot know whether
the terminal took it: tmux drops it unless `set-clipboard` is on, many terminals ask or
refuse), and the local clipboard through pyperclip when it is installed and finds one
(then the copy surely happened). "Copied" is said only for the second; for the first the
value is shown so it can be copied by hand. Never raises: a bastion host has no clipboard.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from importlib.util import find_spec

# pyperclip shells out to xclip/wl-copy, which can hang without a display: after this
# long, say what OSC 52 did rather than keep the user waiting for an answer.
LOCAL_WAIT = 1.0


def _local_copy(text: str) -> bool:
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception:
        return False
    return True


def local_copier() -> Callable[[str], bool] | None:
    """What copies to the local clipboard (True when it did), or None without pyperclip."""
    return _local_copy if find_spec("pyperclip") is not None else None


def copy(app, text: str, what: str, say: Callable[[bool], None] | None = None) -> None:
    """Copy `text` (`what` names it: "the CNAME") and tell the user what was done: in a
    notification, or through `say(copied)` (a screen's own line, where the value is in
    view and a notification would cover it)."""
    app.copy_to_clipboard(text)  # OSC 52, always: the user's clipboard may be far away
    local = local_copier()
    told = False

    def tell(copied: bool) -> None:  # on the app's thread: no lock needed
        nonlocal told
        if told:
            return
        told = True
        if say is not None:
            say(copied)
        elif copied:
            app.notify(f"Copied {what}: {text}", title="Clipboard", timeout=4, markup=False)
        else:
            app.notify(
                f"{what[:1].upper()}{what[1:]} sent to the terminal (OSC 52; tmux "
                f"drops it unless set-clipboard is on). If it did not arrive, copy "
                f"it from here: {text}",
                title="Clipboard",
                timeout=15,
                markup=False,
            )

    if local is None:
        tell(False)
        return

    def run() -> None:
        copied = local(text)
        with contextlib.suppress(Exception):  # the app closed meanwhile: nobody to tell
            app.call_from_thread(tell, copied)

    threading.Thread(target=run, daemon=True).start()
    app.set_timer(LOCAL_WAIT, lambda: tell(False))
