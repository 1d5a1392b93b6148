"""Alibaba Cloud DNS (Alidns, API 2015-01-09) through alibabacloud_alidns20150109."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import replace

from tui.dns_plan import find_zone

from . import writes
from .answers import Fields
from .clients import TeaService, dns_client
from .errors import CloudError, is_record_locked
from .lazy_models import lazy_models
from .models import DnsRecord, Zone
from .paging import Page, all_pages, pages
from .profile import Profile
from .retry import DEFAULT_POLICY, RetryPolicy

# The SDK's request models, each imported when first used (not its ~500 at once).
sdk = lazy_models("alibabacloud_alidns20150109")

ZONES_PAGE_SIZE = 100  # DescribeDomains' maximum
RECORDS_PAGE_SIZE = 500  # DescribeDomainRecords' and DescribeSubDomainRecords' maximum
# A record id that is not (or no longer) this account's: DescribeDomainRecordInfo and
# the record writes answer this (Alidns error centre, document_detail/2355841).
RECORD_NOT_FOUND = "DomainRecordNotBelongToUser"


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
            "Record", required=total > 0
        )
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


def _record_id(record: DnsRecord) -> str:
    return record.record_id


def is_denied(error: CloudError) -> bool:
    """Did the service refuse for want of permission (RAM policy, not the request)? A
    locked record's refusal is a Forbidden.* code too, but no matter of permission."""
    if is_record_locked(error):
        return False
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

    async def find_zone(self, domain: str) -> tuple[str | None, CloudError | None]:
        """(the account's zone holding `domain` or None, the RAM denial of listing the
        zones or None). A denial is not "hosted elsewhere": the zone may well be here,
        unseen; the caller says which permission is missing. Other errors propagate."""
        try:
            zones = await self.list_zones()
        except CloudError as error:
            if is_denied(error):
                return None, error
            raise
        return find_zone(domain, [z.name for z in zones]), None

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

    async def records(
        self, zone: str, *, rr_keyword: str | None = None, type: str | None = None
    ) -> list[DnsRecord]:
        """Every record of `zone`. `rr_keyword` is the API's fuzzy RR match (see records_at)."""
        return await all_pages(
            self._records_page(zone, rr_keyword, type), RECORDS_PAGE_SIZE, key=_record_id
        )

    def record_pages(self, zone: str) -> AsyncGenerator[Page[DnsRecord], None]:
        """Every record of `zone`, a page at a time as each arrives (page 1 first)."""
        return pages(self._records_page(zone), RECORDS_PAGE_SIZE, key=_record_id)

    def _records_page(
        self, zone: str, rr_keyword: str | None = None, type: str | None = None
    ) -> Callable[[int], Awaitable[tuple[list[DnsRecord], int]]]:
        """DescribeDomainRecords' page n of `zone`'s records, and their total count."""

        async def page(number: int) -> tuple[list[DnsRecord], int]:
            request = sdk.DescribeDomainRecordsRequest(
                domain_name=zone,
                page_number=number,
                page_size=RECORDS_PAGE_SIZE,
                rrkey_word=rr_keyword,
                type=type,
            )
            return await self.call(
                "DescribeDomainRecords",
                self._client.describe_domain_records_with_options_async,
                request,
                write=False,
                read=_records_page(zone),
            )

        return page

    async def records_at(self, zone: str, rr: str, type: str | None = None) -> list[DnsRecord]:
        """The records whose RR is exactly `rr` (`@` for the apex).

        RRKeyWord is a fuzzy match (`www` also finds `www2`), so the answer is filtered here.
        """
        found = await self.records(zone, rr_keyword=rr, type=type)
        return [r for r in found if r.rr.lower() == rr.lower()]

    async def sub_domain_records(
        self, fqdn: str, type: str | None = None, *, zone: str | None = None
    ) -> list[DnsRecord]:
        """DescribeSubDomainRecords: the records of one full name, e.g. `www.example.com`
        (in `zone` when given: else Alidns picks the longest zone of the account)."""

        async def page(number: int) -> tuple[list[DnsRecord], int]:
            request = sdk.DescribeSubDomainRecordsRequest(
                sub_domain=fqdn,
                type=type,
                page_number=number,
                page_size=RECORDS_PAGE_SIZE,
                domain_name=zone,
            )
            return await self.call(
                "DescribeSubDomainRecords",
                self._client.describe_sub_domain_records_with_options_async,
                request,
                write=False,
                read=_records_page(),
            )

        return await all_pages(page, RECORDS_PAGE_SIZE, key=lambda r: r.record_id)

    async def record(self, record_id: str) -> DnsRecord | None:
        """DescribeDomainRecordInfo: one record by its id; None when it does not exist
        (DomainRecordNotBelongToUser: gone, or never this account's)."""
        try:
            # Its answer holds the record's fields as the listings do (without Weight).
            return await self.call(
                "DescribeDomainRecordInfo",
                self._client.describe_domain_record_info_with_options_async,
                sdk.DescribeDomainRecordInfoRequest(record_id=record_id),
                write=False,
                read=_record,
            )
        except CloudError as error:
            if error.code == RECORD_NOT_FOUND:
                return None
            raise

    async def add_record(
        self,
        zone: str,
        rr: str,
        type: str,
        value: str,
        *,
        ttl: int = 600,
        line: str = "default",
        priority: int | None = None,
    ) -> DnsRecord:
        """AddDomainRecord; returns the new record (with its RecordId)."""
        write = writes.add_record(zone, rr, type, value, ttl=ttl, line=line, priority=priority)
        wanted = DnsRecord(
            record_id="",
            zone=zone,
            rr=rr,
            type=type,
            value=value,
            ttl=ttl,
            line=line,
            priority=priority,
        )

        async def added() -> DnsRecord | None:
            # Alidns refuses a second record with the same RR, type, value and line, so a
            # record like this one is the one that was added.
            found = await self.sub_domain_records(wanted.fqdn, type, zone=zone)
            return next((r for r in found if _same_record(r, wanted)), None)

        body = await self.send(
            write,
            self._client.add_domain_record_with_options_async,
            sdk.AddDomainRecordRequest,
            confirm=added,
        )
        if isinstance(body, DnsRecord):
            return body
        return replace(wanted, record_id=str(body.record_id))

    async def update_record(
        self,
        record: DnsRecord,
        *,
        rr: str | None = None,
        type: str | None = None,
        value: str | None = None,
        ttl: int | None = None,
        line: str | None = None,
        priority: int | None = None,
    ) -> DnsRecord:
        """UpdateDomainRecord: `record` with the given fields changed; returns it updated.

        Alidns answers DomainRecordDuplicate when nothing changes.
        """
        write = writes.update_record(
            record, rr=rr, type=type, value=value, ttl=ttl, line=line, priority=priority
        )
        p = dict(write.params)  # the record as sent (the conversions change no value)
        updated = replace(
            record,
            rr=str(p["RR"]),
            type=str(p["Type"]),
            value=str(p["Value"]),
            ttl=int(p["TTL"]),
            line=str(p["Line"]),
            priority=int(p["Priority"]) if "Priority" in p else None,
        )

        async def changed() -> DnsRecord | None:
            now = await self.record(record.record_id)
            if now is not None and _same_record(now, updated) and now.ttl == updated.ttl:
                return replace(updated, status=now.status)
            return None

        result = await self.send(
            write,
            self._client.update_domain_record_with_options_async,
            sdk.UpdateDomainRecordRequest,
            confirm=changed,
        )
        return result if isinstance(result, DnsRecord) else updated

    async def delete_record(self, record: DnsRecord | str) -> None:
        """DeleteDomainRecord of `record` (or of a record id)."""
        write = writes.delete_record(record)
        record_id = str(write.param("RecordId"))

        async def gone() -> bool | None:
            return True if await self.record(record_id) is None else None

        await self.send(
            write,
            self._client.delete_domain_record_with_options_async,
            sdk.DeleteDomainRecordRequest,
            confirm=gone,
        )

    async def set_record_status(self, record: DnsRecord | str, enabled: bool) -> str:
        """SetDomainRecordStatus; returns the status the service reports (Enable/Disable)."""
        write = writes.set_record_status(record, enabled)
        record_id, status = str(write.param("RecordId")), str(write.param("Status"))

        async def switched() -> str | None:
            now = await self.record(record_id)
            return status if now is not None and now.enabled == enabled else None

        result = await self.send(
            write,
            self._client.set_domain_record_status_with_options_async,
            sdk.SetDomainRecordStatusRequest,
            confirm=switched,
        )
        return result if isinstance(result, str) else (result.status or "")


def _same_record(found: DnsRecord, wanted: DnsRecord) -> bool:
    """The same RR, type, value and line, compared as Alidns compares them (case and a
    final dot of host names do not matter; TXT values may come back quoted)."""

    def value(r: DnsRecord) -> str:
        text = r.value.strip()
        if r.type.upper() == "TXT":
            return text.strip('"')
        return text.rstrip(".").lower()

    return (
        found.rr.lower() == wanted.rr.lower()
        and found.type.upper() == wanted.type.upper()
        and value(found) == value(wanted)
        and found.line == wanted.line
    )
