"""What the sandbox's DNS holds, answerable as it stood at any sandbox time.

Pure answer logic shared by the authoritative server (time = now) and the simulated
public resolvers (time = now - lag): no sockets and no caching here. The data is every
world zone (hosted in Alidns or elsewhere) plus the CDN's CNAME targets under
kunlunsl.com, each of which has an A record at the address the sandbox's CDN edge listens
on (`World.edge_host`; the edge serves every domain, routing by Host, on its own port).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import dns.exception
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset

from tui.sandbox.world import CNAME_SUFFIX, RecordVersion, SandboxZone, World

CDN_ZONE = CNAME_SUFFIX.split(".", 1)[1]  # kunlunsl.com
CDN_TTL = 300
SOA_MINIMUM = 600  # also the SOA's own TTL: negative answers are cached this long
NS_TTL = 3600
MAX_CHAIN = 8  # CNAMEs followed before a chain counts as a loop
SERVED_TYPES = frozenset({"A", "AAAA", "CNAME", "TXT", "MX", "NS", "SOA", "CAA", "SRV"})

# Alidns answers per "line": a resolver abroad gets a name's `oversea` records where the
# name has some of that type, and its `default` ones otherwise.
DEFAULT_LINES = ("default",)
OVERSEA_LINES = ("oversea", "default")

IN = dns.rdataclass.IN


@dataclass
class Answer:
    rcode: dns.rcode.Rcode
    answer: list[dns.rrset.RRset] = field(default_factory=list)
    authority: list[dns.rrset.RRset] = field(default_factory=list)
    # False when a CNAME chain leaves the sandbox or loops: a resolver cannot finish it.
    complete: bool = True


# One step of a CNAME chain: rcode, answer rrsets, authority rrsets, target to follow.
_Step = tuple[dns.rcode.Rcode, list[dns.rrset.RRset], list[dns.rrset.RRset], dns.name.Name | None]


class RecordIndex:
    """Record versions by owner name, and each name's child names, for lookups at any
    time. The world only appends versions (a change closes one and opens another, and only
    `deleted_at` and `enabled` change in place, which lookups read live), so new versions
    are indexed as they come."""

    def __init__(self) -> None:
        self._by_name: dict[str, list[RecordVersion]] = defaultdict(list)
        self._children: dict[str, set[str]] = defaultdict(set)
        self._indexed = 0

    def update(self, records: Sequence[RecordVersion]) -> None:
        if len(records) < self._indexed:  # versions were dropped: index afresh
            self._by_name.clear()
            self._children.clear()
            self._indexed = 0
        for record in records[self._indexed :]:
            zone, name = record.zone.lower(), record.fqdn.rstrip(".").lower()
            self._by_name[name].append(record)
            while name != zone and "." in name:
                parent = name.split(".", 1)[1]
                self._children[parent].add(name)
                name = parent
        self._indexed = len(records)

    def live(self, name: str, zone: str, t: float) -> list[RecordVersion]:
        return [
            r
            for r in self._by_name.get(name, ())
            if r.enabled and r.live_at(t) and r.zone.lower() == zone
        ]

    def exists(self, name: str, zone: str, t: float) -> bool:
        """Whether `name` owns records at `t` or is an empty non-terminal above one that does."""
        return bool(self.live(name, zone, t)) or any(
            self.exists(child, zone, t) for child in self._children.get(name, ())
        )


class SandboxDns:
    """The DNS data of the whole sandbox, read from the world under its lock."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._records = RecordIndex()
        self._cdn = RecordIndex()
        self._cdn_targets: list[tuple[str, float, str]] = []
        self._cdn_zone = SandboxZone(
            name=CDN_ZONE,
            domain_id="",
            hosted_in_alidns=False,
            dns_servers=(f"ns1.{CDN_ZONE}", f"ns2.{CDN_ZONE}"),
        )

    def answer(
        self, qname: dns.name.Name, qtype: int, t: float, lines: Sequence[str] = DEFAULT_LINES
    ) -> Answer | None:
        """The answer at sandbox time `t`, following CNAMEs through the sandbox's zones;
        None when `qname` is in none of them."""
        with self.world.lock:
            self.world.tick()
            self._records.update(self.world.records)
            self._refresh_cdn()
            result = Answer(dns.rcode.NOERROR)
            owner, seen = qname, set[str]()
            while True:
                key = owner.to_text(omit_final_dot=True).lower()
                zone = self._zone_for(key)
                if zone is None or key in seen or len(seen) > MAX_CHAIN:
                    if not seen:
                        return None
                    result.complete = False
                    return result
                seen.add(key)
                result.rcode, rrsets, result.authority, target = self._lookup(
                    zone, owner, key, qtype, t, lines
                )
                result.answer += rrsets
                if target is None:
                    return result
                owner = target

    def _zone_for(self, name: str) -> SandboxZone | None:
        if name == CDN_ZONE or name.endswith("." + CDN_ZONE):
            return self._cdn_zone
        return self.world.zone_for(name)

    def _refresh_cdn(self) -> None:
        """Index an A record for each live CDN domain's CNAME target, from its creation,
        at the edge's address."""
        edge = self.world.edge_host
        targets = sorted(
            (d.cname, d.created, edge)
            for d in self.world.domains.values()
            if d.status != "deleted" and d.cname.lower().endswith("." + CDN_ZONE)
        )
        if targets == self._cdn_targets:
            return
        self._cdn_targets, self._cdn = targets, RecordIndex()
        self._cdn.update(
            [
                RecordVersion(
                    record_id=f"cdn-{n}",
                    zone=CDN_ZONE,
                    rr=cname.lower()[: -len(CDN_ZONE) - 1],
                    type="A",
                    value=address,
                    ttl=CDN_TTL,
                    created_at=created,
                )
                for n, (cname, created, address) in enumerate(targets)
            ]
        )

    def _lookup(
        self,
        zone: SandboxZone,
        owner: dns.name.Name,
        name: str,
        qtype: int,
        t: float,
        lines: Sequence[str],
    ) -> _Step:
        """One name's part of an answer; `name` is `owner` as a lower-case key."""
        index = self._cdn if zone is self._cdn_zone else self._records
        apex = zone.name.lower()
        records = index.live(name, apex, t)
        if not records and name != apex and not index.exists(name, apex, t):
            records = _wildcard(index, name, apex, t)
            if not records:
                return dns.rcode.NXDOMAIN, [], [_soa(zone)], None
        rrsets = _rrsets(owner, records, lines)
        if name == apex:  # the zone's own SOA and NS stand for any stored ones
            rrsets[dns.rdatatype.SOA] = _soa(zone)
            rrsets[dns.rdatatype.NS] = _ns(zone)
        if qtype == dns.rdatatype.ANY:
            return dns.rcode.NOERROR, list(rrsets.values()), [], None
        if qtype in rrsets:  # also at an apex where Alidns lets a CNAME stand beside MX/TXT
            return dns.rcode.NOERROR, [rrsets[qtype]], [], None
        cname = rrsets.get(dns.rdatatype.CNAME)
        if cname is not None:
            return dns.rcode.NOERROR, [cname], [], cname[0].target
        return dns.rcode.NOERROR, [], [_soa(zone)], None


def _wildcard(index: RecordIndex, name: str, apex: str, t: float) -> list[RecordVersion]:
    """Records of the wildcard covering `name`, which does not exist (RFC 4592): the `*`
    child of its closest existing ancestor, if that has records."""
    encloser = name
    while encloser != apex:
        encloser = encloser.split(".", 1)[1]
        if encloser == apex or index.exists(encloser, apex, t):
            break
    return index.live(f"*.{encloser}", apex, t)


def _rrsets(
    owner: dns.name.Name, records: list[RecordVersion], lines: Sequence[str]
) -> dict[int, dns.rrset.RRset]:
    by_type: dict[str, list[RecordVersion]] = defaultdict(list)
    for record in records:
        if record.type.upper() in SERVED_TYPES:
            by_type[record.type.upper()].append(record)
    rrsets: dict[int, dns.rrset.RRset] = {}
    for type_, group in by_type.items():
        line = next((ln for ln in lines if any(r.line == ln for r in group)), None)
        rrset = dns.rrset.RRset(owner, IN, dns.rdatatype.from_text(type_))
        for record in group:
            rdata = _rdata(type_, record.value, record.priority)
            if record.line == line and rdata is not None:
                rrset.add(rdata, record.ttl)  # the rrset keeps the smallest TTL
        if rrset:
            rrsets[rrset.rdtype] = rrset
    return rrsets


@functools.lru_cache(maxsize=8192)
def _rdata(type_: str, value: str, priority: int | None) -> dns.rdata.Rdata | None:
    """The rdata for a value as Alidns holds it, or None if it cannot be served."""
    try:
        if type_ == "TXT":  # plain text, cut into DNS character-strings
            data = value.encode()
            chunks = [data[i : i + 255] for i in range(0, len(data), 255)] or [b""]
            return dns.rdtypes.ANY.TXT.TXT(IN, dns.rdatatype.TXT, chunks)
        text = f"{10 if priority is None else priority} {value}" if type_ == "MX" else value
        return dns.rdata.from_text(IN, type_, text, origin=dns.name.root, relativize=False)
    except (dns.exception.DNSException, ValueError):
        return None


def _soa(zone: SandboxZone) -> dns.rrset.RRset:
    return _apex_rrsets(zone.name.lower(), tuple(zone.dns_servers))[0].copy()


def _ns(zone: SandboxZone) -> dns.rrset.RRset:
    return _apex_rrsets(zone.name.lower(), tuple(zone.dns_servers))[1].copy()


@functools.lru_cache(maxsize=1024)
def _apex_rrsets(zone: str, servers: tuple[str, ...]) -> tuple[dns.rrset.RRset, ...]:
    """The zone's SOA and NS, parsed once (callers get copies: rrsets are mutable)."""
    servers = servers or (f"ns1.{zone}",)
    hostmaster = "hostmaster." + servers[0].split(".", 1)[-1]
    soa = dns.rrset.from_text(
        zone + ".",
        SOA_MINIMUM,
        IN,
        dns.rdatatype.SOA,
        f"{servers[0]}. {hostmaster}. 1 3600 1200 86400 {SOA_MINIMUM}",
    )
    ns = dns.rrset.from_text_list(
        zone + ".", NS_TTL, IN, dns.rdatatype.NS, [f"{server}." for server in servers]
    )
    return soa, ns
