"""CDN API 2018-05-10: the actions the app uses, with the real shapes and error codes.

Each action takes (world, params) under the world's lock and returns the JSON body
without RequestId; errors are raised as ApiError. Codes are Alibaba's, from the API
reference and error center; where the docs name none, the choice is noted.
"""

from __future__ import annotations

import inspect
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import cast

from tui.sandbox.http_server import Action, ApiError, Params, RpcProduct, iso_time
from tui.sandbox.world import DEFAULT_REFRESH_QUOTAS, SandboxDomain, World

VERSION = "2018-05-10"
CDN_TYPES = ("web", "download", "video")
SCOPES = ("domestic", "overseas", "global")
STATUSES = (
    "online",
    "offline",
    "configuring",
    "configure_failed",
    "checking",
    "check_failed",
    "stopping",
    "deleting",
)
SOURCE_TYPES = ("ipaddr", "domain", "oss", "fc_domain")
SEARCH_TYPES = ("fuzzy_match", "pre_match", "suf_match", "full_match")
BUSY = ("configuring", "checking", "stopping", "deleting")
# What DescribeUserDomains leaves out unless CheckDomainShow=true.
IN_REVIEW = ("checking", "check_failed", "configure_failed")
# The scopes that reach mainland China: an ICP filing and a real-name account needed.
ICP_SCOPES = ("domestic", "global")
RESOURCE_GROUP = "rg-acfmsandbox000"

# Sandbox seconds for the short transitions of Start/Stop/Delete, and for cache tasks
# (refresh takes 5-6 minutes on the real CDN).
TRANSITION_SECONDS = 120.0
REFRESH_SECONDS = 330.0
PUSH_SECONDS = 600.0

OBJECT_TYPES = {"file": "file", "directory": "directory", "regex": "regex", "exquery": "regex"}

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


# -- validation -------------------------------------------------------------------------


def valid_domain_name(name: str) -> bool:
    """CDN's rules: lowercase letters, digits, hyphens and dots, 1-67 characters; a
    wildcard arrives as `.example.com` and may be up to 99 bytes. Punycode labels
    (`xn--`) are the one place a double hyphen is allowed."""
    wildcard = name.startswith(".")
    host = name[1:] if wildcard else name
    if not host or len(name.encode()) > (99 if wildcard else 67):
        return False
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].isdigit():
        return False
    for label in labels:
        body = label[4:] if label.startswith("xn--") else label
        if not _LABEL.fullmatch(body) or "--" in body:
            return False
    return True


def _malformed_sources(reason: str) -> ApiError:
    return ApiError(400, "InvalidSources.Malformed", f"Specified Sources is malformed. {reason}")


def parse_sources(raw: str, domain: str) -> list[dict]:
    """The Sources JSON of AddCdnDomain, checked and filled with defaults."""
    try:
        items = json.loads(raw)
    except ValueError:
        raise _malformed_sources("Sources must be a JSON array.") from None
    if not isinstance(items, list) or not 1 <= len(items) <= 20:
        raise _malformed_sources("Give 1 to 20 origins.")
    sources = []
    for item in items:
        if not isinstance(item, dict):
            raise _malformed_sources("Each origin is an object.")
        content = str(item.get("content", "")).strip().lower()
        type_ = item.get("type")
        port = item.get("port", 80)
        priority = str(item.get("priority", "20"))
        if type_ not in SOURCE_TYPES:
            raise _malformed_sources(f"type must be one of {', '.join(SOURCE_TYPES)}.")
        if not content or len(content) > 67:
            raise _malformed_sources("content must be 1-67 characters.")
        if str(port) not in ("80", "443"):
            raise _malformed_sources("port must be 80 or 443.")
        if priority not in ("20", "30"):
            raise _malformed_sources('priority must be "20" (primary) or "30" (backup).')
        if content == domain.lstrip("."):
            raise _malformed_sources("The origin must differ from the accelerated domain.")
        if type_ == "ipaddr" and not _is_ip(content):
            raise _malformed_sources("An ipaddr origin must be an IP address.")
        if type_ == "oss" and not content.endswith(".aliyuncs.com"):
            raise _malformed_sources("An oss origin is a bucket's aliyuncs.com endpoint.")
        sources.append(
            {
                "content": content,
                "type": type_,
                "port": int(port),
                "priority": priority,
                "weight": str(item.get("weight", "10")),
            }
        )
    return sources


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _domain_name(params: Params, name: str = "DomainName") -> str:
    return params.required(name).strip().lower()


def _owned(world: World, name: str) -> SandboxDomain:
    domain = world.domains.get(name)
    if domain is None:
        raise ApiError(
            404, "InvalidDomain.NotFound", "The domain provided does not exist in our records."
        )
    return domain


def _not_busy(domain: SandboxDomain) -> None:
    if domain.status in BUSY:
        raise ApiError(
            403, "ServiceBusy", "The specified Domain is configuring, please retry later."
        )


# -- shapes -----------------------------------------------------------------------------


def _source_models(domain: SandboxDomain, **extra: str) -> list[dict]:
    return [
        {
            "Content": s["content"],
            "Type": s["type"],
            "Port": s["port"],
            "Priority": s["priority"],
            "Weight": s["weight"],
            **extra,
        }
        for s in domain.sources
    ]


def _page_data(domain: SandboxDomain) -> dict:
    return {
        "DomainName": domain.name,
        "Cname": domain.cname,
        "DomainStatus": domain.status,
        "CdnType": domain.cdn_type,
        "Coverage": domain.scope,
        "GmtCreated": iso_time(domain.created),
        "GmtModified": iso_time(domain.modified),
        "SslProtocol": "off",
        "Sandbox": "normal",
        "Description": domain.description,
        "DomainId": domain.domain_id,
        "ResourceGroupId": RESOURCE_GROUP,
        "Sources": {"Source": _source_models(domain)},
    }


# -- domains ----------------------------------------------------------------------------


def describe_user_domains(world: World, params: Params) -> dict:
    page = params.page(max_size=500)
    search = params.get("DomainSearchType", "fuzzy_match")
    if search not in SEARCH_TYPES:
        raise ApiError(
            400,
            "InvalidDomainSearchType.ValueNotSupported",
            "The specified value of parameter DomainSearchType is not supported.",
        )
    status = params.get("DomainStatus")
    if status is not None and status not in STATUSES:
        raise ApiError(
            400,
            "InvalidDomainStatus.ValueNotSupported",
            "The specified value of parameter DomainStatus is not supported.",
        )
    cdn_type = params.get("CdnType")
    if cdn_type is not None and cdn_type not in CDN_TYPES:
        raise ApiError(
            400,
            "InvalidCdnType.ValueNotSupported",
            "The specified value of parameter CdnType is not supported.",
        )
    needle = (params.get("DomainName") or "").lower()
    match = {
        "fuzzy_match": lambda name: needle in name,
        "pre_match": lambda name: name.startswith(needle),
        "suf_match": lambda name: name.endswith(needle),
        "full_match": lambda name: name == needle,
    }[search]
    # Domains in review or that failed it are left out unless CheckDomainShow=true
    # (DescribeUserDomainsRequest.check_domain_show, SDK model: "whether to display
    # domain names that are under review, failed the review, or failed to be
    # configured"); asked for by status, they are shown.
    show_review = params.get("CheckDomainShow", "false").lower() == "true"
    # Newest first, as the console lists (world.listing_order): sorted once per change of
    # the account's domains, so a page costs its own size, not the account's.
    ordered = world.domains_in_order()
    if not needle and status is None and cdn_type is None and show_review:
        found = ordered  # every domain: the page is a slice of it
    else:
        found = [
            d
            for d in ordered
            if (not needle or match(d.name))
            and (status is None or d.status == status)
            and (cdn_type is None or d.cdn_type == cdn_type)
            and (show_review or status is not None or d.status not in IN_REVIEW)
        ]
    return {
        "PageNumber": page.number,
        "PageSize": page.size,
        "TotalCount": len(found),
        "Domains": {"PageData": [_page_data(d) for d in page.of(found)]},
    }


def describe_cdn_domain_detail(world: World, params: Params) -> dict:
    domain = _owned(world, _domain_name(params))
    if world.now() < domain.detail_from:
        # Right after AddCdnDomain the detail is not there yet for a short while: the
        # same answer as for a domain that does not exist (seen on real accounts; the
        # listing has it already). Clients must not take it for a deletion.
        raise ApiError(404, "InvalidDomain.NotFound", "The domain provided does not belong to you.")
    return {
        "GetDomainDetailModel": {
            "DomainName": domain.name,
            "Cname": domain.cname,
            "HttpsCname": "",
            "DomainStatus": domain.status,
            "CdnType": domain.cdn_type,
            "Scope": domain.scope,
            "GmtCreated": iso_time(domain.created),
            "GmtModified": iso_time(domain.modified),
            "Description": domain.description,
            "ResourceGroupId": RESOURCE_GROUP,
            "ServerCertificateStatus": "off",
            "SourceModels": {"SourceModel": _source_models(domain, Enabled="online")},
        }
    }


def check_cdn_domain_exist(world: World, params: Params) -> dict:
    name = _domain_name(params)
    if name in world.domains:
        status = "DomainExistCdnProduct"
    else:
        status = world.foreign_domains.get(name, "DomainNotExist")
    return {"Status": status}


def add_cdn_domain(world: World, params: Params) -> dict:
    name = params.required("DomainName").strip()  # not lowercased: uppercase is malformed
    cdn_type = params.required("CdnType")
    raw_sources = params.required("Sources")
    if not valid_domain_name(name):
        raise ApiError(400, "InvalidDomainName.Malformed", "Specified DomainName is malformed.")
    if cdn_type not in CDN_TYPES:
        raise ApiError(400, "InvalidCdnType.Malformed", "Specified CdnType is malformed.")
    scope = params.get("Scope", "domestic")
    if scope not in SCOPES:
        raise ApiError(400, "InvalidScope.Malformed", "Specified Scope is malformed.")
    sources = parse_sources(raw_sources, name)
    if name in world.domains or name in world.foreign_domains:
        raise ApiError(400, "DomainAlreadyExist", "This domain name is exist already")
    # The account's quota (DescribeCdnUserQuota's DomainQuota, raised in Quota Center):
    # 403 DomainOverLimit "The Number of Domain is over the limit" (AddCdnDomain's error
    # table, the same in the SDKs' AddCdnDomain doc comments).
    if len(world.domains) >= world.quota:
        raise ApiError(403, "DomainOverLimit", "The Number of Domain is over the limit")
    if not world.is_verified(name):
        root = world.root_of(name)
        raise ApiError(
            400,
            "DomainOwnerVerifyFail",
            f"Owner verification of the root domain failed. Prove you own {root}: "
            f"publish the TXT record verification.{root} (see "
            "DescribeVerifyContent), then call VerifyDomainOwner.",
        )
    if scope in ICP_SCOPES:
        # Mainland China needs a real-name verified account (AddCdnDomain's error table:
        # 400 NotInternationRealIdentity) and an ICP filing for the domain (404
        # DomainNotRegistration, "The Domain name is not registered"; the AddCdnDomain
        # page: "If the acceleration region is set to Chinese mainland only or global,
        # the accelerated domain name must have a valid ICP filing"). `overseas` needs
        # neither. Checked after ownership: the sandbox's choice (no doc gives an order).
        if not world.real_name_verified:
            raise ApiError(
                400,
                "NotInternationRealIdentity",
                "You need to do real name authentication when you use Chinese mainland resources.",
            )
        if not world.icp_filed(name):
            raise ApiError(404, "DomainNotRegistration", "The Domain name is not registered")
    added = world.add_domain(name, cdn_type, sources, scope)
    added.detail_from = world.now() + world.detail_lag
    return {}


def _switch(world: World, params: Params, when: str, via: str, to: str) -> dict:
    """Start or stop: a domain in `when` moves through `via` to `to`; others stay."""
    domain = _owned(world, _domain_name(params))
    _not_busy(domain)
    if domain.status in ("check_failed", "configure_failed"):
        raise ApiError(
            400, "IllegalOperationDomain", "You are not authorized to operate the domain."
        )
    if domain.status == when:
        world.move_domain(domain.name, via, to, TRANSITION_SECONDS)
    return {}


def start_cdn_domain(world: World, params: Params) -> dict:
    return _switch(world, params, "offline", "configuring", "online")


def stop_cdn_domain(world: World, params: Params) -> dict:
    return _switch(world, params, "online", "stopping", "offline")


def delete_cdn_domain(world: World, params: Params) -> dict:
    domain = _owned(world, _domain_name(params))
    _not_busy(domain)
    world.move_domain(domain.name, "deleting", "deleted", TRANSITION_SECONDS)
    return {}


# -- ownership --------------------------------------------------------------------------


def describe_verify_content(world: World, params: Params) -> dict:
    return {"Content": world.verify_content(_domain_name(params))}


async def verify_domain_owner(world: World, params: Params) -> dict:
    """Codes and messages from VerifyDomainOwner's error table (CDN 2018-05-10 API
    reference, help.aliyun.com/zh/cdn/api-verifydomainowner-verifydomainowner): 400
    DomainOwnerVerifyFail "Owner verification of the root domain failed." (the DNS
    check), 400 InvalidFile "The file is not found." (no file at the URL), 400
    VerifyError "The specified Verify is incorrectly formatted." (the file's content
    does not match). CDN looks through its own lagging resolver (cdn_checks.py)."""
    from tui.sandbox import cdn_checks  # dnspython: not needed until CDN checks

    with world.lock:
        name = _domain_name(params)
        verify_type = params.required("VerifyType")
        content = world.verify_content(name)
        root = world.root_of(name)
        if verify_type == "dnsCheck":
            host = f"verification.{root}"
            found = [v.strip('"') for v in cdn_checks.txt_values(world, host)]
            if content not in found:
                seen = f" It holds {', '.join(found)}." if found else ""
                raise ApiError(
                    400,
                    "DomainOwnerVerifyFail",
                    f"Owner verification of the root domain failed. No TXT record "
                    f"{host} with the value {content} was found.{seen}",
                )
        elif verify_type != "fileCheck":
            # No documented code for an unknown VerifyType; the generic one.
            raise ApiError(
                400,
                "InvalidParameter",
                "The specified parameter VerifyType is not valid: dnsCheck or fileCheck.",
            )
    if verify_type == "fileCheck":
        # As the real CDN does: GET http://<root>/verification.html from wherever the
        # root resolves (alibaba-api-facts.md), never a look into the buckets.
        body = await cdn_checks.fetch_file(world, root)
        if body is None:
            raise ApiError(400, "InvalidFile", "The file is not found.")
        if body.decode(errors="replace").strip() != content:
            raise ApiError(400, "VerifyError", "The specified Verify is incorrectly formatted.")
    world.mark_verified(name)
    return {"Content": content}


def describe_domain_cname(world: World, params: Params) -> dict:
    from tui.sandbox import cdn_checks  # dnspython: not needed until CDN checks

    names = [n.strip().lower() for n in _domain_name(params).split(",") if n.strip()]
    if len(names) > 30:
        raise ApiError(
            400, "DomainNameOverLimit", "A maximum of 30 domains are supported for each request."
        )
    data = []
    for name in names:
        domain = world.domains.get(name)
        cname = domain.cname if domain else ""
        fqdn = f"*{name}" if name.startswith(".") else name
        # What CDN's own resolver sees, minutes behind the authoritative servers.
        in_place = bool(cname) and cdn_checks.cname_seen(world, fqdn) == cname.lower()
        data.append({"Domain": name, "Cname": cname, "Status": 0 if in_place else 1})
    return {"CnameDatas": {"Data": data}}


# -- cache refresh and prefetch ---------------------------------------------------------


# Per-request limits: "Each request can contain up to 1,000 URLs or 100 directories"
# (RefreshObjectCaches page); "up to 100 URLs at a time" (PushObjectCache page).
MAX_REFRESH_URLS = 1000
MAX_REFRESH_DIRS = 100
MAX_PUSH_URLS = 100
# The quota each task type draws on (DescribeRefreshQuota's names).
QUOTA_OF = {"file": "Url", "directory": "Dir", "regex": "Regex", "preload": "Preload"}


def _object_paths(world: World, params: Params) -> list[str]:
    paths = [p.strip() for p in params.required("ObjectPath").splitlines() if p.strip()]
    for path in paths:
        host = path.split("://", 1)[-1].split("/", 1)[0].lower()
        wildcard = "." + host.split(".", 1)[-1]
        if host not in world.domains and wildcard not in world.domains:
            raise ApiError(
                404, "InvalidDomain.NotFound", "The domain provided does not exist in our records."
            )
    return paths


def _check_limits(world: World, paths: list[str], object_type: str, most: int) -> None:
    """The per-request limit, then the day's quota: the whole request is refused.

    Codes and messages as the CDN API reference lists them: more paths than a request
    takes -> 400 `InvalidObjectPath.Size.Malformed` "The size of ObjectPath is bigger
    than 1000." (PushObjectCache's error table, CDN 2018-05-10; its figure is that
    page's, so the sandbox says the limit it applies); the day's refresh quota spent ->
    400 `QuotaExceeded.Refresh` "You've exceeded the prescribed refresh limits." (the
    RefreshObjectCaches/PushObjectCache error tables); the prefetch quota spent -> 400
    `QuotaExceeded.Preload` "Your refresh attempts have exceeded the daily limit." (the
    newer prefetch pages, PreloadDcdnObjectCaches; older CDN pages gave
    QuotaExceeded.Refresh for both)."""
    if len(paths) > most:
        raise ApiError(
            400,
            "InvalidObjectPath.Size.Malformed",
            f"The size of ObjectPath is bigger than {most}.",
        )
    quota = QUOTA_OF[object_type]
    if len(paths) > world.quota_remaining(quota):
        if quota == "Preload":
            raise ApiError(
                400, "QuotaExceeded.Preload", "Your refresh attempts have exceeded the daily limit."
            )
        raise ApiError(
            400, "QuotaExceeded.Refresh", "You've exceeded the prescribed refresh limits."
        )


def _add_tasks(world: World, paths: list[str], object_type: str, seconds: float) -> str:
    return ",".join(world.add_cache_task(path, object_type, seconds) for path in paths)


def refresh_object_caches(world: World, params: Params) -> dict:
    raw_type = params.get("ObjectType", "File")
    object_type = OBJECT_TYPES.get(raw_type.lower())
    if object_type is None:
        raise ApiError(
            400,
            "InvalidObjectType.ValueNotSupported",
            "The specified value of parameter ObjectType is not supported.",
        )
    paths = _object_paths(world, params)
    most = MAX_REFRESH_URLS if object_type == "file" else MAX_REFRESH_DIRS
    _check_limits(world, paths, object_type, most)
    return {"RefreshTaskId": _add_tasks(world, paths, object_type, REFRESH_SECONDS)}


def push_object_cache(world: World, params: Params) -> dict:
    paths = _object_paths(world, params)
    _check_limits(world, paths, "preload", MAX_PUSH_URLS)
    return {"PushTaskId": _add_tasks(world, paths, "preload", PUSH_SECONDS)}


def describe_refresh_tasks(world: World, params: Params) -> dict:
    page = params.page(max_size=100)
    wanted = {
        "TaskId": params.get("TaskId"),
        "ObjectType": params.get("ObjectType"),
        "Status": params.get("Status"),
    }
    path = params.get("ObjectPath")
    domain = (params.get("DomainName") or "").lower()
    tasks = [
        t
        for t in reversed(world.refresh_tasks)
        if all(v is None or t[k] == v for k, v in wanted.items())
        and (path is None or path in t["ObjectPath"])
        and (not domain or domain in t["ObjectPath"].lower())
    ]
    public = [{k: v for k, v in t.items() if k[0].isupper()} for t in page.of(tasks)]
    return {
        "PageNumber": page.number,
        "PageSize": page.size,
        "TotalCount": len(tasks),
        "Tasks": {"CDNTask": public},
    }


def describe_refresh_quota(world: World, params: Params) -> dict:
    answer = {}
    for name in DEFAULT_REFRESH_QUOTAS:
        # The API answers numbers as strings.
        answer[f"{name}Quota"] = str(world.refresh_quotas.get(name, 0))
        answer[f"{name}Remain"] = str(world.quota_remaining(name))
    return answer


# -- feature configurations -------------------------------------------------------------
# BatchSetCdnDomainConfig / DescribeCdnDomainConfigs (API reference pages of both; the
# functions and their arguments are on "Domain configuration functions", Alibaba's page
# parameters-for-configuring-features-for-domain-names). The sandbox implements the one
# function the app sets: l2_oss_key, "origin fetch from private buckets" (FunctionID 85),
# argument private_oss_auth on|off (required) and perm_private_oss_tbl (optional: another
# account's key pair, which the app never sends).
FUNCTIONS: dict[str, dict[str, tuple[str, ...] | None]] = {
    "l2_oss_key": {"private_oss_auth": ("on", "off"), "perm_private_oss_tbl": None},
}
REQUIRED_ARGS = {"l2_oss_key": ("private_oss_auth",)}
# "You can specify up to 50 domain names"; "domain names x Functions <= 50" (BatchSet...).
BATCH_LIMIT = 50
# A configuration reads `configuring` first, then `success` (DescribeCdnDomainConfigs'
# Status: success | testing | failed | configuring). Real changes reach the edge in
# about a minute; sandbox seconds.
CONFIG_SECONDS = 60.0


def _malformed_functions(reason: str) -> ApiError:
    # No code is documented for a Functions value that is not the documented JSON; the
    # sandbox answers like AddCdnDomain's InvalidSources.Malformed.
    return ApiError(
        400, "InvalidFunctions.Malformed", f"Specified Functions is malformed. {reason}"
    )


def parse_functions(raw: str) -> list[tuple[str, dict[str, str], str]]:
    """BatchSetCdnDomainConfig's Functions: [(functionName, {argName: argValue}, parentId)].
    Raises the API's errors for a value the API would refuse."""
    try:
        items = json.loads(raw)
    except ValueError:
        raise _malformed_functions("Functions must be a JSON array.") from None
    if not isinstance(items, list) or not 1 <= len(items) <= BATCH_LIMIT:
        raise _malformed_functions(f"Give 1 to {BATCH_LIMIT} functions.")
    parsed = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("functionArgs"), list):
            raise _malformed_functions("Each function is an object with functionArgs.")
        name = item.get("functionName")
        known = FUNCTIONS.get(name) if isinstance(name, str) else None
        if known is None or not isinstance(name, str):
            # A misspelt or unsupported function name; no documented code either.
            raise ApiError(
                400,
                "InvalidFunctionName.NotSupported",
                f"The specified function {str(name)[:60]!r} is not supported.",
            )
        args: dict[str, str] = {}
        for arg in item["functionArgs"]:
            if not isinstance(arg, dict) or not isinstance(arg.get("argName"), str):
                raise _malformed_functions("Each argument is {argName, argValue}.")
            arg_name, value = arg["argName"], arg.get("argValue")
            if arg_name not in known or not isinstance(value, str):
                raise ApiError(
                    400,
                    "InvalidArgValue.Malformed",
                    f"The specified ArgValue is invalid: {arg_name[:60]!r} of {name}.",
                )
            allowed = known[arg_name]
            if allowed is not None and value not in allowed:
                raise ApiError(
                    400,
                    "InvalidArgValue.Malformed",
                    f"The specified ArgValue is invalid: {arg_name} is one of "
                    f"{', '.join(allowed)}.",
                )
            args[arg_name] = value
        for needed in REQUIRED_ARGS.get(name, ()):
            if needed not in args:
                raise ApiError(
                    400,
                    "MissingParameter",
                    f'The input parameter "{needed}" of {name} that is mandatory for '
                    "processing this request is not supplied.",
                )
        parsed.append((name, args, str(item.get("parentId") or "")))
    return parsed


def batch_set_cdn_domain_config(world: World, params: Params) -> dict:
    names = [n.strip().lower() for n in params.required("DomainNames").split(",") if n.strip()]
    functions = parse_functions(params.required("Functions"))
    if not names or len(names) > BATCH_LIMIT or len(names) * len(functions) > BATCH_LIMIT:
        raise ApiError(
            400,
            "DomainNameOverLimit",
            f"Up to {BATCH_LIMIT} domain names, and domain names x functions <= {BATCH_LIMIT}.",
        )
    domains = [_owned(world, name) for name in names]
    for domain in domains:
        # Checked for every domain before any changes: a refused batch changes nothing.
        _not_busy(domain)
        if domain.status in ("check_failed", "configure_failed"):
            raise ApiError(
                400, "IllegalOperationDomain", "You are not authorized to operate the domain."
            )
    now = world.now()
    models = []
    for domain in domains:
        for name, args, parent in functions:
            # One configuration per function: setting it again replaces its arguments
            # and keeps its ConfigId (ConfigId usage notes: the id updates a config).
            config = next((c for c in domain.configs if c["FunctionName"] == name), None)
            if config is None:
                config = {"FunctionName": name, "ConfigId": world.next_id()}
                domain.configs.append(config)
            config.update(
                {
                    "Status": "configuring",
                    "FunctionArgs": dict(args),
                    "ParentId": parent,
                    "done_at": now + CONFIG_SECONDS,
                }
            )
            domain.modified = now
            world.changed()  # tick() completes the configuration CONFIG_SECONDS from now
            # ConfigId is a Long in BatchSetCdnDomainConfig's answer, a string in
            # DescribeCdnDomainConfigs' (the SDK models say so).
            models.append(
                {
                    "DomainName": domain.name,
                    "ConfigId": int(config["ConfigId"]),
                    "FunctionName": name,
                }
            )
    return {"DomainConfigList": {"DomainConfigModel": models}}


def _config_args(world: World, config: dict) -> list[dict]:
    args = dict(config["FunctionArgs"])
    if config["FunctionName"] == "l2_oss_key":
        # Without the role AliyunCDNAccessingPrivateOSSRole the API still takes the
        # setting (no error code is documented for it); what it reports is an extra
        # argument, private_oss_ram_unauthorized (terraform-provider-alicloud PR #9833
        # ignores it in alicloud_cdn_domain_config's l2_oss_key diff), and the edge,
        # given no STS token, still gets OSS's 403. The sandbox reads "on" as "CDN has
        # no authorization to read the account's private buckets".
        args["private_oss_ram_unauthorized"] = "off" if world.private_oss_role else "on"
    return [{"ArgName": k, "ArgValue": v} for k, v in args.items()]


def describe_cdn_domain_configs(world: World, params: Params) -> dict:
    domain = _owned(world, _domain_name(params))  # "only one domain name per query"
    wanted = {n.strip() for n in (params.get("FunctionNames") or "").split(",") if n.strip()}
    config_id = params.get("ConfigId")
    found = [
        {
            "FunctionName": c["FunctionName"],
            "ConfigId": c["ConfigId"],
            "Status": c["Status"],
            "ParentId": c.get("ParentId", ""),
            "FunctionArgs": {"FunctionArg": _config_args(world, c)},
        }
        for c in domain.configs
        if (not wanted or c["FunctionName"] in wanted)
        and (config_id is None or c["ConfigId"] == config_id)
    ]
    return {"DomainConfigs": {"DomainConfig": found}}


def describe_cdn_user_quota(world: World, params: Params) -> dict:
    """DescribeCdnUserQuota: the account's quotas as whole numbers (the SDK's
    DescribeCdnUserQuotaResponseBody types every field int), each with what remains
    (domains: the quota less the domains the account has)."""
    answer = {
        "DomainQuota": world.quota,
        "RefreshUrlQuota": world.refresh_quotas["Url"],
        "RefreshUrlRemain": world.quota_remaining("Url"),
        "RefreshDirQuota": world.refresh_quotas["Dir"],
        "RefreshDirRemain": world.quota_remaining("Dir"),
        "PreloadQuota": world.refresh_quotas["Preload"],
        "PreloadRemain": world.quota_remaining("Preload"),
        "BlockQuota": world.refresh_quotas["Block"],
        "BlockRemain": world.refresh_quotas["Block"],
        "IgnoreParamsQuota": world.refresh_quotas["IgnoreParams"],
        "IgnoreParamsRemain": world.refresh_quotas["IgnoreParams"],
    }
    return answer


def _activated(action: Action) -> Action:
    """Every CDN action of an account that has not activated CDN answers 403
    CdnServiceNotFound (CDN's error codes; OpenCdnService's page: "You must activate
    Alibaba Cloud CDN before you can manage domain names"). The message is the sandbox's
    wording of it."""

    def refuse_unless_activated(world: World) -> None:
        if not world.cdn_activated:
            raise ApiError(
                403, "CdnServiceNotFound", "The user does not open CDN service, please open it."
            )

    if inspect.iscoroutinefunction(action):  # it takes the world's lock itself

        async def answer_later(world: World, params: Params) -> dict:
            refuse_unless_activated(world)
            return await action(world, params)

        return answer_later

    def answer(world: World, params: Params) -> dict:
        refuse_unless_activated(world)
        return cast(dict, action(world, params))  # not a coroutine function: a dict

    return answer


def _activated_all(actions: Mapping[str, Action]) -> dict[str, Action]:
    return {name: _activated(action) for name, action in actions.items()}


PRODUCT = RpcProduct(
    name="Cdn",
    version=VERSION,
    host_id="cdn.aliyuncs.com",
    actions={
        "DescribeUserDomains": describe_user_domains,
        "DescribeCdnDomainDetail": describe_cdn_domain_detail,
        "CheckCdnDomainExist": check_cdn_domain_exist,
        "AddCdnDomain": add_cdn_domain,
        "StartCdnDomain": start_cdn_domain,
        "StopCdnDomain": stop_cdn_domain,
        "DeleteCdnDomain": delete_cdn_domain,
        "DescribeVerifyContent": describe_verify_content,
        "VerifyDomainOwner": verify_domain_owner,
        "DescribeDomainCname": describe_domain_cname,
        "RefreshObjectCaches": refresh_object_caches,
        "PushObjectCache": push_object_cache,
        "DescribeRefreshTasks": describe_refresh_tasks,
        "DescribeRefreshQuota": describe_refresh_quota,
        "BatchSetCdnDomainConfig": batch_set_cdn_domain_config,
        "DescribeCdnDomainConfigs": describe_cdn_domain_configs,
        "DescribeCdnUserQuota": describe_cdn_user_quota,
    },
)
PRODUCT = replace(PRODUCT, actions=_activated_all(PRODUCT.actions))
