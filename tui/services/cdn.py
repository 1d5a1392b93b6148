"""Alibaba Cloud CDN (API 2018-05-10) through alibabacloud_cdn20180510."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from alibabacloud_cdn20180510 import models as sdk

from tui.rules import display_name

from . import writes
from .clients import TeaService, all_pages, cdn_client
from .errors import CloudError, DomainInThisAccount, ServiceError
from .models import (
    CdnDomain,
    CnameStatus,
    DomainExistence,
    DomainQuota,
    RefreshQuota,
    RefreshTask,
    Source,
)
from .profile import Profile
from .retry import DEFAULT_POLICY, RetryPolicy

# CDN domains an account may have: 50 by default, raised through Quota Center. No API
# of CDN 2018-05-10 reports the number, so it is this constant (the sandbox's too).
DOMAIN_QUOTA = 50
DOMAINS_PAGE_SIZE = 500  # DescribeUserDomains' maximum
# How long the domain count stays good for `quota()`, which the add form asks at every
# pause in typing: a count costs a listing of every domain.
COUNT_TTL = 30.0
CNAME_BATCH = 30  # DescribeDomainCname takes up to 30 comma-separated names
NOT_FOUND = "InvalidDomain.NotFound"  # DescribeCdnDomainDetail of a domain not in the account


def _source(s) -> Source:
    return Source(
        type=s.type or "",
        content=s.content or "",
        port=int(s.port or 80),
        priority=str(s.priority or "20"),
        weight=str(s.weight or "10"),
    )


def _domain_from_list(d: sdk.DescribeUserDomainsResponseBodyDomainsPageData) -> CdnDomain:
    return CdnDomain(
        name=d.domain_name,
        status=d.domain_status or "",
        cname=d.cname or "",
        cdn_type=d.cdn_type or "",
        scope=d.coverage or "",
        sources=tuple(_source(s) for s in (d.sources.source if d.sources else None) or ()),
        created=d.gmt_created or "",
        modified=d.gmt_modified or "",
        description=d.description or "",
        ssl=d.ssl_protocol or "",
    )


def _int(text: str | int | None) -> int:
    return int(text) if text not in (None, "") else 0


class CdnService(TeaService):
    service = "CDN"
    domain_quota = DOMAIN_QUOTA

    def __init__(self, profile: Profile, policy: RetryPolicy = DEFAULT_POLICY) -> None:
        super().__init__(profile, cdn_client(profile), profile.cdn_endpoint, policy)
        self._count: tuple[float, int] | None = None  # (time.monotonic(), domains)
        self._writes = 0  # adds and deletes done: a listing older than one is stale

    # -- domains -----------------------------------------------------------------------

    async def list_domains(self, *, status: str | None = None) -> list[CdnDomain]:
        """Every CDN domain of the account (optionally only those in `status`)."""

        async def page(number: int) -> tuple[list[CdnDomain], int]:
            request = sdk.DescribeUserDomainsRequest(
                page_number=number, page_size=DOMAINS_PAGE_SIZE, domain_status=status
            )
            body = await self.call("DescribeUserDomains",
                                   self._client.describe_user_domains_with_options_async,
                                   request, write=False)
            data = body.domains.page_data if body.domains else None
            return [_domain_from_list(d) for d in data or ()], _int(body.total_count)

        writes = self._writes
        domains = await all_pages(page, DOMAINS_PAGE_SIZE, key=lambda d: d.name)
        if status is None and writes == self._writes:
            self._count = (time.monotonic(), len(domains))
        return domains

    async def quota(self) -> DomainQuota:
        """Domains in use against the account's quota (for the add form). The count of
        the last full listing serves for COUNT_TTL seconds, or until an add or delete."""
        count = self._count
        if count is not None and time.monotonic() - count[0] < COUNT_TTL:
            used = count[1]
        else:
            used = len(await self.list_domains())
        return DomainQuota(used=used, limit=self.domain_quota)

    def _wrote(self) -> None:
        """The domain count changed (or may have: a write whose answer was lost)."""
        self._writes += 1
        self._count = None

    async def domain(self, name: str) -> CdnDomain:
        """DescribeCdnDomainDetail: one domain, with its scope and origins."""
        body = await self.call(
            "DescribeCdnDomainDetail",
            self._client.describe_cdn_domain_detail_with_options_async,
            sdk.DescribeCdnDomainDetailRequest(domain_name=name),
            write=False,
        )
        d = body.get_domain_detail_model
        models = d.source_models.source_model if d.source_models else None
        return CdnDomain(
            name=d.domain_name or name,
            status=d.domain_status or "",
            cname=d.cname or "",
            cdn_type=d.cdn_type or "",
            scope=d.scope or "",
            sources=tuple(_source(s) for s in models or ()),
            created=d.gmt_created or "",
            modified=d.gmt_modified or "",
            description=d.description or "",
        )

    async def check_exists(self, name: str) -> DomainExistence:
        """CheckCdnDomainExist: is the name free, or held by someone or some product?"""
        body = await self.call(
            "CheckCdnDomainExist",
            self._client.check_cdn_domain_exist_with_options_async,
            sdk.CheckCdnDomainExistRequest(domain_name=name),
            write=False,
        )
        return DomainExistence(domain=name, status=body.status or "")

    async def find(self, name: str) -> CdnDomain | None:
        """The domain, or None when it is not in this account (InvalidDomain.NotFound)."""
        try:
            return await self.domain(name)
        except CloudError as error:
            if error.code == NOT_FOUND:
                return None
            raise

    async def add_domain(self, name: str, cdn_type: str, sources: Sequence[Source],
                         scope: str = "domestic") -> None:
        """AddCdnDomain. A wildcard goes in as `.example.com` (the API's spelling).

        DomainAlreadyExist for a domain of this very account raises DomainInThisAccount
        (the form opens it); CDN says DomainAlreadyExist for other accounts' too.
        """
        write = writes.add_domain(name, cdn_type, sources, scope)
        sent = str(write.param("DomainName"))

        async def added() -> CdnDomain | None:
            return await self.find(sent)

        refused: CloudError | None = None
        try:
            await self.send(write, self._client.add_cdn_domain_with_options_async,
                            sdk.AddCdnDomainRequest, confirm=added)
        except CloudError as error:
            if error.code != "DomainAlreadyExist":
                raise
            refused = error
        finally:
            self._wrote()
        if refused is not None:
            await self._already_exists(sent, refused)

    async def _already_exists(self, name: str, refused: CloudError) -> None:
        """Raise DomainInThisAccount when the domain CDN says exists is this account's,
        else the refusal itself (also when reading back fails: it says no more)."""
        try:
            mine = await self.find(name) is not None
        except ServiceError:
            mine = False
        if mine:
            raise DomainInThisAccount(
                name, f"{display_name(name)} is already in this account's CDN domains",
                request_id=refused.request_id, status=refused.status, service=self.service,
                action=refused.action)
        raise refused

    def _status_is(self, name: str, *wanted: str | None):
        """A read-back: the domain's status is one of `wanted` (None: the domain is gone)."""

        async def confirm() -> bool | None:
            domain = await self.find(name)
            return True if (domain.status if domain else None) in wanted else None

        return confirm

    async def start_domain(self, name: str) -> None:
        await self.send(writes.start_domain(name),
                        self._client.start_cdn_domain_with_options_async,
                        sdk.StartCdnDomainRequest,
                        confirm=self._status_is(name, "configuring", "online"))

    async def stop_domain(self, name: str) -> None:
        await self.send(writes.stop_domain(name),
                        self._client.stop_cdn_domain_with_options_async,
                        sdk.StopCdnDomainRequest,
                        confirm=self._status_is(name, "stopping", "offline"))

    async def delete_domain(self, name: str) -> None:
        try:
            await self.send(writes.delete_domain(name),
                            self._client.delete_cdn_domain_with_options_async,
                            sdk.DeleteCdnDomainRequest,
                            confirm=self._status_is(name, "deleting", None))
        finally:
            self._wrote()

    # -- ownership and CNAME -----------------------------------------------------------

    async def verify_content(self, name: str) -> str:
        """The `verify_<hex>` TXT value to publish at `verification.<root domain>`."""
        body = await self.call(
            "DescribeVerifyContent",
            self._client.describe_verify_content_with_options_async,
            sdk.DescribeVerifyContentRequest(domain_name=name),
            write=False,
        )
        return body.content or ""

    async def verify_owner(self, name: str, verify_type: str = "dnsCheck") -> str:
        """VerifyDomainOwner (dnsCheck | fileCheck); returns the service's note on success.

        A failed check raises CloudError (DomainOwnerVerifyFail, InvalidFile, VerifyError).
        """
        # A check: asking twice changes nothing, so a lost answer is asked again.
        body = await self.send(writes.verify_owner(name, verify_type),
                               self._client.verify_domain_owner_with_options_async,
                               sdk.VerifyDomainOwnerRequest)
        return body.content or ""

    async def cname_status(self, names: Sequence[str]) -> list[CnameStatus]:
        """DescribeDomainCname for any number of names (asked 30 at a time)."""
        batches = [names[i:i + CNAME_BATCH] for i in range(0, len(names), CNAME_BATCH)]

        async def batch(chunk: Sequence[str]) -> list[CnameStatus]:
            body = await self.call(
                "DescribeDomainCname",
                self._client.describe_domain_cname_with_options_async,
                sdk.DescribeDomainCnameRequest(domain_name=",".join(chunk)),
                write=False,
            )
            data = body.cname_datas.data if body.cname_datas else None
            return [
                CnameStatus(domain=d.domain or "", cname=d.cname or "", status=_int(d.status))
                for d in data or ()
            ]

        results = await asyncio.gather(*(batch(chunk) for chunk in batches))
        return [status for chunk in results for status in chunk]

    # -- cache -------------------------------------------------------------------------

    async def refresh(self, paths: Sequence[str], object_type: str = "File",
                      force: bool = False) -> str:
        """RefreshObjectCaches (File | Directory | Regex | ExQuery); returns the task id(s)."""
        body = await self.send(writes.refresh(paths, object_type, force),
                               self._client.refresh_object_caches_with_options_async,
                               sdk.RefreshObjectCachesRequest)
        return body.refresh_task_id or ""

    async def push(self, paths: Sequence[str], area: str | None = None) -> str:
        """PushObjectCache (prefetch); returns the task id(s)."""
        body = await self.send(writes.push(paths, area),
                               self._client.push_object_cache_with_options_async,
                               sdk.PushObjectCacheRequest)
        return body.push_task_id or ""

    async def refresh_tasks(self, *, task_id: str | None = None, domain: str | None = None,
                            object_type: str | None = None) -> list[RefreshTask]:
        """DescribeRefreshTasks: recent refresh and prefetch tasks, newest first.

        The API wants `object_type` whenever `domain` is given.
        """
        request = sdk.DescribeRefreshTasksRequest(
            task_id=task_id, domain_name=domain, object_type=object_type, page_size=100
        )
        body = await self.call("DescribeRefreshTasks",
                               self._client.describe_refresh_tasks_with_options_async,
                               request, write=False)
        tasks = body.tasks.cdntask if body.tasks else None
        return [
            RefreshTask(
                task_id=t.task_id or "",
                object_path=t.object_path or "",
                object_type=t.object_type or "",
                status=t.status or "",
                process=t.process or "",
                created=t.creation_time or "",
            )
            for t in tasks or ()
        ]

    async def refresh_quota(self) -> RefreshQuota:
        """DescribeRefreshQuota: today's refresh and prefetch allowance."""
        body = await self.call("DescribeRefreshQuota",
                               self._client.describe_refresh_quota_with_options_async,
                               sdk.DescribeRefreshQuotaRequest(), write=False)
        return RefreshQuota(
            url_quota=_int(body.url_quota),
            url_remain=_int(body.url_remain),
            dir_quota=_int(body.dir_quota),
            dir_remain=_int(body.dir_remain),
            preload_quota=_int(body.preload_quota),
            preload_remain=_int(body.preload_remain),
        )
