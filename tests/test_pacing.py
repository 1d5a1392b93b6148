"""How long until the next poll: one answer for Alibaba Cloud and the sandbox."""

from __future__ import annotations

import pytest

from tui.services.profile import (
    MIN_SANDBOX_POLL,
    Profile,
    poll_interval,
    real_seconds,
    sandbox_profile,
)

CLOUD = Profile("default", "cn-hangzhou")


def sandbox_at(speed: float) -> Profile:
    return Profile("sandbox", "cn-hangzhou", sandbox=True, sandbox_speed=speed)


def test_the_cloud_is_polled_as_the_screen_asks():
    assert poll_interval(CLOUD, 5.0) == 5.0
    assert poll_interval(CLOUD, 0.1) == 0.1
    assert real_seconds(CLOUD, 600) == 600
    # Before the app has connected there is no profile: the cloud's pace.
    assert poll_interval(None, 5.0) == 5.0


@pytest.mark.parametrize(
    "speed, expected",
    [
        (1.0, 5.0),  # real time: as the cloud
        (5.0, 1.0),  # five times faster: five times sooner
        (20.0, MIN_SANDBOX_POLL),  # the demo's speed: 0.25 s would be too often
        (1000.0, MIN_SANDBOX_POLL),  # a test's: never every 5 ms
        (0.5, 5.0),  # slower than real time: not less often than the cloud
    ],
)
def test_a_sandbox_is_polled_on_its_own_clock_within_bounds(speed, expected):
    assert poll_interval(sandbox_at(speed), 5.0) == pytest.approx(expected)


def test_a_sandbox_s_seconds_are_shorter_by_its_speed():
    assert real_seconds(sandbox_at(20.0), 600) == pytest.approx(30.0)
    assert real_seconds(sandbox_at(0.0), 600) == 600  # a nonsense speed: taken as real time


def test_the_sandbox_profile_carries_the_sandbox_speed(sandbox):
    profile = sandbox_profile(sandbox.info)
    assert profile.sandbox_speed == sandbox.speed
    assert poll_interval(profile, 5.0) == pytest.approx(max(MIN_SANDBOX_POLL, 5 / sandbox.speed))
