"""The sandbox's DNS on loopback: one authoritative server and simulated public resolvers.

Each server listens on UDP and TCP at the same ephemeral port of 127.0.0.1. The
authoritative server answers what the world holds now. Each resolver recurses into the
sandbox's data only (there is no internet here), sees the world as it was `lag` sandbox
seconds ago, and caches in sandbox seconds, so a change reaches the resolvers one by one,
the way propagation looks from around the world.

A server can be made slow or dead, by its name, with the sandbox's DNS faults (faults.py):

    box.dns_faults.add("timeout", "Google", count=None, delay=0.3)  # answers 0.3 s late
    box.dns_faults.add("reset", "Quad9")                            # the next query: silence

A real resolver far away answers late (and a lost datagram is never answered): what
the propagation board's latency and timeout rows show.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rrset

from tui.sandbox.dns_answers import DEFAULT_LINES, OVERSEA_LINES, Answer, SandboxDns
from tui.sandbox.dns_ports import (
    PUBLIC_RESOLVERS,
    BoundDns,
    Port,
    PublicResolver,
    bind_dns,
)
from tui.sandbox.faults import Faults
from tui.sandbox.world import World

UDP_LIMIT = 512  # a UDP answer without EDNS; larger ones are truncated (TC) for TCP
EDNS_PAYLOAD = 1232  # what the servers advertise (the DNS flag day 2020 size)
MAX_CACHE = 10_000  # cache entries a resolver keeps before it drops expired ones


class _Server:
    """A DNS server on UDP and TCP at one loopback port; subclasses fill in answers."""

    recursion_available = False
    name = "Authoritative"  # what DNS faults name it by

    def __init__(self, data: SandboxDns, faults: Faults | None = None) -> None:
        self.data = data
        self.faults = faults
        self.address = ""
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._streams: dict[asyncio.StreamWriter, asyncio.Task] = {}

    def answer(self, response: dns.message.Message, question: dns.rrset.RRset) -> None:
        raise NotImplementedError

    async def start(self, port: Port) -> None:
        """Serve on `port`'s sockets (bound by dns_ports.bind_dns); a query that arrived
        before is in their buffers and is answered now."""
        loop = asyncio.get_running_loop()
        udp, _ = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self.reply, self.delay), sock=port.udp
        )
        self._udp, self.address = udp, port.address
        self._tcp = await asyncio.start_server(self._serve_stream, sock=port.tcp)

    async def close(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            # Hang up on open connections and let their handlers end before the loop does.
            handlers = list(self._streams.values())
            for writer in self._streams:
                writer.close()
            await asyncio.gather(*handlers, return_exceptions=True)
            await self._tcp.wait_closed()

    def delay(self) -> float | None:
        """Real seconds to hold the next answer back (0: none), or None to drop it: the
        DNS fault armed for this server, if any."""
        fault = self.faults.take(self.name) if self.faults is not None else None
        if fault is None:
            return 0.0
        if fault.kind == "timeout":
            return float(fault.params.get("delay", 30.0))
        return None  # any other kind: the query is lost

    def reply(self, wire: bytes, *, udp: bool) -> bytes | None:
        """The response to one query on the wire; None drops what is not a query."""
        try:
            query = dns.message.from_wire(wire)
            response = dns.message.make_response(
                query, recursion_available=self.recursion_available, our_payload=EDNS_PAYLOAD
            )
        except (dns.exception.DNSException, ValueError):
            return None
        if query.opcode() != dns.opcode.QUERY:
            response.set_rcode(dns.rcode.NOTIMP)
        elif len(query.question) != 1:
            response.set_rcode(dns.rcode.FORMERR)
        elif query.question[0].rdclass != dns.rdataclass.IN:
            response.set_rcode(dns.rcode.REFUSED)
        else:
            self.answer(response, query.question[0])
        limit = (query.payload if query.edns >= 0 else UDP_LIMIT) if udp else 65535
        return response.to_wire(max_size=limit, prefer_truncation=True)

    async def _serve_stream(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Length-prefixed queries over TCP, as many as the client sends."""
        task = asyncio.current_task()
        assert task is not None  # asyncio runs each connection's handler as a task
        self._streams[writer] = task
        try:
            while True:
                size = int.from_bytes(await reader.readexactly(2), "big")
                query = await reader.readexactly(size)
                delay = self.delay()
                if delay is None:
                    break
                await asyncio.sleep(delay)
                wire = self.reply(query, udp=False)
                if wire is None:
                    break
                writer.write(len(wire).to_bytes(2, "big") + wire)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client hung up
        finally:
            self._streams.pop(writer, None)
            writer.close()


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(
        self, reply: Callable[..., bytes | None], delay: Callable[[], float | None]
    ) -> None:
        self._reply = reply
        self._delay = delay
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport) -> None:
        self._transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        delay = self._delay()
        if delay is None:
            return
        if delay > 0:  # answered as late as asked, from the world as it is then
            asyncio.get_running_loop().call_later(delay, self._answer, data, addr)
        else:
            self._answer(data, addr)

    def _answer(self, data: bytes, addr) -> None:
        wire = self._reply(data, udp=True)
        if wire is not None and self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(wire, addr)


class Authoritative(_Server):
    """Every sandbox zone and the CDN's targets, as the world holds them now."""

    def answer(self, response: dns.message.Message, question: dns.rrset.RRset) -> None:
        result = self.data.answer(question.name, question.rdtype, self.data.world.now())
        if result is None:
            response.set_rcode(dns.rcode.REFUSED)
            return
        response.flags |= dns.flags.AA
        response.set_rcode(result.rcode)
        response.answer, response.authority = result.answer, result.authority


@dataclass
class _CacheEntry:
    answer: Answer
    expires: float  # sandbox time


class CachingResolver(_Server):
    """A public resolver: answers from its cache, or from the world `lag` seconds ago."""

    recursion_available = True

    def __init__(
        self, data: SandboxDns, spec: PublicResolver, faults: Faults | None = None
    ) -> None:
        super().__init__(data, faults)
        self.spec = spec
        self.name = spec.name
        self._lines = DEFAULT_LINES if spec.region == "mainland" else OVERSEA_LINES
        self._cache: dict[tuple[str, int], _CacheEntry] = {}

    def answer(self, response: dns.message.Message, question: dns.rrset.RRset) -> None:
        found = self.resolve(question.name, question.rdtype)
        if found is None:
            response.set_rcode(dns.rcode.SERVFAIL)
            return
        entry, remaining = found
        response.set_rcode(entry.answer.rcode)
        response.answer = [_with_ttl(r, remaining) for r in entry.answer.answer]
        response.authority = [_with_ttl(r, remaining) for r in entry.answer.authority]

    def resolve(self, name: dns.name.Name, rdtype: int) -> tuple[_CacheEntry, int] | None:
        """(the cached or fresh answer, its remaining TTL), or None for SERVFAIL. Also
        what CDN's own checks ask through (cdn_checks.py), without a socket."""
        now = self.data.world.now()
        key = (name.to_text().lower(), rdtype)
        entry = self._cache.get(key)
        if entry is None or entry.expires <= now:
            result = self.data.answer(name, rdtype, now - self.spec.lag, self._lines)
            if result is None or not result.complete:  # nowhere else to ask
                return None
            # Positive answers live for the chain's smallest TTL, negative ones for the
            # SOA's (RFC 2308): both are in the sections' TTLs.
            ttl = min((r.ttl for r in result.answer + result.authority), default=0)
            if not result.answer:
                ttl = min(ttl, self.spec.max_negative_ttl)
            entry = _CacheEntry(result, now + ttl)
            self._store(key, entry, now)
        return entry, max(0, int(entry.expires - now))

    def _store(self, key: tuple[str, int], entry: _CacheEntry, now: float) -> None:
        if len(self._cache) >= MAX_CACHE:
            self._cache = {k: e for k, e in self._cache.items() if e.expires > now}
        self._cache[key] = entry


def _with_ttl(rrset: dns.rrset.RRset, ttl: int) -> dns.rrset.RRset:
    return dns.rrset.from_rdata_list(rrset.name, ttl, list(rrset))


@dataclass
class DnsServers:
    """Where the sandbox's DNS listens: addresses are "127.0.0.1:PORT"."""

    nameservers: list[str]
    resolvers: dict[str, str]  # resolver name -> address
    details: dict[str, dict]  # resolver name -> address, stands_for, region, lag
    _servers: list[_Server] = field(default_factory=list, repr=False)

    async def close(self) -> None:
        for server in self._servers:
            await server.close()


async def start_dns(
    world: World, host: str = "127.0.0.1", faults: Faults | None = None
) -> DnsServers:
    """Start the authoritative server and the public resolvers on the running loop;
    `faults` slows or silences them by name (see the module's docstring)."""
    return await serve_dns(world, bind_dns(host), faults)


async def serve_dns(world: World, bound: BoundDns, faults: Faults | None = None) -> DnsServers:
    """Serve the DNS on sockets bound beforehand (the sandbox binds them first, and
    serves once start-up is over or a query arrives: see dns_ports)."""
    data = SandboxDns(world)
    authoritative = Authoritative(data, faults)
    resolvers = [CachingResolver(data, spec, faults) for spec in PUBLIC_RESOLVERS]
    servers = DnsServers([], {}, {}, [authoritative, *resolvers])
    ports = [bound.authoritative, *(bound.resolvers[spec.name] for spec in PUBLIC_RESOLVERS)]
    try:
        for server, port in zip(servers._servers, ports, strict=True):
            await server.start(port)
    except BaseException:
        await servers.close()
        bound.close()
        raise
    servers.nameservers[:], servers.resolvers, servers.details = bound.describe()
    return servers
