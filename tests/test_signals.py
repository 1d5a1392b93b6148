"""SIGTERM and SIGHUP leave the terminal as the app found it, as Ctrl+Q and SIGINT do.

The app runs in a real pseudo-terminal; what it writes there is read raw. Without a
handler, Python's default ends the process at once, still in the alternate screen with
mouse reporting on: the user's shell is left unusable.
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time

import pytest

from tests.helpers import app_in_tmux

pytestmark = pytest.mark.slow  # the app in a pty

# What Textual's LinuxDriver writes as it stops (stop_application_mode and
# _disable_mouse_support): leave the alternate screen, show the cursor, mouse off.
RESTORE = (b"\x1b[?1049l", b"\x1b[?25h", b"\x1b[?1000l", b"\x1b[?1003l", b"\x1b[?1006l")


class AppInPty:
    def __init__(self) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = dict(os.environ, TERM="xterm-256color")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui", "--sandbox"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.output = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: every writer of the terminal has gone
                return
            if not data:
                return
            self.output.extend(data)

    def wait_for(self, text: bytes, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"{text!r} never shown: {bytes(self.output[-500:])!r}")
            time.sleep(0.05)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.reader.join(10)
        os.close(self.master)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_signal_ends_the_app_and_restores_the_terminal(signum):
    app = AppInPty()
    try:
        app.wait_for(b"static.example.com")  # running, in the alternate screen
        assert b"\x1b[?1049h" in app.output and b"\x1b[?1000h" in app.output
        before = len(app.output)
        app.process.send_signal(signum)
        app.process.wait(30)  # it exits: a TimeoutExpired fails the test
        app.reader.join(10)  # everything it wrote has been read
        tail = bytes(app.output[before:])
        for sequence in RESTORE:
            assert sequence in tail, sequence
        # Nothing drawn after the terminal was given back.
        assert tail.rindex(b"\x1b[?1049l") > tail.rfind(b"\x1b[?1049h")
    finally:
        app.close()


def running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may be slow to reap orphans)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_terminal_that_hangs_up_ends_the_app():
    # The terminal goes away (an SSH session dropped, a window closed): the kernel sends
    # SIGHUP, and every write to the terminal fails from then on. The app must still end
    # (Textual's shutdown can wait forever for its dead writer thread).
    with app_in_tmux() as tmux:
        tmux.wait(lambda s: "static.example.com" in s, "the list")
        pid = int(tmux.run("list-panes", "-t", "app", "-F", "#{pane_pid}"))
        tmux.run("kill-server")
        deadline = time.monotonic() + 30
        try:
            while running(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not running(pid), "still running 30 s after the terminal hung up"
        finally:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
