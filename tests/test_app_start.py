"""Start-up: the header says where the app talks to as soon as that is known, and the
other services' SDKs wait until the domain list has painted (Pilot, real sandbox)."""

from __future__ import annotations

import gc
import json
import threading

import pytest
from textual.widgets import LoadingIndicator
from textual.widgets._header import HeaderTitle

import tui.app
from screens.domains import DomainsScreen
from tests.pilot import connected, many_domains, sandbox_app, text_of, wait_for
from tui import launch
from tui.app import OssCdnApp
from tui.launch import LaunchOptions
from tui.services.errors import CredentialsNotFound
from tui.services.facade import Services
from tui.widgets.connecting import Connecting
from tui.widgets.paged_table import PagedTable

HELD = 30.0  # seconds a held step waits at most: the test lets it go long before


def header_text(app) -> str:
    """What the current screen's header says ("" while its title is being mounted)."""
    titles = app.screen.query(HeaderTitle)
    return text_of(titles.first()) if titles else ""


def held(function, gate: threading.Event):
    """`function`, waiting for `gate` first (runs in the app's connect thread)."""

    def wrapper(*args, **kwargs):
        gate.wait(HELD)
        return function(*args, **kwargs)

    return wrapper


async def test_with_sandbox_the_first_frame_says_sandbox(monkeypatch):
    gate = threading.Event()
    monkeypatch.setattr(launch, "connect", held(launch.connect, gate))
    app = sandbox_app()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            # Nothing is connected yet: the options alone say it is the sandbox.
            assert app.services is None
            assert "SANDBOX" in header_text(app)
            assert app.has_class("-sandbox")
            # Then the domain list, still connecting: no spinner meanwhile.
            await wait_for(pilot, lambda: app.screen.query("#domains"), what="the list")
            assert app.services is None and "SANDBOX" in header_text(app)
            table = app.screen.query_one("#domains")
            cover = await wait_for(pilot, lambda: table._cover_widget, what="the loading state")
            assert isinstance(cover, Connecting) and not isinstance(cover, LoadingIndicator)
            assert "connecting…" in text_of(cover)
            gate.set()
            await connected(pilot)
            await wait_for(pilot, lambda: "SANDBOX (own)" in header_text(app), what="label")
    finally:
        gate.set()


@pytest.fixture
def cli_profile(tmp_path, monkeypatch):
    """An aliyun-cli profile `dev` in a HOME of the test's own (no real keys read)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("ALIBABA_CLOUD_REGION_ID", "ALIBABA_CLOUD_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".aliyun").mkdir()
    profile = {
        "name": "dev",
        "mode": "AK",
        "access_key_id": "FAKEdev000000000000",
        "access_key_secret": "devSecretdevSecretdevSecret123",
        "region_id": "cn-shanghai",
    }
    config = {"current": "dev", "profiles": [profile]}
    (tmp_path / ".aliyun" / "config.json").write_text(json.dumps(config))


async def test_the_profile_shows_before_the_services_are_built(cli_profile, monkeypatch):
    gate = threading.Event()

    class Unbuilt(Services):
        # Held, then refused: nothing ever reaches the real endpoints of this profile.
        def __init__(self, *args, **kwargs) -> None:
            gate.wait(HELD)
            raise CredentialsNotFound("the test stops here")

    monkeypatch.setattr(tui.app, "Services", Unbuilt)
    app = OssCdnApp(LaunchOptions(profile="dev"))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(
                pilot, lambda: "dev · cn-shanghai" in header_text(app), what="the profile"
            )
            assert app.services is None and not app.has_class("-sandbox")
            gate.set()
            await wait_for(pilot, lambda: app.sub_title == "not connected", what="the error")
            await wait_for(
                pilot,
                lambda: any("the test stops here" in n.message for n in app._notifications),
                what="the notification",
            )
    finally:
        gate.set()


async def test_without_credentials_sandbox_shows_before_the_sandbox_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # no aliyun-cli config, no keys: fallback
    gate = threading.Event()
    monkeypatch.setattr(launch, "sandbox_for", held(launch.sandbox_for, gate))
    app = OssCdnApp(LaunchOptions(sandbox_speed=1000))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: "SANDBOX" in header_text(app), what="SANDBOX")
            assert app.sandbox is None and app.has_class("-sandbox")
            gate.set()
            await connected(pilot)
            assert "SANDBOX (own)" in header_text(app)
    finally:
        gate.set()


async def test_other_services_are_built_once_the_list_has_painted(monkeypatch):
    # The first listing is held by the sandbox (its "timeout" fault answers late): until
    # it paints, only the CDN service exists and nothing is frozen.
    monkeypatch.setattr(tui.app, "START_UP_LIMIT", 120.0)
    real_connect = launch.connect

    def connect_slow_listing(*args, **kwargs):
        profile, sandbox = real_connect(*args, **kwargs)
        sandbox.faults.add("timeout", action="DescribeUserDomains", delay=3)
        return profile, sandbox

    monkeypatch.setattr(launch, "connect", connect_slow_listing)
    threshold = gc.get_threshold()
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        services = await wait_for(pilot, lambda: app.services, what="connected")
        assert set(services.__dict__) & {"oss", "dns"} == set()
        assert gc.get_freeze_count() == 0
        await connected(pilot)
        await wait_for(pilot, lambda: {"oss", "dns"} <= set(services.__dict__), what="warm-up")
        await wait_for(pilot, lambda: gc.get_freeze_count() > 0, what="start-up frozen")
        assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0  # the next app of this process starts afresh


def long_listing(monkeypatch, fault: str, **params) -> None:
    """The app's sandbox holds 1,200 more domains (three pages): page 1 answers at once,
    the next calls of DescribeUserDomains meet `fault`; START_UP_LIMIT out of the way."""
    monkeypatch.setattr(tui.app, "START_UP_LIMIT", 120.0)
    real_connect = launch.connect

    def connect(*args, **kwargs):
        profile, sandbox = real_connect(*args, **kwargs)
        many_domains(sandbox.world, 1200)
        sandbox.faults.add("timeout", action="DescribeUserDomains", delay=0)
        sandbox.faults.add(fault, action="DescribeUserDomains", **params)
        return profile, sandbox

    monkeypatch.setattr(launch, "connect", connect)


async def test_a_long_list_is_whole_before_the_other_services_are_built(monkeypatch):
    # 1,200 domains are three pages; pages 2 and 3 answer 8 s late. The first page paints
    # at once, yet the warm-up (SDK imports, the suffix list: they hold the GIL) waits
    # for the whole list, so it does not stall the pages still arriving.
    long_listing(monkeypatch, "timeout", count=2, delay=8)
    seen_at_warm_up: list[int] = []  # the domains in the table when the warm-up began
    warm_up = Services.warm_up
    tables: list[PagedTable] = []

    def noted(services):
        seen_at_warm_up.append(tables[0].counts[0] if tables else -1)
        return warm_up(services)

    monkeypatch.setattr(Services, "warm_up", noted)
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, DomainsScreen)
                and app.screen.query(PagedTable)
                and app.screen
            ),
            what="the list",
        )
        table = screen.query_one(PagedTable)
        tables.append(table)
        await wait_for(pilot, lambda: table.row_count and screen.partial, what="page 1 shown")
        for _ in range(5):  # frames after page 1's: a warm-up asked for has begun
            await pilot.pause()
        assert seen_at_warm_up == [] and screen.partial
        await wait_for(pilot, lambda: seen_at_warm_up, 60, what="the warm-up")
        assert seen_at_warm_up == [len(app.sandbox.world.domains)]
        assert not screen.partial


async def test_a_long_list_that_fails_after_page_1_lets_the_warm_up_run(monkeypatch):
    # Pages 2 and 3 fail (every retry too): the listing ends without a whole list, and
    # start-up is over then, not START_UP_LIMIT later.
    long_listing(monkeypatch, "server_error", count=None)
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, DomainsScreen) and app.screen, what="the list"
        )
        await wait_for(pilot, lambda: "only 500 read" in screen.reading_note(), 60, "the failure")
        services = app.services
        await wait_for(
            pilot, lambda: {"oss", "dns"} <= set(services.__dict__), 60, what="the warm-up"
        )
