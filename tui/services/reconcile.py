"""The one road every write takes, and what it says when the answer was lost.

    refused in read-only mode -> sent (retried only where that is surely harmless) ->
    the answer, or, when it was lost, a read-back that tells whether the write took effect

A write whose answer was lost (the connection dropped or the read timed out after the
request left, a 5xx, a page that is not the API's) may or may not have been applied.
Sending it again could add a second record, or fail with DomainAlreadyExist; telling
the user "ConnectionLost" leaves them guessing. So the service reads back (`confirm`)
and the write ends one of three honest ways:

- it took effect: the method returns normally (with what was read back);
- it did not: NotApplied, "nothing changed, you can try again";
- even the read-back failed: AnswerLost, "check before trying again".

TeaService.send and OssService.send build the request from the Write and call `send`
here; every write method of the service layer goes through them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from .errors import (
    AnswerLost,
    CloudError,
    NetworkError,
    NotApplied,
    ReadOnlyError,
    ServerSideError,
    ServiceError,
    UnexpectedAnswer,
)
from .retry import DEFAULT_POLICY, RetryPolicy, retrying
from .writes import IDEMPOTENT_ACTIONS, WRITE_ACTIONS, Write

T = TypeVar("T")

# A read-back: the write's result as it now stands in the cloud, or None when the write
# did not take effect. It raises (a ServiceError) when it cannot tell.
Confirm = Callable[[], Awaitable["T | None"]]

# Network failures after which the request may have reached the service and been acted on.
LOST_CODES = frozenset({"ConnectionLost", "ReadTimeout", "RequestFailed", "BadResponse"})


def answer_lost(error: CloudError) -> bool:
    """May the service have acted on a write that failed with `error`?"""
    if isinstance(error, NetworkError):
        return error.code in LOST_CODES
    if isinstance(error, UnexpectedAnswer):
        return True  # a 2xx the layer could not read: the write was most likely applied
    # A 5xx (or ServiceUnavailable) may come from a gateway after the API already acted.
    return isinstance(error, ServerSideError)


def check_sendable(write: Write, read_only: bool) -> None:
    """The read-only wall, and a guard that only known writes take this road."""
    if write.api_action not in WRITE_ACTIONS:
        raise ValueError(f"{write.api_action} is not a known write action")
    if read_only:
        raise ReadOnlyError(write.summary)


def idempotent(write: Write) -> bool:
    return write.api_action in IDEMPOTENT_ACTIONS


async def send(
    write: Write,
    attempt: Callable[[], Awaitable[T]],
    *,
    read_only: bool,
    confirm: Confirm | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> T:
    """`attempt()` (one sending of `write`) the write road's way; see the module's doc."""
    check_sendable(write, read_only)
    lost: CloudError | None = None
    try:
        return await retrying(attempt, write=True, policy=policy, idempotent=idempotent(write))
    except CloudError as error:
        if not answer_lost(error):
            raise
        lost = error
    # Outside the except clause: the SDK's exception (whose frames hold the secret)
    # stays out of what is raised from here.
    return await _read_back(write, lost, confirm)


async def _read_back(write: Write, lost: CloudError, confirm: Confirm | None):
    # Where the lost answer came from, passed on as CloudError's keyword arguments.
    where: dict[str, Any] = dict(
        request_id=lost.request_id, status=lost.status, service=lost.service, action=lost.action
    )
    what = write.summary.rstrip(".")
    why = _why(lost)
    if confirm is None:
        advice = (
            "asking again is harmless, so you can try again"
            if idempotent(write)
            else "check whether it was done before trying again"
        )
        raise AnswerLost(
            f"{what}: {why}, and there is no way to read back whether it was done: {advice}.",
            lost=lost,
            **where,
        )
    failure: ServiceError | None = None
    try:
        result = await confirm()
    except ServiceError as error:
        failure = error
    if failure is not None:
        reason = failure.code if isinstance(failure, CloudError) else type(failure).__name__
        raise AnswerLost(
            f"{what}: {why}, and reading back whether it was done failed too "
            f"({reason}): check whether it was done before trying again.",
            lost=lost,
            read_back=failure,
            **where,
        )
    if result is None:
        raise NotApplied(
            f"{what}: not done. {why[0].upper()}{why[1:]}, and reading back "
            "shows nothing changed: you can try again.",
            lost=lost,
            **where,
        )
    return result


def _why(lost: CloudError) -> str:
    """Why the write's outcome was unknown, in a person's words."""
    if isinstance(lost, NetworkError):
        return f"its answer was lost ({lost.code})"
    status = f" (HTTP {lost.status})" if lost.status else ""
    return (
        f"{lost.service or 'the service'} answered {lost.code}{status}, which can come "
        "after the change was made"
    )
