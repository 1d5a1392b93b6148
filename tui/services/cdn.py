"""Alibaba Cloud CDN (API 2018-05-10) through alibabacloud_cdn20180510."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing

from tui.rules import display_name

from . import writes
from .answers import Fields
from .clients import TeaService, cdn_client
from .errors import CloudError, DomainInThisAccount, ServiceError, is_domain_not_found
from .lazy_models import lazy_models
from .models import (
    CdnDomain,
    CnameStatus,
    DomainConfig,
    DomainExistence,
    DomainQuota,
    RefreshQuota,
    RefreshTask,
    Source,
)
from .paging import Page, pages
from .profile import Profile, real_seconds
from .retry import DEFAULT_POLICY, RetryPolicy

# The SDK's request models, each imported when first used (not its ~500 at once).
sdk = lazy_models("alibabacloud_cdn20180510")

DOMAINS_PAGE_SIZE = 500  # DescribeUserDomains' maximum
# How long the domain count and the account's domain quota (DescribeCdnUserQuota: 50 by
# default, raised in Quota Center) stay good for `quota()`, which the add form asks at
# every pause in typing.
COUNT_TTL = 30.0
# Right after AddCdnDomain, DescribeCdnDomainDetail may answer InvalidDomain.NotFound for
# a short while (the listing has the domain already). A domain this service added is
# read again for up to this many cloud seconds before NotFound is believed.
ADDED_GRACE = 60.0
ADDED_RETRY = 2.0  # cloud seconds between those reads
CNAME_BATCH = 30  # DescribeDomainCname takes up to 30 comma-separated names
TASKS_PAGE_SIZE = 100  # DescribeRefreshTasks' maximum
# RefreshObjectCaches' ObjectType -> DescribeRefreshTasks' (the API's two spellings).
TASK_TYPES = {"File": "file", "Directory": "directory", "Regex": "regex", "ExQuery": "regex"}


def _host(url: str) -> str:
    """The domain of a refresh or prefetch path (`http://host/...`)."""
    return url.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].lower()


# Reading the answers. Required: what names a thing (DomainName, TaskId), what the app
# decides on (DomainStatus, DescribeDomainCname's Status: a missing 0 would say "in
# place"), what pages are counted by (TotalCount) and what is published for the user
# (DescribeVerifyContent's Content). Optional, with the API's defaults: the rest.


def _source(s: Fields) -> Source:
    # Sources.Source of DescribeUserDomains, SourceModels.SourceModel of the detail.
    return Source(
        type=s.text("Type"),
        content=s.text("Content"),
        port=s.integer("Port", 80),
        priority=s.text("Priority", "20"),
        weight=s.text("Weight", "10"),
    )


def _sources(d: Fields, container: str, item: str) -> tuple[Source, ...]:
    # Every CDN domain has an origin (AddCdnDomain requires Sources): none is a bad answer.
    return tuple(_source(s) for s in d.obj(container, required=True).items(item, required=True))


def _domain_from_list(d: Fields) -> CdnDomain:
    """One Domains.PageData item of DescribeUserDomains."""
    return CdnDomain(
        name=d.text("DomainName"),
        status=d.text("DomainStatus"),
        cname=d.text("Cname", ""),
        cdn_type=d.text("CdnType", ""),
        scope=d.text("Coverage", ""),
        sources=_sources(d, "Sources", "Source"),
        created=d.text("GmtCreated", ""),
        modified=d.text("GmtModified", ""),
        description=d.text("Description", ""),
        ssl=d.text("SslProtocol", ""),
    )


def _domains_page(answer: Fields) -> tuple[list[CdnDomain], int]:
    """DescribeUserDomains: a page of domains and the total count."""
    total = answer.integer("TotalCount")
    # With domains to show, a page without its list is a bad answer, not an empty page.
    page = answer.obj("Domains", required=total > 0).items("PageData", required=total > 0)
    return [_domain_from_list(d) for d in page], total


def _domain_detail(answer: Fields) -> CdnDomain:
    """DescribeCdnDomainDetail's GetDomainDetailModel."""
    d = answer.obj("GetDomainDetailModel", required=True)
    return CdnDomain(
        name=d.text("DomainName"),
        status=d.text("DomainStatus"),
        cname=d.text("Cname", ""),
        cdn_type=d.text("CdnType", ""),
        scope=d.text("Scope", ""),
        sources=_sources(d, "SourceModels", "SourceModel"),
        created=d.text("GmtCreated", ""),
        modified=d.text("GmtModified", ""),
        description=d.text("Description", ""),
    )


def _cname_statuses(answer: Fields) -> list[CnameStatus]:
    """DescribeDomainCname: CnameDatas.Data, one per domain asked."""
    return [
        CnameStatus(domain=d.text("Domain"), cname=d.text("Cname", ""), status=d.integer("Status"))
        for d in answer.obj("CnameDatas", required=True).items("Data", required=True)
    ]


def _refresh_tasks(answer: Fields) -> list[RefreshTask]:
    total = answer.integer("TotalCount")
    tasks = answer.obj("Tasks", required=total > 0).items("CDNTask", required=total > 0)
    return [
        RefreshTask(
            task_id=t.text("TaskId"),
            object_path=t.text("ObjectPath", ""),
            object_type=t.text("ObjectType", ""),
            status=t.text("Status"),
            process=t.text("Process", ""),
            created=t.text("CreationTime", ""),
        )
        for t in tasks
    ]


def _domain_configs(answer: Fields) -> list[DomainConfig]:
    """DescribeCdnDomainConfigs: DomainConfigs.DomainConfig. Everything it holds is
    required: a configuration's name, id and Status (whether it is in force) and its
    arguments, which say what it does (the list is there, empty, when nothing is set).
    An ArgValue may be "" (an optional argument left empty), never missing."""
    return [
        DomainConfig(
            function=c.text("FunctionName"),
            config_id=c.text("ConfigId"),
            status=c.text("Status"),
            args=tuple(
                (
                    a.text("ArgName"),
                    a.text("ArgValue", "") if a.has("ArgValue") else a.text("ArgValue"),
                )
                for a in c.obj("FunctionArgs", required=True).items("FunctionArg", required=True)
            ),
        )
        for c in answer.obj("DomainConfigs", required=True).items("DomainConfig", required=True)
    ]


def _refresh_quota(answer: Fields) -> RefreshQuota:
    # The API answers these numbers as strings; a missing one would read as "none left".
    return RefreshQuota(
        url_quota=answer.integer("UrlQuota"),
        url_remain=answer.integer("UrlRemain"),
        dir_quota=answer.integer("DirQuota"),
        dir_remain=answer.integer("DirRemain"),
        preload_quota=answer.integer("PreloadQuota"),
        preload_remain=answer.integer("PreloadRemain"),
    )


def _domain_quota(answer: Fields) -> int:
    # DescribeCdnUserQuota: DomainQuota and the refresh/prefetch/block quotas with their
    # *Remain (whole numbers in the SDK's model). Only DomainQuota is read: a missing one
    # would read as "no domain allowed".
    return answer.integer("DomainQuota")


class CdnService(TeaService):
    service = "CDN"

    def __init__(self, profile: Profile, policy: RetryPolicy = DEFAULT_POLICY) -> None:
        super().__init__(profile, cdn_client(profile), profile.cdn_endpoint, policy)
        self._count: tuple[float, int] | None = None  # (time.monotonic(), domains)
        self._limit: tuple[float, int] | None = None  # (time.monotonic(), DomainQuota)
        self._writes = 0  # adds and deletes done: a listing older than one is stale
        self._added: dict[str, float] = {}  # name -> time.monotonic() of its AddCdnDomain
        # The last domain quota read (None before): what a screen shows without asking.
        self.domain_quota: int | None = None
        # The first listing's models, imported where the service is built (the app's
        # connect thread), not on the event loop before the first rows (~10 ms).
        sdk.DescribeUserDomainsRequest, sdk.DescribeUserDomainsResponseBody  # noqa: B018
        sdk.DescribeUserDomainsResponse  # noqa: B018

    # -- domains -----------------------------------------------------------------------

    async def list_domains(self, *, status: str | None = None) -> list[CdnDomain]:
        """Every CDN domain of the account (optionally only those in `status`): page 1's
        first, then the other pages' as they arrived (callers sort what they show)."""
        return [d async for page in self.domain_pages(status=status) for d in page.items]

    async def domain_pages(
        self, *, status: str | None = None
    ) -> AsyncGenerator[Page[CdnDomain], None]:
        """Every CDN domain of the account (optionally only those in `status`), a page
        at a time as each arrives: page 1 first, the rest read together."""

        async def page(number: int) -> tuple[list[CdnDomain], int]:
            # CheckDomainShow: without it, domains in review or that failed it
            # (checking, check_failed, configure_failed) are left out of the listing.
            request = sdk.DescribeUserDomainsRequest(
                page_number=number,
                page_size=DOMAINS_PAGE_SIZE,
                domain_status=status,
                check_domain_show=True,
            )
            return await self.call(
                "DescribeUserDomains",
                self._client.describe_user_domains_with_options_async,
                request,
                write=False,
                read=_domains_page,
            )

        writes = self._writes
        count = 0
        async with aclosing(pages(page, DOMAINS_PAGE_SIZE, key=lambda d: d.name)) as listing:
            async for chunk in listing:
                count += len(chunk.items)
                if chunk.last and status is None and writes == self._writes:
                    self._count = (time.monotonic(), count)
                yield chunk

    async def domain_count(self) -> int:
        """How many CDN domains the account has (those in review included), from one
        page of one domain: DescribeUserDomains' TotalCount."""
        return await self.call(
            "DescribeUserDomains",
            self._client.describe_user_domains_with_options_async,
            sdk.DescribeUserDomainsRequest(page_number=1, page_size=1, check_domain_show=True),
            write=False,
            read=lambda answer: answer.integer("TotalCount"),
        )

    async def quota(self) -> DomainQuota:
        """Domains in use against the account's quota (for the add form). A count (of a
        listing, or read here) serves for COUNT_TTL seconds, or until an add or delete."""
        count = self._count
        if count is not None and time.monotonic() - count[0] < COUNT_TTL:
            return DomainQuota(used=count[1], limit=await self.domain_limit())
        # TotalCount of one page of one domain, not a listing of every domain (10,000 are
        # 20 pages): DescribeCdnUserQuota answers the quota, not the domains in use.
        writes = self._writes
        used, limit = await asyncio.gather(self.domain_count(), self.domain_limit())
        if writes == self._writes:
            self._count = (time.monotonic(), used)
        return DomainQuota(used=used, limit=limit)

    async def domain_limit(self, *, fresh: bool = False) -> int:
        """DescribeCdnUserQuota's DomainQuota: how many domains the account may have
        (kept COUNT_TTL seconds, unless `fresh`)."""
        limit = self._limit
        if not fresh and limit is not None and time.monotonic() - limit[0] < COUNT_TTL:
            return limit[1]
        value = await self.call(
            "DescribeCdnUserQuota",
            self._client.describe_cdn_user_quota_with_options_async,
            sdk.DescribeCdnUserQuotaRequest(),
            write=False,
            read=_domain_quota,
        )
        self._limit = (time.monotonic(), value)
        self.domain_quota = value
        return value

    def _wrote(self) -> None:
        """The domain count changed (or may have: a write whose answer was lost)."""
        self._writes += 1
        self._count = None

    async def domain(self, name: str) -> CdnDomain:
        """DescribeCdnDomainDetail: one domain, with its scope and origins.

        A domain this service added a moment ago may still be unknown to the detail
        (InvalidDomain.NotFound): it is read again until ADDED_GRACE has passed, so
        that a domain just added is never taken for one deleted."""
        while True:
            try:
                return await self._detail(name)
            except CloudError as error:
                added = self._added.get(name)
                waited = time.monotonic() - added if added is not None else None
                grace = real_seconds(self.profile, ADDED_GRACE)
                if not is_domain_not_found(error) or waited is None or waited > grace:
                    raise
            await asyncio.sleep(real_seconds(self.profile, ADDED_RETRY))

    async def _detail(self, name: str) -> CdnDomain:
        return await self.call(
            "DescribeCdnDomainDetail",
            self._client.describe_cdn_domain_detail_with_options_async,
            sdk.DescribeCdnDomainDetailRequest(domain_name=name),
            write=False,
            read=_domain_detail,
        )

    async def listed(self, name: str) -> CdnDomain | None:
        """The domain as DescribeUserDomains lists it (an exact match, domains in review
        included), or None. Unlike the detail, the listing has a domain as soon as
        AddCdnDomain answered: the read-back of an add."""
        domains = await self._search(name, "full_match")
        return next((d for d in domains if d.name == name), None)

    async def under_root(self, root: str) -> list[CdnDomain]:
        """One page of this account's domains ending in `root` (DescribeUserDomains,
        suf_match): enough to tell whether CDN already verified the root here."""
        return await self._search(root, "suf_match")

    async def _search(self, name: str, search_type: str) -> list[CdnDomain]:
        """One page of DescribeUserDomains matching `name` the API's way (`search_type`),
        domains in review included."""
        request = sdk.DescribeUserDomainsRequest(
            domain_name=name,
            domain_search_type=search_type,
            check_domain_show=True,
            page_size=DOMAINS_PAGE_SIZE,
        )
        domains, _ = await self.call(
            "DescribeUserDomains",
            self._client.describe_user_domains_with_options_async,
            request,
            write=False,
            read=_domains_page,
        )
        return domains

    async def check_exists(self, name: str) -> DomainExistence:
        """CheckCdnDomainExist: is the name free, or held by someone or some product?"""
        return await self.call(
            "CheckCdnDomainExist",
            self._client.check_cdn_domain_exist_with_options_async,
            sdk.CheckCdnDomainExistRequest(domain_name=name),
            write=False,
            read=lambda answer: DomainExistence(domain=name, status=answer.text("Status")),
        )

    async def find(self, name: str) -> CdnDomain | None:
        """The domain, or None when it is not in this account (InvalidDomain.NotFound)."""
        try:
            return await self.domain(name)
        except CloudError as error:
            if is_domain_not_found(error):
                return None
            raise

    async def add_domain(
        self, name: str, cdn_type: str, sources: Sequence[Source], scope: str = "domestic"
    ) -> None:
        """AddCdnDomain. A wildcard goes in as `.example.com` (the API's spelling).

        DomainAlreadyExist for a domain of this very account raises DomainInThisAccount
        (the form opens it); CDN says DomainAlreadyExist for other accounts' too.
        """
        write = writes.add_domain(name, cdn_type, sources, scope)
        sent = str(write.param("DomainName"))

        async def added() -> CdnDomain | None:
            # The listing, not the detail: the detail lags an add (see `domain`).
            return await self.listed(sent)

        refused: CloudError | None = None
        try:
            await self.send(
                write,
                self._client.add_cdn_domain_with_options_async,
                sdk.AddCdnDomainRequest,
                confirm=added,
            )
        except CloudError as error:
            if error.code != "DomainAlreadyExist":
                raise
            refused = error
        else:
            self._added[sent] = time.monotonic()
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
                name,
                f"{display_name(name)} is already in this account's CDN domains",
                request_id=refused.request_id,
                status=refused.status,
                service=self.service,
                action=refused.action,
            )
        raise refused

    def _status_is(self, name: str, *wanted: str | None):
        """A read-back: the domain's status is one of `wanted` (None: the domain is gone)."""

        async def confirm() -> bool | None:
            domain = await self.find(name)
            return True if (domain.status if domain else None) in wanted else None

        return confirm

    async def start_domain(self, name: str) -> None:
        await self.send(
            writes.start_domain(name),
            self._client.start_cdn_domain_with_options_async,
            sdk.StartCdnDomainRequest,
            confirm=self._status_is(name, "configuring", "online"),
        )

    async def stop_domain(self, name: str) -> None:
        await self.send(
            writes.stop_domain(name),
            self._client.stop_cdn_domain_with_options_async,
            sdk.StopCdnDomainRequest,
            confirm=self._status_is(name, "stopping", "offline"),
        )

    async def delete_domain(self, name: str) -> None:
        try:
            await self.send(
                writes.delete_domain(name),
                self._client.delete_cdn_domain_with_options_async,
                sdk.DeleteCdnDomainRequest,
                confirm=self._status_is(name, "deleting", None),
            )
        finally:
            self._wrote()

    # -- feature configurations --------------------------------------------------------

    async def domain_configs(
        self, name: str, functions: Sequence[str] = (writes.PRIVATE_ORIGIN_FUNCTION,)
    ) -> list[DomainConfig]:
        """DescribeCdnDomainConfigs: the domain's configurations of `functions` (all of
        them when empty)."""
        request = sdk.DescribeCdnDomainConfigsRequest(
            domain_name=name, function_names=",".join(functions) or None
        )
        return await self.call(
            "DescribeCdnDomainConfigs",
            self._client.describe_cdn_domain_configs_with_options_async,
            request,
            write=False,
            read=_domain_configs,
        )

    async def private_origin_config(self, name: str) -> DomainConfig | None:
        """The domain's l2_oss_key configuration (back-to-origin authentication for
        private OSS buckets), or None when it was never set."""
        configs = await self.domain_configs(name, (writes.PRIVATE_ORIGIN_FUNCTION,))
        return next((c for c in configs if c.function == writes.PRIVATE_ORIGIN_FUNCTION), None)

    async def enable_private_origin(self, name: str) -> None:
        """BatchSetCdnDomainConfig l2_oss_key private_oss_auth=on: the edge signs its
        fetches from a private OSS origin. A lost answer is read back: it took effect
        when DescribeCdnDomainConfigs shows the argument on (configuring or success)."""

        async def switched_on() -> DomainConfig | None:
            config = await self.private_origin_config(name)
            if config is None or config.status == "failed":
                return None
            return config if config.arg(writes.PRIVATE_ORIGIN_ARG) == "on" else None

        await self.send(
            writes.private_origin(name),
            self._client.batch_set_cdn_domain_config_with_options_async,
            sdk.BatchSetCdnDomainConfigRequest,
            confirm=switched_on,
        )

    # -- ownership and CNAME -----------------------------------------------------------

    async def verify_content(self, name: str) -> str:
        """The `verify_<hex>` TXT value to publish at `verification.<root domain>`."""
        # Required: an empty value would be published as the TXT record.
        return await self.call(
            "DescribeVerifyContent",
            self._client.describe_verify_content_with_options_async,
            sdk.DescribeVerifyContentRequest(domain_name=name),
            write=False,
            read=lambda answer: answer.text("Content"),
        )

    async def verify_owner(self, name: str, verify_type: str = "dnsCheck") -> str:
        """VerifyDomainOwner (dnsCheck | fileCheck); returns the service's note on success.

        A failed check raises CloudError (DomainOwnerVerifyFail, InvalidFile, VerifyError).
        """
        # A check: asking twice changes nothing, so a lost answer is asked again.
        body = await self.send(
            writes.verify_owner(name, verify_type),
            self._client.verify_domain_owner_with_options_async,
            sdk.VerifyDomainOwnerRequest,
        )
        return body.content or ""

    async def cname_status(self, names: Sequence[str]) -> list[CnameStatus]:
        """DescribeDomainCname for any number of names (asked 30 at a time)."""
        batches = [names[i : i + CNAME_BATCH] for i in range(0, len(names), CNAME_BATCH)]

        async def batch(chunk: Sequence[str]) -> list[CnameStatus]:
            return await self.call(
                "DescribeDomainCname",
                self._client.describe_domain_cname_with_options_async,
                sdk.DescribeDomainCnameRequest(domain_name=",".join(chunk)),
                write=False,
                read=_cname_statuses,
            )

        results = await asyncio.gather(*(batch(chunk) for chunk in batches))
        return [status for chunk in results for status in chunk]

    # -- cache -------------------------------------------------------------------------

    async def refresh(
        self, paths: Sequence[str], object_type: str = "File", force: bool = False
    ) -> str:
        """RefreshObjectCaches (File | Directory | Regex | ExQuery); returns the task id(s).

        On a lost answer, reads back whether CDN made tasks for exactly these paths since
        the send (DescribeRefreshTasks): sending again would spend the day's quota twice."""
        write = writes.refresh(paths, object_type, force)
        task_type = TASK_TYPES.get(object_type, object_type.lower())
        confirm = await self._tasks_since_send(paths, task_type)
        body = await self.send(
            write,
            self._client.refresh_object_caches_with_options_async,
            sdk.RefreshObjectCachesRequest,
            confirm=confirm,
        )
        return body if isinstance(body, str) else body.refresh_task_id or ""

    async def push(self, paths: Sequence[str], area: str | None = None) -> str:
        """PushObjectCache (prefetch); returns the task id(s). A lost answer is read
        back as refresh's is."""
        write = writes.push(paths, area)
        confirm = await self._tasks_since_send(paths, "preload")
        body = await self.send(
            write,
            self._client.push_object_cache_with_options_async,
            sdk.PushObjectCacheRequest,
            confirm=confirm,
        )
        return body if isinstance(body, str) else body.push_task_id or ""

    async def _tasks_since_send(self, paths: Sequence[str], task_type: str):
        """A read-back for a refresh or prefetch of `paths`: the ids of the tasks of those
        paths that CDN created after the send, or None when there are none.

        "After the send" is "newer than the newest task of that type and domain before
        it": the cloud's clock and this machine's need not agree, task ids do. So the
        newest task is read first (one read; none in read-only mode, which sends nothing).
        """
        if self.profile.read_only or not paths:
            return None
        domain = _host(paths[0])
        try:
            before = await self.refresh_tasks(domain=domain, object_type=task_type)
        except ServiceError:
            # No baseline, no honest read-back: the write still goes, and a lost answer
            # says it could not be read back (a refresh is not withheld for a read).
            return None
        newest = before[0].task_id if before else None
        wanted = set(paths)

        async def confirm() -> str | None:
            found: list[str] = []
            number = 1
            while True:
                page = await self.refresh_tasks(
                    domain=domain, object_type=task_type, page_number=number
                )
                for task in page:
                    if task.task_id == newest:
                        return ",".join(found) or None
                    if task.object_path in wanted:
                        found.append(task.task_id)
                if len(page) < TASKS_PAGE_SIZE:
                    return ",".join(found) or None
                number += 1

        return confirm

    async def refresh_tasks(
        self,
        *,
        task_id: str | None = None,
        domain: str | None = None,
        object_type: str | None = None,
        page_number: int = 1,
    ) -> list[RefreshTask]:
        """DescribeRefreshTasks: recent refresh and prefetch tasks, newest first, a page
        of TASKS_PAGE_SIZE. The API wants `object_type` (file | directory | regex |
        preload) whenever `domain` is given.
        """
        request = sdk.DescribeRefreshTasksRequest(
            task_id=task_id,
            domain_name=domain,
            object_type=object_type,
            page_size=TASKS_PAGE_SIZE,
            page_number=page_number,
        )
        return await self.call(
            "DescribeRefreshTasks",
            self._client.describe_refresh_tasks_with_options_async,
            request,
            write=False,
            read=_refresh_tasks,
        )

    async def refresh_quota(self) -> RefreshQuota:
        """DescribeRefreshQuota: today's refresh and prefetch allowance."""
        return await self.call(
            "DescribeRefreshQuota",
            self._client.describe_refresh_quota_with_options_async,
            sdk.DescribeRefreshQuotaRequest(),
            write=False,
            read=_refresh_quota,
        )
