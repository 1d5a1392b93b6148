"""Pure rules for refreshing and prefetching a CDN domain's cache: what a typed line means,
whether CDN will take it, how many fit today's quota, and the URL the edge serves an OSS
object at. Standard library only: no I/O, no Textual, no SDK.

The limits, from Alibaba Cloud's documentation (CDN API 2018-05-10):
- RefreshObjectCaches ("CDN: RefreshObjectCaches", help/en/cdn/developer-reference/
  api-cdn-2018-05-10-refreshobjectcaches): by default 10,000 URL and 100 directory
  refreshes a day per account; one request carries up to 1,000 URLs or 100 directories;
  paths are separated by line feeds, each up to 1,024 characters, and start with
  http:// or https://; a directory ends with `/` (ObjectType Directory).
- PushObjectCache (api-cdn-2018-05-10-pushobjectcache): 1,000 URL prefetches a day by
  default; up to 100 URLs a request.
- "Refresh and prefetch resources" (help/en/cdn/user-guide/refresh-and-prefetch-resources):
  URLs are those of the accelerated domain, not of the origin; a URL holding characters
  outside ASCII is submitted URL-encoded (the edge caches the encoded path).
- Wildcard domains (`*.example.com`, sent as `.example.com`) match exactly one level
  below and cannot be refreshed by URL (alibaba-api-facts.md): only their directories.
The daily quotas of an account are what DescribeRefreshQuota says remains: the app asks,
these defaults only document what a new account has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote, unquote, urlsplit

REFRESH_URLS_PER_REQUEST = 1000
REFRESH_DIRS_PER_REQUEST = 100
PREFETCH_URLS_PER_REQUEST = 100
MAX_PATH_LENGTH = 1024
DEFAULT_DAILY = {"File": 10000, "Directory": 100, "Preload": 1000}

NOUNS = {"File": ("URL", "URLs"), "Directory": ("directory", "directories")}

REFRESH = "refresh"
PREFETCH = "prefetch"

# What stays literal in a path sent to CDN: RFC 3986's unreserved and sub-delims, `/`,
# `:` and `@`, and `%` of escapes already there (an OSS key's own `%` is encoded by
# `object_url`, which starts from a key, not from a typed URL).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


@dataclass(frozen=True)
class Entry:
    """One typed line: the URL as it will be sent, its type, or what is wrong with it."""

    line: int  # 1-based line number in what was typed
    text: str  # the line as typed (stripped)
    url: str = ""  # as sent: scheme and host lower-cased, the path percent-encoded
    object_type: str = ""  # "File" | "Directory"
    problem: str = ""  # why CDN would refuse it ("" when fine)
    note: str = ""  # something worth knowing that is not a problem (the URL was encoded)

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class Check:
    """Everything typed, judged against the domain, the mode and today's remaining quota."""

    mode: str  # REFRESH | PREFETCH
    entries: tuple[Entry, ...]
    remaining: dict[str, int | None] = field(default_factory=dict)  # type -> left today

    @property
    def valid(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.ok)

    @property
    def problems(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if not e.ok)

    def count(self, object_type: str) -> int:
        return sum(1 for e in self.valid if e.object_type == object_type)

    @property
    def object_type(self) -> str | None:
        """The one type of the valid entries (a request carries one), None if mixed/none."""
        types = {e.object_type for e in self.valid}
        return types.pop() if len(types) == 1 else None

    def quota_key(self, object_type: str) -> str:
        return "Preload" if self.mode == PREFETCH else object_type

    def over_quota(self) -> dict[str, int]:
        """Type -> how many entries do not fit what is left today (only types over)."""
        over = {}
        for object_type in ("File", "Directory"):
            n = self.count(object_type)
            left = self.remaining.get(self.quota_key(object_type))
            if n and left is not None and n > left:
                over[object_type] = n - left
        return over

    @property
    def sendable(self) -> bool:
        """One request can carry it: entries, none wrong, one type, within the limits."""
        return (
            bool(self.entries)
            and not self.problems
            and self.object_type is not None
            and not self.over_quota()
            and self.count(self.object_type) <= per_request(self.mode, self.object_type)
        )

    def summary(self) -> str:
        """One line: how many of each, the per-request limit and today's remainder."""
        if not self.entries:
            return "Type one URL per line; a directory ends with /."
        parts = []
        for object_type, (one, many) in NOUNS.items():
            n = self.count(object_type)
            if not n:
                continue
            plural = one if n == 1 else many
            limit = per_request(self.mode, object_type)
            left = self.remaining.get(self.quota_key(object_type))
            text = f"{n} {plural} (up to {limit} a request"
            text += f"; {left} left today)" if left is not None else ")"
            parts.append(text)
        if self.problems:
            bad = len(self.problems)
            parts.append(f"{bad} line{'s' if bad != 1 else ''} to fix")
        if self.object_type is None and len({e.object_type for e in self.valid}) > 1:
            parts.append("URLs and directories go in separate requests: keep one kind")
        for object_type, over in self.over_quota().items():
            parts.append(f"{NOUNS[object_type][1]} over today's quota by {over}")
        for object_type in ("File", "Directory"):
            if self.count(object_type) > per_request(self.mode, object_type):
                parts.append(f"over the {per_request(self.mode, object_type)} a request")
        return " · ".join(parts) or "Nothing valid yet."


def per_request(mode: str, object_type: str) -> int:
    if mode == PREFETCH:
        return PREFETCH_URLS_PER_REQUEST
    return REFRESH_DIRS_PER_REQUEST if object_type == "Directory" else REFRESH_URLS_PER_REQUEST


# -- the domain --------------------------------------------------------------------------


def api_domain(domain: str) -> str:
    """The domain as CDN's API has it: a wildcard `*.example.com` is `.example.com`."""
    domain = domain.strip().lower().rstrip(".")
    return domain[1:] if domain.startswith("*.") else domain


def is_wildcard(domain: str) -> bool:
    return api_domain(domain).startswith(".")


def host_matches(host: str, domain: str) -> bool:
    """Is `host` served by `domain`? A wildcard matches exactly one level below it."""
    host, domain = host.lower().rstrip("."), api_domain(domain)
    if not domain.startswith("."):
        return host == domain
    label, _, rest = host.partition(".")
    return bool(label) and label != "*" and "." + rest == domain


# -- one line ----------------------------------------------------------------------------


def encode_path(path: str) -> str:
    """`path` percent-encoded as CDN caches it: UTF-8, existing escapes kept."""
    return quote(path, safe=_PATH_SAFE)


def check_line(text: str, domain: str, mode: str = REFRESH, line: int = 1) -> Entry:
    """One typed line against `domain` (a CDN domain name, wildcard as `.x` or `*.x`)."""
    text = text.strip()
    bad = lambda problem: Entry(line, text, problem=problem)  # noqa: E731
    if not text.isprintable():
        return bad("holds control characters")
    scheme, sep, _ = text.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return bad("start it with http:// or https://")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return bad("not a URL")
    host = (parts.hostname or "").lower()
    if not host:
        return bad("no domain after http://")
    if parts.username or parts.password:
        return bad("a URL to refresh holds no user name or password")
    if port is not None:
        return bad("no port: CDN caches by the domain's URL, without one")
    shown = api_domain(domain)
    shown = "*" + shown if shown.startswith(".") else shown
    if host == "*" + api_domain(domain) or host.startswith("*."):
        return bad(f"name one host under {shown}: CDN takes no * in a URL")
    if not host_matches(host, domain):
        return bad(f"{host} is not {shown}: only this domain's URLs")
    if parts.fragment or "#" in text:
        return bad("no #fragment: browsers never send it to CDN")
    path = parts.path or "/"
    directory = path.endswith("/") and not parts.query
    object_type = "Directory" if directory else "File"
    if mode == PREFETCH and directory:
        return bad("prefetch takes files only: name a file, not a directory (ending in /)")
    if mode == REFRESH and object_type == "File" and is_wildcard(domain):
        return bad(
            f"a wildcard domain ({shown}) cannot be refreshed by URL: "
            "refresh its directory instead (end the line with /)"
        )
    encoded = encode_path(path)
    url = f"{parts.scheme.lower()}://{host}{encoded}"
    if parts.query:
        url += "?" + quote(parts.query, safe=_PATH_SAFE + "?")
    if len(url) > MAX_PATH_LENGTH:
        return bad(f"longer than {MAX_PATH_LENGTH} characters")
    note = "sent URL-encoded" if url != text and encoded != path else ""
    return Entry(line, text, url=url, object_type=object_type, note=note)


def check(
    text: str,
    domain: str,
    mode: str = REFRESH,
    remaining: dict[str, int | None] | None = None,
) -> Check:
    """Every line of `text` (blank ones skipped), duplicates named. `remaining` is what
    DescribeRefreshQuota says is left today, by "File", "Directory" and "Preload"."""
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        entry = check_line(raw, domain, mode, number)
        if entry.ok:
            first = seen.setdefault(entry.url, number)
            if first != number:
                entry = Entry(number, entry.text, problem=f"the same as line {first}")
        entries.append(entry)
    return Check(mode, tuple(entries), dict(remaining or {}))


# -- OSS keys and the URLs the edge serves them at ---------------------------------------


def object_url(domain: str, key: str, scheme: str = "http") -> str:
    """`http://domain/<key>`, the key percent-encoded as a URL path (its `/` kept): the
    URL the edge serves OSS object `key` at. A wildcard domain has no one URL."""
    if is_wildcard(domain):
        raise ValueError("a wildcard domain serves each object at many hosts")
    return f"{scheme}://{api_domain(domain)}/{quote(key, safe='/')}"


def object_key(url: str) -> str:
    """The OSS key an edge URL stands for (the inverse of `object_url`)."""
    return unquote(urlsplit(url).path[1:])


# -- batches against the quota -----------------------------------------------------------


def batches(
    items: Sequence[str], per_request: int, remaining: int | None = None
) -> tuple[list[list[str]], int]:
    """`items` cut into requests of at most `per_request`, stopping before today's
    `remaining` quota runs out; returns (the batches, how many items are left over)."""
    if per_request < 1:
        raise ValueError("per_request must be at least 1")
    room = len(items) if remaining is None else max(0, min(remaining, len(items)))
    kept = list(items[:room])
    return [kept[i : i + per_request] for i in range(0, len(kept), per_request)], len(items) - room


def dedupe(items: Iterable[str]) -> list[str]:
    """Items in their first order, each once."""
    return list(dict.fromkeys(items))


# -- "refresh what changed since ..." ------------------------------------------------------

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"(?:(\d+)\s*([smhdw])\s*)+", re.IGNORECASE)
_PART = re.compile(r"(\d+)\s*([smhdw])", re.IGNORECASE)
LAST_REFRESH = ("last", "last refresh", "since the last refresh", "the last refresh")


@dataclass(frozen=True)
class Since:
    """When "what changed" starts: `ago` seconds before now, at unix time `at`, or the
    domain's last refresh (both None)."""

    ago: float | None = None
    at: float | None = None

    @property
    def last_refresh(self) -> bool:
        return self.ago is None and self.at is None


def parse_since(text: str) -> Since:
    """ "2h", "30m", "1d", "1h30m", an ISO date or time ("2026-11-29", "2026-11-29T08:00",
    local time unless it ends in Z or +hh:mm), or "last" (since the last refresh).
    Raises ValueError saying what is accepted."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in LAST_REFRESH:
        return Since()
    if _DURATION.fullmatch(cleaned):
        seconds = sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(cleaned))
        if seconds <= 0:
            raise ValueError("a time span longer than zero, like 2h")
        return Since(ago=float(seconds))
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            'type a span (30m, 2h, 1d), a date (2026-11-29 or 2026-11-29T08:00) or "last"'
        ) from None
    return Since(at=moment.timestamp())
