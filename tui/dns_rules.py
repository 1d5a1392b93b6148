"""Pure rules for one Alibaba Cloud DNS record: is each of its fields one Alidns accepts
(host record, value by type, MX priority, TTL within the zone's edition)? What a record
runs into among the zone's others, and the plan that points a domain at its CDN CNAME,
are in tui/dns_plan.py.

No I/O and nothing of the project beyond tui.rules (domain names), so the same answers
serve the DNS screen's live validation and the service layer's pre-flight checks.
"""

from __future__ import annotations

import ipaddress
import re
import string
from dataclasses import dataclass

from tui.rules import (
    Fix,
    Problem,
    host_of,
    is_ip_address,
    short,
    to_punycode,
)

FREE_MIN_TTL = 600  # the free edition of Alibaba Cloud DNS allows 600-86400 s
FREE_MAX_TTL = 86400
MX_PRIORITY = range(1, 51)  # what Alidns accepts for MX
MAX_TXT_CHARS = 512
MAX_NAME_CHARS = 253
MAX_LABEL_CHARS = 63
RECORD_TYPES = ("A", "AAAA", "CNAME", "NS", "MX", "TXT", "CAA", "SRV")
CAA_TAGS = frozenset({"issue", "issuewild", "iodef", "issuemail", "contactemail", "contactphone"})
# Underscores are fine in DNS data (_dmarc, _acme-challenge), though not in CDN domains.
_LABEL_CHARS = frozenset(string.ascii_letters + string.digits + "-_")
_CAA = re.compile(r"(\d{1,3})\s+([A-Za-z0-9]+)\s+(.*)", re.DOTALL)
# The types whose value names a host, as a sentence about one begins.
HOST_VALUED = {
    "CNAME": "A CNAME record",
    "NS": "An NS record",
    "MX": "An MX record",
    "SRV": "An SRV target",
}


@dataclass(frozen=True)
class RecordCheck:
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """Nothing blocks the record; warnings may remain."""
        return not self.errors

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")


def a_or_an(kind: str) -> str:
    """The article as the type is spoken: an A, an MX, a CNAME, a TXT."""
    return f"an {kind}" if kind[:1] in "AEFHILMNORSX" else f"a {kind}"


def _as_int(value: object) -> int | None:
    """An int from an int or a digit string (what an Input holds); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    return None


# -- host records ---------------------------------------------------------------------


def check_rr(rr: str) -> list[Problem]:
    """A host record: "@", "*", "*.sub", "www", "_dmarc", "img.shop"."""
    if not rr:
        return [
            Problem(
                "rr_empty", "Enter a host record: @ for the domain itself, or a name such as www."
            )
        ]
    if rr in ("@", "*"):
        return []
    problems = []
    labels = rr.split(".")
    if "" in labels:
        problems.append(
            Problem(
                "rr_empty_label",
                "Remove the stray dot: a host record cannot start or end with one, or hold two.",
            )
        )
    if "*" in rr and not (labels[0] == "*" and "*" not in rr[1:]):
        problems.append(
            Problem(
                "rr_wildcard", "Use * only as the whole first part of the host record, as in *.img."
            )
        )
    if "@" in rr:
        problems.append(
            Problem(
                "rr_at", "Use @ on its own for the domain itself, not inside a longer host record."
            )
        )
    bad = sorted({c for c in rr if c not in _LABEL_CHARS and c not in "*@."})
    if bad:
        puny = None if rr.isascii() else to_punycode(rr)
        shown = ", ".join(f'"{short(c)}"' for c in bad[:6])
        problems.append(
            Problem(
                "rr_characters",
                f"Remove {shown}: a host record holds letters, digits, hyphens, underscores "
                "and dots.",
                Fix(puny, "Use Punycode") if puny else None,
            )
        )
    long = [label for label in labels if len(label) > MAX_LABEL_CHARS]
    if long:
        problems.append(
            Problem(
                "rr_label_length",
                f"Shorten {short(long[0], 20)!r} ({len(long[0])} characters): each part between "
                f"dots may have at most {MAX_LABEL_CHARS}.",
            )
        )
    if len(rr) > MAX_NAME_CHARS:
        problems.append(
            Problem(
                "rr_length",
                f"The host record has {len(rr)} characters and a full name may have at most "
                f"{MAX_NAME_CHARS}, so shorten it.",
            )
        )
    return problems


# -- values ---------------------------------------------------------------------------


def _check_host_value(value: str, kind: str) -> list[Problem]:
    """A value naming a host: CNAME, NS and MX values, SRV targets."""
    what = HOST_VALUED[kind]
    host = host_of(value)
    if host != value:
        return [
            Problem(
                "value_url",
                f"{what} takes only a host name, without http://, a path or a port.",
                Fix(host.lower(), "Use the host name"),
            )
        ]
    if is_ip_address(value):
        instead = "enter the server's host name"
        if kind == "CNAME":
            instead = f"use {a_or_an('AAAA' if ':' in value else 'A')} record for {short(value)}"
        return [Problem("value_ip", f"{what} must name a host, not an IP address, so {instead}.")]
    if not value.isascii():
        puny = to_punycode(value.rstrip("."))
        form = f"the Punycode form {short(puny, 60)}" if puny else "its Punycode (xn--) form"
        return [
            Problem(
                "value_non_ascii",
                f"{what} needs the name in ASCII, so use {form}.",
                Fix(puny, "Use Punycode") if puny else None,
            )
        ]
    name = value[:-1] if value.endswith(".") else value  # a fully qualified final dot is fine
    labels = name.split(".")
    if len(name) > MAX_NAME_CHARS:
        return [
            Problem(
                "value_length",
                f"The target has {len(name)} characters and a host name may have at most "
                f"{MAX_NAME_CHARS}, so shorten it.",
            )
        ]
    if "" in labels:
        return [
            Problem(
                "value_empty_label",
                "Remove the stray dot from the target, which names a host such as img.example.com.",
            )
        ]
    bad = [
        label for label in labels if not set(label) <= _LABEL_CHARS or len(label) > MAX_LABEL_CHARS
    ]
    if bad:
        return [
            Problem(
                "value_host",
                f"{short(bad[0], 20)!r} cannot be part of a host name: use up to "
                f"{MAX_LABEL_CHARS} letters, digits and hyphens between dots.",
            )
        ]
    if len(labels) < 2:
        return [
            Problem(
                "value_not_fqdn",
                f"{what} needs a full host name such as img.example.com.w.kunlunsl.com, "
                "not a single word.",
            )
        ]
    return []


def _check_address(kind: str, value: str) -> list[Problem]:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        example = (
            "IPv4 address such as 203.0.113.10"
            if kind == "A"
            else ("IPv6 address such as 2001:db8::10")
        )
        return [Problem("value_address", f"A{a_or_an(kind)[1:]} record needs an {example}.")]
    if kind == "A" and address.version == 6:
        return [Problem("value_address", "That is an IPv6 address, so use an AAAA record for it.")]
    if kind == "AAAA" and address.version == 4:
        return [Problem("value_address", "That is an IPv4 address, so use an A record for it.")]
    return []


def _check_txt(value: str) -> list[Problem]:
    problems = []
    if len(value) > MAX_TXT_CHARS:
        problems.append(
            Problem(
                "txt_length",
                f"The TXT value has {len(value)} characters and Alidns takes at most "
                f"{MAX_TXT_CHARS}, so shorten it.",
            )
        )
    if len(re.findall(r'(?<!\\)"', value)) % 2:
        problems.append(
            Problem(
                "txt_quotes",
                "The TXT value has an unmatched double quote: close it, or leave quotes out "
                "and let Alidns add them.",
                severity="warning",
            )
        )
    return problems


def _check_caa(value: str) -> list[Problem]:
    match = _CAA.fullmatch(value)
    if match is None:
        return [
            Problem(
                "caa_format",
                "Write a CAA value as flags, tag and quoted value, "
                'as in 0 issue "letsencrypt.org".',
            )
        ]
    flags, tag, rest = match.groups()
    problems = []
    if int(flags) > 255:
        problems.append(
            Problem(
                "caa_flags",
                "CAA flags go from 0 to 255, so use 0, or 128 to mark the tag critical.",
            )
        )
    if tag.lower() not in CAA_TAGS:
        problems.append(
            Problem(
                "caa_tag",
                f"{short(tag, 20)!r} is not a known CAA tag, so use issue, issuewild or iodef.",
                severity="warning",
            )
        )
    if not (len(rest) >= 2 and rest.startswith('"') and rest.endswith('"')):
        bare = rest.strip('"')
        quoted = f'{flags} {tag} "{bare}"'
        problems.append(
            Problem(
                "caa_quotes",
                f"Put the CAA value in double quotes: {short(quoted, 60)}.",
                Fix(quoted, "Add the quotes"),
            )
        )
    return problems


def _check_srv(value: str) -> list[Problem]:
    parts = value.split()
    numbers = [_as_int(part) for part in parts[:3]]
    if len(parts) != 4 or any(n is None or n > 65535 for n in numbers):
        return [
            Problem(
                "srv_format",
                "Write an SRV value as priority, weight, port and target, "
                "as in 0 5 5060 sip.example.com.",
            )
        ]
    return [] if parts[3] == "." else _check_host_value(parts[3], "SRV")


def _check_mx_priority(priority: int | str | None) -> list[Problem]:
    low, high = MX_PRIORITY.start, MX_PRIORITY.stop - 1
    if priority is None:
        return [
            Problem(
                "mx_priority_missing",
                f"Give the MX record a priority from {low} to "
                f"{high}, where lower numbers are tried first.",
            )
        ]
    if _as_int(priority) not in MX_PRIORITY:
        return [
            Problem(
                "mx_priority",
                f"Alidns takes MX priorities from {low} to {high}, "
                "where lower numbers are tried first.",
            )
        ]
    return []


def check_record_value(
    type: str, value: str, *, priority: int | str | None = None
) -> list[Problem]:
    """Problems with a record's value for its type; doubts come with severity "warning"."""
    kind = type.strip().upper()
    if kind not in RECORD_TYPES:
        return [
            Problem(
                "type_unsupported", f"Choose one of the record types {', '.join(RECORD_TYPES)}."
            )
        ]
    if not value.strip():
        return [Problem("value_empty", f"Enter the value of the {kind} record.")]
    if kind == "TXT":
        return _check_txt(value)  # spaces are data here
    value = value.strip()
    if kind in ("A", "AAAA"):
        return _check_address(kind, value)
    if kind == "CAA":
        return _check_caa(value)
    if kind == "SRV":
        return _check_srv(value)
    problems = _check_host_value(value, kind)
    if kind == "MX":
        problems += _check_mx_priority(priority)
    return problems


# -- editions and TTLs -------------------------------------------------------------------

# Alidns editions (a zone's VersionCode) -> (the name the console gives it, the lowest TTL
# it allows); every edition allows up to FREE_MAX_TTL.
EDITIONS: dict[str, tuple[str, int]] = {
    "mianfei": ("Free", FREE_MIN_TTL),
    "version_personal": ("Personal", 600),
    "version_enterprise_basic": ("Enterprise Standard", 60),
    "version_enterprise_advanced": ("Enterprise Ultimate", 1),
}


def edition_name(version_code: str) -> str:
    """The edition as the console names it; an unknown code as it is."""
    return EDITIONS.get(version_code, (version_code or "unknown", 0))[0]


def ttl_range(version_code: str) -> tuple[int, int]:
    """The TTLs the zone's edition allows; an unknown edition gets the free range, which
    every edition accepts."""
    low = EDITIONS.get(version_code, ("", FREE_MIN_TTL))[1]
    return low, FREE_MAX_TTL


def ttl_hint(version_code: str) -> str:
    """What a TTL field says under it: the range, and whose it is."""
    low, high = ttl_range(version_code)
    if version_code in EDITIONS:
        return f"seconds, {low}-{high} on the {edition_name(version_code)} edition"
    return f"seconds, {low}-{high} (what every edition allows)"


def check_ttl(
    ttl: int | str, *, min_ttl: int = FREE_MIN_TTL, max_ttl: int = FREE_MAX_TTL
) -> list[Problem]:
    """A TTL within what the DNS edition allows (the free edition: 600-86400 seconds)."""
    seconds = _as_int(ttl)
    if seconds is None:
        return [
            Problem("ttl_number", f"Enter the TTL as a whole number of seconds, such as {min_ttl}.")
        ]
    if not min_ttl <= seconds <= max_ttl:
        edition = (
            "the free edition of Alibaba Cloud DNS"
            if min_ttl == FREE_MIN_TTL
            else "your Alibaba Cloud DNS edition"
        )
        return [
            Problem(
                "ttl_range",
                f"A TTL of {seconds} is outside the {min_ttl}-{max_ttl} "
                f"seconds {edition} allows, so pick one in that range.",
            )
        ]
    return []


def check_record(
    rr: str,
    type: str,
    value: str,
    ttl: int | str,
    *,
    priority: int | str | None = None,
    min_ttl: int = FREE_MIN_TTL,
    max_ttl: int = FREE_MAX_TTL,
) -> RecordCheck:
    """Everything checkable about a record before sending it to Alidns."""
    return RecordCheck(
        (
            *check_rr(rr),
            *check_record_value(type, value, priority=priority),
            *check_ttl(ttl, min_ttl=min_ttl, max_ttl=max_ttl),
        )
    )
