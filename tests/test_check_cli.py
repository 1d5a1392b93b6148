"""`oss-cdn check`: exit codes, the table, the JSON object; in-process against the
sandbox fixture, and as a real command against the sandbox's loopback resolvers."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys

import pytest

from tests.helpers import check, parse
from tui.sandbox.world import cname_for

IMG_CNAME = cname_for("img.example.com")  # in CDN, and its record is long in place
STATIC_CNAME = cname_for("static.example.com")  # in CDN, with no DNS record yet


def test_exit_0_and_the_json_object_when_every_server_answers_the_cname(profile, capsys):
    status, out, err = check(profile, capsys, "img.example.com", "--json")
    assert status == 0, out + err
    report = json.loads(out)  # ONE object
    assert report["domain"] == "img.example.com"
    assert report["expected"] == IMG_CNAME  # asked of CDN: no --expect
    assert report["propagated"] is True
    rows = report["results"]
    assert {tuple(sorted(r)) for r in rows} == {
        tuple(sorted(["resolver", "address", "kind", "verdict", "answer", "ttl", "latency_ms"]))
    }
    dns_rows = [r for r in rows if r["kind"] != "cdn"]
    assert len(dns_rows) == len(profile.nameservers) + len(profile.resolvers)
    assert all(r["verdict"] == "match" and r["answer"][0] == IMG_CNAME for r in dns_rows)
    assert all(r["address"].startswith("127.0.0.1:") for r in dns_rows)
    assert next(r for r in rows if r["kind"] == "cdn")["verdict"] == "match"
    assert "system" not in {r["kind"] for r in rows}


def test_exit_1_and_an_aligned_table_while_the_record_is_missing(profile, capsys):
    status, out, _ = check(profile, capsys, "static.example.com")
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == f"static.example.com: expecting CNAME {STATIC_CNAME}"
    header = lines[2]
    table = lines[2 : lines.index("", 2)]
    assert header.split() == ["RESOLVER", "ADDRESS", "VERDICT", "ANSWER", "TTL", "LATENCY"]
    assert len(table) == 1 + len(profile.nameservers) + len(profile.resolvers) + 1  # + CDN
    assert len({len(line) for line in table}) == 1  # the numbers end in one column
    for word in ("ADDRESS", "VERDICT", "ANSWER"):
        at = header.index(word)
        assert all(line[at - 2 : at] == "  " and line[at] != " " for line in table)
    rows = {
        line[: header.index("ADDRESS")].strip(): line[header.index("VERDICT") :]
        for line in table[1:]
    }
    assert re.fullmatch(r"nxdomain +- +[\d.]+ s +[\d.]+ ms", rows["AliDNS"])
    assert re.match(r"mismatch +CDN does not see the CNAME yet", rows["CDN"])
    assert re.fullmatch(
        r"Not propagated yet: authoritative not ok · 0/\d+ resolvers match; "
        r"cached answers expire within about [\d.]+ s\.",
        lines[-1],
    )


@pytest.fixture
def tenfold_sandbox():
    """A sandbox ten times faster than real time: its 600 s negative TTL is 60 real s."""
    from tui.sandbox.runner import Sandbox

    with Sandbox(speed=10.0) as box:
        yield box


async def _board_round(profile, domain: str, expected: str):
    """One round as the propagation board takes it (its clock: PropagationScreen.on_mount)."""
    from tui.services.profile import real_seconds
    from tui.services.propagation import PropagationService
    from tui.services.verdicts import PropagationBoard

    rows = await PropagationService(profile).check(domain, expected, with_cdn=False)
    return PropagationBoard(expected, ttl_scale=real_seconds(profile, 1.0)).advance(rows)


def test_ttls_are_real_seconds_as_on_the_board(tenfold_sandbox, capsys):
    """One clock everywhere: --json, the table and the board all give TTLs in real
    seconds, the sandbox's speed applied by the board's own function."""
    import asyncio

    from tui.sandbox.dns_answers import SOA_MINIMUM
    from tui.services.profile import sandbox_profile

    profile = sandbox_profile(tenfold_sandbox.info)
    status, out, _ = check(profile, capsys, "static.example.com", "--json")
    assert status == 1
    report = {r["resolver"]: r for r in json.loads(out)["results"]}
    board = asyncio.run(_board_round(profile, "static.example.com", STATIC_CNAME))
    on_board = {r.resolver: board.real_ttl(r) for r in board.results}
    assert set(on_board) <= set(report)
    # The authoritative server's negative answer: the SOA minimum, a tenth in real time.
    assert SOA_MINIMUM / 10 - 5 <= report["Authoritative"]["ttl"] <= SOA_MINIMUM / 10
    for name, seconds in on_board.items():
        assert seconds is not None
        # The two rounds are a moment apart: the caches' TTLs ran down a little between.
        assert abs(report[name]["ttl"] - seconds) <= 2, name

    status, out, _ = check(profile, capsys, "static.example.com")
    wait = re.search(r"expire within about ([\d.]+) s\.$", out.strip())
    assert wait is not None and float(wait.group(1)) <= SOA_MINIMUM / 10


def test_expect_and_resolver_choose_what_is_asked(profile, capsys):
    alidns = dict(profile.resolvers)["AliDNS"]
    status, out, _ = check(
        profile,
        capsys,
        "img.example.com",
        "--expect",
        IMG_CNAME.upper() + ".",
        "--resolver",
        f"Mine={alidns}",
        "--json",
    )
    assert status == 0
    report = json.loads(out)
    assert report["expected"] == IMG_CNAME
    assert [(r["resolver"], r["address"]) for r in report["results"]] == [("Mine", alidns)]

    status, out, _ = check(
        profile, capsys, "img.example.com", "--expect", STATIC_CNAME, "--resolver", alidns, "--json"
    )
    assert status == 1
    assert json.loads(out)["results"][0]["verdict"] == "mismatch"


def test_exit_2_when_cdn_does_not_know_the_domain(profile, capsys):
    status, out, err = check(profile, capsys, "nothere.example.com")
    assert status == 2
    assert out == ""
    assert err.startswith("oss-cdn check: ")
    assert "InvalidDomain.NotFound" in err
    assert profile.access_key_secret not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["img.example.com", "--timeout", "0"],
        ["img.example.com", "--timeout", "soon"],
        ["img.example.com", "--resolver", "127.0.0.1:99999"],
        ["img.example.com", "--resolver", "Name="],
        ["not a domain"],
        ["localhost"],
        ["*.example.com"],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        parse(*argv)
    assert exit_.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_the_default_timeout_is_the_service_s():
    from tui.check import DEFAULT_TIMEOUT
    from tui.services import propagation

    assert parse("img.example.com").timeout == DEFAULT_TIMEOUT == propagation.DEFAULT_TIMEOUT


def oss_cdn(*argv: str) -> subprocess.CompletedProcess:
    """The command in a process of its own (only loopback servers are named in `argv`)."""
    return subprocess.run(
        [sys.executable, "-m", "tui", *argv], capture_output=True, text=True, timeout=60
    )


def test_the_command_against_loopback_resolvers(profile):
    resolvers = [f"--resolver={name}={address}" for name, address in profile.resolvers]
    done = oss_cdn("check", "img.example.com", "--expect", IMG_CNAME, *resolvers, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["propagated"] is True
    assert [r["resolver"] for r in report["results"]] == [n for n, _ in profile.resolvers]

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as dead:
        dead.bind(("127.0.0.1", 0))
        port = dead.getsockname()[1]
        done = oss_cdn(
            "check",
            "img.example.com",
            "--expect",
            IMG_CNAME,
            *resolvers,
            f"--resolver=Dead=127.0.0.1:{port}",
            "--timeout",
            "0.3",
        )
    assert done.returncode == 1
    dead_row = [line for line in done.stdout.splitlines() if line.startswith("Dead ")]
    assert dead_row and "timeout" in dead_row[0] and "no answer in 0.3 s" in dead_row[0]

    done = oss_cdn("check", "img.example.com", "--timeout", "-1")
    assert done.returncode == 2
    assert "timeout" in done.stderr


@pytest.mark.slow  # runs oss-cdn check as a process
def test_the_command_asks_cdn_and_the_sandbox_resolvers_by_default():
    # No --expect, no --resolver: CDN gives the CNAME, the sandbox's servers answer.
    done = oss_cdn("--sandbox", "check", "img.example.com", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["expected"] == "img.example.com.w.kunlunsl.com"
    names = {r["resolver"] for r in report["results"]}
    assert {"Authoritative", "AliDNS", "OpenDNS"} <= names
    # A domain whose record does not exist yet: not propagated, exit 1.
    done = oss_cdn("--sandbox", "check", "static.example.com", "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["propagated"] is False
