"""The project's own errors. Screens catch these, never an SDK exception.

Messages never carry secrets: they are built from the service's own answer
(code, message, request id), never from request headers or credentials.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error the service layer raises."""


class CredentialsNotFound(ServiceError):
    """No credentials in the default chain (env, aliyun-cli config, credentials.ini, ...)."""


class CredentialsInvalid(ServiceError):
    """Credentials were configured but cannot be used (a corrupt ~/.aliyun/config.json):
    reported, never replaced by the sandbox."""


class CloudError(ServiceError):
    """An error answered by (or on the way to) an Alibaba Cloud API."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        request_id: str = "",
        status: int | None = None,
        retryable: bool = False,
        service: str = "",
        action: str = "",
        retry_after: float | None = None,
        denied_action: str = "",
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.status = status
        self.retryable = retryable
        self.service = service
        self.action = action
        self.retry_after = retry_after  # seconds, when the service said so
        # A RAM denial's AccessDeniedDetail.AuthAction ("cdn:AddCdnDomain"), when sent.
        self.denied_action = denied_action
        # For a refused key or token: which key (masked) and where it came from in the
        # credential chain (set by the service layer, which knows the profile).
        self.credentials = ""
        super().__init__(self.describe())

    def describe(self) -> str:
        where = f"{self.service} {self.action}".strip()
        head = f"{where}: " if where else ""
        text = f"{head}{self.code}: {self.message}" if self.code else f"{head}{self.message}"
        if self.request_id:
            text += f" (RequestId {self.request_id})"
        return text


class ThrottledError(CloudError):
    """Throttling.User and friends; `retry_after` is set when the service sent one."""


class ServerSideError(CloudError):
    """HTTP 5xx or ServiceUnavailable."""


class NetworkError(CloudError):
    """Connection refused, reset, timed out, or an answer that is not the API's."""


class UnexpectedAnswer(CloudError):
    """A success answer (HTTP 2xx) the service layer cannot read: cut short, empty, a
    field missing or of the wrong type. Not retried: the same question would most
    likely get the same answer (a changed API, or something in between rewriting it)."""

    def __init__(
        self,
        problem: str,
        *,
        service: str = "",
        action: str = "",
        request_id: str = "",
        status: int | None = None,
    ) -> None:
        super().__init__(
            "UnexpectedAnswer",
            problem,
            request_id=request_id,
            status=status,
            service=service,
            action=action,
        )

    def describe(self) -> str:
        where = f"{self.service} {self.action}".strip()
        text = (
            f"unexpected answer from {where}: {self.message}"
            if where
            else (f"unexpected answer: {self.message}")
        )
        if self.request_id:
            text += f" (RequestId {self.request_id})"
        return text


class ReadOnlyError(ServiceError):
    """A write asked of a read-only profile: refused before anything left the process."""

    def __init__(self, summary: str) -> None:
        self.summary = summary
        super().__init__(f"read-only mode: {summary} was not sent")


class DomainInThisAccount(CloudError):
    """AddCdnDomain answered DomainAlreadyExist, and the domain is in this very account
    (read back): nothing to add; `domain` is the one to open, as the API names it
    (a wildcard as `.example.com`, like the listing)."""

    def __init__(self, domain: str, message: str = "", **kwargs) -> None:
        self.domain = domain
        super().__init__(
            "DomainAlreadyExist",
            message or f"{domain} is already in this account's CDN domains",
            **kwargs,
        )


class NotApplied(CloudError):
    """A write whose answer was lost, and reading back showed it did not take effect:
    nothing changed, so it is safe to try again. `lost` is the error that lost it."""

    def __init__(self, message: str, *, lost: CloudError | None = None, **kwargs) -> None:
        self.lost = lost
        super().__init__("NotApplied", message, **kwargs)

    def describe(self) -> str:
        # A whole sentence of its own (it names the write): no "CDN AddCdnDomain:" head.
        return self.message


class AnswerLost(CloudError):
    """A write whose answer was lost, and reading back could not tell whether it took
    effect. `lost` is the error that lost the answer, `read_back` the one of the check."""

    def __init__(
        self,
        message: str,
        *,
        lost: CloudError | None = None,
        read_back: ServiceError | None = None,
        **kwargs,
    ) -> None:
        self.lost = lost
        self.read_back = read_back
        super().__init__("AnswerLost", message, **kwargs)

    def describe(self) -> str:
        return self.message


# -- what the app asks of an error ---------------------------------------------------------
# The cloud's error codes the app acts on, spelled here once: screens ask these predicates
# and never compare a code themselves.

# DescribeCdnDomainDetail (and any call naming a domain) for a domain not in the account.
DOMAIN_NOT_FOUND = "InvalidDomain.NotFound"
# AddCdnDomain for a name whose root domain's ownership CDN has not verified yet; also
# VerifyDomainOwner when the TXT record or the file is not (yet) what CDN expects.
OWNER_UNVERIFIED = "DomainOwnerVerifyFail"
# Any change to a record locked in the Alibaba Cloud DNS console (reference/
# alibaba-api-facts.md: "Locked Alidns records: Forbidden.RecordLocked").
RECORD_LOCKED = "Forbidden.RecordLocked"


def _code(error: BaseException) -> str:
    return error.code if isinstance(error, CloudError) else ""


def is_domain_not_found(error: BaseException) -> bool:
    """CDN does not know the domain (in this account): deleted, or never added."""
    return _code(error) == DOMAIN_NOT_FOUND


def needs_owner_verification(error: BaseException) -> bool:
    """CDN refused until ownership of the domain's root is proven (a TXT record or a file)."""
    return _code(error) == OWNER_UNVERIFIED


def is_record_locked(error: BaseException) -> bool:
    """Alibaba Cloud DNS refused to change a record locked in its console."""
    return _code(error) == RECORD_LOCKED


# -- RAM denials and refused credentials ---------------------------------------------------
# RAM's refusals: `Forbidden.RAM` (Alidns, older CDN), `NoPermission` (newer gateways, with
# AccessDeniedDetail), and OSS's `AccessDenied` to a signed request (alibaba-api-facts.md).
DENIED_CODES = frozenset({"Forbidden.RAM", "NoPermission", "Forbidden.NoPermission"})
# A key pair the service does not accept: an unknown or disabled AccessKey ID, or a secret
# that does not match it (the signature fails), as the RPC gateways and OSS name them.
UNKNOWN_KEY_CODES = frozenset(
    {"InvalidAccessKeyId.NotFound", "InvalidAccessKeyId", "InvalidAccessKeyId.Inactive"}
)
WRONG_SECRET_CODES = frozenset({"SignatureDoesNotMatch"})
# An STS token past its expiry (RPC gateways; OSS), or not the key's.
EXPIRED_TOKEN_CODES = frozenset({"InvalidSecurityToken.Expired", "SecurityTokenExpired"})
BAD_TOKEN_CODES = frozenset(
    {
        "InvalidSecurityToken.MismatchWithAccessKey",
        "InvalidSecurityToken.Malformed",
        "MissingSecurityToken",
        "InvalidSecurityToken",
        "AccessKeyIdAndSecurityTokenNotMatch",
    }
)
# The RAM service code of each service the app calls, and the OSS operations RAM
# authorizes under another action's name (OSS "RAM Policy" page).
RAM_SERVICES = {"CDN": "cdn", "DNS": "alidns", "Alidns": "alidns", "OSS": "oss"}
OSS_RAM_ACTIONS = {"HeadObject": "GetObject", "ListObjectsV2": "ListObjects"}


def is_access_denied(error: BaseException) -> bool:
    """RAM refused the call: the principal lacks a permission (not a locked record)."""
    code = _code(error)
    if code in DENIED_CODES:
        return True
    # The service layer signs every OSS call: its AccessDenied is a policy's, not an ACL's.
    return code == "AccessDenied" and getattr(error, "service", "") == "OSS"


def ram_action(error: BaseException) -> str:
    """The RAM action a denial is about: the one the cloud named (AccessDeniedDetail),
    else the called API's (`cdn:AddCdnDomain`); "" when unknown."""
    if not isinstance(error, CloudError):
        return ""
    if error.denied_action:
        return error.denied_action
    service = RAM_SERVICES.get(error.service, "")
    if not service or not error.action:
        return ""
    action = OSS_RAM_ACTIONS.get(error.action, error.action) if service == "oss" else error.action
    return f"{service}:{action}"


def policy_statement(*actions: str) -> str:
    """The RAM policy document that grants `actions` (on every resource), to paste into
    RAM's "Create policy" JSON editor or `aliyun ram CreatePolicy --PolicyDocument`."""
    import json

    document = {
        "Version": "1",
        "Statement": [{"Effect": "Allow", "Action": sorted(set(actions)), "Resource": "*"}],
    }
    return json.dumps(document, indent=2)


def credential_problem(error: BaseException) -> str:
    """What is wrong with the credentials, as a kind: "unknown_key", "wrong_secret",
    "expired_token", "bad_token"; "" when the error is about something else."""
    code = _code(error)
    if code in UNKNOWN_KEY_CODES:
        return "unknown_key"
    if code in WRONG_SECRET_CODES:
        return "wrong_secret"
    if code in EXPIRED_TOKEN_CODES:
        return "expired_token"
    if code in BAD_TOKEN_CODES:
        return "bad_token"
    return ""


def name_credentials(error: ServiceError, profile) -> ServiceError:
    """`error`, told which credentials it is about when they were refused: the key id
    masked and the chain step they came from (the profile's, never its secret)."""
    if isinstance(error, CloudError) and credential_problem(error):
        key = getattr(profile, "masked_key_id", "") or "(unknown)"
        source = getattr(profile, "credential_source", "") or (
            f"profile {getattr(profile, 'name', '')!r}"
        )
        error.credentials = f"AccessKey ID {key} (from {source})"
    return error
