"""`oss-cdn doctor`: can this machine and these credentials do what the app needs?

One read-only round (the profile is made read-only: the service layer refuses any write
before it is sent): where the credentials came from (the chain's step, the profile, the
key id masked), the region, whether each endpoint can be reached (name lookup and TCP
connect, timed), one harmless read per service (CDN DescribeUserDomains page 1 and
DescribeCdnUserQuota, Alidns DescribeDomains, OSS ListBuckets), timed, and for each
failure what to fix: a RAM denial names the action and the policy that grants it.

A table for people, `--json` one object. Exit status: 0 when everything the app needs
works, 1 when something does not (credentials not found included), 2 on a usage error
(argparse's own). Where it talks to: the account whose credentials are found, or with
--sandbox the shared sandbox or one of its own.

Cheap to import (tui.cli builds its parser from here): the SDKs load when it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import socket
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.command_line import CommandFailure, add_account_options, connect_for, timeout_arg
from tui.safe_text import shown

if TYPE_CHECKING:
    from tui.services.facade import Services
    from tui.services.profile import Profile

DEFAULT_TIMEOUT = 5.0
OK, FAIL, INFO = "ok", "fail", "info"


@dataclass
class Check:
    """One line of the report: what was checked, how it went, and what to fix."""

    name: str
    status: str  # ok | fail | info (informative, never a failure)
    detail: str
    ms: float | None = None
    fix: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        found: dict[str, Any] = {"name": self.name, "status": self.status, "detail": self.detail}
        if self.ms is not None:
            found["ms"] = round(self.ms, 1)
        if self.fix:
            found["fix"] = self.fix
        return {**found, **self.data}


def add_doctor_parser(subparsers) -> argparse.ArgumentParser:
    """Add `doctor` to the `oss-cdn` subcommands; `run_doctor` runs what it parses."""
    parser = subparsers.add_parser(
        "doctor",
        help="check the credentials, permissions and endpoints the app needs (read-only)",
        description="Check, without changing anything, where the credentials come from, "
        "whether Alibaba Cloud's endpoints can be reached, and whether CDN, Alibaba Cloud "
        "DNS and OSS each answer a harmless read; say what to fix. Exit status 0: all the "
        "app needs works; 1: something does not; 2: usage error.",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of a table"
    )
    parser.add_argument(
        "--timeout",
        type=timeout_arg,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds to wait for each endpoint's connection (default {DEFAULT_TIMEOUT:g})",
    )
    add_account_options(parser, "doctor")
    return parser


def run_doctor(args: argparse.Namespace, *, profile: Profile | None = None) -> int:
    """Run the checks for parsed `doctor` arguments and print the report; returns the exit
    status. `profile`: where to talk to (tests); else tui.launch.connect's, like `check`."""
    box = None
    checks: list[Check] = []
    try:
        if profile is None:
            profile, box = connect_for(args, "doctor")
        checks = asyncio.run(diagnose(profile, timeout=args.timeout))
    except CommandFailure as failure:
        checks = [_no_credentials(failure)]
    finally:
        if box is not None:
            box.stop()
    healthy = all(c.status != FAIL for c in checks)
    sys.stdout.write(_json(profile, checks, healthy) if args.json else _table(checks, healthy))
    return 0 if healthy else 1


def _no_credentials(failure: CommandFailure) -> Check:
    return Check(
        "credentials",
        FAIL,
        str(failure),
        fix="Give keys with ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, "
        "or `aliyun configure` a profile (then --profile NAME).",
    )


async def diagnose(profile: Profile, *, timeout: float = DEFAULT_TIMEOUT) -> list[Check]:
    """Every check, in the order a person reads them. Never writes: the profile is
    read-only for the service layer."""
    from tui.services.facade import Services
    from tui.services.retry import RetryPolicy

    profile = dataclasses.replace(profile, read_only=True)
    checks = [_credentials(profile), _region(profile)]
    checks += await asyncio.gather(
        *(_reach(name, host, port, timeout) for name, host, port in endpoints(profile))
    )
    # One retry at most: a doctor that waits through backoffs says nothing sooner.
    services = Services(profile, retry=RetryPolicy(max_attempts=2))
    try:
        checks.append(await _cdn(services))
        checks.append(await _quota(services, checks[-1]))
        checks.append(await _zones(services))
        checks.append(await _buckets(services))
    finally:
        await services.close()
    return checks


# -- where it talks to -------------------------------------------------------------------


def _credentials(profile: Profile) -> Check:
    source = profile.credential_source or "the default credential chain"
    kind = "STS token" if profile.security_token or "STS token" in source else "AccessKey"
    return Check(
        "credentials",
        OK,
        f"{kind} {profile.masked_key_id or '(id unknown)'} from {source}; profile {profile.name}",
        data={"source": source, "key_id": profile.masked_key_id, "profile": profile.name},
    )


def _region(profile: Profile) -> Check:
    return Check("region", INFO, profile.region, data={"region": profile.region})


def endpoints(profile: Profile) -> list[tuple[str, str, int]]:
    """(label, host, port) of each API endpoint the app calls."""
    default_port = 443 if profile.protocol == "https" else 80
    found = []
    for label, endpoint in (
        ("CDN endpoint", profile.cdn_endpoint),
        ("Alidns endpoint", profile.dns_endpoint),
        ("OSS endpoint", profile.oss_url),
    ):
        scheme, _, rest = endpoint.rpartition("://")
        port = 443 if scheme == "https" else 80 if scheme == "http" else default_port
        host, _, given = rest.split("/", 1)[0].rpartition(":")
        if not host or not given.isdigit():
            host, given = rest.split("/", 1)[0], str(port)
        found.append((label, host, int(given)))
    return found


async def _reach(label: str, host: str, port: int, timeout: float) -> Check:
    """Name lookup then a TCP connection, each timed; nothing is sent."""
    loop = asyncio.get_running_loop()
    start = time.monotonic()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout
        )
    except (OSError, asyncio.TimeoutError) as error:
        return Check(
            label,
            FAIL,
            f"{host}: the name does not resolve ({type(error).__name__})",
            fix="Check the machine's DNS resolver (/etc/resolv.conf) and network.",
        )
    resolved = (time.monotonic() - start) * 1000
    family, _, _, _, address = infos[0]
    ip, port = str(address[0]), int(address[1])
    start = time.monotonic()
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(ip, port, family=family), timeout
        )
    except (OSError, asyncio.TimeoutError) as error:
        timed_out = isinstance(error, asyncio.TimeoutError)
        reason = "timed out" if timed_out else "refused or unreachable"
        return Check(
            label,
            FAIL,
            f"{host}:{port} ({address[0]}): connection {reason}",
            fix=f"Check the network, firewall or proxy between this machine and {host}:{port}.",
        )
    connected = (time.monotonic() - start) * 1000
    writer.close()
    return Check(
        label,
        OK,
        f"{host}:{port} ({address[0]}) resolved in {resolved:.0f} ms, connected",
        ms=connected,
        data={"host": host, "port": port, "address": address[0], "resolve_ms": round(resolved, 1)},
    )


# -- one harmless read per service -------------------------------------------------------


async def _timed(awaitable) -> tuple[Any, float, Exception | None]:
    from tui.services.errors import ServiceError

    start = time.monotonic()
    try:
        result = await awaitable
    except ServiceError as error:
        return None, (time.monotonic() - start) * 1000, error
    return result, (time.monotonic() - start) * 1000, None


def _failed(name: str, error: Exception, ms: float) -> Check:
    """A read that failed: the cloud's words, and what to fix."""
    from tui.explain import credentials_advice
    from tui.services.errors import is_access_denied, policy_statement, ram_action

    data: dict[str, Any] = {"code": getattr(error, "code", "") or type(error).__name__}
    if is_access_denied(error):
        action = ram_action(error)
        data["denied_action"] = action
        data["policy"] = json.loads(policy_statement(action)) if action else None
        fix = (
            f"Grant {action} to this RAM user or role (policy: "
            f"{json.dumps(data['policy'], separators=(',', ':'))})."
            if action
            else "Ask an administrator for the permission."
        )
    else:
        fix = credentials_advice(error).split(" Run `oss-cdn doctor`")[0] or _network_fix(error)
    return Check(name, FAIL, str(error), ms=ms, fix=fix, data=data)


def _network_fix(error: Exception) -> str:
    from tui.services.errors import NetworkError

    if isinstance(error, NetworkError):
        return "The endpoint could not be reached: see the endpoint checks above."
    return ""


async def _cdn(services: Services) -> Check:
    count, ms, error = await _timed(services.cdn.domain_count())
    if error is not None:
        return _failed("CDN DescribeUserDomains", error, ms)
    return Check(
        "CDN DescribeUserDomains",
        OK,
        f"{count} domain(s) in CDN",
        ms=ms,
        data={"domains": count},
    )


async def _quota(services: Services, domains: Check) -> Check:
    """DescribeCdnUserQuota's DomainQuota against the count. A refusal is reported, not
    a failure: the app reads it only to tell the add form how many domains are left."""
    quota, ms, error = await _timed(services.cdn.domain_limit(fresh=True))
    if error is not None:
        check = _failed("CDN DescribeCdnUserQuota", error, ms)
        check.status = INFO
        check.detail = f"the domain quota could not be read: {error}"
        return check
    used = domains.data.get("domains")
    detail = f"{used} of {quota} domains used" if used is not None else f"quota {quota} domains"
    return Check(
        "CDN DescribeCdnUserQuota",
        FAIL if used is not None and used >= quota else OK,
        detail,
        ms=ms,
        fix="The quota is reached: delete an unused domain or raise it in Quota Center."
        if used is not None and used >= quota
        else "",
        data={"domain_quota": quota},
    )


async def _zones(services: Services) -> Check:
    zones, ms, error = await _timed(services.dns.list_zones())
    if error is not None:
        return _failed("Alidns DescribeDomains", error, ms)
    names = [z.name for z in zones]
    shown_names = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return Check(
        "Alidns DescribeDomains",
        OK,
        f"{len(names)} zone(s) visible" + (f": {shown_names}" if names else ""),
        ms=ms,
        data={"zones": names},
    )


async def _buckets(services: Services) -> Check:
    buckets, ms, error = await _timed(services.oss.list_buckets())
    if error is not None:
        return _failed("OSS ListBuckets", error, ms)
    return Check(
        "OSS ListBuckets",
        OK,
        f"{len(buckets)} bucket(s); the request signature was accepted",
        ms=ms,
        data={"buckets": len(buckets), "signing_accepted": True},
    )


# -- the report ---------------------------------------------------------------------------


def _json(profile: Profile | None, checks: list[Check], healthy: bool) -> str:
    report = {
        "ok": healthy,
        "sandbox": bool(profile and profile.sandbox),
        "checks": [c.to_json() for c in checks],
    }
    return json.dumps(report) + "\n"


MARKS = {OK: "ok", FAIL: "FAIL", INFO: "--"}


def _table(checks: list[Check], healthy: bool) -> str:
    """Names, marks, timings and details in columns; what to fix under a failing line.
    Everything from the cloud or the user's files goes through shown()."""
    rows = [
        (
            shown(c.name, 60),
            MARKS[c.status],
            "" if c.ms is None else f"{c.ms:.0f} ms",
            shown(c.detail, 1000),
        )
        for c in checks
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = []
    for check, row in zip(checks, rows, strict=True):
        head = "  ".join(
            (row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].rjust(widths[2]))
        )
        lines.append(f"{head}  {row[3]}".rstrip())
        if check.fix and check.status == FAIL:
            lines.append(f"{'':{widths[0]}}  fix: {shown(check.fix, 1000)}")
    verdict = (
        "All the app needs works."
        if healthy
        else "Something the app needs does not work: see the fix lines above."
    )
    return "\n".join([*lines, "", verdict]) + "\n"
