"""Object Storage Service through oss2, which blocks: each call runs in a thread.

Bucket calls go to the bucket's own region endpoint (oss-<region>.aliyuncs.com) on a real
account; a profile with an explicit OSS endpoint (the sandbox's http://127.0.0.1:P, where
oss2 switches to path-style URLs) sends every call there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar

import oss2

from tui.rules import parse_origin

from . import reconcile, writes
from .clients import oss_auth, oss_session, oss_timeout
from .errors import CloudError, ReadOnlyError
from .mapping import bad_answer, from_oss
from .models import Bucket, BucketCname
from .profile import Profile
from .reconcile import Confirm
from .retry import DEFAULT_POLICY, RetryPolicy, retrying
from .writes import Write

T = TypeVar("T")

BUCKETS_PAGE_SIZE = 1000  # ListBuckets' maximum


@dataclass(frozen=True)
class _Stored:
    """An object read whole, with the answer's headers (which _attempt checks)."""

    content: bytes
    etag: str
    headers: Any


def _read_object(client: oss2.Bucket, key: str) -> _Stored:
    result = client.get_object(key)
    return _Stored(result.read(), result.etag or "", result.headers)


def _iso(unix: int | None) -> str:
    if not unix:
        return ""
    return datetime.fromtimestamp(unix, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class OssService:
    def __init__(self, profile: Profile, policy: RetryPolicy = DEFAULT_POLICY) -> None:
        self.profile = profile
        self._policy = policy
        self._auth = oss_auth(profile)
        self._session = oss_session(profile)
        self._timeout = oss_timeout(profile)

    @staticmethod
    def bucket_from_origin(host: str) -> Bucket:
        """The bucket a CDN origin names, `<bucket>.oss-<region>[-internal].aliyuncs.com`,
        with its region, so calls go to that region's endpoint. Raises ValueError for a
        host that is not an OSS endpoint."""
        origin = parse_origin(host)
        if origin is None:
            raise ValueError(f"{host!r} is not an OSS endpoint")
        region = f"oss-{origin.region}"
        return Bucket(origin.bucket, region, extranet_endpoint=f"{region}.aliyuncs.com")

    def endpoint_for(self, bucket: Bucket | str) -> str:
        """The URL bucket calls go to: the profile's OSS endpoint when it names one,
        else the bucket's public region endpoint (the profile's region's for a bare
        name: a bucket elsewhere needs a Bucket, e.g. from `bucket_from_origin`)."""
        if self.profile.oss_endpoint or isinstance(bucket, str):
            return self.profile.oss_url
        host = bucket.extranet_endpoint or f"{bucket.region}.aliyuncs.com"
        return f"{self.profile.protocol}://{host}"

    def _bucket(self, bucket: Bucket | str) -> oss2.Bucket:
        name = bucket if isinstance(bucket, str) else bucket.name
        return oss2.Bucket(self._auth, self.endpoint_for(bucket), name,
                           session=self._session, connect_timeout=self._timeout)

    async def _call(self, action: str, endpoint: str, fn: Callable[..., T], *args: Any,
                    write: bool, **kwargs: Any) -> T:
        # Writes take `_send` (built from a Write); one that comes here anyway still
        # meets the read-only wall.
        if write and self.profile.read_only:
            raise ReadOnlyError(f"OSS {action}")
        return await retrying(lambda: self._attempt(action, endpoint, fn, *args, **kwargs),
                              write=write, policy=self._policy)

    async def _send(self, write: Write, endpoint: str, fn: Callable[..., T], *args: Any,
                    confirm: Confirm | None = None, **kwargs: Any) -> T:
        """`fn(*args)` as the write road sends `write` (see tui.services.reconcile)."""
        return await reconcile.send(
            write, lambda: self._attempt(write.api_action, endpoint, fn, *args, **kwargs),
            read_only=self.profile.read_only, confirm=confirm, policy=self._policy)

    async def _attempt(self, action: str, endpoint: str, fn: Callable[..., T], *args: Any,
                       **kwargs: Any) -> T:
        """One call of `fn` in a thread: its result, or the project's error."""
        try:
            result = await asyncio.to_thread(fn, *args, **kwargs)
            answered_html = "text/html" in result.headers.get("content-type", "")
        except Exception as error:  # every oss2 failure becomes one of ours
            failure = from_oss(error, action=action, endpoint=endpoint)
        else:
            if not answered_html:
                return result
            # A gateway's or captive portal's page, which may even parse as XML.
            failure = bad_answer(endpoint, "OSS", action)
        # Raised outside the except clause, so without oss2's exception as its
        # context: that one's frames hold the AccessKey secret in their locals.
        raise failure

    async def list_buckets(self) -> list[Bucket]:
        """Every bucket of the account, with its region and public endpoint."""
        endpoint = self.profile.oss_url
        service = oss2.Service(self._auth, endpoint, session=self._session,
                               connect_timeout=self._timeout)
        buckets: list[Bucket] = []
        marker = ""
        while True:
            # Pages follow markers, so they are read one after another.
            result = await self._call("ListBuckets", endpoint, service.list_buckets,
                                      marker=marker, max_keys=BUCKETS_PAGE_SIZE, write=False)
            buckets.extend(
                Bucket(
                    name=b.name,
                    region=b.location or "",
                    extranet_endpoint=b.extranet_endpoint or "",
                    intranet_endpoint=b.intranet_endpoint or "",
                    created=_iso(b.creation_date),
                    storage_class=b.storage_class or "",
                )
                for b in result.buckets
            )
            if not result.is_truncated or not result.next_marker:
                return buckets
            marker = result.next_marker

    async def bucket_info(self, bucket: Bucket | str) -> Bucket:
        """GetBucketInfo. Given only a name, asks the profile's endpoint."""
        client = self._bucket(bucket)
        info = await self._call("GetBucketInfo", client.endpoint, client.get_bucket_info,
                                write=False)
        return Bucket(
            name=info.name,
            region=info.location or "",
            extranet_endpoint=info.extranet_endpoint or "",
            intranet_endpoint=info.intranet_endpoint or "",
            created=info.creation_date or "",
            storage_class=info.storage_class or "",
        )

    async def bucket_cnames(self, bucket: Bucket | str) -> list[BucketCname]:
        """ListCname: the domains bound to the bucket, with IsPurgeCdnCache (Auto CDN Cache
        Update, which only the OSS console can switch)."""
        client = self._bucket(bucket)
        result = await self._call("ListCname", client.endpoint, client.list_bucket_cname,
                                  write=False)
        return [
            BucketCname(
                domain=c.domain or "",
                status=c.status or "",
                last_modified=c.last_modified or "",
                purge_cdn_cache=str(c.is_purge_cdn_cache).lower() == "true",
            )
            for c in result.cname
        ]

    async def put_object(self, bucket: Bucket | str, key: str, data: bytes | str) -> str:
        """PutObject of a text (e.g. the ownership verification file); returns the ETag.

        Sending the same content twice leaves the same object, so a lost answer is sent
        again; when every try lost it, the object is read back.
        """
        text = data.decode() if isinstance(data, bytes) else data
        client = self._bucket(bucket)
        write = writes.put_object(client.bucket_name, key, text)
        content = str(write.param("Content")).encode()

        async def stored() -> str | None:
            try:
                found = await self._call("GetObject", client.endpoint, _read_object, client,
                                         key, write=False)
            except CloudError as error:
                if error.code == "NoSuchKey":
                    return None
                raise
            return found.etag if found.content == content else None

        result = await self._send(write, client.endpoint, client.put_object,
                                  str(write.param("Key")), content, confirm=stored)
        return result if isinstance(result, str) else (result.etag or "")

    def close(self) -> None:
        self._session.session.close()
