"""Pointing a CDN domain at its CNAME in Alibaba Cloud DNS: a plan first, changes only
once the user confirmed it, and nothing at all when the record is already right."""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.dns_plan import Plan, PlanStep, plan_cname
from tui.dns_rules import FREE_MIN_TTL
from tui.rules import base_name, is_wildcard
from tui.services import writes as w
from tui.services.errors import CloudError, ServiceError
from tui.services.models import DnsRecord
from tui.services.writes import Write

# A wildcard domain is checked through a name it covers; one nobody would create.
PROBE_LABEL = "oss-cdn-probe"


def probe_name(domain: str) -> str:
    """The name to look up for `domain`: itself, or for a wildcard a name it covers."""
    return f"{PROBE_LABEL}.{base_name(domain)}" if is_wildcard(domain) else base_name(domain)


@dataclass(frozen=True)
class CnameSetup:
    """What pointing `domain` at `cname` takes. `plan` is None when the domain's DNS is
    not hosted in this account: the record is then created at the other provider."""

    domain: str
    cname: str
    zone: str | None
    plan: Plan | None
    records: tuple[DnsRecord, ...] = field(default=(), repr=False)
    # RAM refused listing the zones (alidns:DescribeDomains): whether the domain's DNS
    # is in this account is unknown, so there is no plan and no "hosted elsewhere" either.
    denied: CloudError | None = None


def writes(setup: CnameSetup) -> list[Write]:
    """The plan's steps as the writes `apply` sends, in order (for the aliyun-cli export
    and the confirmation); none when there is no plan in this account's DNS."""
    plan = setup.plan
    if plan is None or setup.zone is None:
        return []
    by_id = {r.record_id: r for r in setup.records}
    return [_write(setup.zone, step, by_id) for step in plan.steps]


def _write(zone: str, step: PlanStep, by_id: dict[str, DnsRecord]) -> Write:
    if step.action == "create":
        return w.add_record(zone, step.rr, step.type, step.value, ttl=step.ttl, line=step.line)
    # The other steps act on a record that was read with the plan.
    record = by_id.get(step.record_id or "") or DnsRecord(
        record_id=step.record_id or "",
        zone=zone,
        rr=step.rr,
        type=step.type,
        value=step.old_value or step.value,
        ttl=step.ttl,
        line=step.line,
    )
    if step.action == "delete":
        return w.delete_record(record)
    if step.action == "update":
        return w.update_record(record, value=step.value, ttl=step.ttl)
    if step.action == "enable":
        return w.set_record_status(record, True)
    raise ValueError(f"unknown plan step {step.action!r}")


class ApplyError(ServiceError):
    """A step of a plan failed; `done` are the steps applied before it."""

    def __init__(self, step: PlanStep, error: ServiceError, done: list[PlanStep]) -> None:
        self.step, self.error, self.done = step, error, done
        super().__init__(f"{step.describe()} failed: {error}")


class CnameSetupService:
    def __init__(self, dns) -> None:
        self.dns = dns

    async def prepare(
        self,
        domain: str,
        cname: str,
        *,
        ttl: int = FREE_MIN_TTL,
        replace: bool = False,
        remove_shadows: bool = False,
    ) -> CnameSetup:
        """Find the zone (the longest in the account that holds the domain) and plan."""
        zone, denied = await self.dns.find_zone(base_name(domain))
        if zone is None:
            return CnameSetup(domain, cname, None, None, denied=denied)
        records = tuple(await self.dns.records(zone))
        plan = plan_cname(
            domain, cname, zone, records, ttl=ttl, replace=replace, remove_shadows=remove_shadows
        )
        return CnameSetup(domain, cname, zone, plan, records)

    async def apply(self, setup: CnameSetup) -> list[PlanStep]:
        """Apply the plan's steps in order (deletes first); stop at the first failure."""
        plan = setup.plan
        if plan is None or not plan.ready:
            raise ValueError("this plan cannot be applied")
        by_id = {r.record_id: r for r in setup.records}
        done: list[PlanStep] = []
        for step in plan.steps:
            try:
                await self._apply(plan.zone, step, by_id)
            except ServiceError as error:
                raise ApplyError(step, error, done) from error
            done.append(step)
        return done

    async def _apply(self, zone: str, step: PlanStep, by_id: dict[str, DnsRecord]) -> None:
        # Each DNS method sends the very write `writes(setup)` shows for the step.
        record = by_id.get(step.record_id or "") or step.record_id or ""
        if step.action == "delete":
            await self.dns.delete_record(record)
        elif step.action == "create":
            await self.dns.add_record(
                zone, step.rr, step.type, step.value, ttl=step.ttl, line=step.line
            )
        elif step.action == "update":
            # An update's record is one of those planned from (a KeyError would be a bug).
            await self.dns.update_record(
                by_id[step.record_id or ""], value=step.value, ttl=step.ttl
            )
        elif step.action == "enable":
            await self.dns.set_record_status(record, True)
        else:
            raise ValueError(f"unknown plan step {step.action!r}")
