"""Can the CDN edge read the domain's OSS origin? Judged before anyone hits the 403.

A new OSS bucket is private: the edge's anonymous back-to-origin fetch gets 403
AccessDenied, which the edge passes on. The edge reads a private bucket only when the
domain's back-to-origin authentication for private OSS buckets is on (function
l2_oss_key, private_oss_auth=on, from BatchSetCdnDomainConfig) and CDN holds the role
AliyunCDNAccessingPrivateOSSRole, through which it gets the STS token it signs with.
Without the role the API still takes the setting; DescribeCdnDomainConfigs then reports
private_oss_ram_unauthorized=on (terraform-provider-alicloud PR #9833) and the edge
still gets 403 (Alibaba, "Origin fetch from private OSS buckets": the one-time account
authorization comes first).

Pure: the facts read elsewhere (GetBucketAcl, DescribeCdnDomainConfigs) go in, a verdict
in words comes out.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import DomainConfig
from .writes import PRIVATE_ORIGIN_ARG

READABLE = "readable"
CONFIGURING = "configuring"  # switched on, CDN still applying it
BLOCKED = "blocked"
UNKNOWN = "unknown"
NOT_APPLICABLE = "not applicable"

PUBLIC_ACLS = ("public-read", "public-read-write")
ROLE = "AliyunCDNAccessingPrivateOSSRole"
# Where the role comes from (Alibaba, "Origin fetch from private OSS buckets"): the
# console's one-time authorization, or by hand in RAM. It is a service role trusted by
# cdn.aliyuncs.com, not a service-linked role: `aliyun ram CreateServiceLinkedRole` does
# not make it.
ROLE_HELP = (
    f"CDN lacks the role {ROLE}, which lets it read this account's private buckets "
    "(read-only). Grant it once per account: CDN console > Domain Names > this domain > "
    "Origin Fetch > Origin fetch from private OSS bucket > authorize. Or in RAM: create "
    f"the role {ROLE} trusted by the service cdn.aliyuncs.com, with a policy allowing "
    "oss:Get* and oss:List*."
)


@dataclass(frozen=True)
class OriginAccess:
    verdict: str  # READABLE | CONFIGURING | BLOCKED | UNKNOWN | NOT_APPLICABLE
    reason: str  # one sentence a person reads
    fixable: bool = False  # switching l2_oss_key on would fix it (the `o` key)
    role_missing: bool = False  # the setting is on, but CDN has no role to sign with


def judge(
    acl: str | None,
    config: DomainConfig | None,
    *,
    oss_origin: bool = True,
    acl_error: str = "",
    config_error: str = "",
) -> OriginAccess:
    """The verdict from the bucket's ACL (None when it could not be read: `acl_error`
    says why) and the domain's l2_oss_key configuration (None when never set, or
    unreadable: `config_error` says why)."""
    if not oss_origin:
        return OriginAccess(NOT_APPLICABLE, "the origin is not an OSS bucket")
    if acl in PUBLIC_ACLS:
        return OriginAccess(READABLE, f"the bucket is {acl}: the edge reads it without signing")
    signed = _signed(config)
    if signed is not None and (acl == "private" or acl is None):
        # With the setting in force the bucket's ACL no longer matters.
        return signed
    if acl is None:
        return OriginAccess(UNKNOWN, f"could not read the bucket's ACL: {acl_error or 'no answer'}")
    if acl != "private":
        return OriginAccess(UNKNOWN, f"the bucket's ACL is {acl!r}, which this app does not know")
    if config_error:
        return OriginAccess(
            UNKNOWN,
            f"the bucket is private, and the domain's CDN configuration could not be read: "
            f"{config_error}",
        )
    return OriginAccess(
        BLOCKED,
        "the bucket is private and back-to-origin authentication is off: "
        "the edge will answer 403 AccessDenied",
        fixable=True,
    )


def _signed(config: DomainConfig | None) -> OriginAccess | None:
    """The verdict when private_oss_auth is on, else None."""
    if config is None or config.arg(PRIVATE_ORIGIN_ARG) != "on":
        return None
    if config.arg("private_oss_ram_unauthorized") == "on":
        return OriginAccess(
            BLOCKED,
            "back-to-origin authentication is on, but CDN is not authorized to read "
            f"private buckets ({ROLE} is missing): the edge still gets 403",
            role_missing=True,
        )
    if config.status == "success":
        return OriginAccess(
            READABLE, "the bucket is private and CDN signs its fetches (back-to-origin auth on)"
        )
    if config.status == "failed":
        return OriginAccess(
            BLOCKED,
            "switching on back-to-origin authentication failed: the edge will answer "
            "403 AccessDenied",
            fixable=True,
        )
    return OriginAccess(
        CONFIGURING,
        f"back-to-origin authentication is on, CDN is applying it ({config.status})",
    )
