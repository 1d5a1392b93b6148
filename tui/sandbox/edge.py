"""The sandbox's CDN edge: one HTTP server on loopback standing for every point of presence.

Every CDN CNAME target of the sandbox resolves to its address (dns_answers.py); it listens
on a port of its own (the real edge listens on 80/443, which a user may not bind). Like
the real edge it routes by `Host`, fetches what it does not hold from the domain's OSS
origin over the sandbox's own OSS HTTP API (never by reading the world's objects), and
caches it in sandbox time:

- an object cached on a MISS stays until its TTL ends, or until a refresh task covering
  its URL or directory has completed since (World.last_purge: looked up when asked, so no
  event plumbing); a completed prefetch (World.last_prefetch) makes the next request a
  HIT (fetched from the origin at that moment, saved as of the prefetch);
- the origin fetch is anonymous, as CDN's back-to-origin is, unless the domain has
  back-to-origin authentication for private OSS buckets on (l2_oss_key) and the account
  holds the service-linked role CDN reads private buckets with: then it is signed (the
  edge stands for CDN's role, so it signs with the account's key);
- the origin's error answers (403 AccessDenied of a private bucket, 404 NoSuchKey) pass
  through with their status and XML body, as the real edge passes them on.

Response headers are those Alibaba's edge sends, as captured in the wild (no Alibaba
page defines them): "Server: Tengine", `Via: cache36.l2cn1818[23,200-0,M],
cache14.l2cn1818[39,0], kunlun7.cn1481[0,200-0,H], kunlun7.cn1481[1,0]`, `Age: 1080`,
`X-Cache: HIT TCP_MEM_HIT dirn:-2:-2`, `X-Swift-SaveTime: Tue, 23 Jul 2019 05:52:14 GMT`
(when the node began caching it), `X-Swift-CacheTime: 1765` (the node's cache time in
seconds), `Ali-Swift-Global-Savetime: 1563861134`, `EagleId: 3df09a1b15638622147584175e`
(https://tnie.github.io/2019/11/04/debugCDN, a capture of a real Alibaba CDN response;
a MISS reads `X-Cache: MISS TCP_MISS dirn:-2:-2`).
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import quote, unquote

import aiohttp

from tui.sandbox import signing, web
from tui.sandbox.http_server import serve_on_free_port
from tui.sandbox.world import SandboxDomain, World, cache_target

# What the real edge answers a Host it serves no domain for: 403 from Tengine with
# `X-Tengine-Bf-Error: non-existent domain` (Alibaba, "Troubleshoot a 403 Forbidden error
# when accessing resources through CDN": a name not added to CDN whose traffic reaches
# CDN gets 403 with that header). The page's exact wording is not documented: this is
# Tengine's stock 403 page. A wildcard domain serves one level below it only (deeper
# names get 403: alibaba-api-facts.md), answered the same way.
# A domain that is offline (stopped) or not yet online: StopCdnDomain's page says CDN
# "routes all the requests that are destined for the accelerated domain to the origin
# server", which happens in DNS (the CNAME resolves elsewhere). What a node answers a
# request for it that still arrives was not found documented: the sandbox answers as for
# a domain the node does not carry, which is what a node without its configuration does.
NOT_SERVED_HTML = (
    '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n'
    "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n"
    "<h1>403 Forbidden</h1>\r\n"
    "<p>You don't have permission to access the URL on this server.<hr/>"
    "Powered by Tengine</body>\r\n</html>\r\n"
)
BAD_GATEWAY_HTML = (
    "<!DOCTYPE HTML>\r\n<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<h1>502 Bad Gateway</h1>\r\n<p>The origin could not be reached.<hr/>"
    "Powered by Tengine</body>\r\n</html>\r\n"
)
NOT_ALLOWED_HTML = (
    "<!DOCTYPE HTML>\r\n<html>\r\n<head><title>405 Not Allowed</title></head>\r\n<body>\r\n"
    "<h1>405 Not Allowed</h1>\r\n<hr/>Powered by Tengine</body>\r\n</html>\r\n"
)

# The node names in Via: an L2 cache pair and the kunlun edge pair, as in the capture.
L2_NODES = ("cache1.l2cn0000", "cache2.l2cn0000")
EDGE_NODE = "kunlun1.cn0000"

# Alibaba CDN's default cache policy, when neither the console nor the origin sets a TTL
# ("Specify a TTL value for POPs", section "Alibaba Cloud CDN default cache policy"):
# t = min(max(10, (now - Last-Modified) * 0.1), 3600) seconds; dynamic files are not
# cached. OSS objects in the sandbox carry no Cache-Control, so this always applies:
# a long-unchanged object stays an hour, one written a minute ago ten seconds.
MIN_TTL, MAX_TTL = 10.0, 3600.0
DYNAMIC_SUFFIXES = (".php", ".aspx", ".asp", ".jsp", ".do", ".dwr")

ORIGIN_TIMEOUT = 10.0  # seconds; the origin is the sandbox itself, on loopback


@dataclass
class Copy:
    """What the node holds for one URL."""

    status: int
    body: bytes
    headers: dict[str, str]  # ETag, Last-Modified, Content-Type of the origin's answer
    saved_at: float  # sandbox time
    ttl: float  # sandbox seconds


def default_ttl(path: str, last_modified: float | None, now: float) -> float:
    """The default cache policy's TTL (0: not cached)."""
    if path.lower().endswith(DYNAMIC_SUFFIXES):
        return 0.0
    if last_modified is None:
        return MIN_TTL
    return min(max(MIN_TTL, (now - last_modified) * 0.1), MAX_TTL)


def serving_domain(world: World, host: str) -> SandboxDomain | None:
    """The CDN domain a Host belongs to: its own, else a wildcard one level above."""
    domain = world.domains.get(host)
    if domain is None and "." in host:
        domain = world.domains.get("." + host.split(".", 1)[1])
    return domain


# An OSS origin: <bucket>.oss-<region>[-internal].aliyuncs.com.
ORIGIN_HOST = re.compile(r"^[a-z0-9-]+\.oss-(?P<region>[a-z0-9-]+?)(?:-internal)?\.aliyuncs\.com$")


def origin_host(domain: SandboxDomain) -> str | None:
    """The domain's primary OSS origin, `bkt.oss-cn-hangzhou.aliyuncs.com`."""
    sources = [s for s in domain.sources if str(s.get("type")) == "oss"]
    sources.sort(key=lambda s: str(s.get("priority", "20")))
    if not sources:
        return None
    return str(sources[0].get("content", "")).strip().lower() or None


class Edge:
    def __init__(self, world: World, oss_endpoint: str, host: str = "127.0.0.1") -> None:
        self.world = world
        self.oss_endpoint = oss_endpoint  # host:port of the sandbox's OSS
        self.host = host
        self.port = 0
        self.cache: dict[tuple[str, str], Copy] = {}
        self._runner: web.Served | None = None
        self._session: aiohttp.ClientSession | None = None
        self._serial = itertools.count(1)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    async def start(self) -> int:
        """Listen on an ephemeral port of the sandbox's host; returns it."""
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=ORIGIN_TIMEOUT), auto_decompress=False
        )
        self._runner, self.port = await serve_on_free_port(self._handle, self.host)
        return self.port

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- one request -------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        host = (request.headers.get("Host") or "").rsplit(":", 1)[0].strip().rstrip(".").lower()
        if host.startswith("["):  # an IPv6 literal: no domain is called that
            host = ""
        with self.world.lock:
            self.world.tick()
            domain = serving_domain(self.world, host)
            if domain is None or domain.status != "online":
                return self._page(
                    403, NOT_SERVED_HTML, {"X-Tengine-Bf-Error": "non-existent domain"}
                )
            origin = origin_host(domain)
            signed = domain.private_origin_auth and self.world.private_oss_role
        if request.method not in ("GET", "HEAD"):
            return self._page(405, NOT_ALLOWED_HTML)
        if origin is None:  # an origin the sandbox cannot reach (an IP, another site)
            return self._page(502, BAD_GATEWAY_HTML)
        path = request.rel_url.raw_path or "/"
        if path == "/":
            # No object path: the origin is asked for its root, the bucket itself, and
            # OSS has no default page there: the procedure warns that the bare domain
            # answers AccessDenied even when everything works. Asked unsigned, so the
            # warning holds with back-to-origin authentication on too (whether a signed
            # fetch would list the bucket, the role's policy granting oss:List*, is not
            # documented). Never cached.
            copy = await self._fetch(origin, "", signed=False)
            return self._answer(request, copy, hit=False)
        _, key_path = cache_target(f"{host}{path}")
        url = f"{host}{key_path}"
        held = self._cached(url)
        if held is not None:
            return self._answer(request, held, hit=True)
        copy = await self._fetch(origin, unquote(key_path[1:]), signed)
        return self._answer(request, copy, hit=self._keep(url, copy))

    def _cached(self, url: str) -> Copy | None:
        """The copy still good for `url`, if any: within its TTL and not purged since
        it was saved."""
        now = self.world.now()
        purged = self.world.last_purge(url)
        copy = self.cache.get(cache_target(url))
        if (
            copy is not None
            and now < copy.saved_at + copy.ttl
            and (purged is None or purged <= copy.saved_at)
        ):
            return copy
        return None

    def _keep(self, url: str, copy: Copy) -> bool:
        """Cache a fresh origin answer; True when a completed prefetch had warmed this
        URL (the request counts as a HIT: the object was on the node already)."""
        if copy.status != 200 or copy.ttl <= 0:
            return False
        prefetched = self.world.last_prefetch(url)
        purged = self.world.last_purge(url)
        key = cache_target(url)
        held = self.cache.get(key)
        self.cache[key] = copy
        if (
            prefetched is not None
            and (purged is None or prefetched > purged)
            and (held is None or prefetched > held.saved_at)
            and self.world.now() < prefetched + copy.ttl
        ):
            copy.saved_at = prefetched
            return True
        return False

    async def _fetch(self, origin: str, key: str, signed: bool) -> Copy:
        """The origin's answer to GET /key, over the sandbox's OSS HTTP API.

        Asked the way the real edge asks an OSS origin: virtual-hosted-style, `Host:` the
        origin (`bkt.oss-<region>.aliyuncs.com`) and the key alone in the path; signed
        (back-to-origin authentication) with V4 in the bucket's region, as OSS refuses
        V1 for new accounts and buckets. An origin not shaped like an OSS endpoint is
        asked path-style by its first label.
        """
        headers = {"Date": formatdate(usegmt=True), "User-Agent": "Alibaba Cloud CDN"}
        endpoint = ORIGIN_HOST.match(origin)
        bucket = origin.split(".", 1)[0]
        if endpoint:
            headers["Host"] = origin
            url = f"http://{self.oss_endpoint}/{quote(key, safe='/~')}"
        else:
            url = f"http://{self.oss_endpoint}/{quote(bucket)}/{quote(key, safe='/~')}"
        if signed:
            region = endpoint["region"] if endpoint else "cn-hangzhou"
            headers["Authorization"] = signing.oss4_authorization(
                self.world.access_key_id,
                self.world.access_key_secret,
                "GET",
                bucket,
                key,
                headers,
                region,
                time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
            )
        now = self.world.now()
        assert self._session is not None
        try:
            async with self._session.get(url, headers=headers) as answer:
                body = await answer.read()
                kept = {
                    name: answer.headers[name]
                    for name in (
                        "ETag",
                        "Last-Modified",
                        "Content-Type",
                        "x-oss-request-id",
                        "x-oss-ec",
                    )
                    if name in answer.headers
                }
                status = answer.status
        except (aiohttp.ClientError, TimeoutError):
            return Copy(502, BAD_GATEWAY_HTML.encode(), {"Content-Type": "text/html"}, now, 0)
        modified = None
        if "Last-Modified" in kept:
            try:
                modified = parsedate_to_datetime(kept["Last-Modified"]).timestamp()
            except (TypeError, ValueError):
                modified = None
        return Copy(status, body, kept, now, default_ttl(key, modified, now))

    # -- answers -----------------------------------------------------------------------

    def _answer(self, request: web.Request, copy: Copy, *, hit: bool) -> web.Response:
        now = self.world.now()
        headers = {
            **copy.headers,
            "Server": "Tengine",
            "Date": formatdate(now, usegmt=True),
            "Accept-Ranges": "bytes",
            "Via": self._via(hit, copy.status),
            "X-Cache": "HIT TCP_MEM_HIT dirn:-2:-2" if hit else "MISS TCP_MISS dirn:-2:-2",
            "EagleId": self._eagle_id(now),
        }
        if copy.status == 200 and copy.ttl > 0:
            headers.update(
                {
                    "Age": str(max(int(now - copy.saved_at), 0)) if hit else "0",
                    "X-Swift-SaveTime": formatdate(copy.saved_at, usegmt=True),
                    "X-Swift-CacheTime": str(int(copy.ttl)),
                    "Ali-Swift-Global-Savetime": str(int(copy.saved_at)),
                }
            )
        headers["Content-Length"] = str(len(copy.body))
        if request.method == "HEAD":
            # aiohttp sends no body for HEAD and keeps the length we give.
            return web.Response(status=copy.status, headers=headers)
        return web.Response(status=copy.status, body=copy.body, headers=headers)

    def _page(self, status: int, html: str, extra: dict[str, str] | None = None) -> web.Response:
        now = self.world.now()
        headers = {
            "Server": "Tengine",
            "Date": formatdate(now, usegmt=True),
            "Content-Type": "text/html",
            "EagleId": self._eagle_id(now),
            **(extra or {}),
        }
        return web.Response(status=status, body=html.encode(), headers=headers)

    @staticmethod
    def _via(hit: bool, status: int) -> str:
        l2, l2b = L2_NODES
        edge = f"{EDGE_NODE}[0,{status}-0,H], {EDGE_NODE}[1,0]"
        if not hit:
            edge = f"{EDGE_NODE}[15,{status}-0,M], {EDGE_NODE}[16,0]"
        return f"{l2}[12,{status}-0,M], {l2b}[13,0], {edge}"

    def _eagle_id(self, now: float) -> str:
        """Like the real one: the node's IP in hex, milliseconds, a serial, a letter."""
        return f"7f000001{int(now * 1000)}{next(self._serial) % 10000:04d}e"
