"""SDK exceptions -> the project's errors, in the service's own words.

The tea SDKs reword the service's message ("code: 400, <message> request id: ..."); the
service's own sentence is in `data['Message']`. Connection failures arrive wrapped twice
(an IOError becomes darabonba's RetryError, which becomes UnretryableException), so the
original is looked up on the exception's context. Messages are built from the answer
and the endpoint only: never from request headers, so never with a secret.
"""

from __future__ import annotations

import asyncio
import errno
from xml.etree.ElementTree import ParseError

import aiohttp
import requests
from alibabacloud_credentials.exceptions import CredentialException
from alibabacloud_tea_openapi.exceptions import ThrottlingException
from Tea.exceptions import TeaException, UnretryableException

from .errors import (
    CloudError,
    CredentialsNotFound,
    NetworkError,
    ServerSideError,
    ServiceError,
    ThrottledError,
    UnexpectedAnswer,
)

# A connection that was there, then dropped (aiohttp reports resets as a plain OSError).
LOST_ERRNOS = frozenset({errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED})

# Codes that say "not now" whatever the HTTP status: worth retrying a read.
TRANSIENT_CODES = frozenset({"ServiceUnavailable", "ServiceBusy"})


def is_throttling(code: str, status: int | None) -> bool:
    # Throttling.User / Throttling.Api (CDN, Alidns); TotalQpsLimitExceeded and friends (OSS).
    return code.startswith("Throttling") or code.endswith("QpsLimitExceeded") or status == 429


def error_class(code: str, status: int | None, throttled: bool = False) -> type[CloudError]:
    """Which CloudError an answer is, from its code and HTTP status."""
    if throttled or is_throttling(code, status):
        return ThrottledError
    if code in TRANSIENT_CODES or (status is not None and status >= 500):
        return ServerSideError
    return CloudError


def _answer_error(
    code: str,
    message: str,
    *,
    request_id: str,
    status: int | None,
    service: str,
    action: str,
    throttled: bool = False,
    retry_after: float | None = None,
    denied_action: str = "",
) -> CloudError:
    cls = error_class(code, status, throttled)
    return cls(
        code,
        message,
        request_id=request_id,
        status=status,
        retryable=cls is not CloudError,
        service=service,
        action=action,
        retry_after=retry_after,
        denied_action=denied_action,
    )


def _causes(error: BaseException | None) -> list[BaseException]:
    """`error` and what it wraps: darabonba keeps the original in the context of its
    RetryError, requests and urllib3 in args and `reason`."""
    found: list[BaseException] = []
    pending = [error]
    while pending and len(found) < 10:
        current = pending.pop(0)
        if current is None or current in found:
            continue
        found.append(current)
        linked = (
            *getattr(current, "args", ()),
            getattr(current, "reason", None),
            current.__cause__,
            current.__context__,
        )
        pending.extend(x for x in linked if isinstance(x, BaseException))
    return found


def _network_error(
    cause: BaseException | None, endpoint: str, service: str, action: str
) -> NetworkError:
    """A request that got no usable answer: why, in words a person can act on."""
    causes = _causes(cause)

    def any_of(*kinds: type[BaseException]) -> bool:
        return any(isinstance(c, kinds) for c in causes)

    if any_of(aiohttp.ClientProxyConnectionError, requests.exceptions.ProxyError):
        code, message = "ConnectionFailed", f"cannot connect to the HTTP proxy for {endpoint}"
    elif any_of(requests.ConnectTimeout, aiohttp.ConnectionTimeoutError):
        code, message = "ConnectTimeout", f"no connection to {endpoint} in time"
    elif any_of(TimeoutError, asyncio.TimeoutError, requests.Timeout):  # apart before 3.11
        code, message = "ReadTimeout", f"{endpoint} did not answer in time"
    elif any_of(aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) or any(
        isinstance(c, OSError) and c.errno in LOST_ERRNOS for c in causes
    ):
        code, message = "ConnectionLost", f"{endpoint} closed the connection before answering"
    elif any_of(OSError, aiohttp.ClientConnectionError, requests.ConnectionError):
        code, message = "ConnectionFailed", f"cannot connect to {endpoint}"
    else:
        kind = type(cause).__name__ if cause is not None else "unknown error"
        code, message = "RequestFailed", f"request to {endpoint} failed ({kind})"
    return NetworkError(code, message, retryable=True, service=service, action=action)


def _credentials_unavailable(error: Exception, service: str, action: str) -> CredentialsNotFound:
    # The class name only: the credentials library's text may quote files or answers.
    return CredentialsNotFound(
        f"{service} {action}: credentials unavailable "
        f"({type(error).__name__}): the profile's keys or token "
        "could not be loaded"
    )


def bad_answer(endpoint: str, service: str, action: str) -> NetworkError:
    # A proxy, captive portal or wrong endpoint answered: repeating will not help.
    return NetworkError(
        "BadResponse",
        f"{endpoint} answered with something that is not the {service} API's response",
        service=service,
        action=action,
    )


def _unparsed_json(text: str, endpoint: str, service: str, action: str) -> CloudError:
    """darabonba's `Failed to parse the value as json format, Value: "<body>".` for a 2xx
    answer: an empty or cut-short JSON body is the API's answer gone wrong; anything else
    (an HTML page) came from something in between. The body itself is never quoted."""
    _, found, rest = text.partition('Value: "')
    body = rest[:-2] if found and rest.endswith('".') else ""
    if found and not body.strip():
        return UnexpectedAnswer("the answer is empty", service=service, action=action)
    if body.lstrip()[:1] in ("{", "["):
        return UnexpectedAnswer(
            "the answer is not complete JSON (cut short?)", service=service, action=action
        )
    return bad_answer(endpoint, service, action)


def _unparsed_xml(error: Exception, action: str) -> UnexpectedAnswer:
    """oss2's parse errors, in the project's words: ElementTree's ParseError (an empty
    or cut XML body), oss2's `parse xml: <tag> could not be found under <parent>`, or a
    date or number in an element that is not one."""
    text = str(error)
    if isinstance(error, ParseError):
        problem = (
            "the answer is empty"
            if text.startswith("no element found: line 1, column 0")
            else "the answer is not complete XML (cut short?)"
        )
    elif text.startswith("parse xml: ") and " could not be found under " in text:
        tag, _, parent = text.removeprefix("parse xml: ").partition(" could not be found under ")
        problem = f"field {tag} missing (in {parent})"
    elif text.startswith("parse xml: value of ") and " is not a boolean under " in text:
        tag, _, parent = text.removeprefix("parse xml: value of ").partition(
            " is not a boolean under "
        )
        problem = f"field {tag} is not true or false (in {parent})"
    elif isinstance(error, ValueError) and text.endswith(" is not in valid ISO8601 format"):
        # The one time oss2 converts in the reads made here: ListBuckets' CreationDate.
        problem = "field CreationDate is not a date"
    else:
        problem = f"a field could not be read ({type(error).__name__})"
    return UnexpectedAnswer(problem, service="OSS", action=action)


def from_tea(error: Exception, *, service: str, action: str, endpoint: str) -> ServiceError:
    """The project's error for an exception raised by a tea SDK (CDN, Alidns) call."""
    if isinstance(error, UnretryableException):
        inner = error.inner_exception
        if isinstance(inner, CredentialException):
            return _credentials_unavailable(inner, service, action)
        if isinstance(inner, RuntimeError) and "json" in str(inner).lower():
            return _unparsed_json(str(inner), endpoint, service, action)
        # darabonba turns an IOError into RetryError(str(e)): the original is its context.
        return _network_error(inner, endpoint, service, action)
    if isinstance(error, TeaException):
        data = error.data if isinstance(error.data, dict) else {}
        code = str(data.get("Code") or data.get("code") or "")
        message = str(data.get("Message") or data.get("message") or "")
        status = getattr(error, "status_code", None) or data.get("statusCode")
        retry_after_ms = getattr(error, "retry_after", None)
        return _answer_error(
            code or "Unknown",
            message or (f"HTTP {status}" if status else "no message"),
            request_id=str(data.get("RequestId") or data.get("requestId") or ""),
            status=status,
            service=service,
            action=action,
            throttled=isinstance(error, ThrottlingException),
            retry_after=retry_after_ms / 1000 if retry_after_ms else None,
            denied_action=_denied_action(data),
        )
    return _network_error(error, endpoint, service, action)


def _denied_action(data: dict) -> str:
    """AccessDeniedDetail.AuthAction of a RAM denial (newer gateways send it), or ""."""
    detail = data.get("AccessDeniedDetail")
    action = detail.get("AuthAction") if isinstance(detail, dict) else None
    return action if isinstance(action, str) else ""


def from_oss(error: Exception, *, action: str, endpoint: str) -> ServiceError:
    """The project's error for an exception raised by an oss2 call."""
    # Here, not at the top: the CDN service maps its errors with this module too, and
    # needs no oss2 (~120 ms to import) for it.
    from oss2.exceptions import OssError, RequestError

    service = "OSS"
    if isinstance(error, CredentialException):
        return _credentials_unavailable(error, service, action)
    if isinstance(error, RequestError):
        return _network_error(error.exception, endpoint, service, action)
    if isinstance(error, OssError):
        status = error.status if error.status > 0 else None  # oss2's own errors are negative
        return _answer_error(
            error.code or "Unknown",
            error.message or (f"HTTP {status}" if status else "no message"),
            request_id=error.request_id or "",
            status=status,
            service=service,
            action=action,
        )
    if isinstance(error, (ParseError, ValueError, RuntimeError)):
        # oss2 raises these while parsing a 2xx answer it cannot read (an HTML page
        # with an XML content type is caught before, in OssService._call).
        return _unparsed_xml(error, action)
    return _network_error(error, endpoint, service, action)
