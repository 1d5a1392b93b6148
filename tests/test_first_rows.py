"""Nothing stands between a long list's first page and its rows on screen (issue 12): the
footer shows its keys from the first frame and is not rebuilt when the page arrives (nor
is the footer of the screen underneath), yet it is rebuilt when its keys do change; the
progress column is read once the first rows have painted. Judged by what was composed,
painted and asked of the sandbox, never by a clock."""

from __future__ import annotations

from textual.widgets import Footer

from screens.dns_records import RecordsScreen
from screens.domains import DomainsScreen
from tests.pilot import (
    connected,
    hold_all_but_the_next,
    many_domains,
    open_records,
    open_zones,
    sandbox_app,
    wait_for,
)
from tui.widgets.paged_table import PagedTable


def footer_keys(screen) -> list[tuple[str, bool]]:
    """The footer's keys (as shown) and whether each is dimmed."""
    footer = screen.query_one(Footer)
    return [
        (key.key_display, "-disabled" in key.classes)
        for key in footer.children
        if "-command-palette" not in key.classes
    ]


async def test_a_long_zones_footer_is_composed_once_with_its_keys_not_again_when_page_1_arrives(
    monkeypatch,
):
    composed: list[str] = []
    compose = Footer.compose

    def counted(footer):
        composed.append(type(footer.screen).__name__)
        return compose(footer)

    monkeypatch.setattr(Footer, "compose", counted)
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        for n in range(1200):
            app.sandbox.world.add_record("example.com", f"h{n:04}", "A", "127.0.0.1")
        domains = app.screen
        await wait_for(pilot, lambda: not domains._progress_running(), what="progress read")
        held = hold_all_but_the_next(app.sandbox.faults, "DescribeDomainRecords")
        zones = await open_zones(pilot)
        while zones.query_one(PagedTable).selected.name != "example.com":
            await pilot.press("down")
        await wait_for(pilot, lambda: zones.query_one(Footer).children, what="the zones' keys")
        await pilot.pause()
        composed.clear()
        await pilot.press("enter")
        screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, RecordsScreen) and app.screen.loaded and app.screen,
            what="page 1 of the records",
        )
        table = screen.query_one(PagedTable)
        assert table.counts[0] == 500 and held.outcome == ""  # page 1 in, the rest held
        assert table.has_focus  # the table had the keys before any row: no focus change
        await wait_for(pilot, lambda: screen.query_one(Footer).children, what="its keys")
        for _ in range(5):  # frames after page 1's: any rebuild asked for has run
            await pilot.pause()
        # Once, for the records screen; the zones list underneath was not rebuilt.
        assert composed == ["RecordsScreen"]
        keys = [key for key, _ in footer_keys(screen)]
        assert keys[:4] == ["a", "⏎", "d", "/"] and keys[-2:] == ["^q", "f1"]


async def test_the_footer_is_rebuilt_when_its_keys_change():
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_records(pilot)
        await wait_for(pilot, lambda: screen.query_one(Footer).children, what="its keys")
        assert ("esc", False) in footer_keys(screen)
        screen.busy = True  # a change on its way: Back is shown dimmed (BUSY_BLOCKS)
        await wait_for(pilot, lambda: ("esc", True) in footer_keys(screen), what="Back dimmed")
        screen.busy = False
        await wait_for(pilot, lambda: ("esc", False) in footer_keys(screen), what="Back again")


async def test_the_progress_column_is_read_after_the_first_rows_painted(monkeypatch):
    painted: list[bool] = []  # a line of the domain table rendered with rows in it
    render_line = PagedTable.render_line

    def noted(table, y):
        if table.row_count and isinstance(table.screen, DomainsScreen) and not painted:
            painted.append(True)
        return render_line(table, y)

    monkeypatch.setattr(PagedTable, "render_line", noted)
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        many_domains(app.sandbox.world, 1200)
        first = app.screen
        await wait_for(pilot, lambda: not first._progress_running(), what="its progress read")
        hold_all_but_the_next(app.sandbox.faults, "DescribeUserDomains")
        asked: list[bool] = []  # each time the screen asks for summaries: rows painted?
        engine = app.services.onboarding
        summaries = engine.summaries

        def noting(domains, *args, **kwargs):
            asked.append(bool(painted))
            return summaries(domains, *args, **kwargs)

        monkeypatch.setattr(engine, "summaries", noting)
        painted.clear()
        screen = DomainsScreen()  # read for the first time: page 1 shows, the rest held
        await app.push_screen(screen)
        table = screen.query_one(PagedTable)
        listed = await wait_for(
            pilot, lambda: table.row_count and table.matches[: table.row_count], what="page 1"
        )
        await wait_for(
            pilot, lambda: all(d.name in screen.progress for d in listed), what="their progress"
        )
        assert asked and all(asked)
