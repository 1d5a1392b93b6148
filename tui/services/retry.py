"""Retries: async sleeps, jittered exponential backoff, and only where repeating is safe.

The SDKs' own retry sleeps with `time.sleep`, even on their async path, which would
freeze the app's event loop; it stays off and the service layer retries here instead.
Reads are retried on transient errors (throttling, 5xx, ServiceUnavailable, lost
connections); writes never are: a write whose answer was lost may have happened, and
only the user can tell whether to send it again.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from .errors import CloudError

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


async def retrying(
    attempt: Callable[[], Awaitable[T]], *, write: bool, policy: RetryPolicy = DEFAULT_POLICY
) -> T:
    """Await `attempt()`; a read is tried again after a transient CloudError, a write never."""
    attempts = 0
    while True:
        attempts += 1
        try:
            return await attempt()
        except CloudError as error:
            wait = None if write else policy.delay_after(error, attempts)
            if wait is None:
                raise
        await asyncio.sleep(wait)
