"""CDN's own look at DNS and HTTP: what VerifyDomainOwner and DescribeDomainCname see.

The real CDN checks a TXT record, a CNAME or `http://<root>/verification.html` from its
own machines, through its own resolvers, and "can fail for minutes after the
authoritative servers already answer" (alibaba-api-facts.md, from Alibaba's
verification and CNAME pages). The sandbox gives CDN one resolver of its own, the same
simulated caching resolver its public ones are (dns_server.CachingResolver, no socket):

- it sees the world CDN_LAG sandbox seconds late: two minutes, the low end of the
  "minutes" Alibaba warns of, so a check made right after publishing fails;
- it caches answers for their TTL, negative ones (NXDOMAIN, no data) for the zone's SOA
  minimum (RFC 2308; 600 s in the sandbox's zones, Alidns's figure), so a check asked
  too early keeps failing until that cache runs out, as the real one does;

and fetches the verification file over HTTP from whatever the root resolves to: the
sandbox's CDN edge (World.edge_host, on World.edge_port) when the root's name leads
there, and nothing otherwise (the sandbox runs no other web server: an address like
127.0.0.10 answers nobody, so no answer, no pass). Never by reading a bucket's objects.
"""

from __future__ import annotations

import weakref

import aiohttp
import dns.name
import dns.rdatatype

from tui.sandbox.dns_answers import SOA_MINIMUM, SandboxDns
from tui.sandbox.dns_server import CachingResolver, PublicResolver
from tui.sandbox.world import World

CDN_LAG = 120.0
CDN_RESOLVER = PublicResolver(
    "Alibaba CDN", "CDN's own resolvers", "mainland", CDN_LAG, max_negative_ttl=SOA_MINIMUM
)
FILE_NAME = "verification.html"
FETCH_TIMEOUT = 5.0  # seconds; the edge is on loopback
MAX_FILE = 64 * 1024  # a verification file is a few dozen bytes; more is not read

_resolvers: weakref.WeakKeyDictionary[World, CachingResolver] = weakref.WeakKeyDictionary()


def cdn_resolver(world: World) -> CachingResolver:
    """The world's CDN resolver, made on first use (its cache lives as long as the world)."""
    with world.lock:
        resolver = _resolvers.get(world)
        if resolver is None:
            resolver = _resolvers[world] = CachingResolver(SandboxDns(world), CDN_RESOLVER)
        return resolver


def _answer(world: World, name: str, rdtype: str) -> list:
    """The rrsets CDN's resolver answers for `name` (the CNAME chain included); none
    when it has no answer (NXDOMAIN, no data, SERVFAIL)."""
    qname = dns.name.from_text(name.rstrip(".") + ".")
    with world.lock:
        found = cdn_resolver(world).resolve(qname, dns.rdatatype.from_text(rdtype))
    return [] if found is None else list(found[0].answer.answer)


def txt_values(world: World, name: str) -> list[str]:
    """The TXT strings CDN sees at `name`."""
    return [
        b"".join(rdata.strings).decode(errors="replace")
        for rrset in _answer(world, name, "TXT")
        if rrset.rdtype == dns.rdatatype.TXT
        for rdata in rrset
    ]


def cname_seen(world: World, name: str) -> str:
    """The CNAME target CDN sees at `name` ("" for none), lower-case, no final dot."""
    for rrset in _answer(world, name, "CNAME"):
        if rrset.rdtype == dns.rdatatype.CNAME:
            return rrset[0].target.to_text(omit_final_dot=True).lower()
    return ""


def addresses(world: World, name: str) -> list[str]:
    """The IPv4 addresses CDN resolves `name` to, following CNAMEs."""
    return [
        rdata.address
        for rrset in _answer(world, name, "A")
        if rrset.rdtype == dns.rdatatype.A
        for rdata in rrset
    ]


async def fetch_file(world: World, root: str) -> bytes | None:
    """GET http://<root>/verification.html as CDN does: the body of a 200, or None (no
    address, nothing listening there, any other status). Redirects are not followed."""
    with world.lock:
        found = addresses(world, root)
        edge = (world.edge_host, world.edge_port)
    if edge[1] == 0 or edge[0] not in found:
        return None  # no web server of the sandbox at any address the root has
    timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(
                f"http://{edge[0]}:{edge[1]}/{FILE_NAME}",
                headers={"Host": root, "User-Agent": "Alibaba Cloud CDN"},
                allow_redirects=False,
            ) as answer,
        ):
            if answer.status != 200:
                return None
            return await answer.content.read(MAX_FILE)
    except (aiohttp.ClientError, TimeoutError):
        return None
