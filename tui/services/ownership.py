"""Proving to CDN that you own a root domain: the TXT record (or file), and the check.

CDN asks once per root domain per account. The console makes you add the TXT record by
hand and guess when it is live; here the record is created in Alidns when the zone is
in the account (reusing a correct one, never duplicating), the authoritative servers are
watched until they serve it, and only then is VerifyDomainOwner called.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import dns.exception
import dns.rdatatype

from tui.dns_plan import exact_rr
from tui.rules import base_name, parse_origin, public_suffixes, root_domain
from tui.services import writes
from tui.services.errors import CloudError
from tui.services.models import Bucket
from tui.services.profile import Profile, poll_interval, real_seconds
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
FETCH_TIMEOUT = 10.0  # seconds for the app's own GET of the verification file

# CDN checks through its own resolvers, which lag minutes behind the authoritative
# servers and cache "nothing there" for the zone's SOA minimum (alibaba-api-facts.md;
# Alidns zones: 600 s). So once the record is served the app asks again by itself, for
# up to VERIFY_FOR seconds of cloud time counted from CDN's first refusal, backing off.
VERIFY_FOR = 600.0
VERIFY_BACKOFF = (15.0, 30.0, 60.0, 120.0)  # cloud seconds between tries; then the last
# VerifyDomainOwner's refusals of a check (its error table): worth asking again later.
# Anything else (a denial, a bad parameter) is not a matter of waiting.
CHECK_REFUSALS = frozenset({"DomainOwnerVerifyFail", "InvalidFile", "VerifyError"})
PUBLIC_ACLS = ("public-read", "public-read-write")


@dataclass(frozen=True)
class Challenge:
    """What CDN wants to see for `domain`: `content` at verification.<root>, or in a file."""

    domain: str
    root: str
    content: str
    zone: str | None  # the Alidns zone holding the root in this account, if any
    # The TXT values at verification.<root> in that zone when the challenge was read.
    txt_values: tuple[str, ...] = ()
    # RAM refused to list the zones (alidns:DescribeDomains): `zone` None then means
    # "unknown", not "hosted elsewhere".
    zones_denied: CloudError | None = None

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


@dataclass(frozen=True)
class VerifyProgress:
    """One refusal while the app keeps asking CDN: what it said, and the clock."""

    attempt: int
    left: float  # cloud seconds until the app stops asking
    next_in: float  # cloud seconds until the next try
    code: str
    message: str  # CDN's own sentence (cloud text: shown through safe_text)


@dataclass(frozen=True)
class FileCheck:
    """The app's own GET of http://<root>/verification.html, before CDN is asked."""

    url: str
    ok: bool
    detail: str  # what was found, in plain words (may quote the server: show it safely)


@dataclass(frozen=True)
class FileHost:
    """Where `u` can put the file so that the root serves it: the OSS bucket the root
    itself is served from through CDN in this account."""

    origin: str  # the bucket's endpoint, as the root's CDN origin names it
    bucket: str
    public: bool  # its ACL lets anyone read: CDN's anonymous back-to-origin fetch gets it


def file_url(challenge: Challenge) -> str:
    """The one URL CDN's fileCheck fetches."""
    return f"http://{challenge.root}/{FILE_NAME}"


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
        await public_suffixes()  # root_domain needs it: parsed off the loop if not yet
        root = root_domain(base_name(domain))
        content, (zone, denied) = await asyncio.gather(
            self.cdn.verify_content(domain), self.dns.find_zone(root)
        )
        challenge = Challenge(domain, root, content, zone, zones_denied=denied)
        if zone is None:
            return challenge
        return replace(challenge, txt_values=await self._txt_values(challenge))

    async def _txt_values(self, challenge: Challenge) -> tuple[str, ...]:
        records = await self.dns.records_at(challenge.zone, challenge.txt_rr, "TXT")
        return tuple(r.value.strip('"') for r in exact_rr(records, challenge.txt_rr))

    async def with_current_txt(self, challenge: Challenge) -> Challenge:
        """`challenge` with the zone's TXT values as they stand now: the verification
        screen's t reuses a correct record without asking, so it reads first whether that
        record is still there (else creating it is a write to confirm)."""
        if challenge.zone is None:
            return challenge
        return replace(challenge, txt_values=await self._txt_values(challenge))

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

    async def verify_until(
        self,
        challenge: Challenge,
        method: str = "dnsCheck",
        *,
        progress: Callable[[VerifyProgress], None] | None = None,
        bound: float = VERIFY_FOR,
    ) -> bool:
        """VerifyDomainOwner, asked again with backoff while CDN refuses the check, for
        up to `bound` cloud seconds from its first refusal (the sandbox's run faster).
        True once verified; False when the time ran out (the last refusal was reported
        to `progress`). Errors other than a refusal of the check are raised."""
        per_second = real_seconds(self.profile, 1.0)  # real seconds per cloud second
        first: float | None = None
        attempt = 0
        while True:
            attempt += 1
            try:
                await self.verify(challenge, method)
                return True
            except CloudError as error:
                if error.code not in CHECK_REFUSALS:
                    raise
                refusal = error
            now = time.monotonic()
            first = now if first is None else first
            left = bound - (now - first) / per_second
            delay = VERIFY_BACKOFF[min(attempt, len(VERIFY_BACKOFF)) - 1]
            # The last try lands on the bound itself, not a backoff past it.
            wait = min(poll_interval(self.profile, delay), max(left, 0.0) * per_second)
            if progress is not None:
                progress(
                    VerifyProgress(
                        attempt,
                        max(left, 0.0),
                        wait / per_second if left > 0 else 0.0,
                        refusal.code,
                        refusal.message,
                    )
                )
            if left <= 0:
                return False
            await asyncio.sleep(wait)

    # -- the file method: only where it can work, and checked before CDN is asked -------

    async def file_host(self, challenge: Challenge) -> FileHost | None:
        """The bucket the root is served from through CDN in this account, if any: the
        only place an upload can make http://<root>/verification.html answer. None when
        the root is not a CDN domain here, or not served from OSS."""
        domain = await self.cdn.find(challenge.root)
        if domain is None:
            return None
        for source in sorted(domain.sources, key=lambda s: s.priority):
            origin = parse_origin(source.content) if source.type == "oss" else None
            if origin is not None:
                bucket = self.oss.bucket_from_origin(source.content)
                acl = await self.oss.bucket_acl(bucket)
                return FileHost(source.content, origin.bucket, acl in PUBLIC_ACLS)
        return None

    async def file_served(self, challenge: Challenge) -> FileCheck:
        """GET http://<root>/verification.html as CDN will: does it serve the content?
        In the sandbox the root is resolved through its resolver and fetched from its CDN
        edge, the one web server it runs (the real edge listens on 80)."""
        import aiohttp  # here: `import tui.app` stays free of it

        url = file_url(challenge)
        target, headers = url, {"User-Agent": "oss-cdn"}
        if self.profile.sandbox:
            addresses = await self._sandbox_addresses(challenge.root)
            edge_host, _, edge_port = self.profile.edge.rpartition(":")
            if not addresses:
                return FileCheck(url, False, f"{challenge.root} has no address in DNS.")
            if not edge_host or edge_host not in addresses:
                return FileCheck(
                    url,
                    False,
                    f"No answer: {challenge.root} points at {', '.join(addresses)}, where "
                    "nothing serves HTTP (the sandbox's only web server is its CDN edge).",
                )
            target = f"http://{edge_host}:{edge_port}/{FILE_NAME}"
            headers["Host"] = challenge.root
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(target, headers=headers, allow_redirects=False) as answer,
            ):
                status = answer.status
                body = await answer.content.read(4096)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            return FileCheck(url, False, f"No answer: {str(error) or type(error).__name__}.")
        if status != 200:
            return FileCheck(url, False, f"It answers HTTP {status}, not the file.")
        served = body.decode(errors="replace").strip()
        if served != challenge.content:
            return FileCheck(url, False, f"It serves other content: {served[:80]!r}.")
        return FileCheck(url, True, "It serves the right content.")

    async def _sandbox_addresses(self, name: str) -> list[str]:
        """The root's IPv4 addresses, from the sandbox's first public resolver."""
        resolvers = [t for t in sandbox_targets(self.profile) if t.kind != AUTHORITATIVE]
        if not resolvers:
            return []
        try:
            response = await asyncio.wait_for(
                query_server(resolvers[0], name + ".", QUERY_TIMEOUT), QUERY_TIMEOUT
            )
        except (asyncio.TimeoutError, OSError, dns.exception.DNSException):
            return []
        return [
            rdata.address
            for rrset in response.answer
            if rrset.rdtype == dns.rdatatype.A
            for rdata in rrset
        ]
