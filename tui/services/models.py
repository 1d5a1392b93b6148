"""The project's own view of cloud objects: frozen dataclasses, never SDK models."""

from __future__ import annotations

from dataclasses import dataclass

# CDN domain states, as DescribeUserDomains spells them.
TRANSITIONAL_STATES = frozenset({"configuring", "checking", "stopping", "deleting"})


@dataclass(frozen=True)
class Source:
    """One origin of a CDN domain."""

    type: str  # ipaddr | domain | oss | fc_domain
    content: str
    port: int = 80
    priority: str = "20"  # "20" primary, "30" backup
    weight: str = "10"

    def to_api(self) -> dict:
        return {
            "content": self.content,
            "type": self.type,
            "port": self.port,
            "priority": self.priority,
            "weight": self.weight,
        }


@dataclass(frozen=True)
class CdnDomain:
    name: str
    status: str
    cname: str = ""
    cdn_type: str = ""  # web | download | video
    scope: str = ""  # domestic | overseas | global
    sources: tuple[Source, ...] = ()
    created: str = ""
    modified: str = ""
    description: str = ""
    ssl: str = ""

    @property
    def origin(self) -> str:
        return self.sources[0].content if self.sources else ""

    @property
    def transitional(self) -> bool:
        return self.status in TRANSITIONAL_STATES


@dataclass(frozen=True)
class DomainExistence:
    """CheckCdnDomainExist's answer."""

    domain: str
    status: str  # DomainNotExist | DomainExistOtherUser | DomainExistCdnProduct | ...

    @property
    def available(self) -> bool:
        return self.status == "DomainNotExist"


@dataclass(frozen=True)
class CnameStatus:
    """DescribeDomainCname: does CDN see the CNAME in place (status 0)?"""

    domain: str
    cname: str
    status: int

    @property
    def in_place(self) -> bool:
        return self.status == 0


@dataclass(frozen=True)
class RefreshTask:
    task_id: str
    object_path: str
    object_type: str
    status: str  # Complete | Refreshing | Failed
    process: str = ""
    created: str = ""


@dataclass(frozen=True)
class DomainConfig:
    """One feature configuration of a CDN domain (DescribeCdnDomainConfigs)."""

    function: str  # e.g. l2_oss_key
    config_id: str
    status: str  # success | testing | failed | configuring
    args: tuple[tuple[str, str], ...] = ()  # (ArgName, ArgValue), as the API lists them

    def arg(self, name: str) -> str | None:
        return next((value for key, value in self.args if key == name), None)


@dataclass(frozen=True)
class RefreshQuota:
    url_quota: int
    url_remain: int
    dir_quota: int
    dir_remain: int
    preload_quota: int
    preload_remain: int


@dataclass(frozen=True)
class Zone:
    """A domain hosted in Alibaba Cloud DNS."""

    name: str
    domain_id: str = ""
    dns_servers: tuple[str, ...] = ()
    record_count: int = 0
    version_code: str = ""
    puny_code: str = ""


@dataclass(frozen=True)
class DnsRecord:
    record_id: str
    zone: str
    rr: str
    type: str
    value: str
    ttl: int = 600
    line: str = "default"
    status: str = "ENABLE"
    locked: bool = False
    priority: int | None = None
    weight: int | None = None

    @property
    def enabled(self) -> bool:
        # Alidns varies the case of Status between calls.
        return self.status.upper() == "ENABLE"

    @property
    def fqdn(self) -> str:
        return self.zone if self.rr == "@" else f"{self.rr}.{self.zone}"


@dataclass(frozen=True)
class Bucket:
    name: str
    region: str  # e.g. oss-cn-hangzhou
    extranet_endpoint: str = ""
    intranet_endpoint: str = ""
    created: str = ""
    storage_class: str = ""

    @property
    def public_host(self) -> str:
        """The bucket's public (extranet) host: the only one CDN may use as origin."""
        return f"{self.name}.{self.extranet_endpoint}" if self.extranet_endpoint else ""


@dataclass(frozen=True)
class BucketCname:
    domain: str
    status: str = ""
    last_modified: str = ""
    purge_cdn_cache: bool = False  # "Auto CDN Cache Update"; read-only through the API


@dataclass(frozen=True)
class OssObject:
    """One object of a bucket, as ListObjectsV2 or HeadObject describe it."""

    key: str
    size: int
    etag: str  # as OSS sends it, without quotes: the MD5 of a simple upload, in capitals
    last_modified: float  # unix time
    storage_class: str = ""


@dataclass(frozen=True)
class ObjectPage:
    """A page of ListObjectsV2: objects, the "directories" folded by the delimiter, and
    the token of the next page ("" at the end)."""

    objects: tuple[OssObject, ...]
    prefixes: tuple[str, ...] = ()
    next_token: str = ""


@dataclass(frozen=True)
class DomainQuota:
    """How many CDN domains the account has, against how many it may have."""

    used: int
    limit: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def full(self) -> bool:
        return self.used >= self.limit
