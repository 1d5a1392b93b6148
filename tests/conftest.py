"""Shared fixtures: a fresh embedded sandbox per test, and a Profile pointing at it.

No mocks: the sandbox is real HTTP and DNS on loopback, spoken to by the official SDKs.
"""

from __future__ import annotations

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
def profile(sandbox):
    from tui.services.profile import sandbox_profile

    return sandbox_profile(sandbox.info)
