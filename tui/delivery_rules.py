"""Pure rules of the delivery check (`oss-cdn fetch`, the delivery screen): read the URL,
find the CDN domain that serves its host, read the edge's headers, and judge what the
edge answered against the origin. No sockets, no clocks: tui/services/delivery.py
gathers the observations and asks here what they mean.

The verdicts are issue 9's: served, stale, denied, not-found, not-cdn, offline, error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from urllib.parse import quote, unquote, urlsplit

from tui.rules import (
    display_name,
    domain_key,
    is_ip_address,
    is_wildcard,
    root_domain,
    to_punycode,
)


class Verdict(str, Enum):
    SERVED = "served"  # a 2xx from the CDN, the same object as the origin's
    STALE = "stale"  # served, but not what the origin holds now: refresh it
    DENIED = "denied"  # a 403: the edge may not read the (private) origin
    NOT_FOUND = "not-found"  # a 404: no such object in the bucket
    NOT_CDN = "not-cdn"  # the name does not resolve to the domain's CDN CNAME (yet)
    OFFLINE = "offline"  # the CDN domain is not online
    ERROR = "error"  # anything else: the explanation says what

    def __str__(self) -> str:
        return self.value


# The headers Alibaba Cloud CDN's edge adds or passes on that tell where an answer came
# from, in the order they are shown (issue 9 lists them).
CDN_HEADERS = (
    "X-Cache",
    "Age",
    "Via",
    "EagleId",
    "X-Swift-SaveTime",
    "X-Swift-CacheTime",
    "ETag",
    "Last-Modified",
    "Content-Length",
    "Server",
)
_CANONICAL = {h.lower(): h for h in CDN_HEADERS}

# The write that lets CDN read a private bucket: back-to-origin authentication for
# private OSS buckets, function `l2_oss_key`, argument `private_oss_auth` (Alibaba Cloud
# CDN, "Parameters for configuring features for domain names", BatchSetCdnDomainConfig).
PRIVATE_OSS_FUNCTIONS = json.dumps(
    [
        {
            "functionName": "l2_oss_key",
            "functionArgs": [{"argName": "private_oss_auth", "argValue": "on"}],
        }
    ],
    separators=(",", ":"),
)


class UrlError(ValueError):
    """A URL `fetch` cannot use; the message says why, for people."""


@dataclass(frozen=True)
class FetchUrl:
    """A URL on a CDN domain, read: what to resolve, what to ask for."""

    scheme: str  # "http" | "https"
    host: str  # lower case, IDNA (punycode), no trailing dot
    path: str  # as sent: "/" alone, or "/img/logo.png" (percent-encoding kept)
    query: str = ""  # without the "?"
    port: int | None = None  # as written in the URL, if it was

    @property
    def root(self) -> bool:
        """The domain alone: OSS has no default page there."""
        return self.path == "/"

    @property
    def key(self) -> str:
        """The OSS object key the path names (OSS keys carry no leading slash)."""
        return unquote(self.path[1:])

    @property
    def target(self) -> str:
        """The request target: path and query."""
        return f"{self.path}?{self.query}" if self.query else self.path

    @property
    def host_header(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"

    @property
    def default_port(self) -> int:
        """The port the real edge listens on for this URL."""
        if self.port is not None:
            return self.port
        return 443 if self.scheme == "https" else 80

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host_header}{self.target}"


_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def parse_url(text: str) -> FetchUrl:
    """Read a URL on a CDN domain. Without a scheme, http:// is meant (as a browser
    does). Raises UrlError with what is wrong."""
    text = text.strip()
    if not text:
        raise UrlError("give a URL, e.g. http://img.example.com/logo.png")
    if _CONTROL.search(text):
        raise UrlError("a URL holds no spaces or control characters (percent-encode them)")
    if "://" not in text:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)", text):
            raise UrlError("only http:// and https:// URLs are served by CDN")
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise UrlError(f"not a URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UrlError("only http:// and https:// URLs are served by CDN")
    if parts.username is not None or parts.password is not None:
        raise UrlError("a URL with a user name or password is not fetched")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UrlError("the URL has no host name")
    if is_ip_address(host):
        raise UrlError("give the CDN domain's name, not an address: CDN routes by name")
    name = to_punycode(host)
    if (
        not name
        or "." not in name
        or is_wildcard(name)
        or "*" in name
        or any(not label or len(label) > 63 for label in name.split("."))
        or len(name) > 253
    ):
        raise UrlError(f"not a host name: {host!r}")
    if port == 0:
        raise UrlError("port 0 is not a port")
    return FetchUrl(scheme, name, parts.path or "/", parts.query, port)


def covering_domain(host: str, domains: Iterable[str]) -> str | None:
    """Which of `domains` (CDN domain names, a wildcard as ".example.com" or
    "*.example.com") serves `host`: the name itself first, else the wildcard one level
    above it (a wildcard matches exactly one level below it; deeper names get 403 at the
    edge: alibaba-api-facts.md, "Domain name rules for CDN"). None when none does."""
    host = domain_key(host)
    parent = "." + host.split(".", 1)[1] if "." in host else ""
    wildcard = None
    for domain in domains:
        key = domain_key(domain)
        if key == host:
            return domain
        if parent and key == parent:
            wildcard = domain
    return wildcard


def candidate_domains(host: str) -> list[str]:
    """The CDN domain names that could serve `host`: itself, then the wildcard one level
    above it, unless that would be a public suffix's ("*.com" is no CDN domain)."""
    host = domain_key(host)
    names = [host]
    if "." in host:
        parent = host.split(".", 1)[1]
        if len(parent) >= len(root_domain(host)):
            names.append("." + parent)
    return names


def normal_etag(value: str | None) -> str:
    """An ETag as compared: no weak mark, no quotes, upper case ("" when none)."""
    if not value:
        return ""
    value = value.strip()
    if value[:2] in ("W/", "w/"):
        value = value[2:]
    return value.strip('"').upper()


def cache_state(x_cache: str | None) -> str | None:
    """HIT or MISS from the edge's X-Cache ("HIT TCP_MEM_HIT dirn:...", "MISS
    TCP_MISS ..."); None when the answer has no X-Cache (it did not come from CDN)."""
    if not x_cache:
        return None
    word = x_cache.split()[0].upper() if x_cache.split() else ""
    if word.startswith("HIT"):
        return "HIT"
    if word.startswith("MISS"):
        return "MISS"
    return None


def cdn_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The CDN headers among `headers`, canonically spelled, in CDN_HEADERS' order (the
    first of a repeated one)."""
    found: dict[str, str] = {}
    for name, value in headers:
        canonical = _CANONICAL.get(name.lower())
        if canonical and canonical not in found:
            found[canonical] = value
    return tuple((h, found[h]) for h in CDN_HEADERS if h in found)


def oss_error_code(body: bytes) -> str:
    """The <Code> of OSS's error XML (AccessDenied, NoSuchKey, ...), "" when the body is
    not one."""
    match = re.search(rb"<Code>\s*([A-Za-z0-9.]{1,64})\s*</Code>", body[:65536])
    return match.group(1).decode("ascii") if match else ""


# -- observations and judgement -------------------------------------------------------


@dataclass(frozen=True)
class EdgeAnswer:
    """What the edge answered."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()  # the CDN ones (cdn_headers)
    length: int | None = None  # bytes of the body, or Content-Length when not read whole
    md5: str = ""  # of the whole body, upper-case hex; "" when not read whole
    error_code: str = ""  # OSS's <Code> in an error body

    def header(self, name: str) -> str:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return ""

    @property
    def etag(self) -> str:
        return normal_etag(self.header("ETag"))

    @property
    def cache(self) -> str | None:
        return cache_state(self.header("X-Cache"))


@dataclass(frozen=True)
class OriginObject:
    """What OSS holds under the key (HeadObject); `exists` False for NoSuchKey."""

    exists: bool
    etag: str = ""
    size: int | None = None
    last_modified: float | None = None


def fix_command(domain: str) -> str:
    """The aliyun-cli line that turns on back-to-origin authentication for a private
    OSS bucket for `domain`."""
    return (
        f"aliyun cdn BatchSetCdnDomainConfig --DomainNames {domain_key(domain)} "
        f"--Functions '{PRIVATE_OSS_FUNCTIONS}'"
    )


def root_explanation(domain: str, example: str | None) -> str:
    """What `fetch` of the domain alone says: AccessDenied is expected there."""
    text = (
        "A request for the domain alone (/) names no object, and OSS has no default page: "
        "it answers AccessDenied there even when everything works."
    )
    if example:
        return f"{text} Fetch an object instead, e.g. {example}"
    return f"{text} The bucket holds no object yet: upload one, then fetch its URL."


def judge(
    url: FetchUrl,
    domain: str,
    edge: EdgeAnswer,
    origin: OriginObject | None,
    *,
    bucket: str = "",
    example: str | None = None,
) -> tuple[Verdict, str]:
    """The verdict on what the edge answered for `url`, and its explanation. `origin` is
    the object at the origin (None when it could not be read, or the origin is not OSS);
    `example` a URL of a real object, for a request of the domain alone."""
    name = display_name(domain)
    if url.root and not 200 <= edge.status < 300:
        return Verdict.NOT_FOUND, root_explanation(domain, example)
    if edge.status == 403:
        if edge.error_code == "AccessDenied" or (origin is not None and origin.exists):
            where = f"bucket {bucket}" if bucket else "the origin bucket"
            return Verdict.DENIED, (
                f"The edge fetched from {where} without signing and OSS refused "
                "(AccessDenied): the bucket is private. Turn on back-to-origin "
                f"authentication for private OSS buckets for {name}: key o on the "
                f"domain's screen, or `{fix_command(domain)}`. Keep the bucket private."
            )
        return Verdict.DENIED, (
            f"The CDN refused the request (403{' ' + edge.error_code if edge.error_code else ''}): "
            "check the domain's access control (Referer, IP lists, URL signing)."
        )
    if edge.status == 404 and origin is not None and origin.exists:
        return Verdict.STALE, (
            f"The edge answers 404 (kept from before), but the origin holds {url.key!r} "
            "now: refresh its URL."
        )
    if edge.status == 404:
        where = f"bucket {bucket}" if bucket else "the origin"
        return Verdict.NOT_FOUND, f"No object {url.key!r} in {where} (404): check the path."
    if not 200 <= edge.status < 300:
        code = f" {edge.error_code}" if edge.error_code else ""
        return Verdict.ERROR, f"The edge answered {edge.status}{code}."
    if url.root:
        return Verdict.SERVED, "The edge served a page for the domain alone (a default page)."
    if origin is None:
        return Verdict.SERVED, "Served by the CDN; the origin was not compared."
    if not origin.exists:
        return Verdict.STALE, (
            f"The edge still serves {url.key!r}, which the origin no longer holds: refresh its URL."
        )
    same_etag = (edge.etag or edge.md5) == origin.etag if (edge.etag or edge.md5) else None
    same_size = edge.length == origin.size if edge.length is not None else None
    if same_etag is False or same_size is False:
        return Verdict.STALE, (
            "The edge serves an older copy than the origin holds "
            f"(edge ETag {edge.etag or '-'}, origin {origin.etag or '-'}): refresh its URL, "
            "or wait for its cache time to end."
        )
    if same_etag is None and same_size is None:
        return Verdict.SERVED, "Served by the CDN; the answer carried nothing to compare."
    how = {
        "HIT": "Served from the CDN's cache (HIT)",
        "MISS": "Served by the CDN, fetched from the origin just now (MISS)",
    }.get(edge.cache or "", "Served by the CDN")
    return Verdict.SERVED, f"{how}: the same object as the origin's."


def first_object(keys: Iterable[str]) -> str | None:
    """The first key of a listing that is an object, not a "directory" marker."""
    return next((k for k in keys if k and not k.endswith("/")), None)


def object_url(url: FetchUrl, key: str) -> str:
    """The URL of `key` on the same scheme and host as `url`."""
    return f"{url.scheme}://{url.host_header}/{quote(key, safe='/~!$&()*+,;=:@')}"
