"""Request signatures the sandbox verifies, computed exactly as Alibaba Cloud does.

Three schemes reach it:
- ACS3-HMAC-SHA256 (V3), what the tea OpenAPI SDKs send by default;
- the older RPC query signature (v2, HMAC-SHA1), `Config(signature_algorithm='v2')`;
- OSS header signature v1 (`Authorization: OSS ak:sig`), what `oss2.Auth` sends.

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
