"""The domain's screen as its onboarding checklist, and the list's progress column (issue
11, part 2), against the sandbox through the real SDKs at 80x24."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from screens.cname_plan import CnamePlanScreen
from screens.propagation import PropagationScreen
from screens.verify import VerifyScreen
from tests.helpers import ASSETS_ORIGIN
from tests.pilot import connected, open_domain, sandbox_app, text_of, wait_for
from tui.widgets.checklist import Checklist, state_mark, step_cells


def rows(screen) -> dict[str, tuple[str, str]]:
    """Each step's row as shown: name -> (mark, evidence)."""
    table = screen.query_one(Checklist)
    shown = {}
    for key in table.rows:
        mark, name, evidence = (str(cell) for cell in table.get_row(key))
        shown[name] = (mark, evidence)
    return shown


async def checklist_of(pilot, name: str):
    screen = await open_domain(pilot, name)
    await wait_for(pilot, lambda: screen.standing is not None, timeout=30, what="the checklist")
    await pilot.pause()
    return screen


def test_marks_read_without_colour():
    assert [state_mark(s).plain for s in ("done", "in progress", "failed", "to do")] == [
        "✓",
        "…",
        "✗",
        "·",
    ]
    assert state_mark("not applicable").plain == "–"


def test_evidence_from_the_cloud_is_shown_literally_and_cut_to_the_room():
    from tui.services.onboarding import State, Step, StepName

    step = Step(StepName.CNAME, State.FAILED, "[b]x[/b]\x1b[2J" + "y" * 80, "cname")
    mark, name, evidence = step_cells(step, True, room=30)
    assert isinstance(evidence, Text)
    assert "\x1b" not in evidence.plain and "[b]x[/b]" in evidence.plain
    assert evidence.cell_len <= 30 and evidence.plain.endswith("…")
    assert mark.plain == "▸✗" and name.plain == "cname record"


async def test_a_served_domain_shows_every_step_done_and_no_next_step():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await checklist_of(pilot, "img.example.com")
        assert screen.standing.served
        shown = rows(screen)
        assert set(shown) == {str(s.name.value) for s in screen.standing.steps}
        for step in screen.standing.steps:
            mark = shown[step.name.value][0]
            assert "▸" not in mark  # nothing is next
            assert mark.strip() == state_mark(step.state.value).plain
        assert shown["served"][0].strip() == "✓"
        # The CNAME box and the facts stay below the checklist.
        cname = app.sandbox.world.domains["img.example.com"].cname
        assert cname in text_of(screen.query_one("#cname"))
        # Its record exists: the screen no longer calls it one "to create".
        assert text_of(screen.query_one("#record_label")).strip() == (
            "DNS record: exists and points at the CNAME; propagated (10/10 resolvers):"
        )


async def test_without_its_cname_record_the_next_step_is_cname_and_enter_opens_the_plan():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await checklist_of(pilot, "static.example.com")
        assert screen.standing.next.name.value == "cname record"
        shown = rows(screen)
        assert shown["cname record"][0] == "▸·"
        assert "to create" in text_of(screen.query_one("#record_label"))
        assert [name for name, (mark, _) in shown.items() if "▸" in mark] == ["cname record"]
        assert screen.query_one(Checklist).selected.name.value == "cname record"
        await pilot.press("enter")
        plan = await wait_for(
            pilot,
            lambda: isinstance(app.screen, CnamePlanScreen) and app.screen,
            what="the CNAME plan",
        )
        assert plan.domain == "static.example.com"


async def test_a_configuring_domain_is_in_progress_and_the_checklist_moves_on_by_itself():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        world = app.sandbox.world
        world.configure_delay = 10**6  # sandbox seconds: configuring until the clock moves
        world.add_domain("new.example.com", "web", [dict(ASSETS_ORIGIN)], "domestic")
        await pilot.press("r")
        await wait_for(pilot, lambda: "new.example.com" in app.screen.query_one(DataTable).rows)
        screen = await checklist_of(pilot, "new.example.com")
        assert rows(screen)["online"][0] == "▸…"
        assert screen.standing.next.name.value == "online"
        world.clock.advance(10**6 + 1)  # CDN finishes configuring it
        await wait_for(
            pilot,
            lambda: rows(screen)["online"][0].strip() == "✓",
            timeout=30,
            what="online, read again without a key",
        )
        assert screen.standing.next.name.value != "online"


async def test_v_on_a_verified_online_domain_says_ownership_is_done():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await checklist_of(pilot, "img.example.com")
        said: list[str] = []
        original = app.notify

        def notify(message, *args, **kwargs):
            said.append(str(message))
            return original(message, *args, **kwargs)

        app.notify = notify
        await pilot.press("v")
        await wait_for(pilot, lambda: said, what="a notice")
        assert "Ownership is done" in said[0]
        assert "not verified" not in " ".join(said).lower()
        assert not isinstance(app.screen, VerifyScreen)
        assert screen.standing.steps[0].state.value in ("done", "not applicable")


async def test_enter_on_a_step_in_progress_opens_its_screen_when_it_has_one():
    """Propagation in progress (the record exists, resolvers catching up) opens the board."""
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await checklist_of(pilot, "img.example.com")
        table = screen.query_one(Checklist)
        table.move_cursor(row=[s.name.value for s in screen.standing.steps].index("propagated"))
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PropagationScreen), what="the propagation board"
        )


async def test_the_list_shows_each_domains_progress_and_serving_once_checked():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        from tui.widgets.paged_table import PagedTable

        table = app.screen.query_one(PagedTable)

        def progress(name: str) -> str:
            return str(app.screen.query_one(PagedTable).get_row(name)[2]).strip()

        # The cheap summary: the listed status and one DescribeDomainCname batch.
        await wait_for(
            pilot,
            lambda: (
                progress("static.example.com") == "3/8 · cname record to do"
                and progress("img.example.com") == "4/8 · propagated to check"
                and progress("old.example.com") == "2/8 · online failed"
            ),  # stopped
            timeout=30,
            what="the progress column",
        )
        assert set(app.screen.progress) >= set(table.rows)
        # One DescribeDomainCname a batch of names, not one a row.
        assert app.sandbox.calls.actions().count("DescribeDomainCname") < len(table.rows)
        # Opened, img's full checklist says it is served: the list says so on return.
        screen = await checklist_of(pilot, "img.example.com")
        assert screen.standing.served
        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen.query_one(PagedTable), PagedTable)
                and progress("img.example.com") == "serving"
            ),
            timeout=30,
            what="serving",
        )
