"""A program run in a real pseudo-terminal of 80x24, and what its screen shows.

Start-up is timed as a user sees it: the clock starts before the process is forked and
stops when the screen (a VT emulator fed with everything the program wrote) first shows
what we wait for. pyte is the emulator when installed (`pip install pyte`); without it
the output is scanned as text with the escape sequences stripped, which is enough to see
words appear (not to find columns).
"""

from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import signal
import struct
import sys
import time
from collections.abc import Callable

try:
    import fcntl
    import termios
except ImportError:  # not a POSIX system: the suite's start-up figures need one
    fcntl = termios = None  # type: ignore[assignment]

try:
    import pyte
except ImportError:
    pyte = None

COLUMNS, LINES = 80, 24
ESCAPES = re.compile(
    rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)"
)

Predicate = Callable[[list[str]], bool]


class Terminal:
    """What the program drew: `lines` (80x24 text) after each read."""

    def __init__(self) -> None:
        if pyte is not None:
            self.screen = pyte.Screen(COLUMNS, LINES)
            self.stream = pyte.ByteStream(self.screen)
        self.text = b""

    def feed(self, data: bytes) -> None:
        if pyte is not None:
            self.stream.feed(data)
        else:
            self.text = (self.text + data)[-200_000:]

    @property
    def lines(self) -> list[str]:
        if pyte is not None:
            return list(self.screen.display)
        return [ESCAPES.sub(b"", self.text).decode("utf-8", "replace")]


def run_until(
    argv: list[str],
    marks: dict[str, Predicate],
    env: dict[str, str | None] | None = None,
    timeout: float = 60.0,
) -> dict[str, float]:
    """Fork `argv` in a pty of 80x24 and return, for each mark, the seconds from before
    the fork to the first screen it holds for. Ctrl+Q, then SIGTERM, end the program."""
    environment = {**os.environ, "TERM": "xterm-256color", **(env or {})}
    environment = {k: v for k, v in environment.items() if v is not None}  # None: unset
    environment.pop("TEXTUAL", None)
    environment["COLUMNS"], environment["LINES"] = str(COLUMNS), str(LINES)
    terminal = Terminal()
    seen: dict[str, float] = {}
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the program, in the pty
        try:
            os.execve(argv[0], argv, environment)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    try:
        deadline = started + timeout
        while len(seen) < len(marks) and time.perf_counter() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                break  # the program is gone
            if not data:
                break
            now = time.perf_counter()
            terminal.feed(data)
            lines = terminal.lines
            for mark, holds in marks.items():
                if mark not in seen and holds(lines):
                    seen[mark] = now - started
        missing = [m for m in marks if m not in seen]
        if missing:
            raise TimeoutError(
                f"{' '.join(argv[-3:])}: never showed {missing}; its screen:\n"
                + "\n".join(terminal.lines)
            )
        return seen
    finally:
        _end(pid, fd)


def _end(pid: int, fd: int) -> None:
    with contextlib.suppress(OSError):
        os.write(fd, b"\x11")  # Ctrl+Q: quit as a user does
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        # Drain what it writes while it leaves, or its writes may block on a full pty.
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            with contextlib.suppress(OSError):
                os.read(fd, 1 << 16)
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    else:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                break
            time.sleep(0.5)
            if os.waitpid(pid, os.WNOHANG)[0]:
                break
    os.close(fd)


def shows(text: str) -> Predicate:
    return lambda lines: any(text in line for line in lines)


def column_filled(header: str) -> Predicate:
    """True once a row under the table header `header` has a dotted name in that column.
    Without pyte: the header, then a dotted name after it in the output."""

    def holds(lines: list[str]) -> bool:
        if pyte is None:
            return header in lines[0] and "." in lines[0].split(header, 1)[1]
        for row, line in enumerate(lines):
            column = line.find(header)
            if column < 0:
                continue
            return any(
                len(below) > column and "." in below[column:].split(" ")[0]
                for below in lines[row + 1 : -1]
            )
        return False

    return holds


def python() -> str:
    return sys.executable
