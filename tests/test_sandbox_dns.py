"""The sandbox's DNS, queried over real UDP and TCP on loopback with dnspython.

Sandbox time runs 1000x: a 600 s negative-cache TTL passes in 0.6 real seconds.
"""

from __future__ import annotations

import asyncio
import time

import dns.asyncquery
import dns.asyncresolver
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from tui.sandbox.dns_server import DnsServers, start_dns
from tui.sandbox.world import World, cname_for

SPEED = 1000.0
OLD = 30 * 86400.0  # records made this long ago are visible to every lagging resolver


@pytest.fixture
def world() -> World:
    return World(speed=SPEED)


@pytest.fixture
async def servers(world):
    servers = await start_dns(world)
    try:
        yield servers
    finally:
        await servers.close()


async def ask(
    address: str,
    name: str,
    rdtype: str = "A",
    *,
    tcp: bool = False,
    timeout: float = 2,
    **query_options,
) -> dns.message.Message:
    host, port = address.rsplit(":", 1)
    query = dns.message.make_query(name, rdtype, **query_options)
    send = dns.asyncquery.tcp if tcp else dns.asyncquery.udp
    return await send(query, host, port=int(port), timeout=timeout)


def auth(servers: DnsServers) -> str:
    return servers.nameservers[0]


def values(response: dns.message.Message, rdtype: str = "A") -> list[str]:
    wanted = dns.rdatatype.from_text(rdtype)
    return sorted(
        rd.to_text() for rrset in response.answer if rrset.rdtype == wanted for rd in rrset
    )


def add_old(world: World, zone: str, rr: str, type: str, value: str, **kwargs):
    return world.add_record(zone, rr, type, value, created_at=world.now() - OLD, **kwargs)


async def test_each_server_has_one_port_for_udp_and_tcp(servers):
    addresses = servers.nameservers + list(servers.resolvers.values())
    assert len(set(addresses)) == 11 and all(a.startswith("127.0.0.1:") for a in addresses)
    assert servers.details["AliDNS"]["stands_for"] == "223.5.5.5"
    assert servers.details["Google"]["region"] == "global"
    assert servers.details["DNSPod"]["region"] == "mainland"
    lags = [d["lag"] for d in servers.details.values()]
    assert len(set(lags)) == len(lags) == 10  # rows of a propagation board turn one by one
    for name, detail in servers.details.items():
        assert detail["address"] == servers.resolvers[name]
    answers = await asyncio.gather(
        *(ask(a, "www.example.com", tcp=tcp) for a in addresses for tcp in (False, True))
    )
    assert all(values(r) == ["127.0.0.11"] for r in answers)


async def test_authoritative_follows_the_cdn_cname_to_its_edge(world, servers):
    world.edge_host = "127.0.0.77"  # wherever the edge listens, every CNAME target goes
    response = await ask(auth(servers), "img.example.com")
    target = cname_for("img.example.com")
    assert response.flags & dns.flags.AA and not response.flags & dns.flags.RA
    assert values(response, "CNAME") == [target + "."]
    assert values(response) == ["127.0.0.77"]
    assert response.answer[1].name.to_text() == target + "."
    assert response.answer[1].ttl == 300


async def test_authoritative_mx_txt_and_long_txt(world, servers):
    mx = await ask(auth(servers), "example.com", "MX")
    assert values(mx, "MX") == ["10 mx1.example.com."]
    txt = await ask(auth(servers), "example.com", "TXT")
    assert [rd.strings for rd in txt.answer[0]] == [(b"v=spf1 -all",)]
    long_text = "k=" + "x" * 598
    world.add_record("example.com", "long", "TXT", long_text)
    long = (await ask(auth(servers), "long.example.com", "TXT", use_edns=0)).answer[0][0]
    assert [len(s) for s in long.strings] == [255, 255, 90]
    assert b"".join(long.strings).decode() == long_text


async def test_nxdomain_nodata_and_empty_non_terminals(world, servers):
    world.add_record("newsite.net", "a.b", "A", "127.0.0.22")
    missing = await ask(auth(servers), "nope.example.com")
    assert missing.rcode() == dns.rcode.NXDOMAIN and missing.flags & dns.flags.AA
    soa = missing.authority[0]
    assert soa.name.to_text() == "example.com." and soa[0].minimum == 600
    nodata = await ask(auth(servers), "www.example.com", "AAAA")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    assert nodata.authority[0].rdtype == dns.rdatatype.SOA
    between = await ask(auth(servers), "b.newsite.net")
    assert between.rcode() == dns.rcode.NOERROR and not between.answer
    assert values(await ask(auth(servers), "a.b.newsite.net")) == ["127.0.0.22"]
    ns = await ask(auth(servers), "example.com", "NS")
    assert values(ns, "NS") == ["dns10.hichina.com.", "dns9.hichina.com."]


async def test_outside_names_are_refused_or_fail(servers):
    refused = await ask(auth(servers), "example.org")
    assert refused.rcode() == dns.rcode.REFUSED and not refused.flags & dns.flags.AA
    failed = await ask(servers.resolvers["Google"], "example.org")
    assert failed.rcode() == dns.rcode.SERVFAIL


async def test_wildcards_cover_only_names_that_do_not_exist(world, servers):
    world.add_record("example.com", "*", "A", "127.0.0.99")
    world.add_domain(".partner.org", "web", [], "global", status="online")
    world.add_record("partner.org", "*", "CNAME", cname_for(".partner.org"))
    anything = await ask(auth(servers), "anything.example.com")
    assert values(anything) == ["127.0.0.99"]
    assert anything.answer[0].name.to_text() == "anything.example.com."
    assert values(await ask(auth(servers), "deep.anything.example.com")) == ["127.0.0.99"]
    assert values(await ask(auth(servers), "www.example.com")) == ["127.0.0.11"]
    below = await ask(auth(servers), "x.www.example.com")  # closest encloser is www
    assert below.rcode() == dns.rcode.NXDOMAIN
    shop = await ask(auth(servers), "shop.partner.org")
    assert values(shop, "CNAME") == ["all.partner.org.w.kunlunsl.com."]
    assert values(shop) == [world.edge_host]
    assert values(await ask(auth(servers), "cdn.partner.org", "CNAME"), "CNAME") == [
        cname_for("cdn.partner.org") + "."
    ]


async def test_authoritative_serves_changes_at_once(world, servers):
    record = world.add_record("example.com", "fresh", "A", "127.0.0.5")
    assert values(await ask(auth(servers), "fresh.example.com")) == ["127.0.0.5"]
    record = world.replace_record(record.record_id, value="127.0.0.6")
    assert values(await ask(auth(servers), "fresh.example.com")) == ["127.0.0.6"]
    world.replace_record(record.record_id, enabled=False)
    disabled = await ask(auth(servers), "fresh.example.com")
    assert disabled.rcode() == dns.rcode.NXDOMAIN


async def test_resolvers_abroad_get_oversea_line_records(world, servers):
    add_old(world, "example.com", "geo", "A", "127.0.0.70")
    add_old(world, "example.com", "geo", "A", "127.0.0.71", line="oversea")
    resolvers = servers.resolvers
    assert values(await ask(auth(servers), "geo.example.com")) == ["127.0.0.70"]
    assert values(await ask(resolvers["AliDNS"], "geo.example.com")) == ["127.0.0.70"]
    assert values(await ask(resolvers["Google"], "geo.example.com")) == ["127.0.0.71"]


async def test_lagging_resolver_keeps_the_old_answer_until_ttl_and_lag_pass(world, servers):
    resolvers, lag = servers.resolvers, servers.details["OpenDNS"]["lag"]
    ttl = 100
    record = add_old(world, "example.com", "moving", "A", "127.0.0.50", ttl=ttl)
    first = await ask(resolvers["OpenDNS"], "moving.example.com")
    cached_until = world.now() + ttl
    assert values(first) == ["127.0.0.50"] and first.flags & dns.flags.RA
    assert not first.flags & dns.flags.AA
    await ask(resolvers["AliDNS"], "moving.example.com")
    changed_at = world.replace_record(record.record_id, value="127.0.0.51").created_at

    seen = []  # (sandbox time asked, OpenDNS value, its TTL, AliDNS value)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        asked = world.now()
        slow, fast = await asyncio.gather(
            ask(resolvers["OpenDNS"], "moving.example.com"),
            ask(resolvers["AliDNS"], "moving.example.com"),
        )
        seen.append((asked, values(slow)[0], slow.answer[0].ttl, values(fast)[0]))
        if values(slow) == ["127.0.0.51"]:
            break
        await asyncio.sleep(0.01)
    old = [s for s in seen if s[1] == "127.0.0.50"]
    new = [s for s in seen if s[1] == "127.0.0.51"]
    assert new, "OpenDNS never saw the change"
    assert all(ttl_left <= ttl for _, _, ttl_left, _ in old)
    assert any(ttl_left < ttl for _, _, ttl_left, _ in old)  # cached answers count down
    # The cache expired and was refilled from the world as it was `lag` seconds ago.
    assert any(asked > cached_until for asked, *_ in old)
    assert world.now() - changed_at >= lag  # and not before the lag had passed
    # Meanwhile the resolver without lag had turned already.
    assert any(fast == "127.0.0.51" for *_, fast in old)


async def test_resolvers_cache_negative_answers_for_the_soa_minimum(world, servers):
    resolver = servers.resolvers["OpenDNS"]  # caps negative answers at the SOA's 600
    before = world.now()
    missing = await ask(resolver, "later.example.com")
    assert missing.rcode() == dns.rcode.NXDOMAIN and missing.authority[0].ttl <= 600
    world.add_record("example.com", "later", "A", "127.0.0.8")
    assert values(await ask(auth(servers), "later.example.com")) == ["127.0.0.8"]
    still = await ask(resolver, "later.example.com")
    assert still.rcode() == dns.rcode.NXDOMAIN
    deadline = time.monotonic() + 2
    while (found := await ask(resolver, "later.example.com")).rcode() != dns.rcode.NOERROR:
        assert time.monotonic() < deadline, "the negative answer never expired"
        await asyncio.sleep(0.02)
    assert world.now() - before >= 600 and values(found) == ["127.0.0.8"]


async def test_resolvers_cap_negative_caching_each_their_own_way(world, servers):
    caps = {}
    for name in ("AliDNS", "CNNIC", "OpenDNS"):
        missing = await ask(servers.resolvers[name], f"gone-{name.lower()}.example.com")
        assert missing.rcode() == dns.rcode.NXDOMAIN
        caps[name] = missing.authority[0].ttl
    assert caps["AliDNS"] <= 60 < caps["CNNIC"] <= 300 < caps["OpenDNS"] <= 600


async def test_large_answers_are_truncated_over_udp_and_whole_over_tcp(world, servers):
    for n in range(60):
        add_old(world, "example.com", "many", "A", f"127.0.1.{n}")
    everything = sorted(f"127.0.1.{n}" for n in range(60))
    for server in (auth(servers), servers.resolvers["Quad9"]):
        cut = await ask(server, "many.example.com")
        assert cut.flags & dns.flags.TC and len(values(cut)) < 60
        assert values(await ask(server, "many.example.com", tcp=True)) == everything
        roomy = await ask(server, "many.example.com", use_edns=0, payload=4096)
        assert values(roomy) == everything and not roomy.flags & dns.flags.TC
    resolver = dns.asyncresolver.Resolver(configure=False)
    host, port = servers.resolvers["AliDNS"].rsplit(":", 1)
    resolver.nameservers, resolver.port = [host], int(port)
    answer = await resolver.resolve("many.example.com", "A", lifetime=2)
    assert sorted(rd.address for rd in answer) == everything


async def test_resolvers_answer_in_parallel_over_thousands_of_records(world, servers):
    # How fast is for `python -m benchmarks --only propagation`; here, that 220 questions asked at
    # once over 3,000 records all get the right answer (a loaded machine may be slow).
    for n in range(3000):
        add_old(world, "example.com", f"host{n}", "A", f"127.0.{n // 250 + 2}.{n % 250}")
    addresses = servers.nameservers + list(servers.resolvers.values())
    answers = await asyncio.gather(
        *(
            ask(address, f"host{n}.example.com", tcp=True, timeout=30)
            for address in addresses
            for n in range(0, 3000, 150)
        )
    )
    assert [values(a) for a in answers[:3]] == [["127.0.2.0"], ["127.0.2.150"], ["127.0.3.50"]]
    assert all(len(values(a)) == 1 for a in answers) and len(answers) == 220
