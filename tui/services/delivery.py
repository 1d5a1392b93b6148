"""The delivery check: is a URL on a CDN domain served through the CDN, and is it the
object the origin holds?

One check, in the order a request travels, each step under the timeout:
1. the CDN domain that serves the URL's host (the name itself, else a wildcard above it):
   not online -> `offline`;
2. the host resolved through one DNS server (a --resolver, the sandbox's first simulated
   resolver, or the machine's), its CNAME chain followed: not reaching the domain's CDN
   CNAME -> `not-cdn`;
3. a GET to the address the chain ends at (port 80/443; in the sandbox its edge's port)
   with the URL's `Host`, its status, CDN headers and body hash read;
4. a HEAD of the same object in OSS (ETag, size), and the judgement
   (tui.delivery_rules.judge): served, stale, denied, not-found, error.

Cheap to import: dnspython and aiohttp are imported when a check runs (the screen module
that uses this must not bring them before the app's first paint).
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.delivery_rules import (
    EdgeAnswer,
    FetchUrl,
    OriginObject,
    Verdict,
    candidate_domains,
    cdn_headers,
    first_object,
    judge,
    object_url,
    oss_error_code,
    parse_url,
)
from tui.rules import display_name, parse_origin

from .errors import CloudError, ServiceError
from .models import CdnDomain, OssObject

if TYPE_CHECKING:
    from .cdn import CdnService
    from .oss import OssService
    from .profile import Profile
    from .propagation import Target

DEFAULT_TIMEOUT = 10.0  # seconds for each step: DNS, the edge's answer, OSS
MAX_BODY = 64 * 1024 * 1024  # bytes hashed at most; a larger body is compared by its headers
CHUNK = 64 * 1024


class DeliveryError(ServiceError):
    """The check cannot start: the host is on no CDN domain of this account."""

    def __init__(self, message: str, code: str = "NotCdnDomain") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Delivery:
    """The outcome of one check, with its evidence. Holds nothing secret: no request
    header is kept, only the CDN's answer headers (tui.delivery_rules.CDN_HEADERS)."""

    url: str
    verdict: Verdict
    explanation: str
    domain: str = ""  # the CDN domain serving the host (".example.com" for a wildcard)
    status: int | None = None  # the edge's HTTP status
    cache: str | None = None  # HIT | MISS, None when not from a CDN cache
    headers: tuple[tuple[str, str], ...] = ()
    edge: str = ""  # "ADDRESS:PORT" the request went to
    etag: str = ""  # the edge's, normalised (no quotes, upper case)
    size: int | None = None
    last_modified: str = ""  # the edge's Last-Modified header
    origin_etag: str = ""
    origin_size: int | None = None
    origin_modified: float | None = None  # unix time
    resolver: str = ""  # the DNS server asked
    chain: tuple[str, ...] = ()  # what it answered: CNAMEs then addresses
    example: str = ""  # for the domain alone: a real object's URL to fetch instead
    elapsed_ms: float = 0.0  # the edge's answer time (the whole check's before it)

    def to_json(self) -> dict[str, Any]:
        """`oss-cdn fetch --json`'s object: exactly these members."""
        return {
            "url": self.url,
            "verdict": self.verdict.value,
            "status": self.status,
            "cache": self.cache,
            "headers": dict(self.headers),
            "edge": self.edge or None,
            "etag": self.etag or None,
            "origin_etag": self.origin_etag or None,
            "elapsed_ms": self.elapsed_ms,
            "explanation": self.explanation,
        }


def edge_port(profile: Profile) -> int | None:
    """The sandbox edge's port (`Profile.edge`, "HOST:PORT"); None on a real account,
    where the edge listens on 80/443."""
    if not profile.sandbox or not profile.edge:
        return None
    return int(profile.edge.rsplit(":", 1)[1])


def default_resolver(profile: Profile) -> Target | None:
    """The sandbox's first simulated resolver, or the machine's own on a real account
    (None when it has none)."""
    from .propagation import Target, parse_address, system_target

    if profile.sandbox:
        if not profile.resolvers:
            return None
        name, address = profile.resolvers[0]
        return Target(name, *parse_address(address))
    return system_target()


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _describe(error: BaseException) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__


class DeliveryService:
    """Delivery checks for one profile. `cdn` and `oss` are its services (the facade's)."""

    def __init__(
        self,
        profile: Profile,
        cdn: CdnService,
        oss: OssService,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.profile = profile
        self.cdn = cdn
        self.oss = oss
        self.timeout = timeout

    async def serving_domain(self, host: str) -> CdnDomain:
        """The CDN domain serving `host`: the name itself, else the closest wildcard
        above it. Raises DeliveryError when none of this account does."""
        for name in candidate_domains(host):
            found = await asyncio.wait_for(self.cdn.find(name), self.timeout)
            if found is not None:
                return found
        raise DeliveryError(
            f"{host} is not a CDN domain of this account, nor under a wildcard one: "
            "add it first (a on the domain list)"
        )

    async def example_object(self, domain: CdnDomain) -> OssObject | None:
        """A real object of the domain's bucket (the first of its listing), or None."""
        bucket = self.oss.bucket_from_origin(domain.origin)
        page = await asyncio.wait_for(self.oss.list_objects(bucket, max_keys=100), self.timeout)
        key = first_object(o.key for o in page.objects)
        return next((o for o in page.objects if o.key == key), None)

    async def check(self, url: str | FetchUrl, *, resolver: Target | None = None) -> Delivery:
        """One check of `url` (see the module's docstring). A verdict for everything the
        CDN, DNS or the edge answered (a timeout too); raises UrlError for a URL that is
        not one, DeliveryError for a host on no CDN domain, ServiceError when CDN's API
        fails."""
        start = time.perf_counter()
        parsed = url if isinstance(url, FetchUrl) else parse_url(url)
        text = str(parsed)
        try:
            domain = await self.serving_domain(parsed.host)
        except asyncio.TimeoutError:
            raise DeliveryError(f"CDN did not answer in {self.timeout:g} s", "Timeout") from None
        name = display_name(domain.name)

        def verdict(v: Verdict, explanation: str, **evidence: Any) -> Delivery:
            evidence.setdefault("elapsed_ms", _ms(start))
            return Delivery(text, v, explanation, domain=domain.name, **evidence)

        if domain.status != "online":
            return verdict(Verdict.OFFLINE, _offline_text(name, domain.status))
        if not domain.cname:
            return verdict(Verdict.OFFLINE, f"CDN has not assigned {name} a CNAME yet.")

        # dnspython and aiohttp: for the check itself, never at import (see the docstring).
        from aiohttp import ClientError
        from dns.exception import DNSException

        # 2. DNS
        target = resolver or default_resolver(self.profile)
        if target is None:
            return verdict(Verdict.ERROR, "No DNS resolver to ask: give one with --resolver.")
        dns_evidence = {"resolver": target.name}
        try:
            answer = await self._resolve(target, parsed.host)
        except asyncio.TimeoutError:
            return verdict(
                Verdict.ERROR,
                f"The resolver {target.name} did not answer in {self.timeout:g} s.",
                **dns_evidence,
            )
        except (OSError, DNSException) as error:  # the resolver's failure
            return verdict(
                Verdict.ERROR,
                f"The resolver {target.name} could not be asked: {_describe(error)}.",
                **dns_evidence,
            )
        dns_evidence["chain"] = answer.chain
        expected = domain.cname.rstrip(".").lower()
        if expected not in answer.cnames:
            seen = (
                f"resolves to {' -> '.join(answer.chain)}"
                if answer.chain
                else f"has no address ({answer.rcode})"
            )
            return verdict(
                Verdict.NOT_CDN,
                f"{parsed.host} {seen} through {target.name}, not CDN's CNAME {expected}: "
                "create the CNAME record (n on the domain's screen), then watch it spread (p).",
                **dns_evidence,
            )
        if not answer.addresses:
            return verdict(
                Verdict.ERROR,
                f"{expected} has no address through {target.name} ({answer.rcode}).",
                **dns_evidence,
            )

        # 3. the edge
        address = answer.addresses[0]
        port = edge_port(self.profile) or parsed.default_port
        # The sandbox's edge speaks plain HTTP on its own port; the real one both.
        scheme = "http" if edge_port(self.profile) else parsed.scheme
        where = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
        asked = time.perf_counter()
        try:
            edge = await asyncio.wait_for(self._get(parsed, scheme, address, port), self.timeout)
        except asyncio.TimeoutError:
            return verdict(
                Verdict.ERROR,
                f"The edge {where} did not answer in {self.timeout:g} s.",
                edge=where,
                **dns_evidence,
            )
        except (OSError, ClientError) as error:  # refused, reset, not HTTP: no answer
            return verdict(
                Verdict.ERROR,
                f"Could not fetch from the edge {where}: {_describe(error)}.",
                edge=where,
                **dns_evidence,
            )
        evidence: dict[str, Any] = {
            **dns_evidence,
            "edge": where,
            "status": edge.status,
            "cache": edge.cache,
            "headers": edge.headers,
            "etag": edge.etag,
            "size": edge.length,
            "last_modified": edge.header("Last-Modified"),
            "elapsed_ms": _ms(asked),
        }

        # 4. the origin, and the judgement
        oss_origin = parse_origin(domain.origin) if domain.origin else None
        origin_host = domain.origin if oss_origin is not None else ""
        bucket = oss_origin.bucket if oss_origin is not None else ""
        origin: OriginObject | None = None
        example = None
        note = ""
        if origin_host and parsed.root:
            try:
                found = await self.example_object(domain)
            except (ServiceError, asyncio.TimeoutError):
                found = None
            if found is not None:
                example = object_url(parsed, found.key)
                evidence["example"] = example
        elif origin_host:
            try:
                origin = await self._origin(origin_host, parsed.key)
            except asyncio.TimeoutError:
                note = f" (OSS did not answer in {self.timeout:g} s: not compared)"
            except ServiceError as error:  # its message holds no secret
                note = f" (the origin could not be read: {error})"
        if origin is not None:
            evidence.update(
                origin_etag=origin.etag,
                origin_size=origin.size,
                origin_modified=origin.last_modified,
            )
        v, explanation = judge(parsed, domain.name, edge, origin, bucket=bucket, example=example)
        return verdict(v, explanation + note, **evidence)

    async def _resolve(self, target: Target, host: str):
        from .propagation import query_server
        from .verdicts import read_answer

        qname = host + "."
        response = await asyncio.wait_for(query_server(target, qname, self.timeout), self.timeout)
        return read_answer(qname, response)

    async def _origin(self, origin_host: str, key: str) -> OriginObject:
        bucket = self.oss.bucket_from_origin(origin_host)
        try:
            found = await asyncio.wait_for(self.oss.head_object(bucket, key), self.timeout)
        except CloudError as error:
            if error.code in ("NoSuchKey", "NotFound") or error.status == 404:
                return OriginObject(False)
            raise
        return OriginObject(True, found.etag.upper(), found.size, found.last_modified)

    async def _get(self, url: FetchUrl, scheme: str, address: str, port: int) -> EdgeAnswer:
        """GET `url` from `address`:`port`, with the URL's Host (and SNI for https)."""
        import aiohttp

        connector = aiohttp.TCPConnector(
            resolver=_pinned_resolver(url.host, address), force_close=True
        )
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with (
            aiohttp.ClientSession(
                connector=connector, timeout=timeout, trust_env=False, auto_decompress=False
            ) as session,
            session.get(
                f"{scheme}://{url.host}:{port}{url.target}",
                headers={"Host": url.host_header, "Accept-Encoding": "identity"},
                allow_redirects=False,
            ) as response,
        ):
            digest = hashlib.md5(usedforsecurity=False)
            read = 0
            head = b""
            whole = True
            async for chunk in response.content.iter_chunked(CHUNK):
                if read + len(chunk) > MAX_BODY:
                    whole = False
                    break
                digest.update(chunk)
                if len(head) < 65536:
                    head += chunk[: 65536 - len(head)]
                read += len(chunk)
            headers = cdn_headers(response.headers.items())
            length = read if whole else response.content_length
            return EdgeAnswer(
                response.status,
                headers,
                length,
                digest.hexdigest().upper() if whole else "",
                oss_error_code(head) if response.status >= 400 else "",
            )


def _offline_text(name: str, status: str) -> str:
    if status == "configuring":
        return f"{name} is still being configured by CDN (usually 3-5 minutes): wait until online."
    if status == "offline":
        return (
            f"{name} is stopped (offline): the edge does not serve it. Start it with s on "
            f"the domain's screen, or `aliyun cdn StartCdnDomain --DomainName {name}`."
        )
    return f"{name} is {status}, not online: the edge does not serve it."


def _pinned_resolver(host: str, address: str):
    """An aiohttp resolver that answers `host` with the address DNS gave: the request
    goes where the CNAME chain ends, with the URL's own name for Host and TLS (SNI)."""
    from aiohttp.abc import AbstractResolver

    class Pinned(AbstractResolver):
        async def resolve(self, name: str, port: int = 0, family: int = socket.AF_INET):
            if name != host:
                raise OSError(f"not resolving {name}")
            return [
                {
                    "hostname": name,
                    "host": address,
                    "port": port,
                    "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                    "proto": 0,
                    "flags": socket.AI_NUMERICHOST,
                }
            ]

        async def close(self) -> None:
            return None

    return Pinned()
