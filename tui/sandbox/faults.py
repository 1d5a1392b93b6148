"""Faults injected on demand, and the record of calls the sandbox received.

Tests arm faults from their own thread while the server answers in its thread, so both
classes guard their state with a lock.

    sandbox.faults.add("throttle", "DescribeUserDomains", retry_after_ms=1500)
    sandbox.faults.add("timeout", delay=3)         # the next call of any action
    sandbox.faults.add("wrong_types", "DescribeUserDomains", count=None, seed=7)
    assert [a for a, _ in sandbox.calls] == ["AddCdnDomain"]
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

KINDS = frozenset(
    {
        "throttle",  # Throttling.User, HTTP 400 (params: status, retry_after_ms)
        "server_error",  # HTTP 500 InternalError
        "unavailable",  # HTTP 503 ServiceUnavailable
        "http_error",  # any answer (params: status, code, message)
        "timeout",  # hold the request `delay` real seconds (default 30), then answer
        "reset",  # close the connection without answering
        "non_json",  # HTTP 200 with an HTML body
        # The action's real answer, mangled (bad_answers.py; params: seed, rate, body):
        "truncated",  # cut short
        "wrong_types",  # fields of the wrong type
        "null_fields",  # fields null (XML: text elements missing)
        "empty_200",  # an empty body (JSON: body="{}" for an empty object)
        "reset_after",  # apply the action, then close the connection without answering
        "timeout_after",  # apply the action, then hold the answer `delay` seconds (default 30)
    }
)


@dataclass
class Fault:
    kind: str
    action: str | None  # None: any action
    remaining: int | None  # None: until cleared
    params: dict = field(default_factory=dict)
    # What became of the last call it took: "answered", "abandoned" (the client went
    # away while the answer was held: a `timeout` call then never acts), "reset".
    outcome: str = ""

    def matches(self, action: str) -> bool:
        return self.action is None or self.action == action


class Faults:
    """Faults waiting for the calls they match; each matching call uses one up."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []

    def add(self, kind: str, action: str | None = None, count: int | None = 1, **params) -> Fault:
        """Arm a fault for the next `count` calls of `action` (None: any; count None: all)."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(KINDS)}")
        if count is not None and count < 1:
            raise ValueError("count must be at least 1 (or None for every call)")
        fault = Fault(kind, action, count, dict(params))
        with self._lock:
            self._pending.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def take(self, action: str) -> Fault | None:
        """The first armed fault matching `action`, used up by this call."""
        with self._lock:
            for fault in self._pending:
                if fault.matches(action):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self._pending.remove(fault)
                    return fault
            return None

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)


# Calls the log keeps: the most recent ones. Tests read what they just caused (a few
# dozen calls); a sandbox serving an app for hours must not grow without end, nor make
# every later `of()` walk it all.
CALL_LOG_LIMIT = 5000


class CallLog(Sequence):
    """The calls that reached the sandbox, in order: (action, params); the last `limit`
    of them (older ones are dropped as new ones come)."""

    def __init__(self, limit: int = CALL_LOG_LIMIT) -> None:
        self._lock = threading.Lock()
        self.limit = limit
        self._calls: deque[tuple[str, dict[str, str]]] = deque(maxlen=limit)
        self.total = 0  # every call recorded, the dropped ones included

    def record(self, action: str, params: dict[str, str]) -> None:
        with self._lock:
            self._calls.append((action, dict(params)))
            self.total += 1

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def actions(self) -> list[str]:
        return [action for action, _ in self]

    def of(self, action: str) -> list[dict[str, str]]:
        """The params of each call of `action`."""
        return [params for name, params in self if name == action]

    def _snapshot(self) -> list[tuple[str, dict[str, str]]]:
        with self._lock:
            return list(self._calls)

    def __getitem__(self, index):
        return self._snapshot()[index]

    def __len__(self) -> int:
        with self._lock:
            return len(self._calls)

    def __iter__(self) -> Iterator[tuple[str, dict[str, str]]]:
        return iter(self._snapshot())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return self._snapshot() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable (as list does it)

    def __repr__(self) -> str:
        return f"CallLog({self._snapshot()!r})"
