"""Retries: async sleeps, jittered exponential backoff, and only where repeating is safe.

The SDKs' own retry sleeps with `time.sleep`, even on their async path, which would
freeze the app's event loop; it stays off and the service layer retries here instead.
Reads are retried on transient errors (throttling, 5xx, ServiceUnavailable, lost
connections). A write is retried only where sending it again is surely harmless: when
it was refused before it was applied (throttling, or no connection at all), or when it
is idempotent (VerifyDomainOwner, PutObject of the same content). A write whose answer
was lost otherwise may have happened: tui.services.reconcile reads back whether it did.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from .errors import CloudError, NetworkError, ThrottledError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4  # the first try included
    base_delay: float = 0.25  # seconds before the first retry; doubles after each
    max_delay: float = 4.0  # cap of one backoff
    # A longer wait asked for by the service (Retry-After) is not slept through: the
    # error goes to the user, who sees how long to wait.
    max_retry_after: float = 30.0

    def backoff(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds before retry number `retry` (1 for the first): half of the capped
        exponential step is fixed, half random, so clients that failed together spread out."""
        step = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return step / 2 + rand() * step / 2

    def delay_after(self, error: CloudError, attempts: int) -> float | None:
        """How long to wait before trying again after `attempts` tries, or None to give up."""
        if not error.retryable or attempts >= self.max_attempts:
            return None
        if error.retry_after is not None:
            return error.retry_after if error.retry_after <= self.max_retry_after else None
        return self.backoff(attempts)


DEFAULT_POLICY = RetryPolicy()

# No connection was made: the request never reached the service.
NOT_SENT_CODES = frozenset({"ConnectTimeout", "ConnectionFailed"})


def never_applied(error: CloudError) -> bool:
    """Was the request surely not acted on? Throttling refuses a call before it runs
    (Alibaba's flow control sits in front of the API); a connection never made sent nothing."""
    if isinstance(error, ThrottledError):
        return True
    return isinstance(error, NetworkError) and error.code in NOT_SENT_CODES


async def retrying(
    attempt: Callable[[], Awaitable[T]],
    *,
    write: bool,
    policy: RetryPolicy = DEFAULT_POLICY,
    idempotent: bool = False,
) -> T:
    """Await `attempt()`; tried again after a transient CloudError when it is a read, an
    idempotent write, or a write that was surely not applied (see never_applied)."""
    attempts = 0
    while True:
        attempts += 1
        try:
            return await attempt()
        except CloudError as error:
            again = not write or idempotent or never_applied(error)
            wait = policy.delay_after(error, attempts) if again else None
            if wait is None:
                raise
        await asyncio.sleep(wait)
