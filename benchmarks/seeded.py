"""A sandbox in this process with a big world, attached to by the app as `--sandbox` does.

The sandbox is started here (a thread of this process, as the app's own is) and seeded
before the app connects, then recorded as the shared sandbox in a private runtime
directory of this run only: the app attaches to it and lists the big world on its first
load, as it would an account of that size.
"""

from __future__ import annotations

import contextlib
import os
import tempfile

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


@contextlib.contextmanager
def shared_sandbox(speed: float, seed=None):
    """A started sandbox, seeded by `seed(box)`, that `--sandbox` attaches to (an
    OSS_CDN_RUNTIME_DIR of its own, set for this process); stopped afterwards."""
    with tempfile.TemporaryDirectory() as runtime:
        os.chmod(runtime, 0o700)
        previous = os.environ.get(shared.RUNTIME_ENV)
        os.environ[shared.RUNTIME_ENV] = runtime
        box = Sandbox(speed=speed)
        try:
            if seed is not None:
                seed(box)
            box.start()
            path = shared.record(box.info, os.getpid())
            assert path is not None, "no private runtime directory for the shared sandbox"
            yield box
        finally:
            box.stop()
            if previous is None:
                os.environ.pop(shared.RUNTIME_ENV, None)
            else:
                os.environ[shared.RUNTIME_ENV] = previous


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
