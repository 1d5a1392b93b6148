"""The sandbox's world: one emulated Alibaba Cloud account, with time in it.

Everything the sandbox's HTTP APIs and DNS servers answer comes from here. The world
is shared by the API server and the DNS servers (one asyncio loop in one thread) and
by tests poking it from another thread, so every public method takes `lock`.

Time is "sandbox time": wall-clock seconds scaled by the speed factor, so a TTL of 600
or a 4-minute configuring phase pass in seconds in tests and stay watchable in demos.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
import string
import threading
import time
from dataclasses import dataclass, field

CNAME_SUFFIX = "w.kunlunsl.com"
ALIDNS_SERVERS = ("dns9.hichina.com", "dns10.hichina.com")
DEFAULT_QUOTA = 50

# The daily refresh and prefetch quotas of a default account, as DescribeRefreshQuota
# names them ("Url" -> UrlQuota/UrlRemain): 10,000 URLs and 100 directories refreshed,
# 1,000 URLs prefetched a day (Alibaba's RefreshObjectCaches and PushObjectCache pages).
DEFAULT_REFRESH_QUOTAS = {
    "Url": 10000,
    "Dir": 100,
    "Regex": 20,
    "Preload": 1000,
    "Block": 100,
    "IgnoreParams": 10,
    "PreloadEdge": 0,
}
# Which task type (DescribeRefreshTasks' ObjectType) each quota counts.
QUOTA_TASK_TYPES = {"Url": "file", "Dir": "directory", "Regex": "regex", "Preload": "preload"}
DAY = 86400.0
# Sandbox seconds from a PutObject/DeleteObject to the refresh Auto CDN Cache Update
# submits for it completing ("a little later"; Alibaba gives no figure).
AUTO_REFRESH_SECONDS = 60.0


class Clock:
    """Sandbox seconds: `speed` of them pass in each real second."""

    def __init__(self, speed: float = 1.0, start: float | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._wall0 = time.time() if start is None else start
        self._mono0 = time.monotonic()

    def now(self) -> float:
        return self._wall0 + (time.monotonic() - self._mono0) * self.speed

    def advance(self, seconds: float) -> None:
        """Jump `seconds` of sandbox time ahead at once: a test or a demo skips the
        minutes a step takes in the cloud (a refresh's five) without running fast, so a
        cache time that must hold still holds."""
        self._wall0 += seconds


@dataclass(frozen=True)
class StsCredential:
    """A temporary key pair and its SecurityToken, as STS AssumeRole hands them out
    (`STS.` key ids, an expiry): the sandbox accepts it until `expires_at` (sandbox time)."""

    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str = field(repr=False)
    expires_at: float

    def to_json(self) -> dict:
        # The field names of STS AssumeRole's Credentials (and of aliyun-cli's StsToken
        # profile: access_key_id / access_key_secret / sts_token).
        return {
            "AccessKeyId": self.access_key_id,
            "AccessKeySecret": self.access_key_secret,
            "SecurityToken": self.security_token,
            "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.expires_at)),
        }


@dataclass
class SandboxZone:
    name: str
    domain_id: str
    hosted_in_alidns: bool = True  # False: DNS "hosted elsewhere", served but not listed
    verified_for_cdn: bool = False
    dns_servers: tuple[str, ...] = ALIDNS_SERVERS
    version_code: str = "mianfei"  # the free edition: TTL 600-86400
    min_ttl: int = 600
    # An ICP filing (MIIT) for the root: CDN refuses scopes that reach mainland China
    # (domestic, global) to names under a root without one (DomainNotRegistration).
    icp_filed: bool = True


@dataclass
class RecordVersion:
    """One version of a DNS record. Changes close a version and open a new one, so the
    world can answer "what did this name hold at time t" (resolvers lag behind)."""

    record_id: str
    zone: str
    rr: str
    type: str
    value: str
    ttl: int = 600
    line: str = "default"
    enabled: bool = True
    locked: bool = False
    priority: int | None = None
    weight: int | None = None
    created_at: float = 0.0
    deleted_at: float | None = None

    @property
    def fqdn(self) -> str:
        return self.zone if self.rr == "@" else f"{self.rr}.{self.zone}"

    def live_at(self, t: float) -> bool:
        return self.created_at <= t and (self.deleted_at is None or t < self.deleted_at)


class _Domains(dict):
    """The account's CDN domains by name; `version` moves whenever one is added, replaced
    or removed, so what is derived from the set (the listing order) is cached until then."""

    version = 0

    def _changed(self) -> None:
        self.version += 1

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key) -> None:
        super().__delitem__(key)
        self._changed()

    def pop(self, *args):
        self._changed()
        return super().pop(*args)

    def popitem(self):
        self._changed()
        return super().popitem()

    def clear(self) -> None:
        super().clear()
        self._changed()

    def update(self, *args, **kwargs) -> None:
        super().update(*args, **kwargs)
        self._changed()

    def setdefault(self, key, default=None):
        self._changed()
        return super().setdefault(key, default)


def listing_order(domain: SandboxDomain) -> tuple[float, str]:
    """DescribeUserDomains' order: newest first, as the console lists (name to break ties)."""
    return (-domain.created, domain.name)


def record_order(record: RecordVersion) -> tuple[str, str, str, int]:
    """DescribeDomainRecords' order: by RR, type, value, then id."""
    return (record.rr, record.type, record.value, int(record.record_id))


@dataclass
class SandboxDomain:
    name: str  # as the API has it: a wildcard is ".example.com"
    cdn_type: str
    sources: list[dict]
    scope: str = "domestic"
    status: str = "configuring"
    cname: str = ""
    created: float = 0.0
    modified: float = 0.0
    description: str = ""
    domain_id: int = 0
    # (sandbox time, status) transitions still to come, earliest first.
    pending: list[tuple[float, str]] = field(default_factory=list)
    # Feature configurations as DescribeCdnDomainConfigs reports them, one dict each:
    # {"FunctionName": "l2_oss_key", "ConfigId": "...", "Status": "success",
    #  "FunctionArgs": {"private_oss_auth": "on"}}.
    configs: list[dict] = field(default_factory=list)
    # Until this sandbox time DescribeCdnDomainDetail does not know the domain yet (set
    # by AddCdnDomain: the detail lags an add).
    detail_from: float = 0.0

    def config_arg(self, function: str, arg: str) -> str | None:
        """The value of `arg` in this domain's configuration of `function`, if any."""
        for config in self.configs:
            if config["FunctionName"] == function and config.get("Status") == "success":
                return config["FunctionArgs"].get(arg)
        return None

    @property
    def private_origin_auth(self) -> bool:
        """CDN's back-to-origin authentication for private OSS buckets is on: the edge
        signs its origin fetches (function `l2_oss_key`, arg `private_oss_auth`, on
        Alibaba's "Domain configuration functions" page for BatchSetCdnDomainConfig)."""
        return self.config_arg("l2_oss_key", "private_oss_auth") == "on"


@dataclass
class SandboxBucket:
    name: str
    location: str  # oss-cn-hangzhou
    created: float = 0.0
    storage_class: str = "Standard"
    objects: dict[str, bytes] = field(default_factory=dict)
    # When each object was last written (sandbox time); absent: when the bucket was made.
    written: dict[str, float] = field(default_factory=dict)
    # CNAMEs bound to the bucket: domain -> (status, purge_cdn_cache)
    cnames: dict[str, tuple[str, bool]] = field(default_factory=dict)
    # "private" (OSS's default for a new bucket: anonymous reads get 403 AccessDenied),
    # "public-read" or "public-read-write", as GetBucketAcl's Grant says.
    acl: str = "private"
    # User metadata sent on PutObject (x-oss-meta-* headers, names in lower case), given
    # back on HeadObject and GetObject: key -> {header: value}.
    meta: dict[str, dict[str, str]] = field(default_factory=dict)
    # Whether OSS still takes V1 signatures (`OSS ak:sig`) on this bucket. Alibaba's
    # "Guidelines for upgrading V1 signatures to V4 signatures": V1 is not available to
    # accounts created since 2025-03-01, nor to buckets created since 2025-09-01. So only
    # a bucket made before 2025-09-01 by an account made before 2025-03-01 takes it.
    # The sandbox keeps one flag per bucket (and World.account_created for calls that
    # name no bucket): the seed's account is new, yet demo-assets keeps V1, standing for
    # such an older bucket, so one world shows both answers side by side.
    accepts_v1: bool = False

    @property
    def extranet_endpoint(self) -> str:
        return f"{self.location}.aliyuncs.com"

    @property
    def intranet_endpoint(self) -> str:
        return f"{self.location}-internal.aliyuncs.com"


def _random_token(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def cname_for(domain: str) -> str:
    """The CNAME CDN assigns: `<domain>.w.kunlunsl.com` (a wildcard gets `all.`)."""
    base = f"all{domain}" if domain.startswith(".") else domain
    return f"{base}.{CNAME_SUFFIX}"


def cache_target(path: str) -> tuple[str, str]:
    """(host, path) of a refresh/prefetch ObjectPath or a requested URL: the scheme is
    optional (the API takes `example.com/a.png` too), the host lower-cased, the query
    dropped (the edge caches without it here)."""
    rest = path.strip().split("://", 1)[-1]
    host, _, tail = rest.partition("/")
    return host.lower(), "/" + tail.split("?", 1)[0]


def task_covers(task: dict, host: str, path: str) -> bool:
    """Whether a refresh task's ObjectPath covers the URL host+path: File is the same
    URL, Directory every URL under it, Regex a full match of the URL."""
    kind = task["ObjectType"]
    if kind == "regex":
        try:
            return re.fullmatch(task["ObjectPath"].split("://", 1)[-1], host + path) is not None
        except re.error:
            return False
    task_host, task_path = cache_target(task["ObjectPath"])
    if task_host != host:
        return False
    if kind == "directory":
        return path.startswith(task_path if task_path.endswith("/") else task_path + "/")
    return task_path == path


class World:
    def __init__(
        self, speed: float = 1.0, *, seed: bool = True, epoch: float | None = None
    ) -> None:
        """`epoch` fixes the world's start time (and so its dates and verification
        contents): a reproducible world for screenshots and demos."""
        self.lock = threading.RLock()
        self.clock = Clock(speed, epoch)
        # The account's key pair: the only one the sandbox accepts.
        self.access_key_id = "SBX" + _random_token(17)
        self.access_key_secret = _random_token(30)
        self.account_uid = (
            "1" + _random_token(15, string.digits)
            if epoch is None
            else str(int(epoch)).rjust(16, "1")
        )
        # Temporary credentials the sandbox issued (issue_sts), by AccessKey ID.
        self.sts: dict[str, StsCredential] = {}
        # RAM actions the account's principal is not granted ("cdn:AddCdnDomain",
        # "alidns:DescribeDomains", "oss:ListBuckets"): each answers as RAM refuses it.
        self.denied: set[str] = set()
        # When the account was created (ISO date). Since 2025-03-01 OSS refuses V1
        # signatures for new accounts (see SandboxBucket.accepts_v1): the sandbox's
        # account is a new one, so only V4 works on its service-level calls (ListBuckets)
        # and on its buckets, except the one older bucket the seed keeps.
        self.account_created = "2025-06-01"
        self.quota = DEFAULT_QUOTA  # CDN domains the account may have (Quota Center)
        # The account's standing with CDN: activated (else every CDN action answers
        # CdnServiceNotFound) and real-name verified (else mainland scopes are refused).
        self.cdn_activated = True
        self.real_name_verified = True
        # Sandbox seconds after AddCdnDomain during which DescribeCdnDomainDetail still
        # answers InvalidDomain.NotFound: the real detail lags the add a little.
        self.detail_lag = 3.0
        # The service-linked role AliyunCDNAccessingPrivateOSSRole exists: CDN may read
        # this account's private buckets once a domain's l2_oss_key is on.
        self.private_oss_role = True
        self.zones: dict[str, SandboxZone] = {}
        self.records: list[RecordVersion] = []
        # Moves on every record change made through the methods below (they close a
        # version and open one): the sorted records of a zone are cached until then.
        self.records_version = 0
        self._sorted_records: dict[str, tuple[tuple[int, int], list[RecordVersion]]] = {}
        self.domains: dict[str, SandboxDomain] = _Domains()
        self._ordered: tuple[int, list[SandboxDomain]] | None = None
        # Sandbox time of the next transition tick() has to apply (a domain's pending
        # status, a configuration or a cache task completing), or 0: look again. Every
        # method that schedules one sets it to 0 (changed()); until then a tick is O(1),
        # not a walk over every domain: at 10,000 domains every request ticks.
        self._next_due = 0.0
        self._ticked: tuple = ()
        self.buckets: dict[str, SandboxBucket] = {}
        # Names held by other accounts or other products: name -> CheckCdnDomainExist status.
        self.foreign_domains: dict[str, str] = {}
        # Roots CDN saw proof of ownership of, zones of the sandbox or not (DNS hosted
        # anywhere, verified by file).
        self.verified_roots: set[str] = set()
        self.refresh_tasks: list[dict] = []
        # Daily refresh/prefetch quotas (DescribeRefreshQuota's *Quota): tests lower
        # them to reach the QuotaExceeded answers; what remains is counted from tasks.
        self.refresh_quotas: dict[str, int] = dict(DEFAULT_REFRESH_QUOTAS)
        # Where the CDN edge listens: every CNAME target resolves to this address
        # (the runner sets it to the sandbox's host).
        self.edge_host = "127.0.0.1"
        # Its port (0: no edge runs): where CDN's own fetch of a root's
        # verification.html lands when the root's name leads to the edge.
        self.edge_port = 0
        self.configure_delay = 240.0  # configuring -> online, sandbox seconds (3-5 min real)
        self._ids = itertools.count(100000)
        if seed:
            self._seed()

    # -- time ---------------------------------------------------------------------

    def now(self) -> float:
        return self.clock.now()

    def next_id(self) -> str:
        return str(next(self._ids))

    def changed(self) -> None:
        """Something was scheduled (a status, a configuration, a task to complete later):
        the next tick() looks at everything again."""
        self._next_due = 0.0

    def tick(self) -> None:
        """Apply the domain transitions that are due."""
        with self.lock:
            now = self.now()
            # Domains added or removed, or a task appended, without a method that says
            # so: look again as well.
            seen = (getattr(self.domains, "version", None), len(self.refresh_tasks))
            if now < self._next_due and seen == self._ticked:
                return  # nothing is due before then (see changed())
            self._ticked = seen
            due = float("inf")
            gone = []
            for domain in self.domains.values():
                while domain.pending and domain.pending[0][0] <= now:
                    _, status = domain.pending.pop(0)
                    domain.status = status
                    domain.modified = now
                    if status == "deleted":
                        break
                if domain.status == "deleted":
                    gone.append(domain.name)
                elif domain.pending:
                    due = min(due, domain.pending[0][0])
                for config in domain.configs:  # BatchSetCdnDomainConfig's, once applied
                    if config.get("Status") == "configuring":
                        if config.get("done_at", 0) <= now:
                            config["Status"] = "success"
                        else:
                            due = min(due, config["done_at"])
            for name in gone:
                del self.domains[name]
            for task in self.refresh_tasks:
                if task["Status"] == "Refreshing":
                    if task["done_at"] <= now:
                        task["Status"], task["Process"] = "Complete", "100%"
                    else:
                        due = min(due, task["done_at"])
            self._next_due = due

    def domains_in_order(self) -> list[SandboxDomain]:
        """Every domain in DescribeUserDomains' order (listing_order), sorted once per
        change of the set of domains, not once per request. Callers filter it; they do
        not change it."""
        with self.lock:
            version: int | None = getattr(self.domains, "version", None)  # None: a plain dict
            ordered = self._ordered
            if version is None or ordered is None or ordered[0] != version:
                ordered = (version or 0, sorted(self.domains.values(), key=listing_order))
                self._ordered = ordered
            return ordered[1]

    # -- credentials and RAM -------------------------------------------------------

    def issue_sts(self, duration: float = 3600.0) -> StsCredential:
        """A new temporary key pair and token, valid `duration` sandbox seconds (STS
        AssumeRole's DurationSeconds: 900 to 3600 by default)."""
        with self.lock:
            credential = StsCredential(
                "STS." + _random_token(28),
                _random_token(44),
                _random_token(300),
                self.now() + duration,
            )
            self.sts[credential.access_key_id] = credential
            return credential

    def secret_for(self, access_key_id: str) -> str | None:
        """The secret of a key pair the sandbox knows (the account's or one it issued)."""
        with self.lock:
            if access_key_id == self.access_key_id:
                return self.access_key_secret
            sts = self.sts.get(access_key_id)
            return sts.access_key_secret if sts else None

    def token_problem(self, access_key_id: str, token: str | None) -> str | None:
        """Why a request's SecurityToken is refused, as the RPC gateway's code
        ("InvalidSecurityToken.Expired", ...), or None when it is fine (an account key
        carries none)."""
        with self.lock:
            sts = self.sts.get(access_key_id)
            if sts is None:
                return None
            if not token:
                return "MissingSecurityToken"
            if not secrets.compare_digest(token.encode(), sts.security_token.encode()):
                return "InvalidSecurityToken.MismatchWithAccessKey"
            if self.now() >= sts.expires_at:
                return "InvalidSecurityToken.Expired"
            return None

    def is_denied(self, ram_action: str) -> bool:
        with self.lock:
            return ram_action in self.denied

    # -- zones and records ----------------------------------------------------------

    def add_zone(self, name: str, **kwargs) -> SandboxZone:
        with self.lock:
            zone = SandboxZone(name=name, domain_id=_random_token(8).lower(), **kwargs)
            self.zones[name] = zone
            return zone

    def zone_for(self, fqdn: str) -> SandboxZone | None:
        """The longest zone that contains `fqdn` (hosted here or elsewhere)."""
        fqdn = fqdn.rstrip(".").lower()
        best = None
        for name, zone in self.zones.items():
            if (fqdn == name or fqdn.endswith("." + name)) and (
                best is None or len(name) > len(best.name)
            ):
                best = zone
        return best

    def current_records(self, zone: str | None = None) -> list[RecordVersion]:
        """Records as the Alidns API shows them now (enabled or not)."""
        with self.lock:
            return [
                r for r in self.records if r.deleted_at is None and (zone is None or r.zone == zone)
            ]

    def sorted_records(self, zone: str) -> list[RecordVersion]:
        """The zone's current records in DescribeDomainRecords' order (record_order),
        sorted once per change (records_version, or a record appended to `records`
        directly), not once per request. Callers filter it; they do not change it."""
        with self.lock:
            key = (self.records_version, len(self.records))
            cached = self._sorted_records.get(zone)
            if cached is None or cached[0] != key:
                if any(k != key for k, _ in self._sorted_records.values()):
                    self._sorted_records.clear()  # every zone's is stale
                cached = (key, sorted(self.current_records(zone), key=record_order))
                self._sorted_records[zone] = cached
            return cached[1]

    def records_at(self, t: float | None = None) -> list[RecordVersion]:
        """Enabled records live at sandbox time `t`: what DNS served then."""
        with self.lock:
            t = self.now() if t is None else t
            return [r for r in self.records if r.enabled and r.live_at(t)]

    def add_record(self, zone: str, rr: str, type: str, value: str, **kwargs) -> RecordVersion:
        with self.lock:
            record = RecordVersion(
                record_id=kwargs.pop("record_id", None) or self.next_id(),
                zone=zone,
                rr=rr,
                type=type,
                value=value,
                created_at=kwargs.pop("created_at", None) or self.now(),
                **kwargs,
            )
            self.records.append(record)
            self.records_version += 1
            return record

    def find_record(self, record_id: str) -> RecordVersion | None:
        with self.lock:
            for r in self.records:
                if r.record_id == record_id and r.deleted_at is None:
                    return r
            return None

    def replace_record(self, record_id: str, **changes) -> RecordVersion:
        """Close the record's current version and open a changed one (same id)."""
        with self.lock:
            old = self.find_record(record_id)
            if old is None:
                raise KeyError(record_id)
            now = self.now()
            old.deleted_at = now
            self.records_version += 1
            fields = {**old.__dict__, **changes, "created_at": now, "deleted_at": None}
            new = RecordVersion(**fields)
            self.records.append(new)
            return new

    def delete_record(self, record_id: str) -> RecordVersion:
        with self.lock:
            old = self.find_record(record_id)
            if old is None:
                raise KeyError(record_id)
            old.deleted_at = self.now()
            self.records_version += 1
            return old

    def record_problem(
        self, zone: str, rr: str, type: str, value: str, line: str, ignore_id: str | None = None
    ) -> str | None:
        """The Alidns error code adding/updating this record would get, or None.

        DomainRecordDuplicate: the same RR, type, value and line exist.
        DomainRecordConflict: a CNAME beside any other record at the same RR and line,
        except that at `@` a CNAME may stand beside MX, TXT and NS (Alibaba Cloud DNS'
        "DNS record conflicts" page: at the apex a CNAME may coexist with NS, MX and TXT,
        with a warning about the risk).
        """
        with self.lock:
            for r in self.current_records(zone):
                if r.record_id == ignore_id or r.rr.lower() != rr.lower() or r.line != line:
                    continue
                if r.type == type and r.value.rstrip(".").lower() == value.rstrip(".").lower():
                    return "DomainRecordDuplicate"
                if "CNAME" in (r.type, type):
                    other = r.type if type == "CNAME" else type
                    if rr == "@" and other in ("MX", "TXT", "NS"):
                        continue
                    return "DomainRecordConflict"
            return None

    # -- CDN ------------------------------------------------------------------------

    def add_domain(
        self,
        name: str,
        cdn_type: str,
        sources: list[dict],
        scope: str,
        *,
        status: str | None = None,
        created: float | None = None,
    ) -> SandboxDomain:
        """A new CDN domain: configuring now, online after `configure_delay`."""
        with self.lock:
            now = self.now()
            domain = SandboxDomain(
                name=name,
                cdn_type=cdn_type,
                sources=sources,
                scope=scope,
                cname=cname_for(name),
                created=created if created is not None else now,
                modified=now,
                domain_id=int(self.next_id()),
            )
            if status is None:
                domain.status = "configuring"
                domain.pending = [(now + self.configure_delay, "online")]
                self.changed()
            else:
                domain.status = status
            self.domains[name] = domain
            return domain

    def move_domain(self, name: str, status: str, then: str, delay: float) -> SandboxDomain:
        """Put a domain in a passing status now (stopping, deleting...) and in `then`
        after `delay` sandbox seconds. `then` may be "deleted": tick() removes it."""
        with self.lock:
            domain = self.domains[name]
            now = self.now()
            domain.status = status
            domain.modified = now
            domain.pending = [(now + delay, then)]
            self.changed()
            return domain

    def icp_filed(self, domain: str) -> bool:
        """Whether the domain's root has an ICP filing: the zone's flag; a root outside
        the world has none."""
        with self.lock:
            zone = self.zones.get(self.root_of(domain))
            return zone is not None and zone.icp_filed

    def mark_verified(self, domain: str) -> None:
        """CDN saw proof of ownership of the domain's root: no more verification there."""
        with self.lock:
            root = self.root_of(domain)
            self.verified_roots.add(root)
            zone = self.zones.get(root)
            if zone is not None:
                zone.verified_for_cdn = True

    def root_of(self, domain: str) -> str:
        """The root (registrable) domain CDN verifies ownership of."""
        name = domain.lstrip("*").lstrip(".")
        zone = self.zone_for(name)
        if zone is not None:
            return zone.name
        return ".".join(name.split(".")[-2:])

    def verify_content(self, domain: str) -> str:
        digest = hashlib.md5(f"{self.account_uid}:{self.root_of(domain)}".encode()).hexdigest()
        return f"verify_{digest}"

    def is_verified(self, domain: str) -> bool:
        root = self.root_of(domain)
        zone = self.zones.get(root)
        return bool(zone and zone.verified_for_cdn) or root in self.verified_roots

    # -- CDN cache tasks and the edge's view of them -----------------------------------

    def add_cache_task(
        self, path: str, object_type: str, seconds: float, *, status: str = "Refreshing"
    ) -> str:
        """Record a refresh (file/directory/regex) or prefetch (preload) task that
        completes `seconds` from now (tick() marks it); its TaskId."""
        with self.lock:
            now = self.now()
            task_id = self.next_id()
            self.refresh_tasks.append(
                {
                    "TaskId": task_id,
                    "ObjectPath": path,
                    "ObjectType": object_type,
                    "Status": status,
                    "Process": "100%" if status != "Refreshing" else "0%",
                    "CreationTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
                    "Description": "",
                    "created_at": now,
                    "done_at": now + seconds,
                }
            )
            self.changed()
            return task_id

    def quota_remaining(self, name: str) -> int:
        """What is left today of the quota `name` ("Url", "Dir", "Preload"...): tasks
        of the last day count, failed ones too (the API counted them when submitted)."""
        with self.lock:
            kind = QUOTA_TASK_TYPES.get(name)
            since = self.now() - DAY
            used = sum(
                1
                for t in self.refresh_tasks
                if kind is not None and t["ObjectType"] == kind and t["created_at"] >= since
            )
            return max(self.refresh_quotas.get(name, 0) - used, 0)

    def last_purge(self, url: str) -> float | None:
        """When the latest completed refresh task covering `url` completed, or None:
        a copy the edge cached before then is gone."""
        host, path = cache_target(url)
        with self.lock:
            self.tick()
            times = [
                t["done_at"]
                for t in self.refresh_tasks
                if t["Status"] == "Complete"
                and t["ObjectType"] != "preload"
                and task_covers(t, host, path)
            ]
            return max(times, default=None)

    def last_prefetch(self, url: str) -> float | None:
        """When the latest completed prefetch of exactly `url` completed, or None."""
        host, path = cache_target(url)
        with self.lock:
            self.tick()
            times = [
                t["done_at"]
                for t in self.refresh_tasks
                if t["Status"] == "Complete"
                and t["ObjectType"] == "preload"
                and cache_target(t["ObjectPath"]) == (host, path)
            ]
            return max(times, default=None)

    def object_changed(self, bucket: str, key: str) -> list[str]:
        """A PutObject or DeleteObject of `key` in `bucket`: for each CNAME bound to the
        bucket with Auto CDN Cache Update on (IsPurgeCdnCache), OSS submits a File
        refresh of `http://<domain>/<key>`, which completes a little later. It draws
        on the CDN refresh quota (alibaba-api-facts.md); with none left it is recorded
        Failed and the edge keeps its copy (what the real one does then is not
        documented). Returns the task ids."""
        with self.lock:
            found = self.buckets.get(bucket)
            if found is None:
                return []
            ids = []
            for domain, (status, purge) in sorted(found.cnames.items()):
                if not purge or status.lower() != "enabled":
                    continue
                left = self.quota_remaining("Url") > 0
                ids.append(
                    self.add_cache_task(
                        f"http://{domain}/{key}",
                        "file",
                        AUTO_REFRESH_SECONDS,
                        status="Refreshing" if left else "Failed",
                    )
                )
            return ids

    # -- the seed: a small, varied account ------------------------------------------

    def _seed(self) -> None:
        day = 86400.0
        now = self.now()
        for name, location, age in (
            ("demo-assets", "oss-cn-hangzhou", 400),
            ("demo-video", "oss-cn-shanghai", 200),
            ("demo-downloads", "oss-ap-southeast-1", 30),
        ):
            self.buckets[name] = SandboxBucket(name, location, created=now - age * day)
        # Both kinds of origin: demo-assets is public-read, so its domains serve at
        # once; demo-video and demo-downloads are private, as a new bucket is, so their
        # domains answer 403 until back-to-origin authentication is on.
        self.buckets["demo-assets"].acl = "public-read"
        self.buckets["demo-assets"].accepts_v1 = True  # the older bucket (see accepts_v1)
        self.buckets["demo-assets"].objects["index.html"] = b"<h1>Hello from OSS</h1>\n"
        self.buckets["demo-assets"].objects["img/logo.png"] = b"\x89PNG sandbox logo"
        self.buckets["demo-video"].objects["clips/intro.mp4"] = b"\x00\x00\x00\x18ftypmp42 sandbox"
        self.buckets["demo-video"].objects["index.html"] = b"<h1>Videos</h1>\n"
        self.buckets["demo-downloads"].objects["releases/app-1.0.zip"] = b"PK\x03\x04 sandbox"
        self.buckets["demo-assets"].cnames["img.example.com"] = ("Enabled", True)
        self.buckets["demo-assets"].cnames["static.example.com"] = ("Enabled", False)

        # A zone already verified for CDN, with domains in varied states.
        self.add_zone("example.com", verified_for_cdn=True)
        # A zone in this account's Alidns not yet verified: the ownership flow. It has
        # no ICP filing either: only the scope `overseas` can take its names.
        self.add_zone("newsite.net", icp_filed=False)
        # A zone under a two-label public suffix.
        self.add_zone("example.com.cn", verified_for_cdn=True)
        # DNS hosted at another provider: served by the sandbox's authoritative server,
        # but not in this account's Alidns.
        self.add_zone("partner.org", hosted_in_alidns=False, verified_for_cdn=True)

        hz = "demo-assets.oss-cn-hangzhou.aliyuncs.com"
        sh = "demo-video.oss-cn-shanghai.aliyuncs.com"
        sg = "demo-downloads.oss-ap-southeast-1.aliyuncs.com"

        def oss(content: str, port: int = 80) -> list[dict]:
            return [
                {"content": content, "type": "oss", "port": port, "priority": "20", "weight": "10"}
            ]

        t0 = now - 90 * day
        self.add_domain("img.example.com", "web", oss(hz), "domestic", status="online", created=t0)
        self.add_domain(
            "static.example.com",
            "web",
            oss(hz, 443),
            "global",
            status="online",
            created=t0 + 5 * day,
        )
        self.add_domain("video.example.com", "video", oss(sh), "domestic", created=now - 60)
        self.add_domain(
            "old.example.com", "web", oss(hz), "overseas", status="offline", created=t0 - 200 * day
        )
        self.add_domain(
            "dl.example.com",
            "download",
            oss(sg),
            "overseas",
            status="check_failed",
            created=now - 3 * day,
        )
        self.add_domain(
            "cdn.partner.org", "web", oss(hz), "global", status="online", created=t0 + 20 * day
        )

        old = now - 30 * day
        ex = "example.com"
        self.add_record(ex, "@", "A", "127.0.0.10", created_at=old)
        self.add_record(ex, "@", "MX", "mx1.example.com", priority=10, created_at=old)
        self.add_record(ex, "@", "TXT", "v=spf1 -all", created_at=old)
        self.add_record(ex, "www", "A", "127.0.0.11", created_at=old)
        self.add_record(ex, "www2", "A", "127.0.0.12", created_at=old)
        self.add_record(ex, "mx1", "A", "127.0.0.13", created_at=old)
        self.add_record(ex, "img", "CNAME", cname_for("img.example.com"), created_at=old)
        self.add_record(ex, "_dmarc", "TXT", "v=DMARC1; p=none", locked=True, created_at=old)
        self.add_record("newsite.net", "@", "A", "127.0.0.20", created_at=old)
        self.add_record("newsite.net", "www", "A", "127.0.0.21", created_at=old)
        self.add_record("example.com.cn", "@", "A", "127.0.0.30", created_at=old)
        self.add_record("partner.org", "@", "A", "127.0.0.40", created_at=old)
        self.add_record("partner.org", "cdn", "CNAME", cname_for("cdn.partner.org"), created_at=old)

        # Names elsewhere: CheckCdnDomainExist tells which product holds them.
        self.foreign_domains.update(
            {
                "taken.example.org": "DomainExistOtherUser",
                "live.example.org": "DomainExistLiveProduct",
                "vod.example.org": "DomainExistVodProduct",
                "dcdn.example.org": "DomainExistDcdnProduct",
                "scdn.example.org": "DomainExistScdnProduct",
            }
        )
