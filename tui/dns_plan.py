"""Pure rules for a record among its zone's records: where a domain's records go (its
zone, its host record), what a record runs into there (conflicts; for a wildcard, the
records it does not cover) and the plan that points a domain at its CDN CNAME.

No I/O and nothing of the project beyond tui.rules and tui.dns_rules, so the same answers
serve the DNS screens and the service layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from tui.dns_rules import FREE_MIN_TTL, HOST_VALUED, a_or_an
from tui.rules import base_name, is_wildcard, root_domain, short

# Where Alibaba Cloud CDN points accelerated names; a record already aimed there is no
# way around the CDN.
CDN_CNAME_SUFFIXES = (".w.kunlunsl.com", ".w.kunlunle.com", ".w.cdngslb.com", ".w.alikunlun.com")
# A CNAME may share "@" with these (Alidns warns but allows it).
# (NS too: the "DNS record conflicts" page of Alibaba Cloud DNS lets a CNAME stand at the
# apex beside NS, MX and TXT.)
_APEX_NEIGHBOURS = frozenset({"MX", "TXT", "NS"})


class RecordLike(Protocol):
    """What these rules read of a DNS record (tui.services.models.DnsRecord fits)."""

    @property
    def record_id(self) -> str: ...
    @property
    def rr(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def ttl(self) -> int: ...
    @property
    def line(self) -> str: ...
    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class Conflict:
    record: RecordLike  # the existing record in the way
    severity: str  # "error" | "warning"
    message: str
    # "duplicate" | "cname_conflict" | "apex_neighbour" | "shadow" | "shadow_kept" | "locked"
    code: str


def _is_enabled(record: RecordLike) -> bool:
    return record.status.upper() == "ENABLE"  # Alidns varies the case of Status


def _is_locked(record: RecordLike) -> bool:
    # Locked in the Alibaba Cloud DNS console: every change to it is refused with
    # Forbidden.RecordLocked (DescribeDomainRecords' `Locked`). Read leniently: records
    # built by hand (tests, the export) may not say.
    return bool(getattr(record, "locked", False))


def _locked_conflict(record: RecordLike, action: str) -> Conflict:
    return Conflict(
        record,
        "error",
        f"{record.rr} ({record.line}) has {a_or_an(record.type.upper())} record "
        f"({short(record.value)}) locked in the Alibaba Cloud DNS console, so the plan "
        f"cannot {action} it: unlock it there first.",
        "locked",
    )


# -- zones and host records -----------------------------------------------------------


def find_zone(domain: str, zones: Iterable[str]) -> str | None:
    """The longest of `zones` containing `domain` (either wildcard spelling), as given."""
    name = base_name(domain)
    inside = [z for z in zones if name == base_name(z) or name.endswith("." + base_name(z))]
    return max(inside, key=lambda z: len(base_name(z)), default=None)


def host_record(domain: str, zone: str | None = None) -> str:
    """The RR that puts `domain` in `zone`: www, @, *, *.shop, img.shop.

    Without a zone, the registrable domain (by the Public Suffix List) is the zone.
    Raises ValueError when the domain is not inside the zone.
    """
    name = base_name(domain)
    apex = base_name(zone) if zone else root_domain(domain)
    if name == apex:
        rr = "@"
    elif name.endswith("." + apex):
        rr = name[: -len(apex) - 1]
    else:
        raise ValueError(f"{short(name)} is not inside the zone {short(apex)}")
    if is_wildcard(domain):
        return "*" if rr == "@" else f"*.{rr}"
    return rr


def exact_rr(records: Iterable[RecordLike], rr: str) -> list[RecordLike]:
    """The records at exactly `rr` (Alidns' RRKeyWord search also finds www2 for www)."""
    return [r for r in records if r.rr.lower() == rr.lower()]


def _same_host(a: str, b: str) -> bool:
    return a.rstrip(".").lower() == b.rstrip(".").lower()


def _same_value(kind: str, a: str, b: str) -> bool:
    # Names and addresses compare case-blind, with or without a final dot; TXT is data.
    return a == b if kind == "TXT" else _same_host(a, b)


# -- conflicts ------------------------------------------------------------------------


def record_conflicts(
    rr: str,
    type: str,
    records: Iterable[RecordLike],
    *,
    value: str | None = None,
    line: str = "default",
    ignore_id: str | None = None,
) -> list[Conflict]:
    """What adding (or, with ignore_id, updating) a record at rr and line runs into, by the
    Alidns rules: a CNAME stands alone at its host and line, except that at "@" it may stand
    beside MX and TXT (a warning); the same RR, type and value is a duplicate."""
    kind = type.upper()
    conflicts = []
    for record in exact_rr(records, rr):
        if record.line != line or record.record_id == ignore_id:
            continue
        other = record.type.upper()
        neighbour = other if kind == "CNAME" else kind  # the type standing beside a CNAME
        where = f"{record.rr} ({line})"
        if other == kind and value is not None and _same_value(kind, record.value, value):
            conflicts.append(
                Conflict(
                    record,
                    "error",
                    f"{where} already has this {kind} record, so there is nothing to add.",
                    "duplicate",
                )
            )
        elif "CNAME" not in (kind, other):
            continue
        elif rr == "@" and neighbour in _APEX_NEIGHBOURS:
            conflicts.append(
                Conflict(
                    record,
                    "warning",
                    f"@ would hold {a_or_an(neighbour)} record beside a CNAME, which Alidns "
                    "allows, but resolvers may follow the CNAME instead and break mail or "
                    "verification.",
                    "apex_neighbour",
                )
            )
        elif kind == "CNAME":
            conflicts.append(
                Conflict(
                    record,
                    "error",
                    f"{where} already has {a_or_an(other)} record ({short(record.value)}) and a "
                    "CNAME must stand alone, so delete or replace that record first.",
                    "cname_conflict",
                )
            )
        else:
            conflicts.append(
                Conflict(
                    record,
                    "error",
                    f"{where} has a CNAME record ({short(record.value)}) and nothing may stand "
                    "beside it, so delete the CNAME first.",
                    "cname_conflict",
                )
            )
    return conflicts


def wildcard_shadows(rr_wildcard: str, records: Iterable[RecordLike]) -> list[RecordLike]:
    """Enabled records exactly one level below a wildcard RR ("*" or "*.sub").

    They take precedence over the wildcard, so their names bypass the CDN. Deeper names
    are not shadows (a wildcard matches one level only); nor are "_" service names such
    as _dmarc, which no browser visits and which must never be deleted for this; nor are
    CNAMEs into the CDN (names accelerated on their own).
    """
    suffix = rr_wildcard.lower()[1:]  # "" for "*", ".sub" for "*.sub"
    shadows = []
    for record in records:
        rr = record.rr.lower()
        if not _is_enabled(record) or not rr.endswith(suffix):
            continue
        head = rr[: len(rr) - len(suffix)]
        if not head or head in ("@", "*") or "." in head or head.startswith("_"):
            continue
        into_cdn = record.value.lower().rstrip(".").endswith(CDN_CNAME_SUFFIXES)
        if record.type.upper() == "CNAME" and into_cdn:
            continue
        shadows.append(record)
    return shadows


def pointed_at(records: Iterable[RecordLike], zone: str) -> dict[str, RecordLike]:
    """The RRs of `zone` (lowercase) that its CNAME, NS, MX and SRV records name as their
    target, each with the first record naming it: deleting one breaks that record (an MX
    target, mail)."""
    apex = base_name(zone)
    targets: dict[str, RecordLike] = {}
    for record in records:
        kind = record.type.upper()
        words = record.value.split()
        if kind not in HOST_VALUED or not words:
            continue
        # An SRV value is "priority weight port target".
        name = (words[-1] if kind == "SRV" else words[0]).rstrip(".").lower()
        if name == apex:
            targets.setdefault("@", record)
        elif name.endswith("." + apex):
            targets.setdefault(name[: -len(apex) - 1], record)
    return targets


# -- the CNAME plan -------------------------------------------------------------------


@dataclass(frozen=True)
class PlanStep:
    action: str  # "create" | "update" | "delete" | "enable"
    rr: str
    type: str
    value: str
    ttl: int = FREE_MIN_TTL
    record_id: str | None = None  # for update, delete and enable
    old_value: str | None = None  # for update
    line: str = "default"

    @property
    def detail(self) -> str:
        """What changes: `new  TTL 600`, `old -> new`, or the value."""
        if self.action == "create":
            return f"{self.value}  TTL {self.ttl}"
        if self.action == "update":
            return f"{self.old_value} -> {self.value}"
        return self.value

    def describe(self) -> str:
        """One line for a preview: `update  img  CNAME  old -> new`."""
        return f"{self.action}  {self.rr}  {self.type}  {self.detail}"


@dataclass(frozen=True)
class Plan:
    domain: str
    zone: str
    rr: str
    steps: tuple[PlanStep, ...] = ()  # in order: deletes first
    warnings: tuple[Conflict, ...] = ()
    blockers: tuple[Conflict, ...] = ()  # to resolve (or plan with replace=True) first

    @property
    def ready(self) -> bool:
        return not self.blockers

    @property
    def nothing_to_do(self) -> bool:
        return not self.steps and not self.blockers


def _delete(record: RecordLike) -> PlanStep:
    return PlanStep(
        "delete",
        record.rr,
        record.type.upper(),
        record.value,
        record.ttl,
        record.record_id,
        line=record.line,
    )


def _shadow_warning(record: RecordLike, zone: str, pointer: RecordLike | None) -> Conflict:
    """A record the wildcard does not cover: to delete, or to keep when another record of
    the zone points at it."""
    name = f"{record.rr}.{zone}"
    bypass = (
        f"{name} has its own {record.type.upper()} record, which wins over the wildcard "
        "and bypasses the CDN"
    )
    if pointer is None:
        return Conflict(
            record, "warning", f"{bypass}, so delete it or add {name} to CDN too.", "shadow"
        )
    owner = zone if pointer.rr == "@" else f"{pointer.rr}.{zone}"
    return Conflict(
        record,
        "warning",
        f"{bypass}, but it stays: the {pointer.type.upper()} record of {owner} points at it "
        f"and would break without it. Add {name} to CDN too if browsers visit it.",
        "shadow_kept",
    )


def plan_cname(
    domain: str,
    cname: str,
    zone: str | None,
    records: Iterable[RecordLike],
    *,
    ttl: int = FREE_MIN_TTL,
    line: str = "default",
    remove_shadows: bool = False,
    replace: bool = False,
) -> Plan:
    """The DNS changes that make `domain` a CNAME of `cname` in `zone` (None: its
    registrable domain).

    Records that cannot stand beside the CNAME are blockers unless `replace` turns them
    into delete steps; for a wildcard, the records it would not cover are warnings unless
    `remove_shadows` deletes them (never one that another record points at, such as the
    mail server an MX names). Deletes come first, as Alidns refuses the CNAME until
    the way is clear. Planning again after applying a plan yields nothing to do.
    """
    records = list(records)
    zone_name = base_name(zone) if zone else root_domain(domain)
    rr = host_record(domain, zone_name)
    target = cname.strip().rstrip(".")
    deletes: list[PlanStep] = []
    changes: list[PlanStep] = []
    warnings: list[Conflict] = []
    blockers: list[Conflict] = []

    here = [r for r in exact_rr(records, rr) if r.line == line]
    cnames = [r for r in here if r.type.upper() == "CNAME"]
    # Keep the CNAME that already points right, else the first one; extras must go.
    keep = next((r for r in cnames if _same_host(r.value, target)), cnames[0] if cnames else None)
    deletes += [_delete(r) for r in cnames if r is not keep]
    if keep is None:
        changes.append(PlanStep("create", rr, "CNAME", target, ttl, line=line))
    else:
        if not _same_host(keep.value, target):
            changes.append(
                PlanStep("update", rr, "CNAME", target, ttl, keep.record_id, keep.value, line)
            )
        if not _is_enabled(keep):
            changes.append(PlanStep("enable", rr, "CNAME", target, ttl, keep.record_id, line=line))

    others = [r for r in here if r.type.upper() != "CNAME"]
    for conflict in record_conflicts(rr, "CNAME", others, line=line):
        if conflict.severity == "warning":
            warnings.append(conflict)
        elif replace:
            deletes.append(_delete(conflict.record))
        else:
            blockers.append(conflict)

    if is_wildcard(domain):
        targets = pointed_at(records, zone_name)
        for record in wildcard_shadows(rr, records):
            pointer = targets.get(record.rr.lower())
            if remove_shadows and pointer is None and _is_locked(record):
                warnings.append(_locked_conflict(record, "delete"))
            elif remove_shadows and pointer is None:
                deletes.append(_delete(record))
            else:
                warnings.append(_shadow_warning(record, zone_name, pointer))

    # A locked record cannot be deleted, updated or enabled: flagged now, rather than
    # found when Alidns refuses the step halfway through the plan.
    by_id = {r.record_id: r for r in records}
    steps = []
    for step in deletes + changes:
        acted_on = by_id.get(step.record_id or "")
        if acted_on is not None and _is_locked(acted_on):
            blockers.append(_locked_conflict(acted_on, step.action))
        else:
            steps.append(step)
    blockers = [
        _locked_conflict(c.record, "delete") if _is_locked(c.record) else c for c in blockers
    ]
    return Plan(domain, zone_name, rr, tuple(steps), tuple(warnings), tuple(blockers))


def bind_line(domain: str, cname: str, ttl: int = FREE_MIN_TTL) -> str:
    """A zone-file line for DNS hosted elsewhere:
    `img.example.com. 600 IN CNAME img.example.com.w.kunlunsl.com.`"""
    owner = ("*." if is_wildcard(domain) else "") + base_name(domain)
    return f"{owner}. {ttl} IN CNAME {cname.strip().rstrip('.')}."
