"""`Services` builds each service once, even when the connect worker's warm-up and the
event loop ask for one at the same moment."""

from __future__ import annotations

import asyncio
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tui.services.facade import Services

THREADS = 8


@pytest.fixture
def frequent_switches():
    """Threads switch as often as the interpreter allows: a race shows at once."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_each_service_is_built_once_whoever_asks_first(profile, frequent_switches):
    for _ in range(10):
        services = Services(profile)
        start = threading.Barrier(THREADS)

        def use(n: int):
            start.wait()
            if n == 0:
                services.warm_up()
            return services.oss, services.ownership, services.propagation

        with ThreadPoolExecutor(THREADS) as pool:
            seen = list(pool.map(use, range(THREADS)))
        oss, ownership, propagation = seen[0]
        assert all(s[0] is oss and s[1] is ownership and s[2] is propagation for s in seen)
        assert ownership.oss is oss and ownership.cdn is services.cdn is propagation.cdn
        asyncio.run(services.close())


def test_closing_releases_the_oss_pool_and_a_later_use_builds_a_new_one(profile):
    services = Services(profile)
    first = services.oss
    asyncio.run(services.close())
    assert "oss" not in vars(services)
    assert services.oss is not first
    asyncio.run(services.close())
