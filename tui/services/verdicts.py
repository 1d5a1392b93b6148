"""Pure judgement of DNS answers for the propagation check: no sockets, no clocks.

A row is judged by the CNAME target its resolver returns, never by the final addresses
(CDN answers different edge addresses in different places). `read_answer` turns a DNS
response into the chain it holds; `judge` gives the verdict; `PropagationBoard` sums a
round up for a screen and says when to look again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum

import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype

# What asked a row: the zone's own servers, a public resolver, the machine's resolver,
# or CDN's own view of the CNAME (DescribeDomainCname), which is not DNS.
AUTHORITATIVE = "authoritative"
RESOLVER = "resolver"
SYSTEM = "system"
CDN = "cdn"
DNS_KINDS = frozenset({AUTHORITATIVE, RESOLVER, SYSTEM})

MAX_CHAIN = 16  # CNAMEs followed in one answer before the rest is ignored


class Verdict(str, Enum):
    MATCH = "match"  # the expected CNAME is in the answer's chain
    MISMATCH = "mismatch"  # an answer, without the expected CNAME (an old or other one)
    NXDOMAIN = "nxdomain"  # the name does not exist (yet, for this resolver)
    NOANSWER = "noanswer"  # the name exists but has no A/CNAME
    TIMEOUT = "timeout"
    SERVFAIL = "servfail"
    ERROR = "error"  # any other rcode or failure; the row's detail says which

    def __str__(self) -> str:
        return self.value


def canonical(name: str) -> str:
    """A DNS name as compared here: lower case, no trailing dot."""
    return name.strip().rstrip(".").lower()


def same_name(a: str, b: str) -> bool:
    return canonical(a) == canonical(b)


@dataclass(frozen=True)
class Answer:
    """What one DNS response says about a name."""

    rcode: str  # "NOERROR", "NXDOMAIN", ...
    cnames: tuple[str, ...] = ()  # the CNAME chain from the name, in order
    addresses: tuple[str, ...] = ()  # the A/AAAA at the end of the chain
    # Seconds the answer may still be cached: the TTL of the name's own record, or for a
    # negative answer the SOA's (RFC 2308: the smaller of its TTL and its MINIMUM).
    ttl: int | None = None

    @property
    def chain(self) -> tuple[str, ...]:
        return self.cnames + self.addresses


def read_answer(qname: str, response: dns.message.Message) -> Answer:
    """The CNAME chain from `qname` down to its A/AAAA records, as the response holds it."""
    rcode = dns.rcode.to_text(response.rcode())
    owner = dns.name.from_text(qname)
    cnames: list[str] = []
    head_ttl: int | None = None
    for _ in range(MAX_CHAIN):
        rrset = _find(response, owner, dns.rdatatype.CNAME)
        if rrset is None:
            break
        if head_ttl is None:
            head_ttl = rrset.ttl
        owner = rrset[0].target
        cnames.append(canonical(owner.to_text()))
    addresses: list[str] = []
    for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
        rrset = _find(response, owner, rdtype)
        if rrset is not None:
            addresses += sorted(rdata.address for rdata in rrset)
            if head_ttl is None:
                head_ttl = rrset.ttl
    ttl = head_ttl if (cnames or addresses) else _negative_ttl(response)
    return Answer(rcode, tuple(cnames), tuple(addresses), ttl)


def _find(response: dns.message.Message, owner: dns.name.Name, rdtype: int):
    for rrset in response.answer:
        if rrset.name == owner and rrset.rdtype == rdtype and rrset.rdclass == dns.rdataclass.IN:
            return rrset
    return None


def _negative_ttl(response: dns.message.Message) -> int | None:
    for rrset in response.authority:
        if rrset.rdtype == dns.rdatatype.SOA:
            return min(rrset.ttl, rrset[0].minimum)
    return None


def judge(expected: str, answer: Answer) -> Verdict:
    """The verdict on one answer. A match is the expected target anywhere in the chain:
    the name may reach the CDN through a CNAME of its own (www -> cdn -> *.kunlunsl.com)."""
    if any(same_name(name, expected) for name in answer.cnames):
        return Verdict.MATCH
    if answer.rcode == "SERVFAIL":
        return Verdict.SERVFAIL
    if answer.rcode == "NXDOMAIN":
        # A CNAME chain that ends nowhere is still an (other) answer for the name.
        return Verdict.MISMATCH if answer.cnames else Verdict.NXDOMAIN
    if answer.rcode != "NOERROR":
        return Verdict.ERROR
    return Verdict.MISMATCH if answer.chain else Verdict.NOANSWER


@dataclass(frozen=True)
class ResolverResult:
    """One row of a propagation round."""

    resolver: str  # "AliDNS", "dns9.hichina.com", "System", "CDN"
    address: str  # "223.5.5.5", "127.0.0.1:5353"; for CDN the API action
    kind: str  # AUTHORITATIVE | RESOLVER | SYSTEM | CDN
    verdict: Verdict
    answer: tuple[str, ...] = ()  # the CNAME chain down to the final addresses
    # For a stale or negative answer: seconds it may stay cached, so a change is due
    # in about this long. None for a match, a failure, or when the answer gave none.
    ttl: int | None = None
    latency_ms: float | None = None  # None when no answer came (timeout)
    region: str = ""  # "mainland" | "global" for the public resolvers
    detail: str = ""  # what went wrong, for an error row: "REFUSED", "connection refused"

    @property
    def matches(self) -> bool:
        return self.verdict is Verdict.MATCH

    @property
    def is_dns(self) -> bool:
        return self.kind in DNS_KINDS

    @property
    def hint(self) -> str:
        """What to expect of this row, for a screen: "" when nothing is due."""
        if self.ttl is None or self.matches:
            return ""
        return f"expect a change in about {self.ttl} s"

    def to_json(self) -> dict:
        return {
            "resolver": self.resolver,
            "address": self.address,
            "kind": self.kind,
            "verdict": self.verdict.value,
            "answer": list(self.answer),
            "ttl": self.ttl,
            "latency_ms": self.latency_ms,
        }


def result_for(
    resolver: str,
    address: str,
    kind: str,
    expected: str,
    answer: Answer,
    *,
    latency_ms: float | None = None,
    region: str = "",
) -> ResolverResult:
    """The row for a DNS answer: the verdict, and the TTL left when it is not a match."""
    verdict = judge(expected, answer)
    return ResolverResult(
        resolver=resolver,
        address=address,
        kind=kind,
        verdict=verdict,
        answer=answer.chain,
        ttl=None if verdict in (Verdict.MATCH, Verdict.SERVFAIL, Verdict.ERROR) else answer.ttl,
        latency_ms=latency_ms,
        region=region,
        detail=answer.rcode if verdict is Verdict.ERROR else "",
    )


@dataclass(frozen=True)
class PropagationBoard:
    """The state of a live check between rounds; immutable: `advance` returns the next.

    Re-checks back off: `base_delay` after a round in which a row changed (or the first),
    doubling while nothing changes, up to `max_delay`. When a stale row's cache is due to
    expire sooner, the next check comes just after it. TTLs are in the resolvers' seconds;
    `ttl_scale` turns them into the caller's (1/speed for a sped-up sandbox).
    """

    expected: str
    results: tuple[ResolverResult, ...] = ()
    rounds: int = 0
    backoff: float = 0.0
    base_delay: float = 2.0
    max_delay: float = 60.0
    ttl_scale: float = 1.0

    def advance(self, results: Iterable[ResolverResult]) -> PropagationBoard:
        results = tuple(results)
        changed = self.rounds == 0 or _verdicts(results) != _verdicts(self.results)
        backoff = self.base_delay if changed else min(self.max_delay, self.backoff * 2)
        return replace(self, results=results, rounds=self.rounds + 1, backoff=backoff)

    @property
    def dns_rows(self) -> tuple[ResolverResult, ...]:
        return tuple(r for r in self.results if r.is_dns)

    @property
    def propagated(self) -> bool:
        """Every DNS server asked answers the expected CNAME (CDN's own view aside)."""
        rows = self.dns_rows
        return bool(rows) and all(r.matches for r in rows)

    @property
    def authoritative_ok(self) -> bool | None:
        """Whether the zone's servers all answer it; None when none was asked."""
        rows = [r for r in self.results if r.kind == AUTHORITATIVE]
        return all(r.matches for r in rows) if rows else None

    @property
    def resolver_counts(self) -> tuple[int, int]:
        """(matching, asked) among the public and system resolvers."""
        rows = [r for r in self.results if r.kind in (RESOLVER, SYSTEM)]
        return sum(r.matches for r in rows), len(rows)

    @property
    def cdn(self) -> ResolverResult | None:
        return next((r for r in self.results if r.kind == CDN), None)

    @property
    def cdn_waiting(self) -> bool:
        """DNS is propagated but CDN's own view (DescribeDomainCname) does not see the
        CNAME yet: CDN looks through its own resolvers, which lag minutes behind."""
        cdn = self.cdn
        return self.propagated and cdn is not None and not cdn.matches

    def real_ttl(self, row: ResolverResult) -> float | None:
        """`row`'s TTL in the caller's (real) seconds: the one clock the board, `oss-cdn
        check` and its JSON all speak, whatever speed the sandbox runs at."""
        return None if row.ttl is None else row.ttl * self.ttl_scale

    @property
    def next_delay(self) -> float:
        """Seconds until the next round."""
        due = [r.ttl for r in self.dns_rows if not r.matches and r.ttl is not None]
        if not due:
            return self.backoff
        # +1: the TTL left is rounded down, and the cache may outlive it by a fraction.
        soonest = (min(due) + 1) * self.ttl_scale
        return min(self.backoff, max(soonest, min(self.base_delay, self.backoff)))

    @property
    def summary(self) -> str:
        """One line for a status bar: "authoritative ok · 5/9 resolvers match"."""
        if not self.results:
            return "not checked yet"
        parts = []
        if self.authoritative_ok is not None:
            parts.append("authoritative ok" if self.authoritative_ok else "authoritative not ok")
        matching, asked = self.resolver_counts
        if asked:
            parts.append(f"{matching}/{asked} resolvers match")
        if self.propagated:
            parts.insert(0, "propagated")
        return " · ".join(parts)


def seconds_text(seconds: float) -> str:
    """Real seconds as the board and `oss-cdn check` print them: "600 s", "0.6 s" (a
    sped-up sandbox's TTLs are fractions of a second)."""
    text = f"{seconds:.0f}" if seconds >= 10 else f"{seconds:.1f}".removesuffix(".0")
    return f"{text} s"


def _verdicts(results: tuple[ResolverResult, ...]) -> dict[tuple[str, str], Verdict]:
    return {(r.resolver, r.address): r.verdict for r in results}
