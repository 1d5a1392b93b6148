"""`oss-cdn web` in a process of its own, for tests/test_web.py and tests/test_browser.py:
started on a free loopback port with a private HOME, its output collected (a crashed app's
traceback lands there: every failure message quotes it), its process group watched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.helpers import PROXY_VARS, ROOT

START_TIMEOUT = 90.0  # seconds for `oss-cdn web` to answer (a loaded 2-core machine)
STOP_TIMEOUT = 30.0  # its own clean-up gives the group 5 s, then kills it


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment with no credentials, no proxy and a private HOME (no shared
    sandbox of another test is found, no aliyun-cli profile is read)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in PROXY_VARS and not k.startswith(("ALIBABA_CLOUD_", "XDG_", "OSS_CDN_"))
    }
    env.update(HOME=str(home), PYTHONUNBUFFERED="1", **extra)
    return env


@dataclass
class Served:
    process: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    url: str = ""

    def output(self) -> str:
        return "".join(self.lines)

    @property
    def origin(self) -> str:
        """The page's origin (scheme://host:port): what its websocket sends as Origin."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def wait_for_output(self, text: str, timeout: float = START_TIMEOUT) -> str:
        """The first output line holding `text`; fails the test with the output so far."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if text in line:
                    return line
            if self.process.poll() is not None and not self._reading.is_alive():
                break
            time.sleep(0.05)
        pytest.fail(
            f"`oss-cdn web` did not print {text!r} (exit code {self.process.poll()}); "
            f"its output:\n{self.output()}"
        )

    def server_groups(self) -> set[int]:
        """The process groups of `oss-cdn web`'s children: the server's own."""
        return {pgid for pid, ppid, pgid in processes() if ppid == self.process.pid}

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def start_reading(self) -> None:
        self._reading = threading.Thread(target=self._read, daemon=True)
        self._reading.start()

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Ctrl+C (or `signum`), as a user stops it; its exit code. Its output is complete
        once the server it stopped has ended (the server writes to the same pipe)."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"`oss-cdn web` still runs {STOP_TIMEOUT:g} s after {signum!r}")
        self._reading.join(timeout=STOP_TIMEOUT)  # ends when every writer has ended
        return code


def processes() -> list[tuple[int, int, int]]:
    """(pid, parent pid, process group) of every process on the machine, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # ended meanwhile
            continue
        # The command name (2nd field) is in parentheses and may hold spaces.
        fields = stat.rpartition(")")[2].split()
        found.append((int(entry), int(fields[1]), int(fields[2])))
    return found


def in_groups(groups: set[int]) -> list[int]:
    """The live processes of `groups` (a zombie has ended: only its parent's wait is due)."""
    return [pid for pid, _, pgid in processes() if pgid in groups and not _zombie(pid)]


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] in "ZX"
    except OSError:
        return True  # gone meanwhile


def wait_gone(groups: set[int], timeout: float = 30.0) -> None:
    """Every process of `groups` ended (a SIGKILL is delivered, not awaited, by killpg);
    fails the test naming those that stay. Call it inside serve_web's block, once
    `oss-cdn web` has ended: after the block, serve_web's own clean-up has killed them."""
    deadline = time.monotonic() + timeout
    while (left := in_groups(groups)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, f"processes of the server's group outlived oss-cdn web: {left}"


@contextmanager
def serve_web(home: Path, *args: str, env: dict[str, str] | None = None):
    """`oss-cdn web --port 0 ARGS` until the block ends: a Served with its URL. On the way
    out it is stopped with Ctrl+C and its whole server group killed if anything is left
    (a test that failed must not leave app processes behind)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "web", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env or clean_env(home),
        cwd=ROOT,
    )
    served = Served(process)
    served.start_reading()
    groups: set[int] = set()
    try:
        line = served.wait_for_output("oss-cdn web: serving ")
        served.url = line.split("serving ", 1)[1].strip()
        groups = served.server_groups()
        yield served
    finally:
        groups |= served.server_groups()
        try:
            served.stop()
        finally:
            for group in groups:
                with suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)
            served._reading.join(timeout=STOP_TIMEOUT)
            if process.stdout is not None:
                process.stdout.close()  # not left to the collector (a ResourceWarning)
