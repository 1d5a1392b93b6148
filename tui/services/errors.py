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
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.status = status
        self.retryable = retryable
        self.service = service
        self.action = action
        self.retry_after = retry_after  # seconds, when the service said so
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
