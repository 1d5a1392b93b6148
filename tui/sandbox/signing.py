"""Request signatures the sandbox verifies, computed exactly as Alibaba Cloud does.

Four schemes reach it:
- ACS3-HMAC-SHA256 (V3), what the tea OpenAPI SDKs send by default;
- the older RPC query signature (v2, HMAC-SHA1), `Config(signature_algorithm='v2')`;
- OSS header signature v1 (`Authorization: OSS ak:sig`), what `oss2.Auth` sends;
- OSS header signature V4 (`OSS4-HMAC-SHA256`), what `oss2.AuthV4` sends (the app).

Pure functions: each returns the expected signature together with the string that was
signed, so an error can show the server's string to sign as Alibaba's does (it holds no
secret). Comparisons belong to the caller, with `hmac.compare_digest`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

ACS3 = "ACS3-HMAC-SHA256"

# oss2/auth.py ProviderAuth._subresource_key_set: the query keys that are part of the
# signed resource. Other query parameters (prefix, marker, max-keys...) are not signed.
OSS_SUBRESOURCES = frozenset(
    {
        "response-content-type",
        "response-content-language",
        "response-cache-control",
        "logging",
        "response-content-encoding",
        "acl",
        "uploadId",
        "uploads",
        "partNumber",
        "group",
        "link",
        "delete",
        "website",
        "location",
        "objectInfo",
        "objectMeta",
        "response-expires",
        "response-content-disposition",
        "cors",
        "lifecycle",
        "restore",
        "qos",
        "referer",
        "stat",
        "bucketInfo",
        "append",
        "position",
        "security-token",
        "live",
        "comp",
        "status",
        "vod",
        "startTime",
        "endTime",
        "x-oss-process",
        "symlink",
        "callback",
        "callback-var",
        "tagging",
        "encryption",
        "versions",
        "versioning",
        "versionId",
        "policy",
        "requestPayment",
        "x-oss-traffic-limit",
        "qosInfo",
        "asyncFetch",
        "x-oss-request-payer",
        "sequential",
        "inventory",
        "inventoryId",
        "continuation-token",
        "worm",
        "wormId",
        "wormExtend",
        "replication",
        "replicationLocation",
        "replicationProgress",
        "transferAcceleration",
        "cname",
        "metaQuery",
        "x-oss-ac-source-ip",
        "x-oss-ac-subnet-mask",
        "x-oss-ac-vpc-id",
        "x-oss-ac-forward-allow",
        "resourceGroup",
        "style",
        "styleName",
        "x-oss-async-process",
        "regionList",
        "x-oss-write-get-object-response",
        "bucketArchiveDirectRead",
        "httpsConfig",
        "redundancyTransition",
        "x-oss-target-redundancy-type",
        "x-oss-redundancy-transition-taskid",
        "accessPoint",
        "accessPointPolicy",
        "publicAccessBlock",
        "x-oss-access-point-name",
        "requesterQosInfo",
        "qosRequester",
        "resourcePoolInfo",
        "resourcePool",
        "resourcePoolBuckets",
    }
)


@dataclass(frozen=True)
class Acs3Authorization:
    access_key_id: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_acs3_authorization(value: str) -> Acs3Authorization | None:
    """`ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=a;b,Signature=hex`, or None if malformed."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ACS3:
        return None
    fields = dict(part.strip().partition("=")[::2] for part in rest.split(","))
    credential = fields.get("Credential", "")
    signature = fields.get("Signature", "")
    signed = tuple(h for h in fields.get("SignedHeaders", "").split(";") if h)
    if not credential or not signature or not signed:
        return None
    return Acs3Authorization(credential, signed, signature)


def acs3_signature(
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    signed_headers: tuple[str, ...],
    body: bytes,
    secret: str,
) -> tuple[str, str]:
    """(hex signature, string to sign) for a V3 request.

    `query` holds decoded values; `headers` is looked up by lower-case name.
    """
    canonical_query = "&".join(f"{key}={quote(query[key], safe='~')}" for key in sorted(query))
    canonical_headers = "".join(
        f"{name}:{headers.get(name, '').strip()}\n" for name in sorted(signed_headers)
    )
    canonical_request = "\n".join(
        [
            method.upper(),
            path or "/",
            canonical_query,
            canonical_headers,
            ";".join(sorted(signed_headers)),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    string_to_sign = f"{ACS3}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    signature = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    return signature, string_to_sign


def rpc_signature(method: str, params: Mapping[str, str], secret: str) -> tuple[str, str]:
    """(base64 signature, string to sign) for a v2 RPC request.

    `params` are all signed parameters (query and form body) without `Signature`.
    """
    canonical = "&".join(
        f"{quote(key, safe='~')}={quote(params[key], safe='~')}" for key in sorted(params)
    )
    string_to_sign = f"{method.upper()}&%2F&{quote_plus(canonical, safe='~')}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode(), string_to_sign


def oss_signature(
    method: str, headers: Mapping[str, str], resource: str, secret: str
) -> tuple[str, str]:
    """(base64 signature, string to sign) for OSS header auth v1.

    `headers` is looked up by lower-case name and iterated for `x-oss-*` headers;
    `resource` is what `oss_resource` builds.
    """
    oss_headers = sorted(
        (name.lower(), value)
        for name, value in headers.items()
        if name.lower().startswith("x-oss-")
    )
    canonical_headers = "".join(f"{name}:{value}\n" for name, value in oss_headers)
    string_to_sign = "\n".join(
        [
            method.upper(),
            headers.get("content-md5", ""),
            headers.get("content-type", ""),
            headers.get("x-oss-date", "") or headers.get("date", ""),
            canonical_headers + resource,
        ]
    )
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode(), string_to_sign


def oss_resource(bucket: str, key: str, query: Mapping[str, str]) -> str:
    """The canonical resource: `/bucket/key?sub&sub=value` (only sub-resources, sorted)."""
    subs = sorted((k, v) for k, v in query.items() if k in OSS_SUBRESOURCES)
    suffix = "&".join(f"{k}={v}" if v else k for k, v in subs)
    path = f"/{bucket}/{key}" if bucket else "/"
    return f"{path}?{suffix}" if suffix else path


# -- OSS V4 (OSS4-HMAC-SHA256) -------------------------------------------------------------
# Alibaba Cloud, "Include a V4 signature in the Authorization header (recommended)"
# (help.aliyun.com/en/oss/developer-reference/recommend-to-use-signature-version-4), and
# what oss2 2.19 sends (oss2/auth.py ProviderAuthV4):
#   Authorization: OSS4-HMAC-SHA256 Credential=<ak>/<yyyymmdd>/<region>/oss/aliyun_v4_request,
#                  [AdditionalHeaders=<h1;h2>,] Signature=<64 hex>
#   CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
#                      AdditionalHeaders \n HashedPayload
#   StringToSign = "OSS4-HMAC-SHA256" \n <x-oss-date> \n <scope> \n hex(sha256(CanonicalRequest))
#   SigningKey = HMAC chain "aliyun_v4" + secret -> date -> region -> "oss" -> "aliyun_v4_request"

OSS4 = "OSS4-HMAC-SHA256"
OSS4_TERMINATOR = "aliyun_v4_request"
# Headers signed whether or not AdditionalHeaders names them (besides every x-oss-*).
OSS4_DEFAULT_SIGNED = ("content-type", "content-md5")


@dataclass(frozen=True)
class Oss4Authorization:
    access_key_id: str
    date: str  # yyyymmdd
    region: str
    product: str
    terminator: str
    additional_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.product}/{self.terminator}"


def parse_oss4_authorization(value: str) -> Oss4Authorization | None:
    """The fields of a V4 Authorization header (comma-separated key=value pairs after the
    algorithm, spaces after commas allowed), or None if it is not V4 or is malformed."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != OSS4:
        return None
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, val = part.strip().partition("=")
        if not sep:
            return None
        fields[key] = val
    credential = fields.get("Credential", "").split("/")
    signature = fields.get("Signature", "")
    if len(credential) != 5 or not all(credential) or not signature:
        return None
    additional = fields.get("AdditionalHeaders")
    names: tuple[str, ...] = ()
    if additional is not None:
        names = tuple(additional.split(";"))
        if not all(names):  # "AdditionalHeaders=" or "host;" (EC 0002-00000209/-210)
            return None
    ak, date, region, product, terminator = credential
    return Oss4Authorization(ak, date, region, product, terminator, names, signature)


def v4_uri_encode(text: str, keep_slashes: bool) -> str:
    """RFC 3986 encoding of the UTF-8 bytes: unreserved characters kept, '/' kept only in
    the URI (oss2's __v4_uri_encode)."""
    return quote(text.encode(), safe="-_.~" + ("/" if keep_slashes else ""))


def oss4_canonical_uri(bucket: str, key: str) -> str:
    """`/bucket/key`, `/bucket/` for a bucket, `/` for the service: the same for
    path-style and virtual-hosted-style requests (the V4 page's CanonicalURI; oss2 builds
    it from the bucket name whatever the URL looks like)."""
    return v4_uri_encode(f"/{bucket}/{key}" if bucket else "/", keep_slashes=True)


def oss4_signature(
    method: str,
    canonical_uri: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    additional_headers: tuple[str, ...],
    date_time: str,
    region: str,
    secret: str,
    product: str = "oss",
) -> tuple[str, str, str]:
    """(hex signature, canonical request, string to sign) of a V4 request.

    `query` holds every query parameter, decoded (V4 signs them all); `headers` is looked
    up by lower-case name and iterated for the signed ones; `date_time` is x-oss-date.
    """
    pairs = sorted((v4_uri_encode(k, False), v4_uri_encode(v, False)) for k, v in query.items())
    canonical_query = "&".join(f"{k}={v}" if v else k for k, v in pairs)
    extra = {name.lower() for name in additional_headers}
    signed = sorted(
        (name.lower(), value.strip())
        for name, value in headers.items()
        if name.lower().startswith("x-oss-")
        or name.lower() in OSS4_DEFAULT_SIGNED
        or name.lower() in extra
    )
    canonical_headers = "".join(f"{name}:{value}\n" for name, value in signed)
    canonical_request = "\n".join(
        [
            method.upper(),
            canonical_uri,
            canonical_query,
            canonical_headers,
            ";".join(sorted(extra)),
            headers.get("x-oss-content-sha256", "") or "UNSIGNED-PAYLOAD",
        ]
    )
    scope = f"{date_time[:8]}/{region}/{product}/{OSS4_TERMINATOR}"
    string_to_sign = "\n".join(
        [OSS4, date_time, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = f"aliyun_v4{secret}".encode()
    for part in (date_time[:8], region, product, OSS4_TERMINATOR):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return signature, canonical_request, string_to_sign


def oss4_authorization(
    access_key_id: str,
    secret: str,
    method: str,
    bucket: str,
    key: str,
    headers: dict[str, str],
    region: str,
    date_time: str,
    query: Mapping[str, str] | None = None,
) -> str:
    """Sign a request V4 as oss2 does (x-oss-date and x-oss-content-sha256 are added to
    `headers`); returns the Authorization value. The sandbox edge signs with it."""
    headers["x-oss-date"] = date_time
    headers["x-oss-content-sha256"] = "UNSIGNED-PAYLOAD"
    lowered = {name.lower(): value for name, value in headers.items()}
    signature, _, _ = oss4_signature(
        method, oss4_canonical_uri(bucket, key), query or {}, lowered, (), date_time, region, secret
    )
    scope = f"{date_time[:8]}/{region}/oss/{OSS4_TERMINATOR}"
    return f"{OSS4} Credential={access_key_id}/{scope},Signature={signature}"
