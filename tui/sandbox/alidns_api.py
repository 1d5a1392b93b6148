"""Alidns API 2015-01-09: zones and records the way Alibaba Cloud DNS answers them.

Only zones `hosted_in_alidns` exist for this API; the others are served by the sandbox's
DNS but belong to "another provider". Record changes go through World.add_record /
replace_record / delete_record so the DNS keeps the history resolvers lag behind on.
"""

from __future__ import annotations

import functools
import ipaddress
import re

from publicsuffixlist import PublicSuffixList

from tui.sandbox.http_server import ApiError, Params, RpcProduct
from tui.sandbox.world import RecordVersion, SandboxZone, World

VERSION = "2015-01-09"
RECORD_TYPES = (
    "A",
    "AAAA",
    "CNAME",
    "TXT",
    "MX",
    "NS",
    "SRV",
    "CAA",
    "REDIRECT_URL",
    "FORWARD_URL",
)
MAX_TTL = 86400
# Below the zone's floor (600 on the free edition), a TTL under this is refused as invalid;
# one from here up to the floor as over the edition's limit (QuotaExceeded.TTL).
INVALID_TTL_BELOW = 300
VERSION_NAMES = {"mianfei": "Alibaba Cloud DNS Free Edition"}

_RR_LABEL = re.compile(r"\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_HOSTNAME = re.compile(r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}\.?")


@functools.lru_cache(maxsize=1)
def _public_suffixes():
    # Built on first use: reading the list takes a moment.
    return PublicSuffixList()


# -- lookups ----------------------------------------------------------------------------


def _zone(world: World, name: str) -> SandboxZone:
    zone = world.zones.get(name.strip().rstrip(".").lower())
    if zone is None or not zone.hosted_in_alidns:
        raise ApiError(
            400,
            "InvalidDomainName.NoExist",
            "The specified domain name does not exist. Refresh the page and try again.",
        )
    return zone


def _record(world: World, record_id: str) -> RecordVersion:
    record = world.find_record(record_id)
    zone = world.zones.get(record.zone) if record else None
    if record is None or zone is None or not zone.hosted_in_alidns:
        raise ApiError(
            400,
            "DomainRecordNotBelongToUser",
            "The DNS record does not exist or does not belong to you.",
        )
    return record


def _unlocked(record: RecordVersion) -> RecordVersion:
    if record.locked:
        # The code Alidns answers for a record locked in its console
        # (reference/alibaba-api-facts.md: "Locked Alidns records: Forbidden.RecordLocked
        # (not DomainRecordLocked)").
        raise ApiError(400, "Forbidden.RecordLocked", "The DNS record is locked.")
    return record


# -- shapes -----------------------------------------------------------------------------


def _record_json(record: RecordVersion) -> dict:
    answer = {
        "RecordId": record.record_id,
        "RR": record.rr,
        "Type": record.type,
        "Value": record.value,
        "TTL": record.ttl,
        "Line": record.line,
        "Status": "ENABLE" if record.enabled else "DISABLE",
        "Locked": record.locked,
        "DomainName": record.zone,
        "Weight": record.weight if record.weight is not None else 1,
        "CreateTimestamp": int(record.created_at * 1000),
        "UpdateTimestamp": int(record.created_at * 1000),
    }
    if record.priority is not None:
        answer["Priority"] = record.priority
    return answer


def _records_page(params: Params, records: list[RecordVersion]) -> dict:
    """A page of `records`, which come in world.record_order (world.sorted_records)."""
    page = params.page(max_size=500)
    return {
        "PageNumber": page.number,
        "PageSize": page.size,
        "TotalCount": len(records),
        "DomainRecords": {"Record": [_record_json(r) for r in page.of(records)]},
    }


def _dns_servers(zone: SandboxZone) -> dict:
    return {"DnsServer": list(zone.dns_servers)}


# -- zones ------------------------------------------------------------------------------


def describe_domains(world: World, params: Params) -> dict:
    page = params.page(max_size=100)
    keyword = (params.get("KeyWord") or "").lower()
    exact = (params.get("SearchMode") or "").upper() == "EXACT"
    zones = sorted(
        (
            z
            for z in world.zones.values()
            if z.hosted_in_alidns
            and (not keyword or (z.name == keyword if exact else keyword in z.name))
        ),
        key=lambda z: z.name,
    )
    counts: dict[str, int] = {}
    for record in world.current_records():
        counts[record.zone] = counts.get(record.zone, 0) + 1
    domains = [
        {
            "DomainName": z.name,
            "DomainId": z.domain_id,
            "PunyCode": z.name,
            "AliDomain": True,
            "DnsServers": _dns_servers(z),
            "RecordCount": counts.get(z.name, 0),
            "VersionCode": z.version_code,
            "VersionName": VERSION_NAMES.get(z.version_code, z.version_code),
        }
        for z in page.of(zones)
    ]
    return {
        "PageNumber": page.number,
        "PageSize": page.size,
        "TotalCount": len(zones),
        "Domains": {"Domain": domains},
    }


def describe_domain_info(world: World, params: Params) -> dict:
    zone = _zone(world, params.required("DomainName"))
    return {
        "DomainName": zone.name,
        "DomainId": zone.domain_id,
        "PunyCode": zone.name,
        "AliDomain": True,
        "DnsServers": _dns_servers(zone),
        "VersionCode": zone.version_code,
        "VersionName": VERSION_NAMES.get(zone.version_code, zone.version_code),
        "MinTtl": zone.min_ttl,
        "LineType": "default",
    }


def get_main_domain_name(world: World, params: Params) -> dict:
    name = params.required("InputString").strip().rstrip(".").lower()
    main = _public_suffixes().privatesuffix(name)
    if main is None:
        # No documented code for input without a registrable domain; the format one.
        raise ApiError(400, "InvalidDomainName.Format", "The domain name format is invalid.")
    rr = name[: -len(main)].rstrip(".")
    return {"DomainName": main, "RR": rr, "DomainLevel": rr.count(".") + 2 if rr else 1}


# -- records ----------------------------------------------------------------------------


def describe_domain_records(world: World, params: Params) -> dict:
    zone = _zone(world, params.required("DomainName"))
    # RRKeyWord, ValueKeyWord and KeyWord are fuzzy, as on the real API ("www" finds "www2").
    rr_word = (params.get("RRKeyWord") or "").lower()
    value_word = (params.get("ValueKeyWord") or "").lower()
    keyword = (params.get("KeyWord") or "").lower()
    exact = (params.get("SearchMode") or "").upper() == "EXACT"
    type_ = (params.get("Type") or params.get("TypeKeyWord") or "").upper()
    status = (params.get("Status") or "").upper()
    line = params.get("Line")

    def keep(r: RecordVersion) -> bool:
        rr, value = r.rr.lower(), r.value.lower()
        if keyword and not (
            (rr == keyword or value == keyword) if exact else (keyword in rr or keyword in value)
        ):
            return False
        return (
            (not rr_word or rr_word in rr)
            and (not value_word or value_word in value)
            and (not type_ or r.type == type_)
            and (not status or (status == "ENABLE") == r.enabled)
            and (line is None or r.line == line)
        )

    # Sorted once per change of the records (world.sorted_records): a page costs its own
    # size, not the zone's; without a filter it is a slice.
    ordered = world.sorted_records(zone.name)
    if keyword or rr_word or value_word or type_ or status or line is not None:
        ordered = [r for r in ordered if keep(r)]
    return _records_page(params, ordered)


def describe_sub_domain_records(world: World, params: Params) -> dict:
    sub = params.required("SubDomain").strip().rstrip(".").lower()
    zone_name = params.get("DomainName")
    zone = _zone(world, zone_name) if zone_name else world.zone_for(sub)
    if (
        zone is None
        or not zone.hosted_in_alidns
        or not (sub == zone.name or sub.endswith("." + zone.name))
    ):
        raise ApiError(
            400,
            "InvalidDomainName.NoExist",
            "The specified domain name does not exist. Refresh the page and try again.",
        )
    rr = "@" if sub == zone.name else sub[: -len(zone.name) - 1]
    type_ = (params.get("Type") or "").upper()
    line = params.get("Line")
    records = [
        r
        for r in world.sorted_records(zone.name)
        if r.rr.lower() == rr
        and (not type_ or r.type == type_)
        and (line is None or r.line == line)
    ]
    return _records_page(params, records)


def describe_domain_record_info(world: World, params: Params) -> dict:
    # One record by id; an id not (or no longer) the account's answers
    # DomainRecordNotBelongToUser (Alidns DescribeDomainRecordInfo and its error codes).
    # The answer carries no Weight and no timestamps, unlike the listings.
    record = _record(world, params.required("RecordId"))
    answer = {
        k: v
        for k, v in _record_json(record).items()
        if k not in ("Weight", "CreateTimestamp", "UpdateTimestamp")
    }
    return {**answer, "PunyCode": record.zone}


def _record_fields(params: Params, zone: SandboxZone) -> dict:
    """RR, Type, Value, TTL, Line and Priority of Add/UpdateDomainRecord, checked."""
    rr = params.required("RR").strip().lower()
    type_ = params.required("Type").strip().upper()
    value = params.required("Value").strip()
    if rr != "@" and not all(_RR_LABEL.fullmatch(label) for label in rr.split(".")):
        raise ApiError(400, "InvalidRR.Format", "The parameter value RR is invalid.")
    if type_ not in RECORD_TYPES:
        # No documented code for an unknown type; the generic one.
        raise ApiError(
            400, "InvalidParameter", f"The specified parameter Type {type_} is not valid."
        )
    if not _valid_value(type_, value):
        raise ApiError(
            400, "SubDomainInvalid.Value", "The DNS record is invalid or in the wrong format."
        )
    ttl = params.integer("TTL", 600, 1, 2**31 - 1, code="InvalidTTL")
    if ttl < zone.min_ttl and ttl < INVALID_TTL_BELOW:
        # Seen on a free zone (a field report of AddDomainRecord against real Alidns):
        # TTL 60 answered "The specified TTL is invalid", TTL 300 QuotaExceeded.TTL.
        raise ApiError(400, "InvalidTTL", "The specified TTL is invalid.")
    if not zone.min_ttl <= ttl <= MAX_TTL:
        raise ApiError(
            400,
            "QuotaExceeded.TTL",
            f"The TTL has exceeded the limit of the domain edition "
            f"({zone.min_ttl}-{MAX_TTL} seconds).",
        )
    priority = (
        params.integer("Priority", 5, 1, 50, code="InvalidPriority") if type_ == "MX" else None
    )
    return {
        "rr": rr,
        "type": type_,
        "value": value,
        "ttl": ttl,
        "line": params.get("Line", "default"),
        "priority": priority,
    }


def _valid_value(type_: str, value: str) -> bool:
    if type_ in ("A", "AAAA"):
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return False
        return address.version == (4 if type_ == "A" else 6)
    if type_ in ("CNAME", "MX", "NS"):
        return bool(_HOSTNAME.fullmatch(value.lower()))
    return bool(value) and len(value) <= 4096


def _refuse_problem(world: World, zone: str, fields: dict, ignore_id: str | None = None) -> None:
    problem = world.record_problem(
        zone, fields["rr"], fields["type"], fields["value"], fields["line"], ignore_id=ignore_id
    )
    if problem == "DomainRecordDuplicate":
        raise ApiError(400, problem, "The DNS record already exists.")
    if problem == "DomainRecordConflict":
        raise ApiError(400, problem, "The DNS record conflicts with other records.")


def add_domain_record(world: World, params: Params) -> dict:
    zone = _zone(world, params.required("DomainName"))
    fields = _record_fields(params, zone)
    _refuse_problem(world, zone.name, fields)
    record = world.add_record(zone.name, **fields)
    return {"RecordId": record.record_id}


def update_domain_record(world: World, params: Params) -> dict:
    record = _unlocked(_record(world, params.required("RecordId")))
    fields = _record_fields(params, _zone(world, record.zone))
    if all(getattr(record, k) == v for k, v in fields.items()):
        raise ApiError(400, "DomainRecordDuplicate", "The DNS record already exists.")
    _refuse_problem(world, record.zone, fields, ignore_id=record.record_id)
    world.replace_record(record.record_id, **fields)
    return {"RecordId": record.record_id}


def delete_domain_record(world: World, params: Params) -> dict:
    record = _unlocked(_record(world, params.required("RecordId")))
    world.delete_record(record.record_id)
    return {"RecordId": record.record_id}


def set_domain_record_status(world: World, params: Params) -> dict:
    record = _unlocked(_record(world, params.required("RecordId")))
    status = params.required("Status").capitalize()
    if status not in ("Enable", "Disable"):
        raise ApiError(
            400,
            "InvalidParameter",
            "The specified parameter Status is not valid: Enable or Disable.",
        )
    if record.enabled != (status == "Enable"):
        world.replace_record(record.record_id, enabled=status == "Enable")
    return {"RecordId": record.record_id, "Status": status}


PRODUCT = RpcProduct(
    name="Alidns",
    version=VERSION,
    host_id="alidns.aliyuncs.com",
    actions={
        "DescribeDomains": describe_domains,
        "DescribeDomainInfo": describe_domain_info,
        "DescribeDomainRecords": describe_domain_records,
        "DescribeSubDomainRecords": describe_sub_domain_records,
        "DescribeDomainRecordInfo": describe_domain_record_info,
        "GetMainDomainName": get_main_domain_name,
        "AddDomainRecord": add_domain_record,
        "UpdateDomainRecord": update_domain_record,
        "DeleteDomainRecord": delete_domain_record,
        "SetDomainRecordStatus": set_domain_record_status,
    },
)
