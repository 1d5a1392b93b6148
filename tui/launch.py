"""Deciding where the app talks to: the real account, or the embedded sandbox.

Runs in a worker thread after the first paint: resolving credentials reads files (and,
when the user allows it, the ECS metadata service) and starting the sandbox binds
sockets — neither may delay the first frame.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tui.services.errors import CredentialsNotFound
from tui.services.profile import sandbox_profile

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeAlias

    from tui.sandbox.runner import Sandbox
    from tui.sandbox.shared import SharedSandbox
    from tui.services.profile import Profile

    # A sandbox of this process (stopped with the app) or a shared one (left running).
    AnySandbox: TypeAlias = Sandbox | SharedSandbox

# Sandbox seconds per real second when the user does not say: a 4-minute configuring
# phase passes in 12 s and a 600 s TTL in 30 s — quick, yet watchable in a demo.
DEFAULT_SANDBOX_SPEED = 20.0
# The tour's (unless --sandbox-speed says): CDN's minutes of configuring pass in ~4 s, the
# ownership check (DNS, then CDN's lagging resolvers) and the propagation board in ~10 s
# each. At 20 those two took 30 s each: a long stare at one screen for an audience.
TOUR_SANDBOX_SPEED = 60.0


@dataclass(frozen=True)
class LaunchOptions:
    profile: str | None = None
    region: str | None = None
    sandbox: bool = False
    sandbox_speed: float = DEFAULT_SANDBOX_SPEED
    sandbox_epoch: float | None = None  # a fixed start: a reproducible sandbox world
    sandbox_quota: int | None = None  # the sandbox account's CDN domain quota (default 50)
    # The app falls back to the sandbox when no credentials are found (README promises
    # it); a command never does: it would report on a made-up world as if it were yours.
    sandbox_fallback: bool = True
    read_only: bool = False  # --read-only / OSS_CDN_READ_ONLY=1: no write is ever sent
    # --sandbox-deny: RAM actions the sandbox refuses (a sandbox of this process's own:
    # a shared one's world is not this process's to change).
    sandbox_deny: tuple[str, ...] = ()
    # --tour: the app plays the onboarding by itself (tui/tour.py), in a sandbox of its
    # own (a shared one may hold the tour's domain from an earlier run); --tour-speed.
    tour: bool = False
    tour_speed: float = 1.0


READ_ONLY_ENV = "OSS_CDN_READ_ONLY"


def read_only_requested(flag: bool = False) -> bool:
    """--read-only, or OSS_CDN_READ_ONLY set to 1 (or true / yes / on)."""
    return flag or os.environ.get(READ_ONLY_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def with_read_only(profile: Profile, options: LaunchOptions) -> Profile:
    """The Profile as `options` want it: read-only makes the service layer refuse every
    write before anything is sent (the second wall behind the dimmed keys)."""
    return replace(profile, read_only=True) if options.read_only else profile


def disable_ecs_metadata_by_default() -> None:
    """Never ask 100.100.100.200 unless the user opted in by setting the variable."""
    os.environ.setdefault("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")


def connect(
    options: LaunchOptions,
    to_sandbox: Callable[[], None] | None = None,
    *,
    defer_dns: bool = False,
) -> tuple[Profile, AnySandbox | None]:
    """Return (Profile, sandbox | None): the account if credentials are found, else the
    sandbox (when `sandbox_fallback`). An explicit --profile that cannot be loaded, or a
    configuration file that cannot be read, is an error, not a fallback. `to_sandbox()`
    is called as soon as the sandbox is chosen, before it starts (the app's header says
    SANDBOX from then on). `defer_dns`: a sandbox of this process's own serves its DNS
    once `finish_start()` is called or a query arrives (the app: after the first
    listing, which does not need it). The tour always gets a sandbox of its own, whoever
    built `options`: it never plays against a real account."""
    if not options.sandbox and not options.tour:
        from tui.services.credentials import resolve_profile  # the credentials SDK

        try:
            return resolve_profile(options.profile, options.region), None
        except CredentialsNotFound:
            if options.profile or not options.sandbox_fallback:
                raise
        if to_sandbox is not None:
            to_sandbox()
    return sandbox_for(options, defer_dns=defer_dns)


def sandbox_for(options: LaunchOptions, *, defer_dns: bool = False) -> tuple[Profile, AnySandbox]:
    """(Profile, sandbox): the shared one when `oss-cdn sandbox serve` runs, else one of
    this process's own. A fixed epoch, a quota, RAM denials or the tour ask for a world of
    its own, so never share."""
    if (
        options.sandbox_epoch is None
        and options.sandbox_quota is None
        and not options.sandbox_deny
        and not options.tour
    ):
        # Imported here: the app imports this module before its first paint.
        from tui.sandbox.shared import SharedSandbox, find_running

        running = find_running()
        if running is not None:
            return sandbox_profile(running, shared=True), SharedSandbox(running)
    return start_sandbox(
        options.sandbox_speed,
        options.sandbox_epoch,
        options.sandbox_deny,
        options.sandbox_quota,
        defer_dns=defer_dns,
    )


def start_sandbox(
    speed: float,
    epoch: float | None = None,
    deny: tuple[str, ...] = (),
    quota: int | None = None,
    *,
    defer_dns: bool = False,
) -> tuple[Profile, Sandbox]:
    from tui.sandbox.runner import Sandbox  # its server brings aiohttp

    box = Sandbox(speed=speed, epoch=epoch, quota=quota, defer_dns=defer_dns)
    box.world.denied.update(deny)
    box.start()
    return sandbox_profile(box.info), box
