"""Cloud answers in plain words: what happened and what to do next."""

from __future__ import annotations

# CheckCdnDomainExist statuses: who holds the name.
HOLDERS = {
    "DomainExistOtherUser": "another Alibaba Cloud account",
    "DomainExistCdnProduct": "CDN (it is already added)",
    "DomainExistDcdnProduct": "DCDN (Dynamic Route for CDN)",
    "DomainExistScdnProduct": "SCDN (Secure CDN)",
    "DomainExistVodProduct": "ApsaraVideo VOD",
    "DomainExistLiveProduct": "ApsaraVideo Live",
}

_ADVICE = {
    "DomainAlreadyExist": "The name is already added to CDN, or to a product that shares "
    "domains with it (DCDN, SCDN, ApsaraVideo VOD or Live, Video Surveillance), in this "
    "account or another. Remove it there, or open a ticket if you own it.",
    "DomainOwnerVerifyFail": "CDN needs proof that you own the root domain: publish its TXT "
    "record (or upload the verification file), then verify.",
    "DomainOverLimit": "The account has reached its CDN domain quota. Delete an unused "
    "domain, or raise the quota in Quota Center.",
    "InvalidSources.Malformed": "The origin is not valid: use the bucket's public endpoint, "
    "port 80 or 443.",
    "InvalidDomainName.Malformed": "CDN does not accept this name: check the rules listed "
    "under the domain field.",
    "Throttling.User": "Too many requests right now; wait a moment and try again.",
    "SignatureDoesNotMatch": "The AccessKey secret is wrong: check your credentials.",
    "InvalidAccessKeyId.NotFound": "The AccessKey ID is unknown: check your credentials.",
    "CdnServiceNotFound": "CDN is not activated for this account, so it has no CDN domains "
    "yet. Activate it (pay-by-traffic, free to switch on) at "
    "https://common-buy.aliyun.com/?commodityCode=cdn (international accounts: the CDN "
    "console, https://cdn.console.aliyun.com), then press r.",
    "NotInternationRealIdentity": "Serving a domain in mainland China needs an account with "
    "real-name verification. Complete it in the Account Center "
    "(https://account.console.aliyun.com/#/auth/home), or choose the scope Outside "
    "mainland China, which does not need it.",
    "DomainNotRegistration": "The domain has no ICP filing, which the scopes Mainland China "
    "only and Global need. File it (https://beian.aliyun.com), or add the domain with the "
    "scope Outside mainland China, which needs none.",
    "DomainRecordDuplicate": "That exact record already exists.",
    "InvalidTTL": "Alibaba Cloud DNS does not accept this TTL: use 600 seconds or more "
    "on the free edition.",
    "QuotaExceeded.TTL": "The TTL is below what this zone's Alibaba Cloud DNS edition "
    "allows (600 s on the free edition): raise it, or upgrade the edition.",
    "Forbidden.RecordLocked": "The record is locked in the Alibaba Cloud DNS console: "
    "unlock it there to change it.",
    "DomainRecordConflict": "Another record at this host conflicts with it (a CNAME cannot "
    "share its host with other records).",
}


def review_failed_hint(scope: str) -> str:
    """What to do about a domain whose review failed (check_failed), worded by its
    scope: only the scopes that reach mainland China need an ICP filing, so only they
    send the user to check one (alibaba-api-facts.md: `overseas` needs none)."""
    from tui.choices import ICP_SCOPES

    if scope in ICP_SCOPES:
        what = "its ICP filing (its scope reaches mainland China) and its content"
    else:
        what = "that the name is registered and resolves, and its content"
    return (
        f"CDN's review of the domain failed: check {what}, then delete and add it again, "
        "or open a ticket."
    )


# What keeps an account from having CDN domains at all: the domain list says it in place
# of its rows.
ACCOUNT_PROBLEMS = frozenset({"CdnServiceNotFound"})


def holder_of(status: str) -> str | None:
    """Who holds a name, from CheckCdnDomainExist's status; None when it is free."""
    if status == "DomainNotExist":
        return None
    return HOLDERS.get(status, status)


def explain(error) -> str:
    """One paragraph for an error from the service layer: advice, then the facts."""
    code = getattr(error, "code", "") or ""
    advice = denial_advice(error) or credentials_advice(error) or _ADVICE.get(code, "")
    return f"{advice}\n{error}" if advice else str(error)


# Where the app sends someone whose account it cannot use.
DOCTOR_HINT = "Run `oss-cdn doctor` to check the credentials, permissions and endpoints."


def denial_advice(error) -> str:
    """For a RAM denial: the missing action and the policy that grants it; else ""."""
    from tui.services.errors import is_access_denied, policy_statement, ram_action

    if not is_access_denied(error):
        return ""
    action = ram_action(error)
    if not action:
        return "Permission denied by RAM: ask an administrator for the permission. " + DOCTOR_HINT
    return (
        f"Permission denied: this RAM user or role is not granted {action}. An "
        "administrator can grant it with this policy (RAM console > Policies > Create "
        f"policy > JSON, then attach it):\n{policy_statement(action)}"
    )


def credentials_advice(error) -> str:
    """For refused credentials, in plain words: which key (masked), from where, and
    what to do; else ""."""
    from tui.services.errors import credential_problem

    problem = credential_problem(error)
    which = getattr(error, "credentials", "") or "the AccessKey"
    if problem == "wrong_secret":
        return (
            f"The AccessKey secret is wrong for {which}: the secret does not match the "
            "key id (mistyped, or the key was re-created). Fix it where it came from. "
            + DOCTOR_HINT
        )
    if problem == "unknown_key":
        return (
            f"Alibaba Cloud does not know {which}: it was deleted, disabled or mistyped. "
            "Create a new AccessKey in the RAM console and configure it. " + DOCTOR_HINT
        )
    if problem == "expired_token":
        return (
            f"The STS token of {which} has expired: get a new one (assume the role again, "
            "or sign in again with aliyun-cli) and restart. " + DOCTOR_HINT
        )
    if problem == "bad_token":
        return (
            f"The STS token does not belong to {which} (or is missing or damaged): "
            "configure the key id, secret and token from the same STS answer. " + DOCTOR_HINT
        )
    return ""
