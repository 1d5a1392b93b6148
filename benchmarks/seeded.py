"""A sandbox with a big world, attached to by the app as `--sandbox` does.

The sandbox is seeded before the app connects, then recorded as the shared sandbox in a
private runtime directory of this run only: the app attaches to it and lists the big
world on its first load, as it would an account of that size. `served_world` runs it in
a process of its own, as `oss-cdn sandbox serve` does: an account's 10,000 domains live
in the cloud, not in the app's process, so its memory and CPU are not the app's.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import tempfile
from pathlib import Path

from tui.sandbox import shared
from tui.sandbox.runner import Sandbox

ORIGIN = [
    {
        "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
        "type": "oss",
        "port": 80,
        "priority": "20",
        "weight": "10",
    }
]


def seed_domains(box: Sandbox, count: int) -> None:
    """`count` online domains d00000.example.com..., besides the seeded six, which are
    settled (none changing state: the list does not refresh itself)."""
    world = box.world
    with world.lock:
        for domain in world.domains.values():
            if domain.pending:
                domain.status, domain.pending = "online", []
        for n in range(count):
            world.add_domain(f"d{n:05d}.example.com", "web", ORIGIN, "domestic", status="online")
    # The sandbox sorts a listing once per change and keeps it: sorted here, so that the
    # app's first page and the references read later cost the sandbox the same.
    world.domains_in_order()


def seed_records(box: Sandbox, zone: str, count: int) -> None:
    """`count` A records r00000..., in `zone` (an Alidns zone of the seeded world)."""
    world = box.world
    with world.lock:
        for n in range(count):
            world.add_record(zone, f"r{n:05d}", "A", f"192.0.2.{n % 250 + 1}")
    world.sorted_records(zone)  # sorted once, as for the domains above


def thread_cpu(native_id: int | None) -> float:
    """CPU seconds (user + system) of one thread of this process, from /proc."""
    if native_id is None:
        return 0.0
    try:
        with open(f"/proc/self/task/{native_id}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14, 15)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process, from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


ANSWER_WAIT = 120.0  # seconds for the served sandbox to answer a line (seeding 10,000)


class ServedWorld:
    """A seeded sandbox served by a child process (`python -m benchmarks.seeded`), told
    what to do a line at a time on its stdin; each answer is one line on its stdout."""

    def __init__(self, child: subprocess.Popen) -> None:
        self._child = child
        self.pid = child.pid

    def ask(self, *words: str, timeout: float = ANSWER_WAIT) -> str:
        child = self._child
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(" ".join(words) + "\n")
        child.stdin.flush()
        ready, _, _ = select.select([child.stdout], [], [], timeout)
        answer = child.stdout.readline().strip() if ready else ""
        if not answer:
            raise RuntimeError(
                f"the served sandbox did not answer {' '.join(words)!r} "
                f"({'ended' if child.poll() is not None else f'{timeout:.0f} s'})"
            )
        return answer

    def domains(self) -> int:
        return int(self.ask("domains"))

    def records(self, zone: str) -> int:
        return int(self.ask("records", zone))

    def calls(self) -> int:
        """API calls it has answered so far."""
        return int(self.ask("calls"))

    def add_changing(self, name: str) -> None:
        """A domain that stays configuring for as long as the run lasts."""
        self.ask("changing", name)

    def delay_answers(self, seconds: float) -> None:
        """Every API answer from now on `seconds` late: a cloud a round trip away (its
        "timeout" fault, armed for every call)."""
        self.ask("delay", str(seconds))

    def cpu(self) -> float:
        return process_cpu(self.pid)


@contextlib.contextmanager
def served_world(speed: float, domains: int = 0, records: tuple[str, int] | None = None):
    """A sandbox seeded with `domains` more domains and `records` (zone, count) more
    records, served by a process of its own and recorded as the shared sandbox of this
    process (an OSS_CDN_RUNTIME_DIR of its own); stopped afterwards."""
    with tempfile.TemporaryDirectory() as runtime:
        os.chmod(runtime, 0o700)
        argv = [sys.executable, "-m", "benchmarks.seeded", str(speed), str(domains)]
        if records is not None:
            argv += [records[0], str(records[1])]
        env = {**os.environ, shared.RUNTIME_ENV: runtime}
        env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
        child = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        previous = os.environ.get(shared.RUNTIME_ENV)
        try:
            world = ServedWorld(child)
            if world.ask("ready") != "ready":
                raise RuntimeError("the served sandbox did not start")
            os.environ[shared.RUNTIME_ENV] = runtime
            yield world
        finally:
            if child.stdin is not None:
                with contextlib.suppress(OSError):  # it may have ended already
                    child.stdin.close()  # its end of input: it stops its sandbox and ends
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            if previous is None:
                os.environ.pop(shared.RUNTIME_ENV, None)
            else:
                os.environ[shared.RUNTIME_ENV] = previous


def _serve(argv: list[str]) -> None:
    """The child of `served_world`: seed, serve, answer its parent's lines until its
    stdin ends."""
    speed, domains = float(argv[0]), int(argv[1])
    box = Sandbox(speed=speed)
    if domains:
        seed_domains(box, domains)
    if len(argv) > 2:
        seed_records(box, argv[2], int(argv[3]))
    box.start()
    shared.record(box.info, os.getpid())
    world = box.world
    try:
        for line in sys.stdin:
            what, *args = line.split()
            if what == "ready":
                answer = "ready"
            elif what == "domains":
                answer = str(len(world.domains))
            elif what == "records":
                answer = str(len(world.current_records(args[0])))
            elif what == "calls":
                answer = str(box.calls.total)
            elif what == "delay":
                box.faults.add("timeout", None, count=None, delay=float(args[0]))
                answer = "ok"
            elif what == "changing":
                world.configure_delay = 10**6
                world.add_domain(args[0], "web", ORIGIN, "domestic")
                answer = "ok"
            else:
                answer = f"unknown: {what}"
            print(answer, flush=True)
    finally:
        box.stop()


if __name__ == "__main__":
    _serve(sys.argv[1:])
