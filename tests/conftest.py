"""Shared fixtures: a fresh embedded sandbox per test, and a Profile pointing at it.

No mocks: the sandbox is real HTTP and DNS on loopback, spoken to by the official SDKs.
"""

from __future__ import annotations

import inspect
import os
import tempfile

import pytest

# Never let a test reach the ECS metadata service or pick up a developer's real keys.
os.environ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
for _var in (
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_PROFILE",
):
    os.environ.pop(_var, None)

# Nor the developer's keymap.json or resolvers.json: an empty configuration directory
# for the session (removed at exit), which tests may point elsewhere themselves.
_CONFIG_HOME = tempfile.TemporaryDirectory(prefix="oss-cdn-tests-")
os.environ["XDG_CONFIG_HOME"] = _CONFIG_HOME.name
# Nor a shared sandbox the developer runs (`oss-cdn sandbox serve`): the record of one
# is looked for here, where only tests that serve one put it.
os.environ["OSS_CDN_RUNTIME_DIR"] = os.path.join(_CONFIG_HOME.name, "run")

# Fast enough for tests (a 240 s configuring phase lasts 0.24 s), slow enough to observe.
SPEED = 1000.0


@pytest.fixture
def sandbox():
    from tui.sandbox.runner import Sandbox

    box = Sandbox(speed=SPEED)
    box.start()
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture
def realtime_sandbox():
    """A sandbox at real speed: its CDN edge keeps a copy for its cache time in sandbox
    seconds (an hour for the seed's old objects), 3.6 real seconds at SPEED, too short
    to count on for "MISS, then HIT, then stale" on a loaded machine."""
    from tui.sandbox.runner import Sandbox

    box = Sandbox(speed=1.0)
    box.start()
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture
def profile(sandbox):
    from tui.services.profile import sandbox_profile

    return sandbox_profile(sandbox.info)


# `pytest -m "not slow"` runs the quick unit and property tests alone. Slow: a test that
# runs the app (Pilot, snapshots) or calls the service layer against the sandbox (each is
# a coroutine here), one that starts a sandbox, and, marked in their modules, those that
# run a process (a served sandbox, a pty, tmux, a fresh interpreter).
SLOW_FIXTURES = frozenset({"sandbox", "realtime_sandbox", "snap_compare"})


def pytest_collection_modifyitems(items):
    slow = pytest.mark.slow
    for item in items:
        function = getattr(item, "function", None)
        if inspect.iscoroutinefunction(function) or SLOW_FIXTURES & set(item.fixturenames):
            item.add_marker(slow)


@pytest.fixture
def no_proxy(monkeypatch):
    """The tea SDKs send even loopback requests through HTTP_PROXY: keep them direct."""
    from tests.helpers import PROXY_VARS

    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
