"""The propagation check: pure verdicts and board, then live rounds against the sandbox's
real DNS servers on loopback (plus sockets of our own that never answer)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path

import dns.asyncresolver
import dns.message
import dns.rcode
import dns.rrset
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.sandbox.cdn_checks import CDN_LAG
from tui.sandbox.dns_answers import SOA_MINIMUM
from tui.sandbox.world import cname_for
from tui.services.facade import Services
from tui.services.profile import Profile, sandbox_profile
from tui.services.propagation import (
    PUBLIC_RESOLVERS,
    PropagationService,
    ResolverConfig,
    ResolverConfigError,
    Target,
    ask_cdn,
    authoritative_targets,
    check_round,
    config_path,
    load_resolver_config,
    parse_address,
    parse_resolver,
    parse_resolver_config,
    sandbox_targets,
)
from tui.services.verdicts import (
    AUTHORITATIVE,
    CDN,
    RESOLVER,
    SYSTEM,
    Answer,
    PropagationBoard,
    ResolverResult,
    Verdict,
    canonical,
    judge,
    read_answer,
    result_for,
    same_name,
)

CDN_TARGET = "static.example.com.w.kunlunsl.com"

# -- verdicts (pure) ---------------------------------------------------------------------


def response(
    rcode: str = "NOERROR", answer: tuple[str, ...] = (), authority: tuple[str, ...] = ()
) -> dns.message.Message:
    """A DNS response as a resolver would send it, records in zone-file syntax."""
    reply = dns.message.make_response(dns.message.make_query("static.example.com.", "A"))
    reply.set_rcode(dns.rcode.from_text(rcode))
    reply.answer = [dns.rrset.from_text(*line.split()) for line in answer]
    reply.authority = [dns.rrset.from_text(*line.split(maxsplit=4)) for line in authority]
    return reply


SOA = (
    "example.com. {ttl} IN SOA dns9.hichina.com. hostmaster.hichina.com. "
    "1 3600 1200 86400 {minimum}"
)
TO_CDN = f"static.example.com. 600 IN CNAME {CDN_TARGET}."
EDGE = f"{CDN_TARGET}. 300 IN A 127.0.0.9"

VERDICT_CASES = [
    # (what, response, verdict, answer, ttl)
    (
        "the CNAME to CDN and its edge",
        response(answer=(TO_CDN, EDGE)),
        Verdict.MATCH,
        (CDN_TARGET, "127.0.0.9"),
        None,
    ),
    (
        "upper case, trailing dot",
        response(answer=(f"static.example.com. 600 IN CNAME {CDN_TARGET.upper()}.",)),
        Verdict.MATCH,
        (CDN_TARGET,),
        None,
    ),
    (
        "through a CNAME of its own",
        response(
            answer=(
                "static.example.com. 60 IN CNAME cdn.example.com.",
                f"cdn.example.com. 60 IN CNAME {CDN_TARGET}.",
                EDGE,
            )
        ),
        Verdict.MATCH,
        ("cdn.example.com", CDN_TARGET, "127.0.0.9"),
        None,
    ),
    (
        "an old CNAME, cached for 120 s more",
        response(
            answer=(
                "static.example.com. 120 IN CNAME old.w.kunlunsl.com.",
                "old.w.kunlunsl.com. 30 IN A 127.0.0.3",
            )
        ),
        Verdict.MISMATCH,
        ("old.w.kunlunsl.com", "127.0.0.3"),
        120,
    ),
    (
        "A records instead of a CNAME",
        response(answer=("static.example.com. 45 IN A 127.0.0.12 127.0.0.11",)),
        Verdict.MISMATCH,
        ("127.0.0.11", "127.0.0.12"),
        45,
    ),
    (
        "no such name: the SOA's TTL when smaller",
        response("NXDOMAIN", authority=(SOA.format(ttl=300, minimum=600),)),
        Verdict.NXDOMAIN,
        (),
        300,
    ),
    (
        "no such name: the SOA's MINIMUM when smaller",
        response("NXDOMAIN", authority=(SOA.format(ttl=3600, minimum=600),)),
        Verdict.NXDOMAIN,
        (),
        600,
    ),
    (
        "the name has other types only",
        response(authority=(SOA.format(ttl=600, minimum=600),)),
        Verdict.NOANSWER,
        (),
        600,
    ),
    ("empty, without an SOA", response(), Verdict.NOANSWER, (), None),
    (
        "records of another name only",
        response(answer=("www.example.com. 60 IN A 127.0.0.11",)),
        Verdict.NOANSWER,
        (),
        None,
    ),
    ("SERVFAIL", response("SERVFAIL"), Verdict.SERVFAIL, (), None),
    ("REFUSED", response("REFUSED"), Verdict.ERROR, (), None),
    (
        "the CNAME in place, its target not resolving",
        response("NXDOMAIN", answer=(TO_CDN,), authority=(SOA.format(ttl=600, minimum=600),)),
        Verdict.MATCH,
        (CDN_TARGET,),
        None,
    ),
    (
        "another CNAME whose target does not resolve",
        response("NXDOMAIN", answer=("static.example.com. 90 IN CNAME gone.example.net.",)),
        Verdict.MISMATCH,
        ("gone.example.net",),
        90,
    ),
    (
        "a CNAME loop",
        response(
            answer=(
                "static.example.com. 60 IN CNAME loop.example.com.",
                "loop.example.com. 60 IN CNAME static.example.com.",
            )
        ),
        Verdict.MISMATCH,
        None,
        60,
    ),
]


@pytest.mark.parametrize(
    ("what", "message", "verdict", "answer", "ttl"),
    VERDICT_CASES,
    ids=[case[0] for case in VERDICT_CASES],
)
def test_verdicts(what, message, verdict, answer, ttl):
    row = result_for(
        "AliDNS",
        "223.5.5.5",
        RESOLVER,
        CDN_TARGET + ".",
        read_answer("static.example.com.", message),
        latency_ms=3.0,
    )
    assert row.verdict is verdict
    if answer is not None:
        assert row.answer == answer
    assert row.ttl == ttl
    assert row.detail == ("REFUSED" if verdict is Verdict.ERROR else "")


def test_a_loop_is_followed_a_bounded_number_of_times():
    message = next(case[1] for case in VERDICT_CASES if case[0] == "a CNAME loop")
    answer = read_answer("static.example.com.", message)
    assert 2 <= len(answer.cnames) <= 16


labels = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
names = st.lists(labels, min_size=2, max_size=4).map(".".join)


@given(names)
def test_names_compare_without_case_or_trailing_dot(name):
    assert same_name(name, name.upper() + ".")
    assert canonical(name.upper() + ".") == name
    assert not same_name(name, "x" + name)


@given(st.lists(names, max_size=5), names, st.sampled_from(["NOERROR", "NXDOMAIN"]))
def test_a_match_is_exactly_the_expected_name_somewhere_in_the_chain(chain, expected, rcode):
    verdict = judge(expected, Answer(rcode, tuple(chain)))
    assert (verdict is Verdict.MATCH) == any(same_name(n, expected) for n in chain)


# -- the board (pure) --------------------------------------------------------------------


def row(
    name: str, verdict: Verdict, kind: str = RESOLVER, ttl: int | None = None
) -> ResolverResult:
    return ResolverResult(name, f"{name}:53", kind, verdict, ttl=ttl)


def test_the_board_before_the_first_round():
    board = PropagationBoard(CDN_TARGET)
    assert not board.propagated
    assert board.authoritative_ok is None
    assert board.resolver_counts == (0, 0)
    assert board.summary == "not checked yet"


def test_propagated_when_every_dns_server_matches_whatever_cdn_says():
    board = PropagationBoard(CDN_TARGET).advance(
        [
            row("ns1", Verdict.MATCH, AUTHORITATIVE),
            row("AliDNS", Verdict.MATCH),
            row("System", Verdict.MATCH, SYSTEM),
            row("CDN", Verdict.MISMATCH, CDN),
        ]
    )
    assert board.propagated
    assert board.authoritative_ok is True
    assert board.resolver_counts == (2, 2)
    assert board.cdn.verdict is Verdict.MISMATCH
    assert board.summary == "propagated · authoritative ok · 2/2 resolvers match"


def test_not_propagated_while_one_resolver_lags():
    board = PropagationBoard(CDN_TARGET).advance(
        [
            row("ns1", Verdict.MATCH, AUTHORITATIVE),
            row("AliDNS", Verdict.MATCH),
            row("Google", Verdict.NXDOMAIN, ttl=540),
        ]
    )
    assert not board.propagated
    assert board.resolver_counts == (1, 2)
    assert board.summary == "authoritative ok · 1/2 resolvers match"
    assert board.results[2].hint == "expect a change in about 540 s"
    assert board.results[1].hint == ""


def test_cdn_alone_is_not_propagation():
    board = PropagationBoard(CDN_TARGET).advance([row("CDN", Verdict.MATCH, CDN)])
    assert not board.propagated


def test_authoritative_not_ok_when_one_zone_server_disagrees():
    board = PropagationBoard(CDN_TARGET).advance(
        [row("ns1", Verdict.MATCH, AUTHORITATIVE), row("ns2", Verdict.NXDOMAIN, AUTHORITATIVE)]
    )
    assert board.authoritative_ok is False
    assert board.summary == "authoritative not ok"


def test_rechecks_back_off_while_nothing_changes_and_restart_on_a_change():
    waiting = [row("AliDNS", Verdict.NXDOMAIN)]
    board = PropagationBoard(CDN_TARGET, base_delay=2, max_delay=60)
    delays = []
    for _ in range(7):
        board = board.advance(waiting)
        delays.append(board.next_delay)
    assert delays == [2, 4, 8, 16, 32, 60, 60]
    board = board.advance([row("AliDNS", Verdict.MATCH)])
    assert board.next_delay == 2
    assert board.rounds == 8


def test_the_next_check_comes_just_after_a_stale_cache_expires():
    board = PropagationBoard(CDN_TARGET, base_delay=2, max_delay=60)
    for _ in range(6):
        board = board.advance([row("AliDNS", Verdict.MISMATCH, ttl=10), row("Q", Verdict.MATCH)])
    assert board.backoff == 60
    assert board.next_delay == 11
    # Due at once: no sooner than the base delay.
    board = board.advance([row("AliDNS", Verdict.MISMATCH, ttl=0)])
    assert board.next_delay == 2
    # A sped-up sandbox: 600 resolver seconds are 0.6 real ones.
    fast = PropagationBoard(CDN_TARGET, base_delay=0.05, max_delay=1, ttl_scale=0.001)
    for _ in range(6):
        fast = fast.advance([row("AliDNS", Verdict.NXDOMAIN, ttl=599)])
    assert fast.next_delay == pytest.approx(0.6)


# -- resolver lists and the config file (pure) ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("223.5.5.5", ("223.5.5.5", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("[::1]:5353", ("::1", 5353)),
        ("[::1]", ("::1", 53)),
        ("2001:db8::53", ("2001:db8::53", 53)),
        ("dns9.hichina.com", ("dns9.hichina.com", 53)),
    ],
)
def test_addresses(text, expected):
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        ":53",
        "127.0.0.1:",
        "127.0.0.1:0",
        "127.0.0.1:65536",
        "127.0.0.1:dns",
        "[::1",
        "[::1]x",
        "a b",
    ],
)
def test_bad_addresses(text):
    with pytest.raises(ResolverConfigError):
        parse_address(text)


def test_resolver_arguments_name_their_rows():
    assert parse_resolver("Office=10.0.0.53:5353") == Target("Office", "10.0.0.53", 5353)
    assert parse_resolver("127.0.0.1:5353") == Target("127.0.0.1:5353", "127.0.0.1", 5353)
    assert Target("x", "::1", 5353).address == "[::1]:5353"
    assert Target("x", "1.1.1.1").address == "1.1.1.1"


def test_the_built_in_list_covers_both_sides_of_the_border():
    regions = {t.name: t.region for t in PUBLIC_RESOLVERS}
    assert regions["AliDNS"] == regions["DNSPod"] == regions["114DNS"] == "mainland"
    assert regions["Google"] == regions["Cloudflare"] == regions["OpenDNS"] == "global"
    assert {t.host for t in PUBLIC_RESOLVERS} >= {"223.5.5.5", "223.6.6.6", "1.2.4.8", "9.9.9.9"}


def test_the_config_file_replaces_the_list():
    config = parse_resolver_config("""{"resolvers": [
        {"name": "AliDNS", "address": "223.5.5.5"},
        {"name": "Office", "address": "[fd00::53]:5353", "region": "mainland"},
        {"address": "192.0.2.1"}], "system": false}""")
    assert config.resolvers == (
        Target("AliDNS", "223.5.5.5", region="mainland"),  # the region of the known name
        Target("Office", "fd00::53", 5353, region="mainland"),
        Target("192.0.2.1", "192.0.2.1"),
    )
    assert config.system is False
    assert parse_resolver_config('{"system": false}') == ResolverConfig(system=False)


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        "nope",
        '{"resolvers": {}}',
        '{"system": "no"}',
        '{"resolvers": [{"name": "x"}]}',
        '{"resolvers": [{"address": "1.1.1.1", "region": "mars"}]}',
    ],
)
def test_bad_config_files(text):
    with pytest.raises(ResolverConfigError):
        parse_resolver_config(text)


def test_the_config_file_lives_under_xdg_config_home(tmp_path):
    assert config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "oss-cdn/resolvers.json"
    assert config_path({}).parts[-3:] == (".config", "oss-cdn", "resolvers.json")
    assert load_resolver_config(tmp_path / "missing.json") == ResolverConfig()
    path = tmp_path / "resolvers.json"
    path.write_text('{"resolvers": [{"address": "192.0.2.1:5300"}]}')
    assert load_resolver_config(path).resolvers == (Target("192.0.2.1:5300", "192.0.2.1", 5300),)
    path.write_text("{")
    with pytest.raises(ResolverConfigError, match=r"resolvers\.json"):
        load_resolver_config(path)


# -- live rounds against the sandbox -------------------------------------------------------


def test_the_sandbox_stands_in_for_the_world_without_the_system_resolver(profile):
    targets = sandbox_targets(profile)
    assert [t.kind for t in targets].count(AUTHORITATIVE) == len(profile.nameservers)
    assert SYSTEM not in {t.kind for t in targets}
    assert all(t.host == "127.0.0.1" for t in targets)
    assert {t.name for t in targets} >= {"AliDNS", "DNSPod", "Google", "OpenDNS"}
    assert next(t for t in targets if t.name == "Google").region == "global"


async def poll(check, done, deadline: float = 10.0):
    """Check until `done(board)`; returns (round start, round end, board) for each round."""
    rounds = []
    board = PropagationBoard(CDN_TARGET)
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        began = time.monotonic()
        board = board.advance(await check())
        rounds.append((began, time.monotonic(), board))
        if done(board):
            return rounds
        await asyncio.sleep(0.02)
    raise AssertionError(f"not done in {deadline} s: {board.summary}")


@pytest.fixture
def slow_sandbox():
    """A sandbox whose 600 s caches last 6 real seconds: long enough that a round on a
    loaded machine still sees them before they expire."""
    from tui.sandbox.runner import Sandbox

    box = Sandbox(speed=100.0)
    box.start()
    try:
        yield box
    finally:
        box.stop()


async def test_rows_flip_as_the_resolvers_caches_expire(slow_sandbox):
    sandbox = slow_sandbox
    targets = sandbox_targets(sandbox_profile(sandbox.info))
    resolvers = [t.name for t in targets if t.kind == RESOLVER]

    async def check():
        return await check_round("static.example.com", CDN_TARGET, targets, timeout=1)

    before = PropagationBoard(CDN_TARGET).advance(await check())
    assert {r.verdict for r in before.results} == {Verdict.NXDOMAIN}
    assert all(r.ttl is not None and 0 < r.ttl <= 600 for r in before.results)

    sandbox.world.add_record("example.com", "static", "CNAME", CDN_TARGET, ttl=600)
    rounds = await poll(check, lambda b: b.propagated, deadline=30.0)
    began, _, first = rounds[0]
    # The zone's server answers the change at once; the resolvers keep their cached
    # negative answers, and say how long those have left.
    assert first.authoritative_ok is True
    stale = {r.resolver: r for r in first.results if r.kind == RESOLVER}
    assert all(r.verdict is Verdict.NXDOMAIN and 0 <= r.ttl < 600 for r in stale.values())
    assert all(r.hint.startswith("expect a change in about") for r in stale.values())
    # Each row turns to match once its cache expired (600 s are 6 s here), not before.
    for name, row_ in stale.items():
        flipped = next(
            end
            for _, end, board in rounds
            if next(r for r in board.results if r.resolver == name).matches
        )
        assert flipped >= began + row_.ttl / sandbox.speed, name
    last = rounds[-1][2]
    assert last.resolver_counts == (len(resolvers), len(resolvers))
    assert all(
        r.answer[0] == CDN_TARGET and r.answer[1].startswith("127.0.0.") for r in last.results
    )


async def test_a_changed_cname_shows_the_old_answer_until_its_ttl_ends(sandbox, profile):
    targets = sandbox_targets(profile)
    old = cname_for("img.example.com")
    record = next(r for r in sandbox.world.current_records("example.com") if r.rr == "img")
    warm = await check_round("img.example.com", old, targets, timeout=1)
    assert all(r.matches for r in warm)

    sandbox.world.replace_record(record.record_id, value=CDN_TARGET)
    rows = await check_round("img.example.com", CDN_TARGET, targets, timeout=1)
    authoritative = [r for r in rows if r.kind == AUTHORITATIVE]
    cached = [r for r in rows if r.kind == RESOLVER and not r.matches]
    assert all(r.matches for r in authoritative)
    assert cached and all(
        r.verdict is Verdict.MISMATCH and r.answer[0] == old and 0 <= r.ttl <= 600 for r in cached
    )
    rounds = await poll(
        lambda: check_round("img.example.com", CDN_TARGET, targets, timeout=1),
        lambda b: b.propagated,
    )
    assert len(rounds) > 1
    assert all(r.answer[0] == CDN_TARGET for r in rounds[-1][2].results)


def dead_socket() -> socket.socket:
    """A UDP socket on loopback that never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    return sock


async def test_a_dead_resolver_costs_one_timeout_and_slows_nobody(profile):
    # Long enough that a loaded machine's delays stay well inside it: one timeout in
    # all is ~2 s, one per dead server would be 12 s.
    timeout, count = 2.0, 6
    sockets = [dead_socket() for _ in range(count)]
    try:
        dead = tuple(
            Target(f"Dead {n}", "127.0.0.1", s.getsockname()[1]) for n, s in enumerate(sockets, 1)
        )
        start = time.monotonic()
        rows = await check_round(
            "img.example.com",
            cname_for("img.example.com"),
            dead + sandbox_targets(profile),
            timeout=timeout,
        )
        elapsed = time.monotonic() - start
    finally:
        for sock in sockets:
            sock.close()
    # One timeout in all, not one per dead server (that would be 6 * timeout); the rest
    # of the bound is slack for a busy machine.
    assert timeout <= elapsed < 3 * timeout
    assert [r.verdict for r in rows[:count]] == [Verdict.TIMEOUT] * count
    assert all(r.latency_ms is None and r.detail == "no answer in 2 s" for r in rows[:count])
    live = rows[count:]
    assert all(r.matches and r.latency_ms < timeout * 1000 for r in live)


async def test_each_row_times_its_own_server(sandbox, profile):
    """A resolver far away (the sandbox's Google held back 0.4 s) shows the largest
    latency; the others are not charged for it."""
    sandbox.dns_faults.add("timeout", "Google", count=None, delay=0.4)
    rows = await check_round(
        "img.example.com", cname_for("img.example.com"), sandbox_targets(profile), timeout=5
    )
    assert all(r.matches for r in rows)
    slow = next(r for r in rows if r.resolver == "Google")
    others = [r for r in rows if r is not slow]
    assert slow.latency_ms is not None and slow.latency_ms >= 400
    assert all(r.latency_ms is not None and r.latency_ms < slow.latency_ms for r in others)


async def test_a_busy_loop_does_not_charge_its_time_to_the_servers(profile):
    """The answers arrive while this process is busy (the app's loop drawing, say): each
    row's time is still when its answer came, not when the loop got round to it."""
    loop = asyncio.get_running_loop()
    busy = 1.5  # seconds; a row charged with it shows at least this much
    loop.call_later(0.001, time.sleep, busy)  # blocks the loop just after the queries go
    rows = await check_round(
        "img.example.com", cname_for("img.example.com"), sandbox_targets(profile), timeout=5
    )
    assert all(r.matches for r in rows)
    # Under a second whatever the load (a loaded machine may keep the sandbox's thread
    # waiting), well under the block a row charged with it would show.
    assert all(r.latency_ms is not None and r.latency_ms < 1000 for r in rows)


async def test_a_silent_sandbox_resolver_is_a_timeout_row(sandbox, profile):
    sandbox.dns_faults.add("reset", "Quad9", count=None)
    rows = await check_round(
        "img.example.com", cname_for("img.example.com"), sandbox_targets(profile), timeout=0.5
    )
    verdicts = {r.resolver: r.verdict for r in rows}
    assert verdicts.pop("Quad9") is Verdict.TIMEOUT
    assert set(verdicts.values()) == {Verdict.MATCH}


async def test_a_closed_port_is_an_error_row_at_once(profile):
    sock = dead_socket()
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now: the kernel answers "port unreachable"
    row_ = (
        await check_round(
            "img.example.com", CDN_TARGET, [Target("Gone", "127.0.0.1", port)], timeout=2
        )
    )[0]
    assert row_.verdict is Verdict.ERROR
    assert row_.detail == "connection refused"
    assert row_.latency_ms < 1000


async def test_a_large_answer_comes_over_tcp(sandbox, profile):
    for n in range(1, 121):  # 120 A records: more than an EDNS UDP answer holds
        sandbox.world.add_record("example.com", "big", "A", f"127.0.1.{n}")
    authoritative = [t for t in sandbox_targets(profile) if t.kind == AUTHORITATIVE]
    rows = await check_round("big.example.com", CDN_TARGET, authoritative, timeout=2)
    assert rows[0].verdict is Verdict.MISMATCH
    assert len(rows[0].answer) == 120


async def test_cdn_s_own_view_is_one_more_row(sandbox, profile):
    services = Services(profile)
    checker = PropagationService(profile, services.cdn, timeout=1)
    rows = await checker.check("static.example.com", CDN_TARGET)
    assert rows[-1].kind == CDN and rows[-1].resolver == "CDN"
    assert rows[-1].verdict is Verdict.MISMATCH
    assert [r.kind for r in rows].count(CDN) == 1

    sandbox.world.add_record("example.com", "static", "CNAME", CDN_TARGET + ".")
    # CDN looks through its own resolvers: minutes late, and its "none" stays cached.
    assert (await checker.check("static.example.com", CDN_TARGET))[-1].verdict is not (
        Verdict.MATCH
    )
    sandbox.world.clock.advance(CDN_LAG + SOA_MINIMUM)
    cdn = (await checker.check("static.example.com", CDN_TARGET))[-1]
    assert cdn.verdict is Verdict.MATCH
    assert cdn.answer == (CDN_TARGET,)
    assert cdn.latency_ms > 0
    # Without a CdnService (or with_cdn=False) there is no such row.
    assert CDN not in {
        r.kind for r in await PropagationService(profile).check("static.example.com", CDN_TARGET)
    }
    assert CDN not in {
        r.kind for r in await checker.check("static.example.com", CDN_TARGET, with_cdn=False)
    }
    await services.close()


async def test_a_wildcard_s_cdn_row_asks_about_the_wildcard_not_the_probe(sandbox, profile):
    from tui.services.cname_setup import probe_name

    sources = [
        {
            "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
            "type": "oss",
            "port": 80,
            "priority": "20",
            "weight": "10",
        }
    ]
    sandbox.world.add_domain(".example.com", "web", sources, "domestic", status="online")
    target = cname_for(".example.com")
    # Published an hour ago: CDN's own lagging resolvers see it too.
    sandbox.world.add_record(
        "example.com", "*", "CNAME", target, created_at=sandbox.world.now() - 3600
    )
    services = Services(profile)
    checker = PropagationService(profile, services.cdn, timeout=1)
    probe = probe_name(".example.com")
    for spelling in (".example.com", "*.example.com"):
        rows = await checker.check(probe, target, cdn_domain=spelling)
        assert rows[0].kind == AUTHORITATIVE and rows[0].matches  # the `*` record serves
        assert rows[-1].kind == CDN and rows[-1].verdict is Verdict.MATCH
        assert rows[-1].answer == (target,)
    # Asked about the probe name itself, CDN knows no such domain.
    assert (await checker.check(probe, target))[-1].verdict is Verdict.MISMATCH
    await services.close()


async def test_the_cdn_row_reports_a_cloud_error_or_a_slow_answer(profile, sandbox):
    services = Services(profile)
    checker = PropagationService(profile, services.cdn, timeout=1)
    sandbox.faults.add(
        "http_error",
        "DescribeDomainCname",
        status=403,
        code="CdnServiceNotFound",
        message="You have not activated CDN.",
    )
    rows = await checker.check("img.example.com", cname_for("img.example.com"))
    assert rows[-1].verdict is Verdict.ERROR
    assert "CdnServiceNotFound" in rows[-1].detail
    assert PropagationBoard(CDN_TARGET).advance(rows).resolver_counts[0] > 0  # DNS rows stand

    sandbox.faults.add("timeout", "DescribeDomainCname", delay=2)
    start = time.monotonic()
    late = await ask_cdn(checker.cdn_view("img.example.com"), timeout=0.2)
    assert late.verdict is Verdict.TIMEOUT
    assert time.monotonic() - start < 1
    await services.close()


async def test_the_zone_s_servers_are_found_by_an_ns_lookup(profile):
    resolver = dns.asyncresolver.Resolver(configure=False)
    host, port = parse_address(dict(profile.resolvers)["AliDNS"])
    resolver.nameservers, resolver.port = [host], port
    targets = await authoritative_targets("static.example.com", resolver=resolver, timeout=2)
    assert {t.name for t in targets} == {"dns9.hichina.com", "dns10.hichina.com"}
    assert {t.kind for t in targets} == {AUTHORITATIVE}


async def test_outside_the_sandbox_a_failed_ns_lookup_is_an_error_row(profile):
    # A profile for a real account, with every server it would ask on loopback: the
    # resolvers from a config file, the NS lookup through a server that never answers.
    real = Profile("default", "cn-hangzhou")
    config = ResolverConfig(
        tuple(Target(n, *parse_address(a)) for n, a in profile.resolvers), system=False
    )
    with dead_socket() as dead:
        ns_resolver = dns.asyncresolver.Resolver(configure=False)
        ns_resolver.nameservers, ns_resolver.port = ["127.0.0.1"], dead.getsockname()[1]
        checker = PropagationService(real, timeout=0.3, config=config, ns_resolver=ns_resolver)
        rows = await checker.check("img.example.com", cname_for("img.example.com"))
    assert (rows[0].resolver, rows[0].address, rows[0].kind, rows[0].verdict) == (
        "Authoritative",
        "NS lookup",
        AUTHORITATIVE,
        Verdict.ERROR,
    )
    assert [r.resolver for r in rows[1:]] == [n for n, _ in profile.resolvers]
    assert all(r.matches for r in rows[1:])
    assert not PropagationBoard(CDN_TARGET).advance(rows).propagated


async def test_the_resolver_config_is_read_once(profile, tmp_path, monkeypatch):
    # A real account's round with every server on loopback: resolvers.json lists the
    # sandbox's resolvers and no system row; the NS lookup is refused by the sandbox.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = config_path()
    path.parent.mkdir()
    entries = [{"name": n, "address": a} for n, a in profile.resolvers]
    path.write_text(json.dumps({"resolvers": entries, "system": False}))
    ns_resolver = dns.asyncresolver.Resolver(configure=False)
    host, port = parse_address(profile.nameservers[0])
    ns_resolver.nameservers, ns_resolver.port = [host], port
    checker = PropagationService(
        Profile("default", "cn-hangzhou"), timeout=1, ns_resolver=ns_resolver
    )
    first = await checker.check("img.unknown-zone.org", CDN_TARGET)
    path.write_text(json.dumps({"resolvers": entries[:1], "system": False}))
    second = await checker.check("img.unknown-zone.org", CDN_TARGET)
    assert [r.resolver for r in second] == [r.resolver for r in first]
    assert [r.resolver for r in first[1:]] == [n for n, _ in profile.resolvers]
    # A new service (the next session) reads the file again.
    third = await PropagationService(
        Profile("default", "cn-hangzhou"), timeout=1, ns_resolver=ns_resolver
    ).check("img.unknown-zone.org", CDN_TARGET)
    assert [r.resolver for r in third[1:]] == [entries[0]["name"]]


def test_tests_never_read_the_developer_s_configuration():
    # conftest points XDG_CONFIG_HOME at an empty directory of its own.
    assert not config_path().is_relative_to(Path.home())
    assert not config_path().exists()
