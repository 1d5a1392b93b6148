"""One sandbox for every command: `oss-cdn sandbox serve` records where it listens, and
`oss-cdn --sandbox`, `oss-cdn check --sandbox` (and every later command) attach to it
while it runs, so a domain added in the app is there for `check` in another terminal.

The record is the `serve --json` object plus the serving process's pid, in
`sandbox.json` under the user's runtime directory: `$OSS_CDN_RUNTIME_DIR` when set (tests),
else `$XDG_RUNTIME_DIR/oss-cdn/`, else `$XDG_STATE_HOME/oss-cdn/run/` (by default
`~/.local/state/oss-cdn/run/`), else `<tempdir>/oss-cdn-<uid>/`. It holds the sandbox's
AccessKey secret (made up per run, accepted by that sandbox only), so it is written
0600 in a 0700 directory owned by the user, atomically (a reader never sees half of it),
and read only when it is the user's own and private. It is the one file the secret is
ever written to.

A record counts while its process is alive and its CDN endpoint, on loopback, knows the
recorded AccessKey ID; one whose process is gone is removed by whoever finds it.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

RUNTIME_ENV = "OSS_CDN_RUNTIME_DIR"
FILE_NAME = "sandbox.json"
PROBE_TIMEOUT = 2.0  # seconds; a live sandbox on loopback answers in milliseconds
FIELDS = (
    "cdn_endpoint",
    "dns_api_endpoint",
    "oss_endpoint",
    "edge",
    "access_key_id",
    "access_key_secret",
    "nameservers",
    "resolvers",
    "pid",
)


def _uid() -> int:
    return os.getuid() if hasattr(os, "getuid") else 0


def candidate_dirs() -> list[Path]:
    """Where the record may be, in order of preference."""
    override = os.environ.get(RUNTIME_ENV)
    if override:
        return [Path(override)]
    found: list[Path] = []
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(runtime):
        found.append(Path(runtime) / "oss-cdn")
    state = os.environ.get("XDG_STATE_HOME", "")
    try:
        base = Path(state) if os.path.isabs(state) else Path.home() / ".local" / "state"
    except (RuntimeError, KeyError):  # no home directory to speak of
        pass
    else:
        found.append(base / "oss-cdn" / "run")
    found.append(Path(tempfile.gettempdir()) / f"oss-cdn-{_uid()}")
    return found


def _private_dir(path: Path) -> bool:
    """Make `path` a directory only this user can enter; False when it cannot be one
    (it belongs to someone else, or is a symlink or a file)."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(path)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != _uid():
            return False
        if stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(path, 0o700)
    except OSError:
        return False
    return True


def record(info: dict, pid: int) -> Path | None:
    """Write the record of the sandbox serving at `info`; its path, or None when no
    private directory could be had (the sandbox then runs unshared)."""
    data = json.dumps({**info, "pid": pid}).encode()
    for directory in candidate_dirs():
        if not _private_dir(directory):
            continue
        target = directory / FILE_NAME
        fd, temporary = tempfile.mkstemp(prefix=".sandbox-", suffix=".json", dir=directory)
        try:  # mkstemp creates the file 0600; the rename makes it appear whole
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except OSError:
            Path(temporary).unlink(missing_ok=True)
            continue
        return target
    return None


def forget(path: Path, pid: int) -> None:
    """Remove the record at `path` if it is still `pid`'s (another serve may have
    replaced it meanwhile)."""
    current = read(path)
    if current is not None and current.get("pid") == pid:
        path.unlink(missing_ok=True)


def read(path: Path) -> dict | None:
    """The record at `path` if it is the user's own, private, and whole; else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if info.st_uid != _uid() or stat.S_IMODE(info.st_mode) & 0o077:
                return None
            data = json.loads(file.read(1 << 20))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or any(name not in data for name in FIELDS):
        return None
    if not isinstance(data["pid"], int) or isinstance(data["pid"], bool) or data["pid"] <= 0:
        return None
    return data


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # the pid was reused by another user's process
        return False
    except OSError:
        return False
    return True


def answers(endpoint: str, access_key_id: str, timeout: float = PROBE_TIMEOUT) -> bool:
    """Does a sandbox that knows `access_key_id` answer at `endpoint` (host:port, loopback
    only)? The probe is unsigned: that sandbox refuses it with SignatureDoesNotMatch,
    which it checks only after finding the key; any other server, or a sandbox of
    another run, answers otherwise."""
    # Imported here: only a record found needs them (start-up without one does not).
    import http.client
    import ipaddress

    host, _, port = endpoint.split("://", 1)[-1].rpartition(":")
    try:
        if not ipaddress.ip_address(host.strip("[]")).is_loopback:
            return False  # never probe anything but this machine
        connection = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=timeout)
    except ValueError:
        return False
    try:
        connection.request(
            "POST",
            "/",
            headers={
                "x-acs-action": "DescribeUserDomains",
                "x-acs-version": "2018-05-10",
                "Authorization": f"ACS3-HMAC-SHA256 Credential={access_key_id},"
                "SignedHeaders=host,Signature=0",
            },
        )
        response = connection.getresponse()
        body = json.loads(response.read(1 << 16) or b"{}")
    except (OSError, ValueError, http.client.HTTPException):
        return False
    finally:
        connection.close()
    return isinstance(body, dict) and body.get("Code") == "SignatureDoesNotMatch"


def find_running() -> dict | None:
    """The record of the shared sandbox if one is running, else None. A record whose
    process is gone is removed; one whose process lives but does not answer (stopped
    with Ctrl+Z, say) is left alone and not used."""
    for directory in candidate_dirs():
        path = directory / FILE_NAME
        data = read(path)
        if data is None:
            continue
        if not process_alive(data["pid"]):
            with contextlib.suppress(OSError):  # another process removed it first
                path.unlink(missing_ok=True)
            continue
        if answers(str(data["cdn_endpoint"]), str(data["access_key_id"])):
            return data
    return None


@dataclass(frozen=True)
class SharedSandbox:
    """A sandbox served by another process (`oss-cdn sandbox serve`): used, never
    stopped by those who attach to it."""

    info: dict = field(repr=False)  # holds the AccessKey secret

    @property
    def pid(self) -> int:
        return int(self.info["pid"])

    @property
    def speed(self) -> float:
        return float(self.info.get("speed") or 1.0)

    def finish_start(self) -> None:
        """Nothing to do: that process started all of it."""

    def stop(self) -> None:
        """Nothing to do: the sandbox belongs to its own process."""
