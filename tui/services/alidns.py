"""Alibaba Cloud DNS (Alidns, API 2015-01-09) through alibabacloud_alidns20150109."""

from __future__ import annotations

from alibabacloud_alidns20150109 import models as sdk

from tui.dns_rules import find_zone

from .answers import Fields
from .clients import TeaService, all_pages, dns_client
from .errors import CloudError
from .models import DnsRecord, Zone
from .profile import Profile
from .retry import DEFAULT_POLICY, RetryPolicy

ZONES_PAGE_SIZE = 100  # DescribeDomains' maximum
RECORDS_PAGE_SIZE = 500  # DescribeDomainRecords' and DescribeSubDomainRecords' maximum


def _record(r: Fields, zone: str = "") -> DnsRecord:
    """A DnsRecord from a record of DescribeDomainRecords or DescribeSubDomainRecords.
    Required: what identifies and defines it, which plans and conflicts are judged on
    (RecordId, RR, Type, Value, TTL, Line, Status: the API always sends them); Locked,
    Priority and Weight may be absent."""
    return DnsRecord(
        record_id=r.text("RecordId"),
        zone=r.text("DomainName", zone) if zone else r.text("DomainName"),
        rr=r.text("RR"),
        type=r.text("Type"),
        value=r.text("Value"),
        ttl=r.integer("TTL"),
        line=r.text("Line"),
        status=r.text("Status"),
        locked=r.flag("Locked", False),
        priority=r.integer("Priority") if r.has("Priority") else None,
        weight=r.integer("Weight") if r.has("Weight") else None,
    )


def _records_page(zone: str = ""):
    def read(answer: Fields) -> tuple[list[DnsRecord], int]:
        total = answer.integer("TotalCount")
        records = answer.obj("DomainRecords", required=total > 0).items(
            "Record", required=total > 0)
        return [_record(r, zone) for r in records], total

    return read


def _zone(d: Fields) -> Zone:
    """A zone of DescribeDomains, or DescribeDomainInfo's answer."""
    return Zone(
        name=d.text("DomainName"),
        domain_id=d.text("DomainId", ""),
        dns_servers=d.obj("DnsServers").texts("DnsServer"),
        record_count=d.integer("RecordCount", 0),
        version_code=d.text("VersionCode", ""),
        puny_code=d.text("PunyCode", ""),
    )


def _zones_page(answer: Fields) -> tuple[list[Zone], int]:
    total = answer.integer("TotalCount")
    zones = answer.obj("Domains", required=total > 0).items("Domain", required=total > 0)
    return [_zone(d) for d in zones], total


def is_denied(error: CloudError) -> bool:
    """Did the service refuse for want of permission (RAM policy, not the request)?"""
    return error.status == 403 or error.code.startswith(("Forbidden", "NoPermission"))


class DnsService(TeaService):
    service = "DNS"

    def __init__(self, profile: Profile, policy: RetryPolicy = DEFAULT_POLICY) -> None:
        super().__init__(profile, dns_client(profile), profile.dns_endpoint, policy)

    # -- zones -------------------------------------------------------------------------

    async def list_zones(self) -> list[Zone]:
        """Every domain hosted in the account's Alidns."""

        async def page(number: int) -> tuple[list[Zone], int]:
            return await self.call(
                "DescribeDomains",
                self._client.describe_domains_with_options_async,
                sdk.DescribeDomainsRequest(page_number=number, page_size=ZONES_PAGE_SIZE),
                write=False,
                read=_zones_page,
            )

        return await all_pages(page, ZONES_PAGE_SIZE, key=lambda z: z.name)

    async def zone_for(self, domain: str) -> str | None:
        """The account's zone holding `domain` (the longest), or None: none does, or the
        user may not list zones (a RAM user without Alidns permission can still use CDN;
        the domain is then handled as hosted elsewhere). Other errors propagate."""
        try:
            zones = await self.list_zones()
        except CloudError as error:
            if is_denied(error):
                return None
            raise
        return find_zone(domain, [z.name for z in zones])

    async def zone(self, name: str) -> Zone:
        """DescribeDomainInfo: the zone's name servers (dns9.hichina.com ...) and edition."""
        return await self.call(
            "DescribeDomainInfo",
            self._client.describe_domain_info_with_options_async,
            sdk.DescribeDomainInfoRequest(domain_name=name),
            write=False,
            read=_zone,
        )

    # -- records -----------------------------------------------------------------------

    async def records(self, zone: str, *, rr_keyword: str | None = None,
                      type: str | None = None) -> list[DnsRecord]:
        """Every record of `zone`. `rr_keyword` is the API's fuzzy RR match (see records_at)."""

        async def page(number: int) -> tuple[list[DnsRecord], int]:
            request = sdk.DescribeDomainRecordsRequest(
                domain_name=zone,
                page_number=number,
                page_size=RECORDS_PAGE_SIZE,
                rrkey_word=rr_keyword,
                type=type,
            )
            return await self.call("DescribeDomainRecords",
                                   self._client.describe_domain_records_with_options_async,
                                   request, write=False, read=_records_page(zone))

        return await all_pages(page, RECORDS_PAGE_SIZE, key=lambda r: r.record_id)

    async def records_at(self, zone: str, rr: str, type: str | None = None) -> list[DnsRecord]:
        """The records whose RR is exactly `rr` (`@` for the apex).

        RRKeyWord is a fuzzy match (`www` also finds `www2`), so the answer is filtered here.
        """
        found = await self.records(zone, rr_keyword=rr, type=type)
        return [r for r in found if r.rr.lower() == rr.lower()]

    async def sub_domain_records(self, fqdn: str, type: str | None = None) -> list[DnsRecord]:
        """DescribeSubDomainRecords: the records of one full name, e.g. `www.example.com`."""

        async def page(number: int) -> tuple[list[DnsRecord], int]:
            request = sdk.DescribeSubDomainRecordsRequest(
                sub_domain=fqdn, type=type, page_number=number, page_size=RECORDS_PAGE_SIZE
            )
            return await self.call("DescribeSubDomainRecords",
                                   self._client.describe_sub_domain_records_with_options_async,
                                   request, write=False, read=_records_page())

        return await all_pages(page, RECORDS_PAGE_SIZE, key=lambda r: r.record_id)

    async def add_record(self, zone: str, rr: str, type: str, value: str, *, ttl: int = 600,
                         line: str = "default", priority: int | None = None) -> DnsRecord:
        """AddDomainRecord; returns the new record (with its RecordId)."""
        request = sdk.AddDomainRecordRequest(
            domain_name=zone, rr=rr, type=type, value=value, ttl=ttl, line=line,
            priority=priority,
        )
        body = await self.call("AddDomainRecord",
                               self._client.add_domain_record_with_options_async,
                               request, write=True)
        return DnsRecord(record_id=str(body.record_id), zone=zone, rr=rr, type=type,
                         value=value, ttl=ttl, line=line, priority=priority)

    async def update_record(self, record: DnsRecord, *, rr: str | None = None,
                            type: str | None = None, value: str | None = None,
                            ttl: int | None = None, line: str | None = None,
                            priority: int | None = None) -> DnsRecord:
        """UpdateDomainRecord: `record` with the given fields changed; returns it updated.

        Alidns answers DomainRecordDuplicate when nothing changes.
        """
        rr = record.rr if rr is None else rr
        type = record.type if type is None else type
        value = record.value if value is None else value
        ttl = record.ttl if ttl is None else ttl
        line = record.line if line is None else line
        priority = record.priority if priority is None else priority
        request = sdk.UpdateDomainRecordRequest(
            record_id=record.record_id, rr=rr, type=type, value=value, ttl=ttl, line=line,
            priority=priority,
        )
        await self.call("UpdateDomainRecord",
                        self._client.update_domain_record_with_options_async,
                        request, write=True)
        return DnsRecord(record_id=record.record_id, zone=record.zone, rr=rr, type=type,
                         value=value, ttl=ttl, line=line, status=record.status,
                         locked=record.locked, priority=priority, weight=record.weight)

    async def delete_record(self, record_id: str) -> None:
        await self.call("DeleteDomainRecord",
                        self._client.delete_domain_record_with_options_async,
                        sdk.DeleteDomainRecordRequest(record_id=record_id), write=True)

    async def set_record_status(self, record_id: str, enabled: bool) -> str:
        """SetDomainRecordStatus; returns the status the service reports (Enable/Disable)."""
        body = await self.call(
            "SetDomainRecordStatus",
            self._client.set_domain_record_status_with_options_async,
            sdk.SetDomainRecordStatusRequest(record_id=record_id,
                                             status="Enable" if enabled else "Disable"),
            write=True,
        )
        return body.status or ""
