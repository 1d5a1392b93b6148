"""Long lists against the sandbox (Pilot): the first page on screen while the others are
still on their way, a changing domain read again alone, and the add form's quota counted
without a listing. Each is judged by the calls the sandbox received, never by a clock."""

from __future__ import annotations

from screens.domains import DomainsScreen
from tests.pilot import (
    ORIGIN,
    connected,
    hold_all_but_the_next,
    many_domains,
    messages,
    open_records,
    sandbox_app,
    text_of,
    wait_for,
)
from tui.services.cdn import CdnService
from tui.widgets.paged_table import PAGE, PagedTable


async def test_the_first_page_of_domains_is_on_screen_with_its_progress_while_the_rest_are_read():
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        world = app.sandbox.world
        many_domains(world, 1200)
        total = len(world.domains)
        held = hold_all_but_the_next(app.sandbox.faults, "DescribeUserDomains")
        app.sandbox.calls.clear()
        screen = DomainsScreen()  # a list read for the first time
        await app.push_screen(screen)
        table = screen.query_one(PagedTable)
        try:
            await wait_for(pilot, lambda: table.counts[0] == 500, what="page 1 listed")
        except AssertionError as error:  # what the sandbox saw says why
            raise AssertionError(f"{error}: {app.sandbox.calls.actions()}") from None
        assert table.row_count == PAGE
        summary = text_of(screen.query_one("#summary"))
        assert f"500 domains · 500 of {total} read, reading the rest…" in summary
        # The progress column of the rows listed is read meanwhile (DescribeDomainCname).
        listed = [d.name for d in table.matches[:PAGE]]
        await wait_for(
            pilot, lambda: all(n in screen.progress for n in listed), what="their progress"
        )
        assert str(table.get_row(listed[0])[2]).strip() != "…"
        assert held.outcome == ""  # the other pages are still held: never answered yet
        await wait_for(  # page 1, then 2 and 3 (asked together once page 1 painted)
            pilot,
            lambda: len(app.sandbox.calls.of("DescribeUserDomains")) == 3,
            what="pages 2 and 3 asked for",
        )


async def test_a_zones_first_page_of_records_shows_while_the_rest_are_read_and_then_all():
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        world = app.sandbox.world
        for n in range(1200):
            world.add_record("example.com", f"h{n:04}", "A", "127.0.0.1")
        domains = app.screen
        await wait_for(pilot, lambda: not domains._progress_running(), what="progress read")
        held = hold_all_but_the_next(app.sandbox.faults, "DescribeDomainRecords")
        screen = await open_records(pilot, whole=False)
        table = screen.query_one(PagedTable)
        assert table.counts[0] == 500 and held.outcome == ""
        assert "reading the rest…" in text_of(screen.query_one("#summary"))
        # The form checks a record against all of the zone's: not before they are read.
        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: any("still being read" in m for m in messages(app)),
            what="the form's refusal",
        )
        assert app.screen is screen
        # The filter narrows what arrived.
        await pilot.press("slash", "h", "0", "0", "0", "1", "enter")
        await wait_for(pilot, lambda: table.counts[1] == 1, what="the filter narrowed")


async def test_a_changing_domain_is_read_again_alone_never_the_whole_list():
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        screen = app.screen
        world = app.sandbox.world
        many_domains(world, 600)  # two pages
        # Configuring with nothing pending: it stays so until the test moves it.
        world.add_domain("slow.example.com", "web", ORIGIN, "domestic", status="configuring")
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: (
                not screen.is_loading()
                and any(d.name == "slow.example.com" for d in screen.domains)
            ),
            what="the list with the changing domain",
        )
        calls = app.sandbox.calls
        calls.clear()
        await wait_for(
            pilot,
            lambda: len(calls.of("DescribeUserDomains")) >= 2,
            what="two turns of the timer",
        )
        with world.lock:
            world.domains["slow.example.com"].status = "online"
        await wait_for(
            pilot,
            lambda: any(
                d.name == "slow.example.com" and d.status == "online"
                for d in screen.query_one(PagedTable).items
            ),
            what="its row online",
        )
        reads = calls.of("DescribeUserDomains")
        # Each read names that domain alone, exactly; no page of the whole list is read.
        # (The seeded video.example.com is configuring too, until the sandbox's clock
        # brings it online: it may be read the same way.)
        changing = {"slow.example.com", "video.example.com"}
        others = [
            r
            for r in reads
            if r.get("DomainName") not in changing or r.get("DomainSearchType") != "full_match"
        ]
        assert not others, others
        assert any(r.get("DomainName") == "slow.example.com" for r in reads)
        assert not [r for r in calls.of("DescribeCdnDomainDetail") if r]
        assert len(screen.domains) == len(world.domains)


async def test_the_domain_quota_is_counted_without_listing_the_domains(sandbox, profile):
    many_domains(sandbox.world, 1200)
    cdn = CdnService(profile)
    quota = await cdn.quota()
    assert quota.used == len(sandbox.world.domains)
    listings = sandbox.calls.of("DescribeUserDomains")
    assert [r.get("PageSize") for r in listings] == ["1"]
    assert sandbox.calls.actions().count("DescribeCdnUserQuota") == 1
    # Asked again at the next pause in typing: the count is kept COUNT_TTL seconds.
    await cdn.quota()
    assert len(sandbox.calls.of("DescribeUserDomains")) == 1
