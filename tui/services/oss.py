"""Object Storage Service through oss2, which blocks: each call runs in a thread.

Bucket calls go to the bucket's own region endpoint (oss-<region>.aliyuncs.com) on a real
account; a profile with an explicit OSS endpoint (the sandbox's http://127.0.0.1:P, where
oss2 switches to path-style URLs) sends every call there. Every call is signed V4 for the
region of the bucket it names (ListBuckets: the profile's region): OSS refuses V1 for new
accounts and buckets (oss_client.oss_auth).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import unquote
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

import oss2

from tui.rules import parse_origin

from . import reconcile, writes
from .answers import ShapeError, XmlFields, wrong
from .errors import CloudError, ReadOnlyError, UnexpectedAnswer, name_credentials
from .mapping import bad_answer, from_oss
from .models import Bucket, BucketCname, ObjectPage, OssObject
from .oss_client import OSS_ANSWER, oss_auth, oss_region, oss_session, oss_timeout
from .profile import Profile
from .reconcile import Confirm
from .retry import DEFAULT_POLICY, RetryPolicy, retrying
from .writes import Write

T = TypeVar("T")

BUCKETS_PAGE_SIZE = 1000  # ListBuckets' maximum
OBJECTS_PAGE_SIZE = 1000  # ListObjectsV2's maximum


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


# Reading the XML answers (see answers.py). Required: a bucket's name and where it is
# (Location; ExtranetEndpoint, the host a CDN origin names), a bound domain's name and
# its IsPurgeCdnCache, which the details screen states as a fact.


def _date(b: XmlFields, name: str) -> str:
    text = b.text(name, "")
    try:
        return _iso(oss2.utils.iso8601_to_unixtime(text)) if text else ""
    except ValueError:
        raise wrong(b.path(name), "not a date", "an ISO 8601 time") from None


def _bucket(b: XmlFields) -> Bucket:
    return Bucket(
        name=b.text("Name"),
        region=b.text("Location"),
        extranet_endpoint=b.text("ExtranetEndpoint"),
        intranet_endpoint=b.text("IntranetEndpoint", ""),
        created=_date(b, "CreationDate"),
        storage_class=b.text("StorageClass", ""),
    )


def _buckets_page(root: Element) -> tuple[list[Bucket], str]:
    """ListBuckets: a page of buckets, and the marker of the next page ("" at the end)."""
    doc = XmlFields.root(root, "ListAllMyBucketsResult")
    buckets = [_bucket(b) for b in doc.obj("Buckets").items("Bucket")]
    return buckets, doc.text("NextMarker") if doc.flag("IsTruncated", False) else ""


def _bucket_info(root: Element) -> Bucket:
    return _bucket(XmlFields.root(root, "BucketInfo").obj("Bucket", required=True))


def _acl(root: Element) -> str:
    """GetBucketAcl: AccessControlPolicy/AccessControlList/Grant (private, public-read or
    public-read-write). Required: whether the edge may read the bucket depends on it."""
    policy = XmlFields.root(root, "AccessControlPolicy")
    return policy.obj("AccessControlList", required=True).text("Grant")


def _cnames(root: Element) -> list[BucketCname]:
    return [
        BucketCname(
            domain=c.text("Domain"),
            status=c.text("Status", ""),
            last_modified=c.text("LastModified", ""),
            purge_cdn_cache=c.flag("IsPurgeCdnCache"),
        )
        for c in XmlFields.root(root, "ListCnameResult").items("Cname")
    ]


def _objects_page(root: Element) -> ObjectPage:
    """ListObjectsV2, asked with encoding-type=url (as oss2 always asks): names come
    URL-encoded when the answer says EncodingType url."""
    doc = XmlFields.root(root, "ListBucketResult")
    url = doc.text("EncodingType", "") == "url"

    def name(fields: XmlFields, tag: str) -> str:
        text = fields.text(tag)
        return unquote(text) if url else text

    objects = tuple(
        OssObject(
            key=name(c, "Key"),
            size=c.integer("Size"),
            etag=c.text("ETag").strip('"'),
            last_modified=_unix(c, "LastModified"),
            storage_class=c.text("StorageClass", ""),
        )
        for c in doc.items("Contents")
    )
    prefixes = tuple(name(p, "Prefix") for p in doc.items("CommonPrefixes"))
    token = doc.text("NextContinuationToken") if doc.flag("IsTruncated", False) else ""
    return ObjectPage(objects, prefixes, unquote(token) if url else token)


def _unix(fields: XmlFields, tag: str) -> float:
    try:
        return float(oss2.utils.iso8601_to_unixtime(fields.text(tag)))
    except ValueError:
        raise wrong(fields.path(tag), "not a date", "an ISO 8601 time") from None


def _head(key: str, result: Any) -> OssObject:
    """HeadObject's headers: a HEAD answer has no document to read."""
    headers = result.headers
    try:
        modified = parsedate_to_datetime(headers["Last-Modified"]).timestamp()
        size = int(headers["Content-Length"])
    except (KeyError, TypeError, ValueError):
        raise ShapeError("its Last-Modified or Content-Length header is missing or wrong") from None
    return OssObject(
        key=key,
        size=size,
        etag=(headers.get("ETag") or "").strip('"'),
        last_modified=modified,
        storage_class=headers.get("x-oss-storage-class", ""),
    )


def _document(body: bytes | None) -> Element:
    if body is None:
        raise ShapeError("the answer is not XML")
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError:
        raise ShapeError("the answer is not complete XML (cut short?)") from None


@dataclass(frozen=True)
class _Read:
    """What `read` made of an answer's XML in oss2's thread: a value, or why not."""

    value: Any = None
    failure: UnexpectedAnswer | None = None


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

    def region_for(self, bucket: Bucket | str) -> str:
        """The region a V4 signature names for `bucket`: its own (from its Location), or
        the profile's for a bare name (as `endpoint_for` sends a bare name there)."""
        if isinstance(bucket, str) or not bucket.region:
            return oss_region(self.profile.region)
        return oss_region(bucket.region)

    def _bucket(self, bucket: Bucket | str) -> oss2.Bucket:
        name = bucket if isinstance(bucket, str) else bucket.name
        return oss2.Bucket(
            self._auth,
            self.endpoint_for(bucket),
            name,
            session=self._session,
            connect_timeout=self._timeout,
            region=self.region_for(bucket),
        )

    async def _call(
        self,
        action: str,
        endpoint: str,
        fn: Callable[..., T],
        *args: Any,
        write: bool,
        read: Callable[[Element], Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """`fn(*args, **kwargs)` (an oss2 call) in a thread, with the project's errors and
        retries; with `read`, its answer's XML document read by `read` instead of what
        oss2 made of it (an answer `read` cannot read raises UnexpectedAnswer). Writes
        take `_send` (built from a Write); one that comes here anyway still meets the
        read-only wall."""
        if write and self.profile.read_only:
            raise ReadOnlyError(f"OSS {action}")
        return await retrying(
            lambda: self._attempt(action, endpoint, fn, *args, read=read, **kwargs),
            write=write,
            policy=self._policy,
        )

    async def _send(
        self,
        write: Write,
        endpoint: str,
        fn: Callable[..., T],
        *args: Any,
        confirm: Confirm | None = None,
        **kwargs: Any,
    ) -> T:
        """`fn(*args)` as the write road sends `write` (see tui.services.reconcile)."""
        return await reconcile.send(
            write,
            lambda: self._attempt(write.api_action, endpoint, fn, *args, **kwargs),
            read_only=self.profile.read_only,
            confirm=confirm,
            policy=self._policy,
        )

    async def _attempt(
        self,
        action: str,
        endpoint: str,
        fn: Callable[..., T],
        *args: Any,
        read: Callable[[Element], Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """One call of `fn` in a thread: its result (or `read` of its XML, read in that
        thread too: parsing an answer on the event loop stalls it), or the project's
        error."""
        seen: dict = {}
        token = OSS_ANSWER.set(seen)
        failure: Exception | None = None

        def gateway_page() -> bool:
            # HeadObject's and GetObject's Content-Type is the object's own (an HTML
            # page is an object like any other), not a sign of a gateway's page.
            return action not in ("HeadObject", "GetObject") and "text/html" in seen.get(
                "content_type", ""
            )

        def call_and_read() -> Any:
            result = fn(*args, **kwargs)
            if read is None or gateway_page():
                return result
            try:
                return _Read(read(_document(seen.get("body"))))
            except ShapeError as error:
                return _Read(failure=UnexpectedAnswer(error.problem))
            except (TypeError, ValueError, AttributeError, KeyError, IndexError) as error:
                return _Read(
                    failure=UnexpectedAnswer(f"it could not be read ({type(error).__name__})")
                )

        try:
            result = await asyncio.to_thread(call_and_read)
        except Exception as error:  # every oss2 failure becomes one of ours
            failure = name_credentials(
                from_oss(error, action=action, endpoint=endpoint), self.profile
            )
        finally:
            OSS_ANSWER.reset(token)
        if gateway_page() and (failure is None or isinstance(failure, UnexpectedAnswer)):
            # A gateway's or captive portal's page, which may even parse as XML.
            failure = bad_answer(endpoint, "OSS", action)
        elif failure is None:
            if read is None:
                return result
            if result.failure is None:
                return result.value
            failure = result.failure
        if isinstance(failure, UnexpectedAnswer):
            failure = UnexpectedAnswer(
                failure.message,
                service="OSS",
                action=action,
                request_id=seen.get("request_id") or "",
                status=seen.get("status"),
            )
        # Raised outside the except clause, so without oss2's exception as its
        # context: that one's frames hold the AccessKey secret in their locals.
        raise failure

    async def list_buckets(self) -> list[Bucket]:
        """Every bucket of the account, with its region and public endpoint."""
        endpoint = self.profile.oss_url
        # ListBuckets names no bucket: signed for the profile's region, whose endpoint
        # it goes to.
        service = oss2.Service(
            self._auth,
            endpoint,
            session=self._session,
            connect_timeout=self._timeout,
            region=oss_region(self.profile.region),
        )
        buckets: list[Bucket] = []
        marker = ""
        while True:
            # Pages follow markers, so they are read one after another.
            page, marker = await self._call(
                "ListBuckets",
                endpoint,
                service.list_buckets,
                marker=marker,
                max_keys=BUCKETS_PAGE_SIZE,
                write=False,
                read=_buckets_page,
            )
            buckets.extend(page)
            if not marker:
                return buckets

    async def bucket_info(self, bucket: Bucket | str) -> Bucket:
        """GetBucketInfo. Given only a name, asks the profile's endpoint."""
        client = self._bucket(bucket)
        return await self._call(
            "GetBucketInfo", client.endpoint, client.get_bucket_info, write=False, read=_bucket_info
        )

    async def bucket_acl(self, bucket: Bucket | str) -> str:
        """GetBucketAcl: "private", "public-read" or "public-read-write"."""
        client = self._bucket(bucket)
        return await self._call(
            "GetBucketAcl", client.endpoint, client.get_bucket_acl, write=False, read=_acl
        )

    async def bucket_cnames(self, bucket: Bucket | str) -> list[BucketCname]:
        """ListCname: the domains bound to the bucket, with IsPurgeCdnCache (Auto CDN Cache
        Update, which only the OSS console can switch)."""
        client = self._bucket(bucket)
        return await self._call(
            "ListCname", client.endpoint, client.list_bucket_cname, write=False, read=_cnames
        )

    async def list_objects(
        self,
        bucket: Bucket | str,
        *,
        prefix: str = "",
        delimiter: str = "",
        token: str = "",
        max_keys: int = 100,
    ) -> ObjectPage:
        """ListObjectsV2: one page of the bucket's objects under `prefix` (with a
        `delimiter`, the "directories" below it as prefixes); pass the page's
        `next_token` for the next."""
        client = self._bucket(bucket)
        return await self._call(
            "ListObjectsV2",
            client.endpoint,
            client.list_objects_v2,
            prefix=prefix,
            delimiter=delimiter,
            continuation_token=token,
            max_keys=max_keys,
            write=False,
            read=_objects_page,
        )

    async def all_objects(
        self, bucket: Bucket | str, *, prefix: str = ""
    ) -> AsyncIterator[ObjectPage]:
        """Every object under `prefix`, page by page (1000 a page, ListObjectsV2's
        maximum), so a caller can show progress over a large bucket."""
        token = ""
        while True:
            page = await self.list_objects(
                bucket, prefix=prefix, token=token, max_keys=OBJECTS_PAGE_SIZE
            )
            yield page
            token = page.next_token
            if not token:
                return

    async def head_object(self, bucket: Bucket | str, key: str) -> OssObject:
        """HeadObject: the object's ETag, size and last change, without its content."""
        client = self._bucket(bucket)
        result = await self._call(
            "HeadObject", client.endpoint, client.head_object, key, write=False
        )
        try:
            return _head(key, result)
        except ShapeError as error:
            raise UnexpectedAnswer(error.problem, service="OSS", action="HeadObject") from None

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
                found = await self._call(
                    "GetObject", client.endpoint, _read_object, client, key, write=False
                )
            except CloudError as error:
                if error.code == "NoSuchKey":
                    return None
                raise
            return found.etag if found.content == content else None

        result = await self._send(
            write,
            client.endpoint,
            client.put_object,
            str(write.param("Key")),
            content,
            confirm=stored,
        )
        return result if isinstance(result, str) else (result.etag or "")

    def close(self) -> None:
        self._session.session.close()
