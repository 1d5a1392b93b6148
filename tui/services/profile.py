"""Where the service layer talks to: real Alibaba Cloud, or the embedded sandbox.

The sandbox is only another Profile whose endpoints point at 127.0.0.1: the code path
to it is the same official SDKs over HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Profile:
    name: str  # the aliyun-cli profile name, "default", or "sandbox"
    region: str
    sandbox: bool = False
    cdn_endpoint: str = "cdn.aliyuncs.com"
    dns_endpoint: str = "alidns.aliyuncs.com"
    # oss2 wants a URL; a region's public endpoint by default.
    oss_endpoint: str = ""
    protocol: str = "https"
    # Secrets: never in repr, never in a log or on screen.
    access_key_id: str = field(default="", repr=False)
    access_key_secret: str = field(default="", repr=False)
    security_token: str = field(default="", repr=False)
    # An alibabacloud_credentials Client (the default chain) when not static keys.
    credential: object = field(default=None, repr=False, compare=False)
    # Sandbox only: its authoritative name servers and simulated public resolvers.
    nameservers: tuple[str, ...] = ()
    resolvers: tuple[tuple[str, str], ...] = ()
    connect_timeout_ms: int = 5000
    read_timeout_ms: int = 10000
    # Sandbox only: the process serving it when it is the shared one (`oss-cdn sandbox
    # serve`); 0 when this process runs a sandbox of its own.
    sandbox_pid: int = 0
    # Auditing mode: the service layer refuses every write before anything is sent.
    read_only: bool = False
    # Sandbox only: sandbox seconds per real second (its clock runs this much faster).
    sandbox_speed: float = 1.0
    # Sandbox only: "HOST:PORT" of its CDN edge, where every CNAME target resolves (the
    # real edge is on 80/443; only the port differs). Empty: a sandbox without one.
    edge: str = ""
    # Where the credentials came from, in words (the chain's step: "environment variables
    # (ALIBABA_CLOUD_ACCESS_KEY_ID)", "aliyun-cli profile 'dev' in ~/.aliyun/config.json",
    # "the sandbox"...), and their AccessKey ID masked: what error messages and `oss-cdn
    # doctor` name. Never the ID in full, never a secret.
    credential_source: str = ""
    key_id_hint: str = ""

    @property
    def masked_key_id(self) -> str:
        return mask_key_id(self.access_key_id) if self.access_key_id else self.key_id_hint

    @property
    def label(self) -> str:
        """What the header shows: unmistakably sandbox (whose), or the profile and region."""
        if self.sandbox:
            return (
                f"SANDBOX (shared, pid {self.sandbox_pid})"
                if self.sandbox_pid
                else ("SANDBOX (own)")
            )
        return f"{self.name} · {self.region}"

    @property
    def oss_url(self) -> str:
        if self.oss_endpoint:
            if "://" in self.oss_endpoint:
                return self.oss_endpoint
            return f"{self.protocol}://{self.oss_endpoint}"
        return f"https://oss-{self.region}.aliyuncs.com"


def mask_key_id(key_id: str) -> str:
    """An AccessKey ID as it may be shown: its first and last four characters
    (`LTAI****Qz9x`, `STS.****abcd`); a short one not at all."""
    return f"{key_id[:4]}****{key_id[-4:]}" if len(key_id) >= 12 else "****"


def sandbox_profile(info: dict, *, shared: bool = False) -> Profile:
    """A Profile for the embedded sandbox, from its `info` (the `serve --json` object);
    `shared`: the record of a running `oss-cdn sandbox serve`, which carries its pid."""

    def host_port(value: str) -> str:
        return value.split("://", 1)[-1]

    return Profile(
        name="sandbox",
        region="cn-hangzhou",
        sandbox=True,
        cdn_endpoint=host_port(info["cdn_endpoint"]),
        dns_endpoint=host_port(info["dns_api_endpoint"]),
        oss_endpoint="http://" + host_port(info["oss_endpoint"]),
        protocol="http",
        access_key_id=info["access_key_id"],
        access_key_secret=info["access_key_secret"],
        nameservers=tuple(info["nameservers"]),
        resolvers=tuple(info["resolvers"].items()),
        # Loopback answers in milliseconds; short timeouts keep fault tests quick.
        connect_timeout_ms=2000,
        read_timeout_ms=5000,
        sandbox_pid=int(info["pid"]) if shared else 0,
        sandbox_speed=float(info.get("speed") or 1.0),
        edge=host_port(str(info.get("edge") or "")),
        credential_source="the sandbox's own key pair",
    )


# -- pacing: how long until the next poll ------------------------------------------------

# A sandbox polled faster than this gains nothing a person could see, and a test sandbox
# (1000x) would be asked every few milliseconds.
MIN_SANDBOX_POLL = 0.5


def real_seconds(profile: Profile | None, cloud_seconds: float) -> float:
    """`cloud_seconds` of the clock `profile` talks to, in real seconds: the same for
    Alibaba Cloud, `sandbox_speed` times fewer for the sandbox (a TTL it answers, say)."""
    if profile is None or not profile.sandbox or not profile.sandbox_speed > 0:
        return cloud_seconds
    return cloud_seconds / profile.sandbox_speed


def poll_interval(profile: Profile | None, cloud_seconds: float) -> float:
    """Real seconds until the next poll of something polled every `cloud_seconds` against
    Alibaba Cloud. The sandbox's state moves `sandbox_speed` times faster, so it is polled
    that much sooner, though never more often than every MIN_SANDBOX_POLL seconds, nor
    less often than the cloud (a sandbox slower than real time)."""
    return min(cloud_seconds, max(MIN_SANDBOX_POLL, real_seconds(profile, cloud_seconds)))
