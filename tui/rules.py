"""Pure rules for the names this app handles: CDN domain names and OSS origin hosts.

No I/O, no Textual, nothing of the project but tui.safe_text (a leaf): screens (live
validation), services and tests all lean on this one source of truth. DNS record rules
live in tui/dns_rules.py and tui/dns_plan.py.

Every rule is one line of a table (`_DOMAIN_RULES`). `check_domain` and the form's
checklist are both read from that table, so they cannot disagree.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

import idna  # IDNA 2008 with the UTS 46 mapping: what registries apply (comes with yarl)
from publicsuffixlist import PublicSuffixList

from tui.safe_text import shown

MAX_DOMAIN_CHARS = 67  # CDN's limit for an accelerated domain and for each origin address
MAX_WILDCARD_BYTES = 100  # a wildcard must be *under* this many bytes
MAX_LABEL_CHARS = 63
_WILDCARD_PREFIX = "*."


# -- results --------------------------------------------------------------------------


@dataclass(frozen=True)
class Fix:
    """A corrected value the UI can offer with one key: "Use lowercase: img.example.com"."""

    value: str
    label: str  # a short imperative: "Use lowercase", "Use Punycode", "Use the host name"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a value; `message` says what and how to fix it, in one sentence."""

    code: str
    message: str
    fix: Fix | None = None
    severity: str = "error"  # "error" blocks; "warning" informs


@dataclass(frozen=True)
class ChecklistItem:
    """One rule as the domain form shows it; `passed` is None while the rule does not apply."""

    code: str
    label: str
    passed: bool | None
    message: str = ""
    fix: Fix | None = None


@dataclass(frozen=True)
class DomainCheck:
    name: str
    problems: tuple[Problem, ...]
    checklist: tuple[ChecklistItem, ...]
    api_name: str  # as AddCdnDomain wants it: "*.example.com" -> ".example.com"
    fix: Fix | None = None  # one corrected name curing what can be cured mechanically

    @property
    def ok(self) -> bool:
        return not self.problems


# -- small helpers other modules use too ---------------------------------------------


# The parsed Public Suffix List, built once: parsing the bundled list costs 40-60 ms, too
# much at import and a visible stall on the first name typed. `load_public_suffixes` (run
# on a thread when the add form opens) builds it off the event loop; the lock makes a rule
# that needs it meanwhile wait for that parse instead of starting a second one.
_public_suffixes: PublicSuffixList | None = None
_public_suffixes_lock = threading.Lock()
# The name of the thread that parsed it ("MainThread" would be the event loop's: a
# stall the app must never have; tests read it).
public_suffixes_parsed_in: str | None = None


def load_public_suffixes() -> PublicSuffixList:
    """The Public Suffix List, parsed on the first call (safe to call from any thread)."""
    global _public_suffixes, public_suffixes_parsed_in
    if _public_suffixes is None:
        with _public_suffixes_lock:
            if _public_suffixes is None:
                # ICANN suffixes only: "com.cn" is a top-level domain to CDN, while private
                # entries such as "github.io" are names companies own and may put behind
                # their own CDN.
                _public_suffixes = PublicSuffixList(only_icann=True)
                public_suffixes_parsed_in = threading.current_thread().name
    return _public_suffixes


async def public_suffixes() -> None:
    """For code on an event loop that is about to need the list (root_domain,
    is_public_suffix): parsed on a worker thread if it is not yet, so the loop never
    spends 40-80 ms in it (the app's warm-up has usually parsed it already)."""
    if _public_suffixes is None:
        await asyncio.to_thread(load_public_suffixes)


_psl = load_public_suffixes


def public_suffixes_loaded() -> bool:
    """Whether the list is parsed: the public-suffix rules can run without waiting."""
    return _public_suffixes is not None


def short(text: str, limit: int = 40) -> str:
    """`text` made fit for a message: control, bidi and invisible characters made visible
    (tui.safe_text), and cut down so a pasted novel never fills the screen."""
    return shown(text, limit)


def is_wildcard(name: str) -> bool:
    """True for both spellings of a wildcard: "*.example.com" and the API's ".example.com"."""
    name = name.strip()
    return name.startswith(_WILDCARD_PREFIX) or (name.startswith(".") and len(name) > 1)


def base_name(name: str) -> str:
    """The domain without its wildcard part, lowercase, without a trailing dot."""
    name = name.strip().lower().rstrip(".")
    if name.startswith(_WILDCARD_PREFIX):
        return name[2:]
    return name.lstrip(".")


def api_name(name: str) -> str:
    """The name as AddCdnDomain takes it: a wildcard is sent as ".example.com"."""
    name = name.strip()
    return name[1:] if name.startswith(_WILDCARD_PREFIX) else name


def display_name(name: str) -> str:
    """The name as people write it: the API's ".example.com" becomes "*.example.com"."""
    name = name.strip()
    return "*" + name if name.startswith(".") and len(name) > 1 else name


def domain_key(name: str) -> str:
    """A comparison key equal for "*.x", ".x", "*.X." and so on."""
    return api_name(name.strip().lower().rstrip("."))


def host_of(text: str) -> str:
    """The host in a host, host:port or URL: "https://a.b:8443/x?y" -> "a.b"."""
    text = text.strip()
    if "://" in text:
        text = text.split("://", 1)[1]
    text = re.split(r"[/?#]", text, maxsplit=1)[0]
    if text.startswith("[") and "]" in text:  # [v6] or [v6]:port
        return text[1 : text.index("]")]
    if text.count(":") == 1:  # a bare IPv6 address has several colons: leave it whole
        return text.split(":", 1)[0]
    return text


def is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def to_punycode(name: str) -> str | None:
    """The ASCII (Punycode) form of a name, lowercase, wildcard kept; None if impossible."""
    prefix = _WILDCARD_PREFIX if name.startswith(_WILDCARD_PREFIX) else ""
    try:
        ascii_name = idna.encode(name[len(prefix) :], uts46=True).decode("ascii")
    except (UnicodeError, ValueError):  # IDNAError is a UnicodeError
        return None
    return prefix + ascii_name


def root_domain(name: str) -> str:
    """The registrable domain, by the Public Suffix List: img.shop.example.com.cn ->
    example.com.cn; wildcards in either spelling. A bare suffix comes back as it is."""
    base = base_name(name)
    if not base.isascii():
        base = to_punycode(base) or base
        if not base.isascii():  # not encodable: no PSL answer to give
            return base
    return _psl().privatesuffix(base) or base


def is_public_suffix(name: str) -> bool:
    base = base_name(name)
    return bool(base) and base.isascii() and _psl().is_public(base)


class KnownNames(frozenset):
    """The names already in the account as comparison keys (`domain_key`). Built once,
    when the form opens (`known_names`), and handed to every check: re-keying 10,000
    names on each keystroke took 5-13 ms."""


def known_names(names: Iterable[str]) -> KnownNames:
    """`names` as a KnownNames: itself if it already is one; a frozenset is keyed once
    and remembered (a caller may keep passing the same prebuilt set)."""
    if isinstance(names, KnownNames):
        return names
    if isinstance(names, frozenset):
        return _known_frozen(names)
    return KnownNames(domain_key(name) for name in names)


@lru_cache(maxsize=4)
def _known_frozen(names: frozenset[str]) -> KnownNames:
    # A frozenset hashes once (CPython keeps its hash) and the same set is found by
    # identity: a later call costs a lookup, not 10,000 keys.
    return KnownNames(domain_key(name) for name in names)


# -- the domain rules -----------------------------------------------------------------


@dataclass(frozen=True)
class _Subject:
    """What every rule looks at, computed once per check."""

    text: str  # the input without surrounding whitespace
    raw: str
    host: str  # text without scheme, path or port: what the name rules judge
    wildcard: bool
    labels: tuple[str, ...]  # of the name after its "*." part
    ip: bool
    existing: frozenset[str]
    origin_host: str
    suffixes: bool = True  # the public-suffix rules may run (the list is there or may load)

    @classmethod
    def of(
        cls, raw: str, existing: Iterable[str], origin: str | None, suffixes: bool = True
    ) -> _Subject:
        text = raw.strip()
        host = host_of(text)
        wildcard = host.startswith(_WILDCARD_PREFIX)
        rest = host[2:] if wildcard else host
        return cls(
            text=text,
            raw=raw,
            host=host,
            wildcard=wildcard,
            labels=tuple(rest.split(".")),
            ip=is_ip_address(host),
            existing=known_names(existing),
            origin_host=host_of(origin or "").lower().rstrip("."),
            suffixes=suffixes,
        )

    @property
    def well_formed(self) -> bool:
        """Plain enough to ask the Public Suffix List about."""
        return not self.ip and _PLAIN_NAME.fullmatch(self.host.lower()) is not None


_PLAIN_NAME = re.compile(r"(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*")


def _bad_chars(s: _Subject) -> str:
    # Uppercase, whitespace, "*" and non-ASCII have rules of their own.
    bad = sorted(
        {c for c in s.host if c.isascii() and not (c.isalnum() or c in ".-*" or c.isspace())}
    )
    return ", ".join(f'"{short(c)}"' for c in bad[:6])


def _fail_empty(s: _Subject) -> str | None:
    if not s.host:
        return "Enter a domain name, for example img.example.com."
    return None


def _fail_url(s: _Subject) -> str | None:
    if s.host != s.text:
        return f"Enter only the host name {short(s.host)!r}, without http://, a path or a port."
    return None


def _fail_spaces(s: _Subject) -> str | None:
    if any(c.isspace() for c in s.raw):
        return "Remove the spaces: a domain name cannot contain any."
    return None


def _fail_uppercase(s: _Subject) -> str | None:
    if any("A" <= c <= "Z" for c in s.host):
        return f"CDN accepts lowercase names only; use {short(s.host.lower())}."
    return None


def _fail_non_ascii(s: _Subject) -> str | None:
    if s.host.isascii():
        return None
    puny = to_punycode(s.host)
    how = f"use the Punycode form {short(puny, 60)}" if puny else "convert it to Punycode"
    return (
        f"CDN does not take Chinese or other non-ASCII characters, so {how}; "
        "a Chinese name needs its own ICP filing."
    )


def _fail_characters(s: _Subject) -> str | None:
    bad = _bad_chars(s)
    if bad:
        return f"Remove {bad}: names hold only lowercase letters, digits, hyphens and dots."
    return None


def _fail_length(s: _Subject) -> str | None:
    if len(s.host) > MAX_DOMAIN_CHARS:
        return (
            f"The name has {len(s.host)} characters and CDN allows at most {MAX_DOMAIN_CHARS}, "
            "so shorten it."
        )
    size = len(s.host.encode("utf-8", "surrogatepass"))
    if s.wildcard and size >= MAX_WILDCARD_BYTES:
        return (
            f"A wildcard name must be under {MAX_WILDCARD_BYTES} bytes and this one has {size}, "
            "so shorten it."
        )
    return None


def _fail_empty_label(s: _Subject) -> str | None:
    if "" not in s.labels:
        return None
    if s.host.startswith(".") and len(s.host) > 1:
        return f"Remove the leading dot, or write *{short(s.host)} for a wildcard domain."
    if s.host.endswith(".") and not s.host.endswith(".."):
        return "Remove the trailing dot: CDN takes the name without it."
    return "Remove the stray dot: a name cannot start or end with a dot or hold two in a row."


def _fail_label_length(s: _Subject) -> str | None:
    long = [label for label in s.labels if len(label) > MAX_LABEL_CHARS]
    if long:
        return (
            f"Shorten {short(long[0], 20)!r} ({len(long[0])} characters): each part between "
            f"dots may have at most {MAX_LABEL_CHARS}."
        )
    return None


def _fail_hyphen_edge(s: _Subject) -> str | None:
    edged = [label for label in s.labels if label.startswith("-") or label.endswith("-")]
    if edged:
        return (
            f"Remove the hyphen at the edge of {short(edged[0], 20)!r}: "
            "a part of a name cannot start or end with one."
        )
    return None


def _fail_double_hyphen(s: _Subject) -> str | None:
    # An xn-- label is Punycode, whose own rules (the punycode rule) decide its hyphens.
    doubled = [label for label in s.labels if "--" in label and not _is_alabel(label)]
    if doubled:
        return (
            f"Replace the double hyphen in {short(doubled[0], 20)!r}: "
            "only a Punycode xn-- prefix may have one."
        )
    return None


def _fail_punycode(s: _Subject) -> str | None:
    for label in filter(_is_alabel, s.labels):
        try:
            idna.decode(label)
        except (UnicodeError, ValueError):  # IDNAError is a UnicodeError
            return f"{short(label, 30)!r} is not valid Punycode, so convert the original again."
    return None


def _is_alabel(label: str) -> bool:
    return label.lower().startswith("xn--")


def _fail_wildcard(s: _Subject) -> str | None:
    if "*" not in s.host or (s.wildcard and "*" not in s.host[2:]):
        return None
    if s.host == "*":
        return "Add the domain after the asterisk, as in *.example.com."
    return "Use * only as a whole first part followed by a dot, as in *.example.com."


def _fail_ip(s: _Subject) -> str | None:
    if s.ip:
        return "Enter a domain name, not an IP address: CDN accelerates names you own."
    return None


def _fail_public_suffix(s: _Subject) -> str | None:
    if is_public_suffix(s.host):
        return (
            f"{short(s.host)} is a public suffix nobody owns, so add a domain under it, "
            f"such as img.example.{short(s.host)}."
        )
    return None


def _fail_wildcard_suffix(s: _Subject) -> str | None:
    if is_public_suffix(s.host):
        suffix = short(s.host[2:])
        return (
            f"A wildcard cannot sit right under the public suffix {suffix}; "
            f"use one under your own domain, such as *.example.{suffix}."
        )
    return None


def _fail_exists(s: _Subject) -> str | None:
    if domain_key(s.host) in s.existing:
        return (
            f"{short(s.host)} is already added to CDN in this account; "
            "pick it from the list or choose another name."
        )
    return None


def _fail_origin_loop(s: _Subject) -> str | None:
    name = base_name(s.host)
    origin = s.origin_host
    # A wildcard also covers every name one level below it, the origin's included.
    if origin == name or (s.wildcard and origin.partition(".")[2] == name):
        return (
            "The origin must differ from the accelerated domain or CDN would fetch from itself, "
            "so use the bucket's endpoint as the origin."
        )
    return None


@dataclass(frozen=True)
class _Rule:
    code: str
    label: str  # the checklist line
    applies: Callable[[_Subject], bool]
    fails: Callable[[_Subject], str | None]  # the message when broken, else None


def _has_text(s: _Subject) -> bool:
    return bool(s.text)


def _has_host(s: _Subject) -> bool:
    return bool(s.host)


def _name_syntax(s: _Subject) -> bool:
    # An IP address breaks most label rules; the IP rule alone says what is wrong.
    return bool(s.host) and not s.ip


_DOMAIN_RULES: tuple[_Rule, ...] = (
    _Rule("empty", "Not empty", lambda s: True, _fail_empty),
    _Rule("url", "Host name only: no http://, path or port", _has_text, _fail_url),
    _Rule("spaces", "No spaces", _has_text, _fail_spaces),
    _Rule("uppercase", "Lowercase", _name_syntax, _fail_uppercase),
    _Rule("non_ascii", "ASCII only (Punycode for Chinese names)", _name_syntax, _fail_non_ascii),
    _Rule("characters", "Letters, digits, hyphens and dots only", _name_syntax, _fail_characters),
    _Rule("length", "1-67 characters (a wildcard under 100 bytes)", _has_host, _fail_length),
    _Rule("empty_label", "No stray dots", _name_syntax, _fail_empty_label),
    _Rule("label_length", "At most 63 characters between dots", _name_syntax, _fail_label_length),
    _Rule(
        "hyphen_edge", "No hyphen at the start or end of a part", _name_syntax, _fail_hyphen_edge
    ),
    _Rule(
        "double_hyphen", "No -- except a Punycode xn-- prefix", _name_syntax, _fail_double_hyphen
    ),
    _Rule("punycode", "xn-- parts are valid Punycode", _name_syntax, _fail_punycode),
    _Rule("wildcard", "* only as a leading *. part", _name_syntax, _fail_wildcard),
    _Rule("ip_address", "Not an IP address", _has_host, _fail_ip),
    _Rule(
        "public_suffix",
        "Not a bare public suffix (com, com.cn)",
        lambda s: s.suffixes and s.well_formed and not s.wildcard,
        _fail_public_suffix,
    ),
    _Rule(
        "wildcard_suffix",
        "Wildcard not right under a public suffix (*.com)",
        lambda s: s.suffixes and s.well_formed and s.wildcard,
        _fail_wildcard_suffix,
    ),
    _Rule("exists", "Not already added to CDN", _has_host, _fail_exists),
    _Rule(
        "origin_loop",
        "Differs from the origin's domain",
        lambda s: _has_host(s) and bool(s.origin_host),
        _fail_origin_loop,
    ),
)

# Which label a one-key fix gets, by the most telling problem it cures.
_FIX_LABELS = (
    ("url", "Use the host name"),
    ("non_ascii", "Use Punycode"),
    ("uppercase", "Use lowercase"),
    ("spaces", "Remove the spaces"),
    ("empty_label", "Remove the trailing dot"),
)


def _evaluate(s: _Subject) -> tuple[ChecklistItem, ...]:
    items = []
    for rule in _DOMAIN_RULES:
        if not rule.applies(s):
            items.append(ChecklistItem(rule.code, rule.label, None))
            continue
        message = rule.fails(s)
        items.append(ChecklistItem(rule.code, rule.label, message is None, message or ""))
    return tuple(items)


def _candidate(s: _Subject) -> str:
    """The input with every mechanical fix applied: host only, trimmed, lowercase, ASCII."""
    name = s.host
    if name.endswith(".") and not name.endswith(".."):
        name = name[:-1]
    name = name.lower()
    if not name.isascii():
        name = to_punycode(name) or name
    return name


def check_domain(
    name: str,
    *,
    existing: Iterable[str] = (),
    origin: str | None = None,
    wait_for_suffixes: bool = True,
) -> DomainCheck:
    """Judge a domain name for AddCdnDomain against every rule; never raises. `existing`
    is any iterable of names; pass a `known_names(...)` to judge many names against it.
    With `wait_for_suffixes=False` (the event loop: a form as you type) the public-suffix
    rules are "not checked yet" until the list is loaded, never parsed or waited for."""
    existing = known_names(existing)
    suffixes = wait_for_suffixes or _public_suffixes is not None
    subject = _Subject.of(name, existing, origin, suffixes)
    items = _evaluate(subject)
    failed = {item.code for item in items if item.passed is False}

    fix = None
    candidate = _candidate(subject)
    if failed and candidate and candidate != name:
        fixed = _evaluate(_Subject.of(candidate, existing, origin, suffixes))
        cured = failed - {i.code for i in fixed if i.passed is False}
        label = next((lbl for code, lbl in _FIX_LABELS if code in cured), None)
        if label:
            fix = Fix(candidate, label)
            items = tuple(replace(i, fix=fix) if i.code in cured else i for i in items)

    problems = tuple(Problem(i.code, i.message, i.fix) for i in items if i.passed is False)
    return DomainCheck(name, problems, items, api_name(name), fix)


def domain_checklist(
    name: str, *, existing: Iterable[str] = (), origin: str | None = None
) -> list[ChecklistItem]:
    """Every rule as a line the form can show turning pass/fail as the user types."""
    return list(check_domain(name, existing=existing, origin=origin).checklist)


# -- OSS origins ------------------------------------------------------------------------

_OSS_HOST = re.compile(
    r"(?P<bucket>[^.]+)\.oss-(?P<region>[a-z0-9-]+?)(?P<internal>-internal)?\.aliyuncs\.com"
)
_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")


@dataclass(frozen=True)
class OssEndpoint:
    bucket: str
    region: str  # "cn-hangzhou"
    internal: bool = False

    @property
    def public_host(self) -> str:
        """The extranet host: the only OSS endpoint CDN can fetch from."""
        return f"{self.bucket}.oss-{self.region}.aliyuncs.com"


def parse_origin(text: str) -> OssEndpoint | None:
    """Read `<bucket>.oss-<region>[-internal].aliyuncs.com` from a host, host:port or URL."""
    match = _OSS_HOST.fullmatch(host_of(text).lower().rstrip("."))
    if match is None:
        return None
    return OssEndpoint(match["bucket"], match["region"], bool(match["internal"]))


def check_origin_host(host: str) -> list[Problem]:
    """Problems with a typed OSS origin; an empty list means CDN can use it."""
    text = host.strip()
    if not text:
        return [
            Problem(
                "origin_empty",
                "Enter the bucket's endpoint, like bkt.oss-cn-hangzhou.aliyuncs.com.",
            )
        ]
    problems = []
    bare = host_of(text)
    if bare != text:
        problems.append(
            Problem(
                "origin_url",
                "Enter only the endpoint host, without http://, a path or a port.",
                Fix(bare.lower(), "Use the host name"),
            )
        )
    endpoint = parse_origin(bare)
    if endpoint is None:
        problems.append(
            Problem(
                "origin_not_oss",
                f"{short(bare)} is not an OSS endpoint, so use <bucket>.oss-<region>.aliyuncs.com "
                "from the bucket's overview.",
            )
        )
        return problems
    if any("A" <= c <= "Z" for c in bare):
        problems.append(
            Problem(
                "origin_uppercase",
                "Write the endpoint in lowercase.",
                Fix(bare.lower(), "Use lowercase"),
            )
        )
    if endpoint.internal:
        problems.append(
            Problem(
                "origin_internal",
                "CDN cannot reach a bucket's internal endpoint, so use its public one instead.",
                Fix(endpoint.public_host, "Use the public endpoint"),
            )
        )
    if not _BUCKET.fullmatch(endpoint.bucket):
        problems.append(
            Problem(
                "bucket_name",
                f"{short(endpoint.bucket)!r} is not a bucket name: use 3-63 lowercase letters, "
                "digits and hyphens, not starting or ending with a hyphen.",
            )
        )
    if len(endpoint.public_host) > MAX_DOMAIN_CHARS:
        problems.append(
            Problem(
                "origin_length",
                f"CDN takes origin addresses of up to {MAX_DOMAIN_CHARS} characters and this one "
                f"has {len(endpoint.public_host)}, so use a bucket with a shorter name.",
            )
        )
    return problems


# -- several names at once: the add form's batch -----------------------------------------

# What separates names typed or pasted together: line breaks, commas (also the full-width
# U+FF0C and the ideographic U+3001 of a Chinese keyboard), semicolons (and U+FF1B) and
# spaces. None of them can be part of a domain name, so splitting on them loses nothing.
_NAME_SEPARATORS = re.compile("[\\s,;\uff0c\u3001\uff1b]+")


def split_names(text: str) -> list[str]:
    """The names in `text`, in the order typed, separators dropped (duplicates kept: the
    batch check says which are twice)."""
    return [part for part in _NAME_SEPARATORS.split(text) if part]


@dataclass(frozen=True)
class BatchCheck:
    """Every name of a batch judged by `check_domain`, plus the batch's own rule: a name
    (in any spelling: "*.x", ".x", "X") appears once."""

    checks: tuple[DomainCheck, ...]

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def ready(self) -> tuple[DomainCheck, ...]:
        return tuple(c for c in self.checks if c.ok)

    @property
    def failing(self) -> tuple[DomainCheck, ...]:
        return tuple(c for c in self.checks if not c.ok)

    @property
    def api_names(self) -> tuple[str, ...]:
        return tuple(c.api_name for c in self.checks)

    @property
    def fixed_text(self) -> str | None:
        """The names with every one-key fix applied, or None when no name has one."""
        if not any(c.fix for c in self.checks):
            return None
        return ", ".join(c.fix.value if c.fix else c.name for c in self.checks)

    def summary(self) -> str:
        """The batch in one line: "3 names: 2 ready, 1 with problems"."""
        total, bad = len(self.checks), len(self.failing)
        line = f"{total} name{'s' * (total != 1)}: {total - bad} ready"
        return line + (f", {bad} with problems" if bad else "")


def check_names(
    text: str,
    *,
    existing: Iterable[str] = (),
    origin: str | None = None,
    wait_for_suffixes: bool = True,
) -> BatchCheck:
    """Judge every name in `text` (see `split_names`); never raises. With no name at all,
    the one check of the empty text, so the form says "Enter a domain name"."""
    existing = known_names(existing)
    names = split_names(text) or [text.strip()]
    seen: set[str] = set()
    checks = []
    for name in names:
        check = check_domain(
            name, existing=existing, origin=origin, wait_for_suffixes=wait_for_suffixes
        )
        key = domain_key(name)
        if key and key in seen:
            message = f"{short(name)} is in the list twice; keep it once."
            check = replace(
                check,
                problems=(*check.problems, Problem("duplicate", message)),
                checklist=(
                    *check.checklist,
                    ChecklistItem("duplicate", "Once in the list", False, message),
                ),
            )
        seen.add(key)
        checks.append(check)
    return BatchCheck(tuple(checks))
