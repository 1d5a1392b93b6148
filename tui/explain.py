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
    "CdnServiceNotFound": "CDN is not activated for this account: activate it in the console.",
    "DomainRecordDuplicate": "That exact record already exists.",
    "QuotaExceeded.TTL": "The TTL is below what this zone's Alibaba Cloud DNS edition "
    "allows (600 s on the free edition): raise it, or upgrade the edition.",
    "Forbidden.RecordLocked": "The record is locked in the Alibaba Cloud DNS console: "
    "unlock it there to change it.",
    "DomainRecordConflict": "Another record at this host conflicts with it (a CNAME cannot "
    "share its host with other records).",
}


def holder_of(status: str) -> str | None:
    """Who holds a name, from CheckCdnDomainExist's status; None when it is free."""
    if status == "DomainNotExist":
        return None
    return HOLDERS.get(status, status)


def explain(error) -> str:
    """One paragraph for an error from the service layer: advice, then the facts."""
    code = getattr(error, "code", "") or ""
    advice = _ADVICE.get(code, "")
    return f"{advice}\n{error}" if advice else str(error)
