"""Live DNS propagation check: does the world see a domain's CDN CNAME yet?

One round asks every server at once (asyncio.gather), each under its own timeout, so a
dead resolver costs the round one timeout and never delays the other rows:
- the zone's authoritative servers (found by an NS lookup; in the sandbox, its own),
- public resolvers in and outside mainland China (in the sandbox, its simulated ones),
- the machine's own resolver (never in the sandbox: it may point off the machine),
- and, when asked for, CDN's own view of the CNAME (DescribeDomainCname).

The public resolvers can be changed in `$XDG_CONFIG_HOME/oss-cdn/resolvers.json`
(`~/.config/oss-cdn/resolvers.json` without XDG_CONFIG_HOME), a JSON object:

    {
      "resolvers": [
        {"name": "AliDNS", "address": "223.5.5.5", "region": "mainland"},
        {"name": "Office", "address": "10.0.0.53:5353"}
      ],
      "system": false
    }

`resolvers` replaces the built-in list (each `address` is HOST or HOST:PORT, IPv6 as
[::1]:53; `name` and `region` are optional); `system` (default true) says whether the
machine's resolver gets a row. Both keys are optional. The sandbox ignores the file.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import socket
import struct
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import dns.exception
import dns.message

from tui.config import config_dir
from tui.rules import domain_key

from .errors import ServiceError
from .models import CnameStatus
from .profile import Profile
from .verdicts import (
    AUTHORITATIVE,
    CDN,
    RESOLVER,
    SYSTEM,
    ResolverResult,
    Verdict,
    canonical,
    read_answer,
    result_for,
)

if TYPE_CHECKING:
    from .cdn import CdnService

DEFAULT_TIMEOUT = 2.0  # seconds per server; a round lasts about this long at worst
CDN_TIMEOUT = 10.0  # CDN's API may be slower than DNS; its row waits longer
EDNS_PAYLOAD = 1232  # the DNS flag day 2020 size: no fragmented UDP answers
CONFIG_NAME = "resolvers.json"
MAINLAND, GLOBAL = "mainland", "global"

CdnView = Callable[[], Awaitable[CnameStatus]]  # DescribeDomainCname for one domain


@dataclass(frozen=True)
class Target:
    """A DNS server to ask. `host` is an IP address, or a name the system resolves."""

    name: str
    host: str
    port: int = 53
    kind: str = RESOLVER  # AUTHORITATIVE | RESOLVER | SYSTEM
    region: str = ""  # MAINLAND | GLOBAL for public resolvers

    @property
    def address(self) -> str:
        """ "223.5.5.5", "127.0.0.1:5353", "[::1]:5353": the port only when not 53."""
        if self.port == 53:
            return self.host
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


PUBLIC_RESOLVERS: tuple[Target, ...] = (
    Target("AliDNS", "223.5.5.5", region=MAINLAND),
    Target("AliDNS 2", "223.6.6.6", region=MAINLAND),
    Target("DNSPod", "119.29.29.29", region=MAINLAND),
    Target("114DNS", "114.114.114.114", region=MAINLAND),
    Target("Baidu", "180.76.76.76", region=MAINLAND),
    Target("CNNIC", "1.2.4.8", region=MAINLAND),
    Target("Google", "8.8.8.8", region=GLOBAL),
    Target("Cloudflare", "1.1.1.1", region=GLOBAL),
    Target("Quad9", "9.9.9.9", region=GLOBAL),
    Target("OpenDNS", "208.67.222.222", region=GLOBAL),
)
_REGION_OF = {t.name: t.region for t in PUBLIC_RESOLVERS}


class ResolverConfigError(ServiceError, ValueError):
    """A --resolver argument or resolvers.json entry that cannot be used."""


def parse_address(text: str) -> tuple[str, int]:
    """HOST[:PORT] -> (host, port); IPv6 as [::1]:53 or a bare ::1."""
    text = text.strip()
    port = "53"
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ResolverConfigError(f"not an address: {text!r}")
        port = rest[1:] or port
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:  # a name, an IPv4 address, or a bare IPv6 address
        host = text
    if not host or any(c.isspace() for c in host):
        raise ResolverConfigError(f"not an address: {text!r}")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ResolverConfigError(f"not a port: {port!r} in {text!r}")
    return host, int(port)


def parse_resolver(text: str) -> Target:
    """A --resolver argument: [NAME=]HOST[:PORT]."""
    name, sep, address = text.partition("=")
    if not sep:
        name, address = "", text
    host, port = parse_address(address)
    target = Target(name.strip(), host, port)
    return target if target.name else Target(target.address, host, port)


@dataclass(frozen=True)
class ResolverConfig:
    resolvers: tuple[Target, ...] = PUBLIC_RESOLVERS
    system: bool = True


def config_path(environ: Mapping[str, str] = os.environ) -> Path:
    return config_dir(environ) / CONFIG_NAME


def parse_resolver_config(text: str) -> ResolverConfig:
    """resolvers.json's content (format in this module's docstring)."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ResolverConfigError(f"not JSON: {error}") from None
    if not isinstance(data, dict):
        raise ResolverConfigError('expected a JSON object with "resolvers" and/or "system"')
    system = data.get("system", True)
    if not isinstance(system, bool):
        raise ResolverConfigError('"system" must be true or false')
    if "resolvers" not in data:
        return ResolverConfig(system=system)
    entries = data["resolvers"]
    if not isinstance(entries, list):
        raise ResolverConfigError('"resolvers" must be a list')
    targets = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("address"), str):
            raise ResolverConfigError(f'resolver {n}: expected {{"address": "HOST[:PORT]"}}')
        host, port = parse_address(entry["address"])
        name = str(entry.get("name") or "").strip()
        region = entry.get("region") or _REGION_OF.get(name, "")
        if region not in ("", MAINLAND, GLOBAL):
            raise ResolverConfigError(f'resolver {n}: region is "mainland" or "global"')
        target = Target(name, host, port, region=region)
        targets.append(target if name else Target(target.address, host, port, region=region))
    return ResolverConfig(tuple(targets), system)


def load_resolver_config(path: Path | None = None) -> ResolverConfig:
    """The user's resolvers.json, or the built-in list when there is none."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ResolverConfig()
    except OSError as error:
        raise ResolverConfigError(f"{path}: {error.strerror}") from None
    try:
        return parse_resolver_config(text)
    except ResolverConfigError as error:
        raise ResolverConfigError(f"{path}: {error}") from None


def sandbox_targets(profile: Profile) -> tuple[Target, ...]:
    """The sandbox's authoritative server(s) and simulated public resolvers."""
    servers = profile.nameservers
    authoritative = tuple(
        Target(
            "Authoritative" if len(servers) == 1 else f"Authoritative {n}",
            *parse_address(address),
            kind=AUTHORITATIVE,
        )
        for n, address in enumerate(servers, 1)
    )
    resolvers = tuple(
        Target(name, *parse_address(address), region=_REGION_OF.get(name, ""))
        for name, address in profile.resolvers
    )
    return authoritative + resolvers


def system_target() -> Target | None:
    """The machine's resolver (the first in /etc/resolv.conf), or None when it has none."""
    import dns.resolver

    try:
        nameservers = dns.resolver.Resolver(configure=True).nameservers
    except dns.exception.DNSException:
        return None
    if not nameservers:
        return None
    return Target("System", str(nameservers[0]), kind=SYSTEM)


async def authoritative_targets(
    domain: str, *, resolver=None, timeout: float = DEFAULT_TIMEOUT
) -> tuple[Target, ...]:
    """The name servers of the zone holding `domain`, by an NS lookup through `resolver`
    (a dns.asyncresolver.Resolver; the system's when None). Raises DNSException."""
    import dns.asyncresolver

    resolver = resolver or dns.asyncresolver.Resolver()
    zone = await dns.asyncresolver.zone_for_name(domain, resolver=resolver, lifetime=timeout)
    answer = await resolver.resolve(zone, "NS", lifetime=timeout)
    names = sorted(canonical(rdata.target.to_text()) for rdata in answer)
    return tuple(Target(name, name, kind=AUTHORITATIVE) for name in names)


async def _ip_of(host: str, port: int) -> str:
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    return str(infos[0][4][0])  # the address of (address, port, ...)


# Linux stamps each datagram with the time it reached the machine when a socket asks
# (SO_TIMESTAMPNS in asm-generic/socket.h, socket(7)); Python's socket module does not
# name it. Elsewhere the time the event loop sees the socket readable stands in.
SO_TIMESTAMPNS = 35 if sys.platform == "linux" else None
_TIMESPEC = struct.Struct("@ll")  # struct timespec: time_t seconds, long nanoseconds


async def query_server(
    target: Target, qname: str, timeout: float, rdtype: str = "A"
) -> dns.message.Message:
    """`target`'s response to `qname`/`rdtype`. Raises OSError, DNSException (a
    timeout too); the caller bounds the whole, the server's name lookup included."""
    response, _ = await timed_query(target, qname, timeout, rdtype)
    return response


async def timed_query(
    target: Target, qname: str, timeout: float, rdtype: str = "A"
) -> tuple[dns.message.Message, float]:
    """`query_server`, with the seconds the server took to answer (see udp_exchange)."""
    import dns.asyncquery

    where = await _ip_of(target.host, target.port)
    # Recursion desired: for type A a resolver returns the whole CNAME chain, an
    # authoritative server the part it holds.
    request = dns.message.make_query(qname, rdtype, use_edns=0, payload=EDNS_PAYLOAD)
    start = time.perf_counter()
    try:
        return await udp_exchange(request, where, target.port)
    except dns.message.Truncated:  # too large for UDP: asked again over TCP
        start = time.perf_counter()
        response = await dns.asyncquery.tcp(request, where, timeout=timeout, port=target.port)
    except NotImplementedError:  # a loop without add_reader (Windows' proactor)
        response, _ = await dns.asyncquery.udp_with_fallback(
            request, where, timeout=timeout, port=target.port, ignore_unexpected=True
        )
    return response, time.perf_counter() - start


async def udp_exchange(
    request: dns.message.Message, where: str, port: int
) -> tuple[dns.message.Message, float]:
    """`request` over UDP to `where`: its response, and the seconds from sending it to the
    response reaching this machine. Rounds ask every server at once, so answers arrive
    together while the loop (or another thread: the app's own sandbox) is busy; the
    time is taken when the datagram arrives, not when this coroutine resumes, so each
    row shows its own server's time rather than the round's. The caller bounds the wait.
    Raises dns.message.Truncated when the answer needs TCP."""
    loop = asyncio.get_running_loop()
    with socket.socket(_family(where), socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        stamped = _ask_for_timestamps(sock)
        # Connected: the ICMP "port unreachable" of a server that is not there comes
        # back as ConnectionRefusedError at once instead of waiting out the timeout;
        # datagrams from anywhere else are not delivered.
        sock.connect((where, port))
        sock.send(request.to_wire())
        sent_wall, sent = time.time(), time.perf_counter()
        while True:
            seen = await _readable(loop, sock)
            try:
                wire, ancillary, _, _ = sock.recvmsg(65535, 256 if stamped else 0)
            except BlockingIOError:
                continue
            # A malformed answer raises (an error row), a truncated one asks for TCP.
            response = dns.message.from_wire(wire, raise_on_truncation=True)
            if not request.is_response(response):
                continue  # a late answer to someone else's query on a reused port
            elapsed = seen - sent
            arrived = _kernel_time(ancillary)
            if arrived is not None and 0 <= arrived - sent_wall <= elapsed:
                elapsed = arrived - sent_wall  # the kernel's own stamp, when it is sane
            return response, elapsed


def _family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _ask_for_timestamps(sock: socket.socket) -> bool:
    if SO_TIMESTAMPNS is None:
        return False
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    except OSError:
        return False
    return True


def _kernel_time(ancillary: list[tuple[int, int, bytes]]) -> float | None:
    """The arrival time (time.time()'s clock) the kernel attached to a datagram."""
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) == _TIMESPEC.size:
            seconds, nanoseconds = _TIMESPEC.unpack(data)
            return seconds + nanoseconds / 1e9
    return None


async def _readable(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> float:
    """Wait until `sock` can be read; the perf_counter() when the loop saw it so (taken in
    the loop's callback, before any other task runs)."""
    ready: asyncio.Future[float] = loop.create_future()

    def seen() -> None:
        if not ready.done():
            ready.set_result(time.perf_counter())

    loop.add_reader(sock.fileno(), seen)
    try:
        return await ready
    finally:
        loop.remove_reader(sock.fileno())


async def ask(
    target: Target, qname: str, expected: str, *, timeout: float = DEFAULT_TIMEOUT
) -> ResolverResult:
    """One row: `target`'s answer for `qname`, judged against `expected`. Never raises
    for a network failure: a timeout or error is the row's verdict. The row's latency is
    its own server's answer time (see udp_exchange)."""
    start = time.perf_counter()

    def failed(verdict: Verdict, detail: str = "", latency: float | None = None):
        return ResolverResult(
            target.name,
            target.address,
            target.kind,
            verdict,
            latency_ms=latency,
            region=target.region,
            detail=detail,
        )

    try:
        # The outer bound also covers resolving the server's own name.
        response, seconds = await asyncio.wait_for(timed_query(target, qname, timeout), timeout)
    except (asyncio.TimeoutError, dns.exception.Timeout):
        return failed(Verdict.TIMEOUT, f"no answer in {timeout:g} s")
    except (OSError, dns.exception.DNSException) as error:
        return failed(Verdict.ERROR, _describe(error), _ms_since(start))
    return result_for(
        target.name,
        target.address,
        target.kind,
        expected,
        read_answer(qname, response),
        latency_ms=round(seconds * 1000, 1),
        region=target.region,
    )


def _ms_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _describe(error: Exception) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return f"cannot resolve the server's name: {error.strerror}"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__


async def ask_cdn(view: CdnView, *, timeout: float = CDN_TIMEOUT) -> ResolverResult:
    """CDN's own view: DescribeDomainCname's status 0 means CDN sees the CNAME in place."""
    start = time.perf_counter()
    address = "DescribeDomainCname"
    try:
        status = await asyncio.wait_for(view(), timeout)
    except asyncio.TimeoutError:
        return ResolverResult(
            "CDN", address, CDN, Verdict.TIMEOUT, detail=f"no answer in {timeout:g} s"
        )
    except ServiceError as error:  # its message is built without secrets
        return ResolverResult(
            "CDN", address, CDN, Verdict.ERROR, latency_ms=_ms_since(start), detail=str(error)
        )
    return ResolverResult(
        "CDN",
        address,
        CDN,
        Verdict.MATCH if status.in_place else Verdict.MISMATCH,
        answer=(canonical(status.cname),) if status.in_place else (),
        latency_ms=_ms_since(start),
        detail="" if status.in_place else "CDN does not see the CNAME yet",
    )


async def check_round(
    domain: str,
    expected: str,
    targets: Sequence[Target],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    cdn_view: CdnView | None = None,
) -> tuple[ResolverResult, ...]:
    """One round: every target (and CDN's view, if given) asked concurrently; the rows
    come back in the targets' order, CDN's last."""
    qname = canonical(domain) + "."
    asks = [ask(t, qname, expected, timeout=timeout) for t in targets]
    if cdn_view is not None:
        asks.append(ask_cdn(cdn_view))
    return tuple(await asyncio.gather(*asks))


class PropagationService:
    """The propagation check for one profile: which servers to ask, and rounds of asking.

    `cdn` is the profile's CdnService (for CDN's own row), or None to leave that row out.
    `config` stands for resolvers.json (read on the first round when None: it and the
    machine's resolver seldom change); `ns_resolver` (a dns.asyncresolver.Resolver)
    finds the zone's servers, the system's when None.
    """

    def __init__(
        self,
        profile: Profile,
        cdn: CdnService | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        config: ResolverConfig | None = None,
        ns_resolver=None,
    ) -> None:
        self.profile = profile
        self.cdn = cdn
        self.timeout = timeout
        self._config = config
        self._system: tuple[Target, ...] | None = None  # the machine's resolver, once read
        self._ns_resolver = ns_resolver
        self._zone_servers: dict[str, tuple[Target, ...]] = {}

    async def check(
        self,
        domain: str,
        expected: str,
        *,
        targets: Sequence[Target] | None = None,
        with_cdn: bool = True,
        cdn_domain: str | None = None,
    ) -> tuple[ResolverResult, ...]:
        """One round for `domain`: against `targets`, or when None the defaults (the
        zone's servers, the public resolvers, the system's). CDN's row asks about
        `cdn_domain` (for a wildcard, `.example.com` while `domain` is a name it covers),
        `domain` when None. Raises ResolverConfigError for a bad resolvers.json."""
        failed: tuple[ResolverResult, ...] = ()
        if targets is None:
            targets, failed = await self._default_targets(domain)
        view = None
        if with_cdn and self.cdn is not None:
            view = self.cdn_view(cdn_domain or domain)
        rows = await check_round(domain, expected, targets, timeout=self.timeout, cdn_view=view)
        return failed + rows

    async def _default_targets(self, domain: str):
        """(targets, rows for what could not be found). In the sandbox, its own servers."""
        if self.profile.sandbox:
            return sandbox_targets(self.profile), ()
        if self._config is None:  # a bad file is read again next round, once fixed
            self._config = load_resolver_config()
        config = self._config
        if self._system is None:
            system = system_target() if config.system else None
            self._system = (system,) if system else ()
        key = canonical(domain)
        failed: tuple[ResolverResult, ...] = ()
        if key not in self._zone_servers:  # remembered once found: they seldom change
            try:
                self._zone_servers[key] = await authoritative_targets(
                    key, resolver=self._ns_resolver, timeout=self.timeout
                )
            except dns.exception.DNSException as error:
                failed = (
                    ResolverResult(
                        "Authoritative",
                        "NS lookup",
                        AUTHORITATIVE,
                        Verdict.ERROR,
                        detail=_describe(error),
                    ),
                )
        zone = self._zone_servers.get(key, ())
        return zone + config.resolvers + self._system, failed

    def cdn_view(self, domain: str) -> CdnView:
        """DescribeDomainCname for `domain` alone (a wildcard in either spelling), as
        `ask_cdn` takes it."""
        name = domain_key(domain)  # the API's spelling: ".example.com" for a wildcard
        cdn = self.cdn
        if cdn is None:
            raise ValueError("CDN's view needs the CDN service")

        async def view() -> CnameStatus:
            for status in await cdn.cname_status([name]):
                if domain_key(status.domain) == name:
                    return status
            return CnameStatus(name, "", -1)  # CDN does not list it: not in place

        return view
