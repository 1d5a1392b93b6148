"""What `oss-cdn onboard` will send, before it sends anything: the writes of the next
actions of each domain's standing, as `Write` values (so the plan shown, the aliyun-cli
commands printed and what the engine sends are one and the same), and, for the writes
that cannot be known yet (the CNAME record needs the CNAME CDN assigns when the domain
is added), a sentence saying what comes then.

Read-only: it only reads (the challenge, the zone's records, the buckets). No Textual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.rules import base_name, root_domain
from tui.services import writes as w
from tui.services.models import Source
from tui.services.onboarding import ADD, CNAME, ORIGIN_AUTH, VERIFY, Standing, State, StepName
from tui.services.ownership import publish_writes
from tui.services.writes import Write

if TYPE_CHECKING:
    from tui.services.facade import Services


@dataclass(frozen=True)
class PlannedWrite:
    domain: str
    write: Write

    def to_json(self) -> dict:
        return {
            "domain": self.domain,
            "action": self.write.action,
            "summary": self.write.summary,
            "command": self.write.command(),
        }


@dataclass(frozen=True)
class OnboardPlan:
    writes: tuple[PlannedWrite, ...] = ()
    # What follows that cannot be written out yet, or that is the user's to do: (domain,
    # sentence).
    later: tuple[tuple[str, str], ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.writes and not self.later

    def to_json(self) -> dict:
        return {
            "writes": [p.to_json() for p in self.writes],
            "later": [{"domain": d, "note": n} for d, n in self.later],
        }


async def plan_onboarding(
    services: Services,
    standings: Sequence[Standing],
    *,
    bucket: str | None,
    scope: str,
    cdn_type: str,
) -> OnboardPlan:
    """The writes the engine's next actions will send for `standings`, in order: one
    ownership proof per root (a batch verifies each root once), AddCdnDomain with the
    bucket as origin, the CNAME plan, the private-origin switch."""
    found: list[PlannedWrite] = []
    later: list[tuple[str, str]] = []
    roots: set[str] = set()
    acl: str | None = None
    origin_host: str | None = None
    for standing in standings:
        domain = standing.domain
        if standing.served:
            continue
        blocked = standing.next
        if blocked is not None and blocked.state is State.FAILED and blocked.action is None:
            # Nothing this run sends gets past it (a stopped domain: starting it is the
            # user's call): none of the later writes would be reached.
            later.append((domain, f"{blocked.name.value} failed: {blocked.evidence}"))
            continue
        ownership = standing.step(StepName.OWNERSHIP)
        if ownership.action == VERIFY and ownership.state is not State.DONE:
            root = root_domain(base_name(domain))
            if root not in roots:
                roots.add(root)
                challenge = await services.ownership.challenge(domain)
                found += [PlannedWrite(domain, x) for x in publish_writes(challenge)]
                if challenge.zone is None:
                    later.append(
                        (
                            domain,
                            f"publish TXT {challenge.txt_fqdn} = {challenge.content} at "
                            f"{root}'s DNS provider (its zone is not in this account)",
                        )
                    )
        chosen = standing.bucket or bucket or ""
        added = standing.step(StepName.ADDED)
        if added.action == ADD and added.state is not State.DONE:
            if origin_host is None and chosen:
                origin_host = await _origin_host(services, chosen)
            if origin_host:
                source = Source("oss", origin_host, 80)
                found.append(PlannedWrite(domain, w.add_domain(domain, cdn_type, [source], scope)))
            else:
                later.append((domain, f"add it to CDN: no bucket named {chosen or '(none)'}"))
            later.append(
                (
                    domain,
                    "once CDN assigns its CNAME: the CNAME record pointing at it (in the "
                    "domain's Alidns zone when it is in this account)",
                )
            )
            if chosen:
                if acl is None:
                    acl = await _acl(services, chosen)
                if acl == "private":
                    found.append(PlannedWrite(domain, w.private_origin(domain)))
            continue
        cname = standing.step(StepName.CNAME)
        if cname.action == CNAME and cname.state is not State.DONE:
            found += await _cname_writes(services, domain, later)
        elif cname.state is State.TODO and cname.action is None and not added.action:
            later.append((domain, cname.evidence))
        origin = standing.step(StepName.ORIGIN)
        if origin.action == ORIGIN_AUTH and origin.state is not State.DONE:
            found.append(PlannedWrite(domain, w.private_origin(domain)))
    return OnboardPlan(tuple(found), tuple(later))


async def _origin_host(services: Services, bucket: str) -> str:
    # As the engine adds it: the bucket's own public host, in its own region.
    for b in await services.oss.list_buckets():
        if b.name == bucket:
            return b.public_host
    return ""


async def _acl(services: Services, bucket: str) -> str:
    from tui.services.errors import ServiceError

    for b in await services.oss.list_buckets():
        if b.name == bucket:
            try:
                return await services.oss.bucket_acl(b)
            except ServiceError:
                return ""
    return ""


async def _cname_writes(
    services: Services, domain: str, later: list[tuple[str, str]]
) -> list[PlannedWrite]:
    from tui.services.cname_setup import writes as cname_writes

    cdn_domain = await services.cdn.find(domain)
    if cdn_domain is None or not cdn_domain.cname:
        return []
    setup = await services.cname_setup.prepare(domain, cdn_domain.cname)
    if setup.plan is None:
        later.append(
            (domain, f"add CNAME {base_name(domain)} -> {cdn_domain.cname} at its DNS provider")
        )
        return []
    return [PlannedWrite(domain, x) for x in cname_writes(setup)]
