"""Proving to CDN that you own a root domain: the TXT record (or file), and the check.

CDN asks once per root domain per account. The console makes you add the TXT record by
hand and guess when it is live; here the record is created in Alidns when the zone is
in the account (reusing a correct one, never duplicating), the authoritative servers are
watched until they serve it, and only then is VerifyDomainOwner called.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

import dns.exception
import dns.rdatatype

from tui.dns_plan import exact_rr
from tui.rules import base_name, root_domain
from tui.services import writes
from tui.services.models import Bucket
from tui.services.profile import Profile
from tui.services.propagation import (
    AUTHORITATIVE,
    Target,
    authoritative_targets,
    query_server,
    sandbox_targets,
)
from tui.services.writes import Write

TXT_HOST = "verification"
FILE_NAME = "verification.html"
QUERY_TIMEOUT = 2.0


@dataclass(frozen=True)
class Challenge:
    """What CDN wants to see for `domain`: `content` at verification.<root>, or in a file."""

    domain: str
    root: str
    content: str
    zone: str | None  # the Alidns zone holding the root in this account, if any
    # The TXT values at verification.<root> in that zone when the challenge was read.
    txt_values: tuple[str, ...] = ()

    @property
    def txt_published(self) -> bool:
        """Did the zone already hold the right TXT record (when the challenge was read)?"""
        return self.content in self.txt_values

    @property
    def txt_fqdn(self) -> str:
        return f"{TXT_HOST}.{self.root}"

    @property
    def txt_rr(self) -> str:
        """The host record inside `zone` (the zone may sit above the root)."""
        if self.zone is None or self.zone == self.root:
            return TXT_HOST
        return f"{TXT_HOST}.{self.root[: -len(self.zone) - 1]}"


def publish_writes(challenge: Challenge, method: str = "dnsCheck") -> list[Write]:
    """The writes of proving ownership by DNS, as publish_txt and verify send them: the
    TXT record (none when a correct one is there, or when the zone is elsewhere: then
    it is added at the other provider by hand), then VerifyDomainOwner."""
    found: list[Write] = []
    if method == "dnsCheck" and challenge.zone is not None and not challenge.txt_published:
        found.append(writes.add_record(challenge.zone, challenge.txt_rr, "TXT", challenge.content))
    found.append(writes.verify_owner(challenge.domain, method))
    return found


def upload_writes(challenge: Challenge, bucket: str) -> list[Write]:
    """The writes of proving ownership by file, as upload_file and verify send them: the
    file at the root of the origin bucket, then VerifyDomainOwner by file."""
    return [
        writes.put_object(bucket, FILE_NAME, challenge.content),
        *publish_writes(challenge, "fileCheck"),
    ]


class OwnershipService:
    """`ns_resolver` (a dns.asyncresolver.Resolver) finds the root's name servers outside
    the sandbox; the system's when None."""

    def __init__(self, profile: Profile, cdn, dns, oss, *, ns_resolver=None) -> None:
        self.profile = profile
        self.cdn, self.dns, self.oss = cdn, dns, oss
        self._ns_resolver = ns_resolver

    async def challenge(self, domain: str) -> Challenge:
        root = root_domain(base_name(domain))
        content, zone = await asyncio.gather(
            self.cdn.verify_content(domain), self.dns.zone_for(root)
        )
        challenge = Challenge(domain, root, content, zone)
        if zone is None:
            return challenge
        return replace(challenge, txt_values=await self._txt_values(challenge))

    async def _txt_values(self, challenge: Challenge) -> tuple[str, ...]:
        records = await self.dns.records_at(challenge.zone, challenge.txt_rr, "TXT")
        return tuple(r.value.strip('"') for r in exact_rr(records, challenge.txt_rr))

    async def publish_txt(self, challenge: Challenge) -> bool:
        """Create the TXT record in Alidns; False when a correct one was already there."""
        if challenge.zone is None:
            raise ValueError(f"{challenge.root} is not hosted in this account's Alibaba Cloud DNS")
        if challenge.content in await self._txt_values(challenge):
            return False
        await self.dns.add_record(challenge.zone, challenge.txt_rr, "TXT", challenge.content)
        return True

    async def name_servers(self, challenge: Challenge) -> tuple[Target, ...]:
        """The authoritative servers of the root: the sandbox's own, or by an NS lookup;
        none when the lookup fails (the watch asks again on its next turn)."""
        if self.profile.sandbox:
            return tuple(t for t in sandbox_targets(self.profile) if t.kind == AUTHORITATIVE)
        try:
            return await authoritative_targets(
                challenge.root, resolver=self._ns_resolver, timeout=QUERY_TIMEOUT
            )
        except dns.exception.DNSException:
            return ()

    async def txt_seen(self, challenge: Challenge) -> dict[str, bool]:
        """Each authoritative server -> does it serve the TXT value now?"""
        servers = await self.name_servers(challenge)
        seen = await asyncio.gather(*(self._serves(s, challenge) for s in servers))
        return {s.address: ok for s, ok in zip(servers, seen, strict=True)}

    async def _serves(self, server: Target, challenge: Challenge) -> bool:
        try:
            # The outer bound also covers resolving the server's own name.
            response = await asyncio.wait_for(
                query_server(server, challenge.txt_fqdn, QUERY_TIMEOUT, rdtype="TXT"), QUERY_TIMEOUT
            )
        except (asyncio.TimeoutError, OSError, dns.exception.DNSException):
            return False
        values = {
            b"".join(rdata.strings).decode(errors="replace")
            for rrset in response.answer
            if rrset.rdtype == dns.rdatatype.TXT
            for rdata in rrset
        }
        return challenge.content in values

    async def upload_file(self, challenge: Challenge, bucket: Bucket | str) -> None:
        """Put verification.html with the content at the root of the origin bucket."""
        await self.oss.put_object(bucket, FILE_NAME, challenge.content)

    async def verify(self, challenge: Challenge, method: str = "dnsCheck") -> str:
        return await self.cdn.verify_owner(challenge.domain, method)
