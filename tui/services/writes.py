"""Every change the app makes to a cloud account, as a value: what it sends, what it
says to a person, and the same change as an aliyun-cli command line.

A `Write` is built once, from the state already read; the confirmation shows its
`summary`, the export shows its `command()`, and the service method builds its SDK
request from its `params` (`RequestModel().from_map(dict(write.params))`), so what is
reviewed, what is exported and what is sent are one and the same.

Pure: no SDK, no I/O (screens import it for the export and the read-only notice).

aliyun-cli spells an RPC API call `aliyun <product> <Action> --<ParamName> <value>`,
with the API's own parameter names (`aliyun alidns AddDomainRecord --DomainName
example.com --RR www --Type A --Value 192.0.2.1`); JSON values, such as AddCdnDomain's
Sources, go in as one shell word. A value holding control characters (cloud text can)
is written as bash's $'...' with escapes: the export never carries a raw ESC.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tui.rules import api_name, display_name

from .models import DnsRecord, Source

Param = tuple[str, "str | int | bool"]


@dataclass(frozen=True)
class Write:
    product: str  # aliyun-cli product: "cdn" | "alidns" | "oss"
    action: str  # the API action, e.g. "AddCdnDomain" ("cp" for the OSS upload)
    params: tuple[tuple[str, str | int | bool], ...]  # API parameter names and values, as sent
    summary: str  # one plain sentence a person reads in a confirmation

    @property
    def api_action(self) -> str:
        """The API action sent: `action`, except the OSS upload (`cp`), sent as PutObject."""
        return "PutObject" if (self.product, self.action) == ("oss", "cp") else self.action

    def param(self, name: str, default: str | int | bool | None = None):
        """The value of parameter `name` (e.g. write.param("DomainName"))."""
        return next((value for key, value in self.params if key == name), default)

    def command(self) -> str:
        """The aliyun-cli command line that makes the same change, shell-quoted."""
        if self.product == "oss":
            return _oss_command(self)
        words = ["aliyun", self.product, self.action]
        for name, value in self.params:
            words += [f"--{name}", _cli_value(value)]
        return " ".join(shell_word(word) for word in words)


def _cli_value(value: str | int | bool) -> str:
    # aliyun-cli takes booleans as `true` / `false`, like the API's query string.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def shell_word(text: str) -> str:
    """One shell word standing for exactly `text`, with no control character in it:
    shlex.quote's '...' for printable text; else bash's $'...' with the control, bidi
    and zero-width characters written as escapes, so a record value holding ESC ] 52
    neither reaches the terminal raw nor changes when the command is pasted."""
    if text.isprintable():
        return shlex.quote(text)
    return "$'" + "".join(_escaped(c) for c in text) + "'"


_SHORT_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escaped(c: str) -> str:
    if c in "\\'":
        return "\\" + c
    if c.isprintable():
        return c
    if c in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[c]
    code = ord(c)
    if code < 0x80:
        return f"\\x{code:02x}"  # bash reads at most two hex digits after \x
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _visible(text: str) -> str:
    """`text` on one line, with control and invisible characters shown as escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _oss_command(write: Write) -> str:
    """`aliyun oss cp` uploads a file; the content is written to a local one first."""
    bucket, key = write.param("Bucket"), write.param("Key")
    content = write.param("Content", "")
    local = posixpath.basename(str(key)) or "object"
    target = f"oss://{bucket}/{key}"
    return (
        f"printf %s {shell_word(str(content))} > {shell_word(local)}"
        f" && aliyun oss cp {shell_word(local)} {shell_word(target)}"
    )


def commands(writes: Iterable[Write]) -> str:
    """The writes as a shell script body: a `# summary` line above each command."""
    lines: list[str] = []
    for write in writes:
        # One line per comment: a summary quoting cloud text never starts a command,
        # nor holds a control character.
        summary = _visible(" ".join(write.summary.split()))
        lines += [f"# {summary}", write.command()]
    return "\n".join(lines)


# Every API action that changes an account's state. A read-only profile sends none of
# them (tests assert the sandbox's call log holds none).
WRITE_ACTIONS: frozenset[str] = frozenset(
    {
        # CDN 2018-05-10 (VerifyDomainOwner records the proof of ownership)
        "AddCdnDomain",
        "StartCdnDomain",
        "StopCdnDomain",
        "DeleteCdnDomain",
        "VerifyDomainOwner",
        "RefreshObjectCaches",
        "PushObjectCache",
        "ModifyCdnDomain",
        "BatchSetCdnDomainConfig",
        # Alidns 2015-01-09
        "AddDomainRecord",
        "UpdateDomainRecord",
        "DeleteDomainRecord",
        "SetDomainRecordStatus",
        "DeleteSubDomainRecords",
        # OSS
        "PutObject",
        "DeleteObject",
        "PutBucketAcl",
        "PutBucketCname",
        "DeleteBucketCname",
    }
)

# Actions that may be sent again safely: asking twice changes nothing more than once.
# (BatchSetCdnDomainConfig is not among them: a lost answer is read back, see cdn.py.)
IDEMPOTENT_ACTIONS: frozenset[str] = frozenset({"VerifyDomainOwner", "PutObject"})

SCOPES = {"domestic": "mainland China", "overseas": "outside mainland China", "global": "worldwide"}


# -- CDN ---------------------------------------------------------------------------------


def add_domain(
    name: str, cdn_type: str, sources: Sequence[Source], scope: str = "domestic"
) -> Write:
    """AddCdnDomain; a wildcard `*.example.com` is sent as `.example.com`."""
    sent = api_name(name)
    origins = ", ".join(f"{s.content}:{s.port}" for s in sources)
    return Write(
        "cdn",
        "AddCdnDomain",
        (
            ("DomainName", sent),
            ("CdnType", cdn_type),
            ("Sources", json.dumps([s.to_api() for s in sources], separators=(",", ":"))),
            ("Scope", scope),
        ),
        f"Add {display_name(sent)} to CDN: {cdn_type}, origin {origins}, "
        f"{SCOPES.get(scope, scope)}",
    )


def start_domain(name: str) -> Write:
    return Write(
        "cdn",
        "StartCdnDomain",
        (("DomainName", name),),
        f"Start {display_name(name)}: CDN serves it again",
    )


def stop_domain(name: str) -> Write:
    shown = display_name(name)
    return Write(
        "cdn",
        "StopCdnDomain",
        (("DomainName", name),),
        f"Stop {shown}: the site stops being served by CDN; requests to {shown} "
        "fail until started again",
    )


def delete_domain(name: str) -> Write:
    return Write(
        "cdn",
        "DeleteCdnDomain",
        (("DomainName", name),),
        f"Delete {display_name(name)} from CDN, with its configuration",
    )


def verify_owner(domain: str, verify_type: str = "dnsCheck") -> Write:
    how = "the DNS TXT record" if verify_type == "dnsCheck" else "the verification file"
    return Write(
        "cdn",
        "VerifyDomainOwner",
        (("DomainName", domain), ("VerifyType", verify_type)),
        f"Ask CDN to check the ownership of {display_name(domain)} through {how}",
    )


def refresh(paths: Sequence[str], object_type: str = "File", force: bool = False) -> Write:
    params: list[Param] = [("ObjectPath", "\n".join(paths)), ("ObjectType", object_type)]
    if force:
        params.append(("Force", True))
    what = "directory" if object_type == "Directory" else object_type.lower()
    count = len(paths)
    return Write(
        "cdn",
        "RefreshObjectCaches",
        tuple(params),
        f"Refresh the CDN cache of {count} {what}{'' if count == 1 else 's'}"
        + (": " + paths[0] if count == 1 else ""),
    )


def push(paths: Sequence[str], area: str | None = None) -> Write:
    params: list[Param] = [("ObjectPath", "\n".join(paths))]
    if area:
        params.append(("Area", area))
    count = len(paths)
    return Write(
        "cdn",
        "PushObjectCache",
        tuple(params),
        f"Prefetch {count} URL{'' if count == 1 else 's'} into the CDN cache"
        + (": " + paths[0] if count == 1 else ""),
    )


# CDN's back-to-origin authentication for private OSS buckets: function l2_oss_key
# ("configures origin fetch from private buckets", FunctionID 85 on Alibaba's "Domain
# configuration functions" page for BatchSetCdnDomainConfig), argument private_oss_auth.
# Its other argument, perm_private_oss_tbl, would put another account's AccessKey in the
# domain's configuration: never sent; same-account fetches use an STS token CDN gets
# through the role AliyunCDNAccessingPrivateOSSRole.
PRIVATE_ORIGIN_FUNCTION = "l2_oss_key"
PRIVATE_ORIGIN_ARG = "private_oss_auth"


def private_origin(name: str, on: bool = True) -> Write:
    """BatchSetCdnDomainConfig l2_oss_key private_oss_auth=on|off for one domain."""
    functions = [
        {
            "functionArgs": [{"argName": PRIVATE_ORIGIN_ARG, "argValue": "on" if on else "off"}],
            "functionName": PRIVATE_ORIGIN_FUNCTION,
        }
    ]
    shown = display_name(name)
    summary = (
        f"Switch on back-to-origin authentication for private OSS buckets on {shown}: "
        "CDN signs its fetches from the origin bucket, which stays private"
        if on
        else f"Switch off back-to-origin authentication for private OSS buckets on {shown}"
    )
    return Write(
        "cdn",
        "BatchSetCdnDomainConfig",
        (("DomainNames", name), ("Functions", json.dumps(functions, separators=(",", ":")))),
        summary,
    )


# -- Alidns ------------------------------------------------------------------------------


def _fqdn(zone: str, rr: str) -> str:
    return zone if rr == "@" else f"{rr}.{zone}"


def add_record(
    zone: str,
    rr: str,
    type: str,
    value: str,
    *,
    ttl: int = 600,
    line: str = "default",
    priority: int | None = None,
) -> Write:
    params: list[Param] = [
        ("DomainName", zone),
        ("RR", rr),
        ("Type", type),
        ("Value", value),
        ("TTL", ttl),
        ("Line", line),
    ]
    if priority is not None:
        params.append(("Priority", priority))
    return Write(
        "alidns",
        "AddDomainRecord",
        tuple(params),
        f"Add the {type} record {_fqdn(zone, rr)} -> {value} (TTL {ttl})",
    )


def update_record(
    record: DnsRecord,
    *,
    rr: str | None = None,
    type: str | None = None,
    value: str | None = None,
    ttl: int | None = None,
    line: str | None = None,
    priority: int | None = None,
) -> Write:
    """UpdateDomainRecord: `record` with the given fields changed (the API wants them all)."""
    rr = record.rr if rr is None else rr
    type = record.type if type is None else type
    value = record.value if value is None else value
    ttl = record.ttl if ttl is None else ttl
    line = record.line if line is None else line
    priority = record.priority if priority is None else priority
    params: list[Param] = [
        ("RecordId", record.record_id),
        ("RR", rr),
        ("Type", type),
        ("Value", value),
        ("TTL", ttl),
        ("Line", line),
    ]
    if priority is not None:
        params.append(("Priority", priority))
    old = f"{record.type} {record.value} (TTL {record.ttl})"
    new = f"{type} {value} (TTL {ttl})"
    return Write(
        "alidns",
        "UpdateDomainRecord",
        tuple(params),
        f"Change the record {_fqdn(record.zone, rr)} from {old} to {new}",
    )


def _record_named(record: DnsRecord | str) -> tuple[str, str]:
    """The record's id, and how a person knows it (only the id when that is all we have)."""
    if isinstance(record, str):
        return record, f"the DNS record {record}"
    return record.record_id, f"the {record.type} record {record.fqdn} -> {record.value}"


def delete_record(record: DnsRecord | str) -> Write:
    record_id, named = _record_named(record)
    return Write("alidns", "DeleteDomainRecord", (("RecordId", record_id),), f"Delete {named}")


def set_record_status(record: DnsRecord | str, enabled: bool) -> Write:
    verb = "Enable" if enabled else "Disable"
    record_id, named = _record_named(record)
    return Write(
        "alidns",
        "SetDomainRecordStatus",
        (("RecordId", record_id), ("Status", verb)),
        f"{verb} {named}",
    )


# -- OSS ---------------------------------------------------------------------------------


def put_object(bucket: str, key: str, content: str) -> Write:
    """PutObject of a small text (the ownership file); exported as `aliyun oss cp`."""
    return Write(
        "oss",
        "cp",
        (("Bucket", bucket), ("Key", key), ("Content", content)),
        f"Upload {key} to the bucket {bucket}, holding {content}",
    )
