"""What each screen looks like, at 80x24 (a bastion's terminal) and 120x40.

The sandbox world starts at a fixed epoch and runs at real speed, so dates, statuses
and verification contents are the same on every run.
"""

import pytest

from screens.add_domain import AddDomainScreen
from screens.cname import DomainScreen
from screens.cname_plan import CnamePlanScreen
from screens.freshness import FreshnessScreen
from screens.verify import VerifyScreen
from tests.pilot import SNAPSHOT_SIZES, connected, snapshot_app, steady_cursors, type_text, wait_for


async def shown(pilot, screen) -> None:
    pilot.app.push_screen(screen)
    await wait_for(pilot, lambda: pilot.app.screen is screen)


async def domain_list(pilot):
    """The list as it opens."""


async def domain_list_filtered(pilot):
    await pilot.press("slash")
    await type_text(pilot, "static")


async def add_domain_form(pilot):
    await pilot.press("a")
    screen = await wait_for(
        pilot, lambda: isinstance(pilot.app.screen, AddDomainScreen) and pilot.app.screen
    )
    await wait_for(pilot, lambda: screen.origin_host)
    await type_text(pilot, "Img.newsite.net")


async def domain_details(pilot):
    """static.example.com's checklist: its next step is its CNAME record."""
    await shown(pilot, DomainScreen("static.example.com"))
    await wait_for(pilot, lambda: pilot.app.screen.domain and pilot.app.screen.origin_access)
    await wait_for(pilot, lambda: "checking" not in pilot.app.screen.cache_update.plain)
    await wait_for(pilot, lambda: pilot.app.screen.standing, timeout=30)


async def progress_read(pilot) -> None:
    """The list's progress column read for every row (else "…", depending on timing)."""
    from tui.widgets.paged_table import PagedTable

    table = pilot.app.screen.query_one(PagedTable)
    await wait_for(pilot, lambda: set(pilot.app.screen.progress) >= set(table.rows), timeout=30)


async def cache_screen(pilot):
    domain = await pilot.app.services.cdn.domain("static.example.com")
    await shown(pilot, FreshnessScreen(domain))
    await wait_for(pilot, lambda: pilot.app.screen.quota)
    pilot.app.screen.query_one(
        "#paths"
    ).text = "http://static.example.com/index.html\nstatic.example.com/img/logo.png"
    await wait_for(pilot, lambda: "line 2" in str(pilot.app.screen.query_one("#rules").content))


async def verify(pilot):
    await shown(pilot, VerifyScreen("img.newsite.net", "demo-assets.oss-cn-hangzhou.aliyuncs.com"))
    await wait_for(pilot, lambda: pilot.app.screen.challenge)


async def cname_plan(pilot):
    cname = pilot.app.sandbox.world.domains["static.example.com"].cname
    await shown(pilot, CnamePlanScreen("static.example.com", cname))
    await wait_for(pilot, lambda: pilot.app.screen.setup)


async def help_screen(pilot):
    await pilot.press("f1")


SCENES = [
    domain_list,
    domain_list_filtered,
    add_domain_form,
    domain_details,
    cache_screen,
    verify,
    cname_plan,
    help_screen,
]


@pytest.mark.parametrize("size", SNAPSHOT_SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("scene", SCENES, ids=[s.__name__ for s in SCENES])
def test_screen(snap_compare, scene, size):
    async def run_before(pilot):
        await connected(pilot)
        await progress_read(pilot)
        await scene(pilot)
        await steady_cursors(pilot)
        await pilot.pause(0.1)
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=run_before)
