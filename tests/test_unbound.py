"""The check through a real caching resolver: Debian's unbound, on a loopback port, with
the sandbox's authoritative server as its only upstream.

unbound counts TTLs in real seconds (the sandbox's authoritative server hands out each
record's TTL as stored), so the record here has a TTL of 2: unbound serves the cached
old answer for up to 2 s after the change, while the authoritative server has the new
one at once. CI installs unbound (.ci/run); without it this test fails, never skips.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import pytest

from tui.sandbox.world import cname_for
from tui.services.propagation import Target, check_round, parse_address, sandbox_targets
from tui.services.verdicts import AUTHORITATIVE, Verdict

UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"
CDN_TARGET = cname_for("static.example.com")
OLD_TARGET = "www.example.com"  # a sandbox name with an A record: unbound can finish it
TTL = 2  # real seconds, to unbound

CONFIG = """\
server:
    verbosity: 1
    interface: 127.0.0.1@{port}
    port: {port}
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "{dir}"
    pidfile: "{dir}/unbound.pid"
    logfile: ""
    use-syslog: no
    num-threads: 1
    do-ip4: yes
    do-ip6: no
    do-udp: yes
    do-tcp: yes
    # Only loopback, only the sandbox: queries leave from 127.0.0.1 to the stub zones,
    # and the stub for "." stands in for the root hints, so nothing else is ever asked.
    outgoing-interface: 127.0.0.1
    do-not-query-localhost: no
    access-control: 127.0.0.0/8 allow
    module-config: "iterator"
    val-permissive-mode: yes
    qname-minimisation: no
    prefetch: no
    cache-min-ttl: 0
    serve-expired: no

remote-control:
    control-enable: no

stub-zone:
    name: "example.com"
    stub-addr: {upstream}
stub-zone:
    name: "kunlunsl.com"
    stub-addr: {upstream}
stub-zone:
    name: "."
    stub-addr: {upstream}
    stub-prime: no
"""


def free_port() -> int:
    """A loopback port free for both UDP and TCP (unbound listens on both)."""
    for _ in range(50):
        with (
            socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp,
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp,
        ):
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no loopback port free for both UDP and TCP")


def answers(port: int) -> bool:
    """Whether unbound answers yet (a CHAOS query it answers itself, asking no one)."""
    query = dns.message.make_query("version.server.", "TXT", "CH")
    try:
        dns.query.udp(query, "127.0.0.1", port=port, timeout=0.2)
    except (dns.exception.Timeout, OSError):
        return False
    return True


@pytest.fixture
def unbound(sandbox, tmp_path: Path):
    assert Path(UNBOUND).exists(), (
        "unbound is not installed: `apt-get install -y unbound` (CI's .ci/run installs it)"
    )
    host, auth_port = parse_address(sandbox.info["nameservers"][0])
    port = free_port()
    config = tmp_path / "unbound.conf"
    config.write_text(CONFIG.format(port=port, dir=tmp_path, upstream=f"{host}@{auth_port}"))
    log = (tmp_path / "unbound.log").open("w")
    process = subprocess.Popen(
        [UNBOUND, "-d", "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 10
        while not answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "unbound did not start:\n" + (tmp_path / "unbound.log").read_text()
                )
            time.sleep(0.05)
        yield Target("unbound", "127.0.0.1", port)
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


async def test_unbound_serves_the_old_answer_until_its_ttl_ends(sandbox, profile, unbound):
    record = sandbox.world.add_record("example.com", "static", "CNAME", OLD_TARGET, ttl=TTL)
    authoritative = [t for t in sandbox_targets(profile) if t.kind == AUTHORITATIVE]
    targets = [*authoritative, unbound]

    async def check():
        return {
            r.resolver: r
            for r in await check_round("static.example.com", CDN_TARGET, targets, timeout=2)
        }

    cached_at = time.monotonic()
    before = await check()
    assert before["unbound"].verdict is Verdict.MISMATCH
    assert before["unbound"].answer[0] == OLD_TARGET
    assert before["unbound"].answer[-1].startswith("127.0.0.")
    assert 0 <= before["unbound"].ttl <= TTL

    sandbox.world.replace_record(record.record_id, value=CDN_TARGET)
    after = await check()
    assert after["Authoritative"].verdict is Verdict.MATCH  # the zone has it at once
    assert after["unbound"].verdict is Verdict.MISMATCH  # unbound still has the old one
    assert after["unbound"].answer[0] == OLD_TARGET
    assert 0 <= after["unbound"].ttl <= TTL

    deadline = cached_at + TTL + 5
    while (now := await check())["unbound"].verdict is not Verdict.MATCH:
        assert time.monotonic() < deadline, f"unbound still answers {now['unbound']}"
        await asyncio.sleep(0.1)
    switched = time.monotonic() - cached_at
    assert switched >= TTL - 1  # not before its cache could have expired
    assert now["unbound"].answer[0] == CDN_TARGET
    assert now["unbound"].answer[1].startswith("127.0.0.")
