"""OSS REST as oss2 speaks it: path-style `/bucket/key?sub-resource` (what oss2 sends to an
IP endpoint) and virtual-hosted-style (`Host: <bucket>.oss-<region>.aliyuncs.com`, the key
alone in the path: what every client sends to a real endpoint).

Signed with header auth V4 (`OSS4-HMAC-SHA256`, what the app sends) or V1 (`OSS ak:sig`),
which OSS refuses for new accounts and buckets (see `_refuse_v1`); answers and errors are XML
shaped for oss2's parsers (oss2/xml_utils.py, oss2/exceptions.py), every response
carrying `x-oss-request-id`. Operations: ListBuckets, GetBucketInfo, GetBucketAcl,
PutBucketAcl, ListCname, ListObjectsV2, PutObject, GetObject, HeadObject, DeleteObject.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import mimetypes
import re
import secrets
import time
from email.utils import formatdate
from urllib.parse import parse_qsl, quote, unquote
from xml.etree import ElementTree as ET

from tui.sandbox import signing, web
from tui.sandbox.bad_answers import mangle_xml
from tui.sandbox.faults import Fault
from tui.sandbox.http_server import FAULT_HTML, ApiError, Call, access_denied_detail, mangled
from tui.sandbox.world import SandboxBucket, World

# The EC (error condition) code OSS adds to each error, for its troubleshooting pages.
ERROR_CONDITIONS = {
    "AccessDenied": "0003-00000001",
    "InvalidAccessKeyId": "0002-00000902",
    "SignatureDoesNotMatch": "0002-00000040",
    "InvalidArgument": "0002-00000003",
    "NoSuchBucket": "0015-00000101",
    "NoSuchKey": "0026-00000001",
    "InvalidDigest": "0016-00000201",
    "NotImplemented": "0001-00000101",
}
# Alibaba's OSS error pages for V4 and the V1 retirement:
# 0002-00000201: a V4 signature that does not match the one OSS calculates;
# 0002-00000213: a V4 Credential not shaped <ak>/<date>/<region>/oss/aliyun_v4_request;
# 0002-00000214: x-oss-content-sha256 other than UNSIGNED-PAYLOAD (the page's solution:
#   "Set the x-oss-content-sha256 header to UNSIGNED-PAYLOAD"; V4 requires the header);
# 0002-00000228: the region in the V4 Credential is not a region or not the bucket's;
# 0002-00000080: "OSS returns a 403 error when you call an API operation signed with a
#   V1 signature" (V1 no longer supported).
# The pages name the EC and the cause, not always the Code and Message: where they do not,
# the sandbox answers InvalidArgument (400) for a malformed V4 request and AccessDenied
# (403) for V1, with a message of its own that says what is wrong.
EC_V4_MISMATCH = "0002-00000201"
EC_V4_CREDENTIAL = "0002-00000213"
EC_V4_CONTENT_SHA256 = "0002-00000214"
EC_V4_REGION = "0002-00000228"
EC_V1_REFUSED = "0002-00000080"
EC_TIME_SKEWED = "0002-00000504"
MAX_SKEW_SECONDS = 15 * 60

# A virtual-hosted-style Host: <bucket>.oss-<region>[-internal].aliyuncs.com (OSS's
# "Regions and endpoints"; bucket names are 3-63 lower-case letters, digits, hyphens).
VIRTUAL_HOST = re.compile(
    r"^(?P<bucket>[a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.oss-(?P<region>[a-z0-9-]+?)(?:-internal)?"
    r"\.aliyuncs\.com$"
)
# A region's endpoint, where calls naming no bucket (ListBuckets) go.
REGION_HOST = re.compile(r"^oss-(?P<region>[a-z0-9-]+?)(?:-internal)?\.aliyuncs\.com$")
# A region id as the V4 scope wants it: cn-hangzhou, ap-southeast-1 (no "oss-" prefix:
# OSS error page 0002-00000226).
REGION_ID = re.compile(r"^(?!oss-)[a-z]+(?:-[a-z0-9]+)+$")

# The RAM action that authorizes each OSS operation the sandbox serves (OSS "RAM Policy"
# page: HeadObject is authorized as oss:GetObject, ListObjectsV2 as oss:ListObjects).
RAM_ACTIONS = {"HeadObject": "GetObject", "ListObjectsV2": "ListObjects"}

# The canned ACLs of a bucket (OSS API reference, PutBucketAcl: x-oss-acl is one of
# these; oss2's BUCKET_ACL_PRIVATE / _PUBLIC_READ / _PUBLIC_READ_WRITE).
BUCKET_ACLS = ("private", "public-read", "public-read-write")


def _oss_time(t: float) -> str:
    """OSS's ISO 8601 with milliseconds, the only form oss2 parses: ...T03:04:05.000Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))


def _etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest().upper()}"'


def _sub(parent: ET.Element, tag: str, text: object = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


class OssApi:
    def __init__(self, world: World) -> None:
        self.world = world

    # -- reading the request ---------------------------------------------------------

    def identify(self, request: web.Request, body: bytes) -> Call:
        bucket, key, query = _parse(request)
        params = {"bucket": bucket, "key": key, **query} if bucket else dict(query)
        return Call(_operation(request.method, bucket, key, query), params, _request_id())

    # -- answers ---------------------------------------------------------------------

    async def answer(self, call: Call, request: web.Request, body: bytes) -> web.Response:
        bucket_name, key, query = _parse(request)
        if "Authorization" in request.headers:
            self._verify(request, bucket_name, key, query)
            self._authorize(call)
        else:
            self._anonymous(call, bucket_name)
        with self.world.lock:  # tests change buckets from their own thread
            return self._dispatch(call, request, bucket_name, key, query, body)

    def _dispatch(
        self,
        call: Call,
        request: web.Request,
        bucket_name: str,
        key: str,
        query: dict[str, str],
        body: bytes,
    ) -> web.Response:
        if call.action == "ListBuckets":
            return self._xml(call, self._list_buckets(query))
        if call.action == "NotImplemented":
            raise ApiError(501, "NotImplemented", "The sandbox does not implement this operation.")
        bucket = self._bucket(bucket_name)
        if call.action == "GetBucketInfo":
            return self._xml(call, self._bucket_info(bucket))
        if call.action == "ListCname":
            return self._xml(call, self._list_cname(bucket))
        if call.action == "ListObjectsV2":
            return self._xml(call, self._list_objects(bucket, query))
        if call.action == "GetBucketAcl":
            return self._xml(call, self._bucket_acl(bucket))
        if call.action == "PutBucketAcl":
            return self._put_bucket_acl(call, request, bucket)
        if call.action == "PutObject":
            return self._put_object(call, request, bucket, key, body)
        data = bucket.objects.get(key)
        if data is None:
            raise ApiError(404, "NoSuchKey", "The specified key does not exist.", Key=key)
        if call.action == "DeleteObject":
            del bucket.objects[key]
            bucket.written.pop(key, None)
            bucket.meta.pop(key, None)
            self.world.object_changed(bucket.name, key)
            return web.Response(status=204, headers=self._headers(call))
        headers = {
            **self._headers(call),
            "ETag": _etag(data),
            "Last-Modified": formatdate(bucket.written.get(key, bucket.created), usegmt=True),
            "Content-Type": mimetypes.guess_type(key)[0] or "application/octet-stream",
            "x-oss-object-type": "Normal",
            "x-oss-storage-class": bucket.storage_class,
            **bucket.meta.get(key, {}),
        }
        if call.action == "HeadObject":
            headers["Content-Length"] = str(len(data))
            return web.Response(headers=headers)
        return web.Response(body=data, headers=headers)

    def error(self, call: Call, err: ApiError) -> web.Response:
        root = ET.Element("Error")
        _sub(root, "Code", err.code)
        _sub(root, "Message", err.message)
        _sub(root, "RequestId", call.request_id)
        _sub(root, "HostId", "oss-cn-hangzhou.aliyuncs.com")
        for tag, text in err.extra.items():
            if tag == "EC":
                continue
            node = _sub(root, tag, None if isinstance(text, dict) else text)
            for name, value in text.items() if isinstance(text, dict) else ():
                _sub(node, name, value)
        ec = str(err.extra.get("EC") or ERROR_CONDITIONS.get(err.code) or "")
        if ec:
            _sub(root, "EC", ec)
            _sub(root, "RecommendDoc", f"https://api.aliyun.com/troubleshoot?q={ec}")
        document = _document(root)
        headers = {**self._headers(call), **err.headers}
        if ec:
            headers["x-oss-ec"] = ec
        if call.action == "HeadObject":
            # A HEAD answer has no body: OSS puts the error document in a header instead.
            headers["x-oss-err"] = base64.b64encode(document).decode()
            return web.Response(status=err.status, headers=headers)
        return web.Response(
            status=err.status, body=document, headers=headers, content_type="application/xml"
        )

    def fault_error(self, fault: Fault) -> ApiError:
        p = fault.params
        if fault.kind == "throttle":
            return ApiError(503, "TotalQpsLimitExceeded", "Max total qps limit is exceeded.")
        if fault.kind == "server_error":
            return ApiError(
                500, "InternalError", "We encountered an internal error. Please try again."
            )
        if fault.kind == "unavailable":
            return ApiError(
                503, "ServiceUnavailable", "Thread pool is almost full, please retry later."
            )
        return ApiError(
            int(p.get("status", 400)),
            p.get("code", "InvalidArgument"),
            p.get("message", "The specified argument is not valid."),
        )

    def non_json(self, call: Call) -> web.Response:
        return web.Response(text=FAULT_HTML, content_type="text/html", headers=self._headers(call))

    def mangle(self, response: web.Response, fault: Fault) -> web.Response:
        """An XML answer mangled (bad_answers.py); object data and empty answers as they were."""
        body = response.body
        if "xml" not in (response.content_type or "") or not isinstance(body, bytes) or not body:
            return response
        p = fault.params
        body = mangle_xml(
            body, fault.kind, seed=int(p.get("seed", 0)), rate=float(p.get("rate", 0.3))
        )
        return mangled(response, body)

    # -- signature -------------------------------------------------------------------

    def _anonymous(self, call: Call, bucket_name: str) -> None:
        """An unsigned request (a browser, or CDN's back-to-origin fetch without private
        OSS authentication): reading an object of a public-read or public-read-write
        bucket is allowed; in a private bucket OSS answers 403 AccessDenied "You have no
        right to access this object because of bucket acl." with EC 0003-00000001
        (Alibaba's OSS error page 0003-00000001: a GetObject without permission where
        the bucket ACL is not public-read(-write); the message as OSS sends it to an
        anonymous HEAD/GET). Everything else needs a signature."""
        with self.world.lock:
            bucket = self.world.buckets.get(bucket_name)
            public = bucket is not None and bucket.acl in ("public-read", "public-read-write")
        if bucket_name and bucket is None:
            return  # OSS tells anyone NoSuchBucket
        if call.action in ("GetObject", "HeadObject") and public:
            return
        if bucket is not None and not public:
            raise ApiError(
                403,
                "AccessDenied",
                "You have no right to access this object because of bucket acl.",
            )
        raise ApiError(
            403,
            "AccessDenied",
            "AccessDenied: Anonymous access is forbidden for this operation.",
        )

    def _verify(
        self, request: web.Request, bucket_name: str, key: str, query: dict[str, str]
    ) -> None:
        authorization = request.headers.get("Authorization", "")
        if authorization.startswith(signing.OSS4 + " "):
            self._verify_v4(request, authorization, bucket_name, key, query)
            return
        scheme, _, credential = authorization.partition(" ")
        access_key_id, _, provided = credential.rpartition(":")
        if scheme != "OSS" or not access_key_id or not provided:
            raise ApiError(400, "InvalidArgument", "Authorization header is invalid.")
        secret = self._secret(request, access_key_id)
        self._refuse_v1(bucket_name)
        expected, string_to_sign = signing.oss_signature(
            request.method,
            request.headers,
            signing.oss_resource(bucket_name, key, query),
            secret,
        )
        if not hmac.compare_digest(expected.encode(), provided.encode()):
            raise ApiError(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature "
                "you provided. Check your key and signing method.",
                StringToSign=string_to_sign,
                OSSAccessKeyId=access_key_id,
            )

    def _secret(self, request: web.Request, access_key_id: str) -> str:
        """The secret of a key pair the sandbox knows; OSS's 403s for an unknown key and
        for an STS token refused (Alibaba's "How to troubleshoot 403 status code when you
        access OSS": InvalidAccessKeyId, InvalidSecurityToken,
        AccessKeyIdAndSecurityTokenNotMatch; an expired token is SecurityTokenExpired)."""
        secret = self.world.secret_for(access_key_id)
        if secret is None:
            raise ApiError(
                403,
                "InvalidAccessKeyId",
                "The OSS Access Key Id you provided does not exist in our records.",
                OSSAccessKeyId=access_key_id,
            )
        problem = self.world.token_problem(
            access_key_id, request.headers.get("x-oss-security-token")
        )
        if problem == "InvalidSecurityToken.Expired":
            raise ApiError(
                403, "SecurityTokenExpired", "The security token you provided has expired."
            )
        if problem is not None:
            raise ApiError(
                403,
                "AccessKeyIdAndSecurityTokenNotMatch",
                "The OSS access key id and security token you provided does not match.",
            )
        return secret

    def _authorize(self, call: Call) -> None:
        """RAM's refusal of an OSS action the principal is not granted (World.denied):
        403 AccessDenied with the XML AccessDeniedDetail (Alibaba's OSS error page
        0003-00000201 shows the element and its fields)."""
        action = RAM_ACTIONS.get(call.action, call.action)
        if self.world.is_denied(f"oss:{action}"):
            raise ApiError(
                403,
                "AccessDenied",
                "You are not authorized to do this action. You should be authorized by RAM.",
                AccessDeniedDetail=access_denied_detail(f"oss:{action}", self.world.account_uid),
            )

    def _refuse_v1(self, bucket_name: str) -> None:
        """V1 where OSS no longer takes it: on a bucket that does not accept it, or on a
        call naming no bucket from an account created since 2025-03-01 (Alibaba's
        "Guidelines for upgrading V1 signatures to V4 signatures"; error page
        0002-00000080: 403). An unknown bucket is left to answer NoSuchBucket."""
        with self.world.lock:
            bucket = self.world.buckets.get(bucket_name)
            if bucket_name:
                refused = bucket is not None and not bucket.accepts_v1
            else:
                refused = self.world.account_created >= "2025-03-01"
        if refused:
            raise ApiError(
                403,
                "AccessDenied",
                "The V1 signature is no longer supported for this account or bucket. "
                "Sign your requests with the V4 signature (OSS4-HMAC-SHA256).",
                EC=EC_V1_REFUSED,
            )

    def _verify_v4(
        self,
        request: web.Request,
        authorization: str,
        bucket_name: str,
        key: str,
        query: dict[str, str],
    ) -> None:
        """OSS4-HMAC-SHA256, checked the way OSS does: the Credential's shape, the key,
        the scope's date (x-oss-date's day) and region (the bucket's, or the endpoint's
        named in Host), then the signature over the canonical request."""
        auth = signing.parse_oss4_authorization(authorization)
        if auth is None:
            raise ApiError(400, "InvalidArgument", "Authorization header is invalid.")
        if auth.product != "oss" or auth.terminator != signing.OSS4_TERMINATOR:
            raise ApiError(
                400,
                "InvalidArgument",
                "Credential in Authorization header is invalid.",
                EC=EC_V4_CREDENTIAL,
            )
        secret = self._secret(request, auth.access_key_id)
        date_time = request.headers.get("x-oss-date", "")
        if not re.fullmatch(r"\d{8}T\d{6}Z", date_time) or date_time[:8] != auth.date:
            raise ApiError(
                400,
                "InvalidArgument",
                "Invalid signing date in Authorization header.",
                EC=EC_V4_CREDENTIAL,
            )
        self._fresh(date_time)
        if request.headers.get("x-oss-content-sha256") != "UNSIGNED-PAYLOAD":
            raise ApiError(
                400,
                "InvalidArgument",
                "x-oss-content-sha256 header is invalid.",
                EC=EC_V4_CONTENT_SHA256,
            )
        with self.world.lock:
            bucket = self.world.buckets.get(bucket_name)
            expected_region = bucket.location.removeprefix("oss-") if bucket else ""
        # Else the region the Host names (a bucket's or a region's endpoint); on the
        # sandbox's own address (path-style, no region in it) any region id will do.
        host = VIRTUAL_HOST.match(_host_name(request)) or REGION_HOST.match(_host_name(request))
        if not expected_region and host:
            expected_region = host["region"]
        if not REGION_ID.match(auth.region) or (expected_region and auth.region != expected_region):
            raise ApiError(
                400,
                "InvalidArgument",
                "Invalid signing region in Authorization header.",
                EC=EC_V4_REGION,
            )
        headers = {name.lower(): value for name, value in request.headers.items()}
        expected, canonical_request, string_to_sign = signing.oss4_signature(
            request.method,
            signing.oss4_canonical_uri(bucket_name, key),
            query,
            headers,
            auth.additional_headers,
            date_time,
            auth.region,
            secret,
        )
        if not hmac.compare_digest(expected.encode(), auth.signature.encode()):
            # OSS's V4 mismatch answer carries what it signed, so a client can compare
            # (error page 0002-00000201: "If the server returns a response that contains
            # the StringToSign parameter..."); neither holds a secret.
            raise ApiError(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature "
                "you provided. Check your key and signing method.",
                EC=EC_V4_MISMATCH,
                CanonicalRequest=canonical_request,
                StringToSign=string_to_sign,
                OSSAccessKeyId=auth.access_key_id,
            )

    @staticmethod
    def _fresh(date_time: str) -> None:
        """A request signed more than 15 minutes from now (by the machine's clock: the
        world's clock runs at the sandbox's speed, a signer's does not) is refused: 403
        RequestTimeTooSkewed (OSS error page 0002-00000504; OSS's page on signatures in
        the header: the request time must be within 15 minutes of OSS's), with the
        fields OSS adds to say by how much (RequestTime, ServerTime,
        MaxAllowedSkewMilliseconds)."""
        signed = calendar.timegm(time.strptime(date_time, "%Y%m%dT%H%M%SZ"))
        now = time.time()
        if abs(now - signed) > MAX_SKEW_SECONDS:
            raise ApiError(
                403,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
                EC=EC_TIME_SKEWED,
                RequestTime=date_time,
                ServerTime=time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now)),
                MaxAllowedSkewMilliseconds=str(MAX_SKEW_SECONDS * 1000),
            )

    # -- operations ------------------------------------------------------------------

    def _bucket(self, name: str) -> SandboxBucket:
        bucket = self.world.buckets.get(name)
        if bucket is None:
            raise ApiError(
                404, "NoSuchBucket", "The specified bucket does not exist.", BucketName=name
            )
        return bucket

    def _owner(self, parent: ET.Element) -> None:
        owner = _sub(parent, "Owner")
        _sub(owner, "ID", self.world.account_uid)
        _sub(owner, "DisplayName", self.world.account_uid)

    def _list_buckets(self, query: dict[str, str]) -> ET.Element:
        prefix, marker = query.get("prefix", ""), query.get("marker", "")
        max_keys = _max_keys(query)
        names = sorted(n for n in self.world.buckets if n.startswith(prefix) and n > marker)
        shown, truncated = names[:max_keys], len(names) > max_keys
        root = ET.Element("ListAllMyBucketsResult")
        for tag in ("prefix", "marker", "max-keys"):
            if tag in query:
                _sub(root, {"max-keys": "MaxKeys"}.get(tag, tag.capitalize()), query[tag])
        _sub(root, "IsTruncated", str(truncated).lower())
        if truncated:
            _sub(root, "NextMarker", shown[-1])
        self._owner(root)
        buckets = _sub(root, "Buckets")
        for name in shown:
            self._bucket_fields(_sub(buckets, "Bucket"), self.world.buckets[name])
        return root

    def _bucket_fields(self, node: ET.Element, bucket: SandboxBucket) -> None:
        _sub(node, "Name", bucket.name)
        _sub(node, "Location", bucket.location)
        _sub(node, "Region", bucket.location.removeprefix("oss-"))
        _sub(node, "CreationDate", _oss_time(bucket.created))
        _sub(node, "ExtranetEndpoint", bucket.extranet_endpoint)
        _sub(node, "IntranetEndpoint", bucket.intranet_endpoint)
        _sub(node, "StorageClass", bucket.storage_class)

    def _bucket_info(self, bucket: SandboxBucket) -> ET.Element:
        root = ET.Element("BucketInfo")
        node = _sub(root, "Bucket")
        self._bucket_fields(node, bucket)
        _sub(node, "AccessMonitor", "Disabled")
        _sub(node, "TransferAcceleration", "Disabled")
        _sub(node, "CrossRegionReplication", "Disabled")
        _sub(node, "DataRedundancyType", "LRS")
        _sub(node, "Comment", "")
        self._owner(node)
        _sub(_sub(node, "AccessControlList"), "Grant", bucket.acl)
        _sub(_sub(node, "ServerSideEncryptionRule"), "SSEAlgorithm", "None")
        return root

    def _bucket_acl(self, bucket: SandboxBucket) -> ET.Element:
        """GetBucketAcl: `AccessControlPolicy/{Owner{ID,DisplayName}, AccessControlList/Grant}`
        (OSS API reference, GetBucketAcl; oss2/xml_utils.py parse_get_bucket_acl reads
        `AccessControlList/Grant`)."""
        root = ET.Element("AccessControlPolicy")
        self._owner(root)
        _sub(_sub(root, "AccessControlList"), "Grant", bucket.acl)
        return root

    def _put_bucket_acl(
        self, call: Call, request: web.Request, bucket: SandboxBucket
    ) -> web.Response:
        """PutBucketAcl: `PUT /bkt/?acl` with the canned ACL in header x-oss-acl (what
        oss2's Bucket.put_bucket_acl sends); an empty 200. OSS answers an unknown ACL
        with 400 InvalidArgument "no such bucket access control exists"."""
        acl = request.headers.get("x-oss-acl", "")
        if acl not in BUCKET_ACLS:
            raise ApiError(
                400,
                "InvalidArgument",
                "no such bucket access control exists",
                ArgumentName="x-oss-acl",
                ArgumentValue=acl,
            )
        bucket.acl = acl
        return web.Response(headers=self._headers(call))

    def _list_cname(self, bucket: SandboxBucket) -> ET.Element:
        root = ET.Element("ListCnameResult")
        _sub(root, "Bucket", bucket.name)
        _sub(root, "Owner", self.world.account_uid)
        for domain, (status, purge_cdn_cache) in sorted(bucket.cnames.items()):
            node = _sub(root, "Cname")
            _sub(node, "Domain", domain)
            _sub(node, "LastModified", _oss_time(bucket.created))
            _sub(node, "Status", status)
            _sub(node, "IsPurgeCdnCache", str(purge_cdn_cache).lower())
        return root

    def _list_objects(self, bucket: SandboxBucket, query: dict[str, str]) -> ET.Element:
        """ListObjectsV2 (GET /bkt/?list-type=2), as OSS's API reference describes it:
        keys in byte order after `start-after` or the continuation token, `max-keys`
        1-1000 (default 100) counting keys and CommonPrefixes together, keys holding the
        delimiter after the prefix folded into CommonPrefixes, and with
        `encoding-type=url` (oss2 always asks for it) Key, Prefix, StartAfter and the
        tokens URL-encoded."""
        prefix, delimiter = query.get("prefix", ""), query.get("delimiter", "")
        max_keys = _max_keys(query)
        token = query.get("continuation-token", "")
        after = query.get("start-after", "")
        if token:
            try:
                after = max(after, base64.urlsafe_b64decode(token.encode()).decode())
            except ValueError:
                raise ApiError(
                    400, "InvalidArgument", "The continuation token provided is incorrect."
                ) from None
        entries: list[tuple[str, bool]] = []  # (key or common prefix, is a prefix)
        for key in sorted(k for k in bucket.objects if k.startswith(prefix) and k > after):
            rest = key[len(prefix) :]
            if delimiter and delimiter in rest:
                folded = prefix + rest.split(delimiter, 1)[0] + delimiter
                if entries and entries[-1] == (folded, True):
                    continue
                if folded <= after:  # a prefix the previous page already gave
                    continue
                entries.append((folded, True))
            else:
                entries.append((key, False))
            if len(entries) > max_keys:
                break
        shown, truncated = entries[:max_keys], len(entries) > max_keys
        url = query.get("encoding-type") == "url"

        def encoded(text: str) -> str:
            return quote(text, safe="/") if url else text

        root = ET.Element("ListBucketResult")
        _sub(root, "Name", bucket.name)
        _sub(root, "Prefix", encoded(prefix))
        if query.get("start-after"):
            _sub(root, "StartAfter", encoded(query["start-after"]))
        if token:
            _sub(root, "ContinuationToken", token)
        _sub(root, "MaxKeys", max_keys)
        _sub(root, "Delimiter", encoded(delimiter))
        if url:
            _sub(root, "EncodingType", "url")
        _sub(root, "IsTruncated", str(truncated).lower())
        if truncated:
            # Opaque to clients; here the last name given (a prefix ends in the
            # delimiter, so every key under it sorts before the next one asked for).
            last = shown[-1][0]
            last = last[:-1] + chr(ord(last[-1]) + 1) if shown[-1][1] else last
            _sub(root, "NextContinuationToken", base64.urlsafe_b64encode(last.encode()).decode())
        _sub(root, "KeyCount", len(shown))
        for name, is_prefix in shown:
            if is_prefix:
                _sub(_sub(root, "CommonPrefixes"), "Prefix", encoded(name))
                continue
            data = bucket.objects[name]
            node = _sub(root, "Contents")
            _sub(node, "Key", encoded(name))
            _sub(node, "LastModified", _oss_time(bucket.written.get(name, bucket.created)))
            _sub(node, "ETag", _etag(data))
            _sub(node, "Type", "Normal")
            _sub(node, "Size", len(data))
            _sub(node, "StorageClass", bucket.storage_class)
        return root

    def _put_object(
        self, call: Call, request: web.Request, bucket: SandboxBucket, key: str, body: bytes
    ) -> web.Response:
        content_md5 = request.headers.get("Content-MD5")
        if content_md5 and content_md5 != base64.b64encode(hashlib.md5(body).digest()).decode():
            raise ApiError(400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
        bucket.objects[key] = body
        bucket.written[key] = self.world.now()
        # PutObject replaces the object's user metadata with what this request sends.
        bucket.meta[key] = {
            name.lower(): value
            for name, value in request.headers.items()
            if name.lower().startswith("x-oss-meta-")
        }
        self.world.object_changed(bucket.name, key)
        return web.Response(headers={**self._headers(call), "ETag": _etag(body)})

    # -- responses -------------------------------------------------------------------

    @staticmethod
    def _headers(call: Call) -> dict[str, str]:
        return {"x-oss-request-id": call.request_id, "Server": "AliyunOSS"}

    def _xml(self, call: Call, root: ET.Element) -> web.Response:
        return web.Response(
            body=_document(root), headers=self._headers(call), content_type="application/xml"
        )


def _max_keys(query: dict[str, str]) -> int:
    """A listing's max-keys: 1-1000, 100 when not given (OSS's ListBuckets and
    ListObjectsV2 alike)."""
    try:
        max_keys = int(query.get("max-keys") or 100)
    except ValueError:
        max_keys = 0
    if not 1 <= max_keys <= 1000:
        raise ApiError(400, "InvalidArgument", "max-keys must be between 1 and 1000.")
    return max_keys


def _document(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _request_id() -> str:
    """OSS request ids are 24 upper-case hex digits."""
    return secrets.token_hex(12).upper()


def _parse(request: web.Request) -> tuple[str, str, dict[str, str]]:
    """(bucket, key, decoded query) of a path-style or virtual-hosted-style request.

    Virtual-hosted: `Host: <bucket>.oss-<region>.aliyuncs.com` (a port allowed), the key
    alone in the path; anything else (the sandbox's 127.0.0.1:P, or a bare region
    endpoint) is path-style, `/bucket/key`.
    """
    # The raw path: oss2 quotes '/' inside keys as %2F, which must not split the key;
    # the raw query, so that an encoded '&' or '=' inside a value stays in it.
    path = request.rel_url.raw_path.lstrip("/")
    query = dict(parse_qsl(request.rel_url.raw_query_string, keep_blank_values=True))
    virtual = VIRTUAL_HOST.match(_host_name(request))
    if virtual:
        return virtual["bucket"], unquote(path), query
    bucket, _, key = path.partition("/")
    return unquote(bucket), unquote(key), query


def _host_name(request: web.Request) -> str:
    """The Host header's name, lower case, without its port."""
    host = request.host.lower()
    return host.rpartition(":")[0] if re.search(r":\d+$", host) else host


def _operation(method: str, bucket: str, key: str, query: dict[str, str]) -> str:
    """The OSS operation name a request maps to (what faults and calls match on)."""
    if not bucket:
        return "ListBuckets" if method == "GET" else "NotImplemented"
    if not key:
        if method == "GET" and "bucketInfo" in query:
            return "GetBucketInfo"
        if method == "GET" and "cname" in query:
            return "ListCname"
        if method == "GET" and query.get("list-type") == "2":
            return "ListObjectsV2"
        if "acl" in query and method in ("GET", "PUT"):
            return "GetBucketAcl" if method == "GET" else "PutBucketAcl"
        return "NotImplemented"
    return {
        "PUT": "PutObject",
        "GET": "GetObject",
        "HEAD": "HeadObject",
        "DELETE": "DeleteObject",
    }.get(method, "NotImplemented")
