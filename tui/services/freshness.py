"""Keeping a CDN domain's edge fresh: "refresh what changed" after a deploy.

The objects of the domain's OSS origin modified since a time (ListObjectsV2, every page)
are refreshed by URL (`http://domain/<key>`), in batches that respect RefreshObjectCaches'
per-request limit and stop before the day's remaining URL quota (DescribeRefreshQuota)
runs out, saying how many were left. No Textual: the screen shows what this returns.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from tui.cache_rules import REFRESH_URLS_PER_REQUEST, batches, is_wildcard, object_url
from tui.rules import parse_origin

from .cdn import CdnService
from .models import CdnDomain, OssObject
from .oss import OssService

# What "since the last refresh" looks at: refreshes of this domain by URL and by directory.
REFRESH_TYPES = ("file", "directory")


class NothingToRefresh(ValueError):
    """The domain cannot be refreshed this way (not an OSS origin, a wildcard)."""


@dataclass(frozen=True)
class Changed:
    """The origin's objects modified since `since` (cloud time), and their edge URLs."""

    domain: str
    bucket: str
    since: float
    objects: tuple[OssObject, ...]
    scanned: int  # objects listed in all

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(object_url(self.domain, o.key) for o in self.objects)


@dataclass(frozen=True)
class Progress:
    """Where a "refresh what changed" stands, after each batch."""

    sent: int  # URLs whose refresh CDN accepted
    total: int  # URLs that fit today's quota (what will be sent)
    batch: int  # batches done
    batches: int
    task_ids: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    sent: int
    left: int  # changed URLs not sent: today's quota ran out
    task_ids: tuple[str, ...]
    remaining: int  # URL refreshes left today before the run

    def message(self) -> str:
        text = f"Refresh sent for {self.sent} URL{'s' if self.sent != 1 else ''}"
        if self.left:
            text += (
                f"; {self.left} not sent: today's URL refresh quota "
                f"({self.remaining} left) ran out. Send them tomorrow, or refresh "
                "their directory."
            )
        return text + "."


def cloud_time(text: str) -> float | None:
    """DescribeRefreshTasks' CreationTime (`2026-11-29T23:14:15Z`) as unix time."""
    try:
        parsed = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return parsed.replace(tzinfo=timezone.utc).timestamp()


class FreshnessService:
    def __init__(self, cdn: CdnService, oss: OssService) -> None:
        self.cdn = cdn
        self.oss = oss

    def origin_bucket(self, domain: CdnDomain) -> str:
        """The OSS bucket behind the domain; NothingToRefresh when there is none or the
        domain is a wildcard (which CDN cannot refresh by URL)."""
        if is_wildcard(domain.name):
            raise NothingToRefresh(
                "a wildcard domain cannot be refreshed by URL: refresh its directories"
            )
        origin = parse_origin(domain.origin) if domain.origin else None
        if origin is None:
            raise NothingToRefresh("its origin is not an OSS bucket")
        return origin.bucket

    async def last_refresh(self, domain: str) -> float | None:
        """When this domain was last refreshed (its newest refresh task, by URL or
        directory), in cloud time; None when CDN remembers none. DescribeRefreshTasks
        wants ObjectType with DomainName, so each type is asked."""
        newest: float | None = None
        for task_type in REFRESH_TYPES:
            tasks = await self.cdn.refresh_tasks(domain=domain, object_type=task_type)
            times = [t for t in (cloud_time(task.created) for task in tasks[:1]) if t is not None]
            if times and (newest is None or times[0] > newest):
                newest = times[0]
        return newest

    async def changed(
        self,
        domain: CdnDomain,
        *,
        since: float | None = None,
        ago: float | None = None,
        on_page: Callable[[int], None] | None = None,
    ) -> Changed:
        """The origin's objects modified since `since` (cloud time), or in the last `ago`
        seconds. Every page is read (`on_page(listed so far)` after each).

        "The last `ago` seconds" ends at the cloud's now: this machine's clock, or, in
        the sandbox (whose clock runs faster), the newest change the listing showed if
        that is later."""
        if (since is None) == (ago is None):
            raise ValueError("give since or ago")
        bucket = self.origin_bucket(domain)
        listed: list[OssObject] = []
        bucket_ref = self.oss.bucket_from_origin(domain.origin)
        async for page in self.oss.all_objects(bucket_ref):
            listed.extend(page.objects)
            if on_page is not None:
                on_page(len(listed))
        if since is None:
            assert ago is not None
            now = time.time()
            if self.oss.profile.sandbox and listed:
                now = max(now, max(o.last_modified for o in listed))
            since = now - ago
        picked = tuple(o for o in listed if o.last_modified >= since)
        return Changed(domain.name, bucket, since, picked, len(listed))

    def plan(self, changed: Changed, url_remain: int) -> tuple[list[list[str]], int]:
        """The batches that will be sent, and how many URLs are left for lack of quota."""
        return batches(changed.urls, REFRESH_URLS_PER_REQUEST, url_remain)

    async def refresh_changed(
        self,
        changed: Changed,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> Outcome:
        """Refresh the changed objects' URLs, batch by batch, within today's quota (read
        now, not when the list was made). A batch that fails stops the run: the error
        (a ServiceError) says which, and `sent` in the last progress how far it got."""
        quota = await self.cdn.refresh_quota()
        planned, left = self.plan(changed, quota.url_remain)
        total = sum(len(b) for b in planned)
        ids: list[str] = []
        sent = 0
        for number, batch in enumerate(planned, start=1):
            task_ids = await self.cdn.refresh(batch, "File")
            ids.extend(i for i in task_ids.split(",") if i)
            sent += len(batch)
            if on_progress is not None:
                on_progress(Progress(sent, total, number, len(planned), tuple(ids)))
        return Outcome(sent, left, tuple(ids), quota.url_remain)
