"""What each screen looks like, at 80x24 (a bastion's terminal) and 120x40.

The sandbox world starts at a fixed epoch and runs at real speed, so dates, statuses
and verification contents are the same on every run.
"""

import pytest

from screens.add_domain import AddDomainScreen
from screens.cname import DomainScreen
from screens.verify import VerifyScreen
from tests.pilot import connected, type_text, wait_for
from tui.app import OssCdnApp
from tui.launch import LaunchOptions

EPOCH = 1767225600.0  # 2026-01-01T00:00:00Z
SIZES = [(80, 24), (120, 40)]


def app() -> OssCdnApp:
    return OssCdnApp(LaunchOptions(sandbox=True, sandbox_speed=1.0, sandbox_epoch=EPOCH))


async def settle(pilot) -> None:
    await pilot.pause(0.1)
    await pilot.wait_for_scheduled_animations()


@pytest.mark.parametrize("size", SIZES)
def test_domain_list(snap_compare, size):
    async def run_before(pilot):
        await connected(pilot)
        await settle(pilot)

    assert snap_compare(app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_domain_list_filtered(snap_compare, size):
    async def run_before(pilot):
        await connected(pilot)
        await pilot.press("slash")
        await type_text(pilot, "static")
        await settle(pilot)

    assert snap_compare(app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_add_domain_form(snap_compare, size):
    async def run_before(pilot):
        await connected(pilot)
        await pilot.press("a")
        screen = await wait_for(pilot, lambda: isinstance(pilot.app.screen, AddDomainScreen)
                                and pilot.app.screen)
        await wait_for(pilot, lambda: screen.origin_host)
        await type_text(pilot, "Img.newsite.net")
        await settle(pilot)

    assert snap_compare(app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_domain_details(snap_compare, size):
    async def run_before(pilot):
        await connected(pilot)
        pilot.app.push_screen(DomainScreen("static.example.com"))
        await wait_for(pilot, lambda: pilot.app.screen.domain)
        await settle(pilot)

    assert snap_compare(app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_verify(snap_compare, size):
    async def run_before(pilot):
        await connected(pilot)
        pilot.app.push_screen(VerifyScreen("img.newsite.net",
                                           "demo-assets.oss-cn-hangzhou.aliyuncs.com"))
        await wait_for(pilot, lambda: pilot.app.screen.challenge)
        await settle(pilot)

    assert snap_compare(app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, size):
    async def run_before(pilot):
        await connected(pilot)
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_cname_plan(snap_compare, size):
    from screens.cname_plan import CnamePlanScreen

    async def run_before(pilot):
        await connected(pilot)
        cname = pilot.app.sandbox.world.domains["static.example.com"].cname
        pilot.app.push_screen(CnamePlanScreen("static.example.com", cname))
        await wait_for(pilot, lambda: pilot.app.screen.setup)
        await settle(pilot)

    assert snap_compare(app(), terminal_size=size, run_before=run_before)
