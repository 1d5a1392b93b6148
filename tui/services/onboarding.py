"""Where a domain stands in the onboarding procedure, read from the cloud every time.

The steps (issue 11): ownership, added, online, cname record, propagated, origin access,
auto cdn cache update (informational), served. Each state is computed from what the
cloud answers now (CDN, Alidns, OSS, the DNS servers, the edge), never from a local file:
resuming after a crash, on another machine, or after half the work was done in the
console needs nothing but asking again. `act` performs the next step's action only; each
action is idempotent (a step already done sends no write) and goes through the service
layer, which refuses writes in read-only mode.

Ownership: no API says "this account has verified root R". What the cloud does reveal:
the domain itself in this account's CDN (AddCdnDomain only takes a verified root), or a
sibling of the same root in it (CDN verifies once per root per account,
alibaba-api-facts.md); both count as done. Otherwise ownership is "to do" (AddCdnDomain
would answer DomainOwnerVerifyFail, errors.needs_owner_verification), "in progress" when
the TXT record is already published in the account's Alidns zone but CDN has not
confirmed it. A VerifyDomainOwner that passed in this service's lifetime is remembered
(in memory) for the root: it leaves no other trace before the first domain is added,
and a batch of names of one root then verifies once. "Not applicable" is never the
ownership's state: no read tells that CDN would not ask.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from tui.rules import api_name, base_name, domain_key, public_suffixes, root_domain
from tui.services.errors import DomainInThisAccount, ReadOnlyError, ServiceError

if TYPE_CHECKING:
    from tui.services.facade import Services
    from tui.services.models import Bucket, CdnDomain


class State(str, Enum):
    DONE = "done"
    TODO = "to do"
    IN_PROGRESS = "in progress"
    FAILED = "failed"
    NA = "not applicable"

    def __str__(self) -> str:
        return self.value


class StepName(str, Enum):
    OWNERSHIP = "ownership"
    ADDED = "added"
    ONLINE = "online"
    CNAME = "cname record"
    PROPAGATED = "propagated"
    ORIGIN = "origin access"
    CACHE_UPDATE = "auto cdn cache update"
    SERVED = "served"

    def __str__(self) -> str:
        return self.value


ORDER = tuple(StepName)
# The actions that move a step on (Step.action).
VERIFY, ADD, WAIT, CNAME, PROPAGATION, ORIGIN_AUTH, FETCH = (
    "verify",
    "add",
    "wait",
    "cname",
    "propagation",
    "origin_auth",
    "fetch",
)
SUMMARY_TTL = 30.0  # seconds a cheap summary is reused
PARALLEL = 4  # domains read at once in a batch: within CDN's per-second API limits


@dataclass(frozen=True)
class Step:
    name: StepName
    state: State
    evidence: str
    action: str | None = None

    def to_json(self) -> dict:
        return {"step": self.name.value, "state": self.state.value, "evidence": self.evidence}


@dataclass(frozen=True)
class Standing:
    domain: str
    steps: tuple[Step, ...]
    bucket: str = ""

    def step(self, name: StepName) -> Step:
        return next(s for s in self.steps if s.name is name)

    @property
    def next(self) -> Step | None:
        """The first step neither done nor not applicable (the informational cache
        update never is)."""
        for step in self.steps:
            if step.name is StepName.CACHE_UPDATE:
                continue
            if step.state not in (State.DONE, State.NA):
                return step
        return None

    @property
    def served(self) -> bool:
        return self.next is None

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.state is State.DONE)

    @property
    def total(self) -> int:
        return sum(1 for s in self.steps if s.state is not State.NA)

    @property
    def summary(self) -> str:
        step = self.next
        if step is None:
            return "serving"
        return f"{self.done}/{self.total} · {step.name.value} {step.state.value}"

    def to_json(self) -> dict:
        step = self.next
        return {
            "domain": self.domain,
            "steps": [s.to_json() for s in self.steps],
            "next": step.name.value if step else None,
        }


def summary_of(status: str, cname_in_place: bool | None) -> str:
    """The list column's text from what a listing and DescribeDomainCname say alone: the
    domain is in CDN (so ownership and added are done), its status, and whether CDN sees
    its CNAME. Pure."""
    total = len(ORDER)
    if status in ("configuring",):
        return f"2/{total} · online in progress"
    if status == "offline":
        return f"2/{total} · online failed"
    if status in ("check_failed", "configure_failed"):
        return f"2/{total} · online failed"
    if status != "online":
        return f"2/{total} · online {status}"
    if not cname_in_place:
        return f"3/{total} · cname record to do"
    return f"4/{total} · propagated to check"


def _bucket_name(domain: CdnDomain | None) -> str:
    from tui.rules import parse_origin

    if domain is None:
        return ""
    for source in domain.sources:
        origin = parse_origin(source.content) if source.type == "oss" else None
        if origin is not None:
            return origin.bucket
    return ""


class OnboardingService:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._verified_roots: set[str] = set()  # VerifyDomainOwner passed in this process
        self._summaries: dict[str, tuple[float, str]] = {}
        self._verify_locks: dict[str, asyncio.Lock] = {}
        self._buckets: list[Bucket] | None = None
        self._listing = asyncio.Lock()

    # -- reading -----------------------------------------------------------------------

    async def standings(
        self,
        domains: Sequence[str],
        *,
        bucket: str | None = None,
        path: str | None = None,
    ) -> list[Standing]:
        gate = asyncio.Semaphore(PARALLEL)

        async def one(name: str) -> Standing:
            async with gate:
                return await self.standing(name, bucket=bucket, path=path)

        return list(await asyncio.gather(*(one(d) for d in domains)))

    async def standing(
        self, domain: str, *, bucket: str | None = None, path: str | None = None
    ) -> Standing:
        s = self.services
        # The steps name the root domain (the Public Suffix List): never parsed here, on
        # the event loop (usually the warm-up has it already).
        cdn_domain, _ = await asyncio.gather(s.cdn.find(api_name(domain)), public_suffixes())
        bucket_name = _bucket_name(cdn_domain) or (bucket or "")

        async def dns() -> tuple[Step, Step]:
            cname_step = await self._cname(domain, cdn_domain)
            return cname_step, await self._propagated(domain, cdn_domain, cname_step)

        # The steps' reads are independent of each other: asked together.
        ownership, (cname, propagated), origin, cache = await asyncio.gather(
            self._ownership(domain, cdn_domain),
            dns(),
            self._origin(cdn_domain, bucket_name),
            self._cache_update(domain, cdn_domain, bucket_name),
        )
        steps = [
            ownership,
            self._added(domain, cdn_domain, bucket_name),
            self._online(cdn_domain),
            cname,
            propagated,
            origin,
            cache,
        ]
        steps.append(await self._served(cdn_domain, path, steps))
        return Standing(domain, tuple(steps), bucket_name)

    async def _ownership(self, domain: str, cdn_domain: CdnDomain | None) -> Step:
        if cdn_domain is not None:
            return Step(StepName.OWNERSHIP, State.DONE, "the domain is in CDN: CDN verified it")
        root = root_domain(domain)
        if root in self._verified_roots:
            return Step(StepName.OWNERSHIP, State.DONE, f"VerifyDomainOwner passed for {root}")
        sibling = await self._sibling(root)
        if sibling:
            return Step(
                StepName.OWNERSHIP,
                State.DONE,
                f"{root} is verified: {sibling} is in this account's CDN",
            )
        challenge = await self.services.ownership.challenge(domain)
        published = challenge.txt_published
        if not published and challenge.zone is None and not challenge.zones_denied:
            # Hosted elsewhere: do the root's own servers serve the TXT already?
            published = any((await self.services.ownership.txt_seen(challenge)).values())
        if published:
            return Step(
                StepName.OWNERSHIP,
                State.IN_PROGRESS,
                f"TXT published at {challenge.txt_fqdn}, CDN not seeing it yet",
                VERIFY,
            )
        where = (
            f"in the Alidns zone {challenge.zone}"
            if challenge.zone
            else "at the root's DNS provider"
        )
        return Step(
            StepName.OWNERSHIP,
            State.TODO,
            f"CDN asks to prove {root}: TXT {challenge.txt_fqdn} = {challenge.content} {where}",
            VERIFY,
        )

    async def _sibling(self, root: str) -> str:
        """A domain of `root` in this account's CDN ("" for none)."""
        for d in await self.services.cdn.under_root(root):
            if root_domain(d.name) == root:
                return d.name
        return ""

    def _added(self, domain: str, cdn_domain: CdnDomain | None, bucket: str) -> Step:
        if cdn_domain is not None:
            origin = cdn_domain.origin or "no origin"
            return Step(StepName.ADDED, State.DONE, f"in CDN, origin {origin}")
        if not bucket:
            return Step(StepName.ADDED, State.TODO, "not in CDN; a bucket is needed to add it", ADD)
        return Step(StepName.ADDED, State.TODO, f"not in CDN: add it with {bucket} as origin", ADD)

    def _online(self, cdn_domain: CdnDomain | None) -> Step:
        if cdn_domain is None:
            return Step(StepName.ONLINE, State.TODO, "not in CDN yet")
        status = cdn_domain.status
        if status == "online":
            return Step(StepName.ONLINE, State.DONE, "online")
        if status == "configuring":
            return Step(StepName.ONLINE, State.IN_PROGRESS, "configuring", WAIT)
        if status == "offline":
            return Step(StepName.ONLINE, State.FAILED, "stopped (offline): start it")
        if status in ("check_failed", "configure_failed"):
            return Step(StepName.ONLINE, State.FAILED, status.replace("_", " "))
        if status == "checking":
            return Step(StepName.ONLINE, State.IN_PROGRESS, "in review (checking)", WAIT)
        return Step(StepName.ONLINE, State.IN_PROGRESS, status, WAIT)

    async def _cname(self, domain: str, cdn_domain: CdnDomain | None) -> Step:
        from tui.services.cname_setup import probe_name

        if cdn_domain is None or not cdn_domain.cname:
            return Step(StepName.CNAME, State.TODO, "the domain has no CDN CNAME yet")
        cname = cdn_domain.cname
        setup = await self.services.cname_setup.prepare(domain, cname)
        if setup.plan is not None:
            plan = setup.plan
            if plan.nothing_to_do:
                at = next(
                    (
                        r
                        for r in setup.records
                        if r.rr == plan.rr
                        and r.type.upper() == "CNAME"
                        and r.value.rstrip(".").lower() == cname.lower()
                    ),
                    None,
                )
                record = f"record {at.record_id}" if at else "record"
                return Step(
                    StepName.CNAME,
                    State.DONE,
                    f"{record} in {setup.zone}: {plan.rr} CNAME {cname}",
                )
            if not plan.ready:
                what = "; ".join(c.message for c in plan.blockers)
                return Step(StepName.CNAME, State.FAILED, what, CNAME)
            changes = ", ".join(
                f"{st.action} {st.rr} {st.type}"
                + (f" (now {st.old_value})" if st.old_value else "")
                for st in plan.steps
            )
            return Step(StepName.CNAME, State.TODO, f"in {setup.zone}: {changes} -> {cname}", CNAME)
        # Elsewhere (or zones unreadable): do the zone's own servers answer it?
        rows = await self._ask(probe_name(domain), cname, authoritative=True)
        if any(r.verdict.value == "match" for r in rows):
            return Step(StepName.CNAME, State.DONE, "the authoritative servers answer it")
        where = "(zones not readable: alidns:DescribeDomains denied)" if setup.denied else ""
        return Step(
            StepName.CNAME,
            State.TODO,
            f"add CNAME {base_name(domain)} -> {cname} at its DNS provider {where}".strip(),
        )

    async def _ask(self, name: str, cname: str, *, authoritative: bool):
        """One round for `name` against the zone's own servers, or against the public
        resolvers (and the system's), never both: the cname step needs only the first."""
        from tui.services.propagation import AUTHORITATIVE

        propagation = self.services.propagation
        targets, failed = await propagation._default_targets(name)
        wanted = [t for t in targets if (t.kind == AUTHORITATIVE) == authoritative]
        if not wanted:
            return list(failed) if authoritative else []
        return list(await propagation.check(name, cname, targets=wanted, with_cdn=False))

    async def _propagated(
        self, domain: str, cdn_domain: CdnDomain | None, cname_step: Step
    ) -> Step:
        from tui.services.cname_setup import probe_name

        if cdn_domain is None or cname_step.state is not State.DONE:
            return Step(StepName.PROPAGATED, State.TODO, "the CNAME record comes first")
        rows = await self._ask(probe_name(domain), cdn_domain.cname, authoritative=False)
        agree = sum(1 for r in rows if r.verdict.value == "match")
        evidence = f"{agree}/{len(rows)} resolvers"
        if rows and agree == len(rows):
            return Step(StepName.PROPAGATED, State.DONE, evidence)
        return Step(StepName.PROPAGATED, State.IN_PROGRESS, evidence, PROPAGATION)

    async def _origin(self, cdn_domain: CdnDomain | None, bucket: str) -> Step:
        from tui.services import origin_access as oa

        if cdn_domain is None:
            return Step(StepName.ORIGIN, State.TODO, "not in CDN yet")
        if not bucket:
            return Step(StepName.ORIGIN, State.NA, "the origin is not an OSS bucket")
        oss, cdn = self.services.oss, self.services.cdn
        acl = config = None
        acl_error = config_error = ""
        try:
            acl = await oss.bucket_acl(oss.bucket_from_origin(cdn_domain.origin))
        except ServiceError as error:
            acl_error = str(error)
        try:
            config = await cdn.private_origin_config(cdn_domain.name)
        except ServiceError as error:
            config_error = str(error)
        verdict = oa.judge(acl, config, acl_error=acl_error, config_error=config_error)
        if verdict.verdict == oa.READABLE:
            return Step(StepName.ORIGIN, State.DONE, verdict.reason)
        if verdict.verdict == oa.CONFIGURING:
            return Step(StepName.ORIGIN, State.IN_PROGRESS, verdict.reason, WAIT)
        if verdict.verdict == oa.NOT_APPLICABLE:
            return Step(StepName.ORIGIN, State.NA, verdict.reason)
        if verdict.fixable:
            return Step(StepName.ORIGIN, State.TODO, verdict.reason, ORIGIN_AUTH)
        return Step(StepName.ORIGIN, State.FAILED, verdict.reason)

    async def _cache_update(self, domain: str, cdn_domain: CdnDomain | None, bucket: str) -> Step:
        if not bucket:
            return Step(StepName.CACHE_UPDATE, State.NA, "no OSS bucket")
        oss = self.services.oss
        try:
            target: Bucket = (
                oss.bucket_from_origin(cdn_domain.origin)
                if cdn_domain is not None
                else await self._find_bucket(bucket)
            )
            cnames = await oss.bucket_cnames(target)
        except ServiceError as error:
            return Step(StepName.CACHE_UPDATE, State.NA, f"could not read: {error}")
        key = domain_key(domain)
        bound = next((c for c in cnames if domain_key(c.domain) == key), None)
        if bound is None:
            return Step(StepName.CACHE_UPDATE, State.TODO, f"off: not bound to {bucket}")
        if bound.purge_cdn_cache:
            return Step(StepName.CACHE_UPDATE, State.DONE, "on")
        return Step(StepName.CACHE_UPDATE, State.TODO, "off (the OSS console switches it)")

    async def _served(
        self, cdn_domain: CdnDomain | None, path: str | None, steps: list[Step]
    ) -> Step:
        from tui.delivery_rules import Verdict
        from tui.services.delivery import DeliveryService

        if cdn_domain is None or cdn_domain.status != "online":
            return Step(StepName.SERVED, State.TODO, "not online yet", None)
        delivery = DeliveryService(self.services.profile, self.services.cdn, self.services.oss)
        if path is None:
            if not _bucket_name(cdn_domain):
                return Step(StepName.SERVED, State.NA, "no OSS origin to take a sample from")
            sample = await delivery.example_object(cdn_domain)
            if sample is None:
                return Step(StepName.SERVED, State.NA, "the bucket is empty: nothing to fetch")
            path = sample.key
        host = base_name(cdn_domain.name)
        if cdn_domain.name.startswith("."):
            host = f"oss-cdn-probe.{host}"
        url = f"http://{host}/{path.lstrip('/')}"
        result = await delivery.check(url)
        evidence = f"{url}: {result.verdict.value}"
        if result.status is not None:
            evidence += f", HTTP {result.status}"
        if result.cache:
            evidence += f" {result.cache}"
        if result.verdict is Verdict.SERVED:
            return Step(StepName.SERVED, State.DONE, evidence)
        earlier = [s for s in steps if s.name is not StepName.CACHE_UPDATE]
        if all(s.state in (State.DONE, State.NA) for s in earlier):
            return Step(StepName.SERVED, State.FAILED, f"{evidence}: {result.explanation}", FETCH)
        return Step(StepName.SERVED, State.TODO, evidence, FETCH)

    # -- the list's column ----------------------------------------------------------------

    async def summaries(self, domains: Sequence[CdnDomain]) -> dict[str, str]:
        """Each listed domain's progress from its listed status and one DescribeDomainCname
        per 30 names; no DNS query. Cached SUMMARY_TTL seconds."""
        now = time.monotonic()
        out: dict[str, str] = {}
        ask: list[CdnDomain] = []
        for d in domains:
            cached = self._summaries.get(d.name)
            if cached is not None and now - cached[0] < SUMMARY_TTL:
                out[d.name] = cached[1]
            else:
                ask.append(d)
        online = [d.name for d in ask if d.status == "online"]
        seen: dict[str, bool] = {}
        if online:
            for status in await self.services.cdn.cname_status(online):
                seen[domain_key(status.domain)] = status.in_place
        for d in ask:
            text = summary_of(d.status, seen.get(domain_key(d.name)))
            self._summaries[d.name] = (now, text)
            out[d.name] = text
        return out

    # -- acting ---------------------------------------------------------------------------

    async def act(
        self,
        standing: Standing,
        *,
        bucket: str | None = None,
        scope: str = "domestic",
        cdn_type: str = "web",
        path: str | None = None,
    ) -> Standing:
        """Perform the next step's action (only that one) and return the fresh standing.
        Nothing is written when nothing is left, or when the next step only waits."""
        step = standing.next
        bucket = bucket or standing.bucket or None
        domain = standing.domain
        await public_suffixes()  # _verify names the root: off the event loop
        if step is not None and step.action == VERIFY:
            await self._verify(domain)
        elif step is not None and step.action == ADD:
            await self._add(domain, bucket, scope, cdn_type)
        elif step is not None and step.action == CNAME:
            await self._point(domain)
        elif step is not None and step.action == ORIGIN_AUTH:
            await self.services.cdn.enable_private_origin(api_name(domain))
        self._summaries.pop(domain, None)
        return await self.standing(domain, bucket=bucket, path=path)

    async def _verify(self, domain: str) -> None:
        root = root_domain(domain)
        lock = self._verify_locks.setdefault(root, asyncio.Lock())
        async with lock:  # several names of one root: one verification
            if root in self._verified_roots or await self._sibling(root):
                return
            ownership = self.services.ownership
            challenge = await ownership.challenge(domain)
            elsewhere = challenge.zone is None
            if elsewhere and not any((await ownership.txt_seen(challenge)).values()):
                raise ServiceError(
                    f"{root}'s DNS is not in this account's Alidns: publish TXT "
                    f"{challenge.txt_fqdn} = {challenge.content} at its provider, then "
                    "run this again"
                )
            if not elsewhere:
                await ownership.publish_txt(challenge)
            if await ownership.verify_until(challenge):
                self._verified_roots.add(root)
            else:
                raise ServiceError(
                    f"CDN did not see TXT {challenge.txt_fqdn} in time; run this again later"
                )

    async def _add(self, domain: str, bucket: str | None, scope: str, cdn_type: str) -> None:
        from tui.services.models import Source

        if not bucket:
            raise ServiceError(f"adding {domain} needs the bucket to serve (its origin)")
        info = await self._find_bucket(bucket)
        if not info.public_host:
            raise ServiceError(f"the bucket {bucket} has no public endpoint to serve from")
        source = Source("oss", info.public_host, 80)
        # Added meanwhile (by another run): the standing reads it.
        with contextlib.suppress(DomainInThisAccount):
            await self.services.cdn.add_domain(api_name(domain), cdn_type, [source], scope)

    async def _find_bucket(self, name: str) -> Bucket:
        """The bucket by name, with its region (ListBuckets): calls on a bucket of
        another region must go to, and be signed for, that region."""
        # Listed once for a batch (buckets seldom change); listed again on a miss.
        async with self._listing:  # a batch's names ask at once: one listing
            for fresh in (False, True):
                if fresh or self._buckets is None:
                    self._buckets = await self.services.oss.list_buckets()
                for b in self._buckets:
                    if b.name == name:
                        return b
        raise ServiceError(f"this account has no bucket named {name}")

    async def _point(self, domain: str) -> None:
        cdn_domain = await self.services.cdn.find(api_name(domain))
        if cdn_domain is None or not cdn_domain.cname:
            return
        setup = await self.services.cname_setup.prepare(domain, cdn_domain.cname)
        if setup.plan is None or setup.plan.nothing_to_do:
            return
        if not setup.plan.ready:
            raise ServiceError(
                "; ".join(c.message for c in setup.plan.blockers) or "the plan has blockers"
            )
        from tui.services.cname_setup import ApplyError

        try:
            await self.services.cname_setup.apply(setup)
        except ApplyError as failure:
            if isinstance(failure.error, ReadOnlyError) and not failure.done:
                raise failure.error from None  # nothing was sent: say just that
            raise
