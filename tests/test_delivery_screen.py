"""The delivery screen, driven by keys at 80x24 against the sandbox and its CDN edge: pick
an object, see it served, fetch again and see the cache answer (MISS, then HIT)."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from screens.delivery import DeliveryScreen
from screens.propagation import PropagationScreen
from tests.pilot import open_domain, sandbox_app, text_of, type_text, wait_for

# Slow enough that the edge keeps its copy (an hour of sandbox time: 6 real minutes)
# between two fetches on a loaded machine.
SPEED = 10.0


async def open_delivery(pilot, name: str = "img.example.com") -> DeliveryScreen:
    await open_domain(pilot, name)
    await pilot.press("f")
    return await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, DeliveryScreen)
            and pilot.app.screen.objects
            and pilot.app.screen
        ),
        what="the bucket's objects",
    )


async def fetched(pilot, screen: DeliveryScreen, count: int):
    await wait_for(pilot, lambda: len(screen.results) >= count, what=f"fetch {count}")
    return screen.results[-1]


async def test_pick_an_object_see_it_served_then_fetch_again_from_the_cache():
    app = sandbox_app(SPEED)
    async with app.run_test(size=(80, 24)) as pilot:
        # The domain's checklist fetches a sample object for its "served" step (which
        # caches it): fetch the other one here, never fetched before.
        details = await open_domain(pilot, "img.example.com")
        await wait_for(pilot, lambda: details.standing, timeout=30, what="the checklist")
        sampled = next(s.evidence for s in details.standing.steps if s.name.value == "served")
        key = "index.html" if "img/logo.png" in sampled else "img/logo.png"
        await pilot.press("f")
        screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, DeliveryScreen) and app.screen.objects and app.screen,
            what="the bucket's objects",
        )
        table = screen.query_one(DataTable)
        assert table.has_focus
        keys = [o.key for o in screen.objects]
        assert keys == sorted(keys) and "img/logo.png" in keys  # the bucket, listed
        assert "demo-assets" in text_of(screen.query_one("#listed"))
        while screen.objects[table.cursor_row].key != key:
            await pilot.press("down")
        await pilot.press("enter")

        first = await fetched(pilot, screen, 1)
        assert first.url == f"http://img.example.com/{key}"
        assert (first.verdict.value, first.cache) == ("served", "MISS")
        verdict = text_of(screen.query_one("#verdict"))
        assert verdict.startswith("SERVED") and "fetched from the origin" in verdict
        shown = text_of(screen.query_one("#evidence"))
        assert "X-Cache" in shown and "MISS TCP_MISS" in shown and "Tengine" in shown
        assert shown.count(first.etag) == 2  # edge and origin, side by side

        await pilot.press("r")
        again = await fetched(pilot, screen, 2)
        assert (again.verdict.value, again.cache) == ("served", "HIT")
        verdict = text_of(screen.query_one("#verdict"))
        assert "Cache: MISS before, HIT now." in verdict
        assert "HIT TCP_MEM_HIT" in text_of(screen.query_one("#evidence"))


async def test_a_typed_path_is_fetched_and_the_filter_lists_by_prefix():
    app = sandbox_app(SPEED)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_delivery(pilot)
        await pilot.press("slash")
        assert screen.query_one("#path", Input).has_focus
        await type_text(pilot, "img/")
        await wait_for(
            pilot,
            lambda: [o.key for o in screen.objects] == ["img/logo.png"],
            what="the listing under img/",
        )
        await type_text(pilot, "nothing.png")
        await pilot.press("enter")
        result = await fetched(pilot, screen, 1)
        assert result.url == "http://img.example.com/img/nothing.png"
        assert result.verdict.value == "not-found"
        assert text_of(screen.query_one("#verdict")).startswith("NOT-FOUND")


async def test_the_domain_alone_says_why_and_names_an_object():
    app = sandbox_app(SPEED)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_delivery(pilot)
        await pilot.press("slash")
        await type_text(pilot, "/")
        await pilot.press("enter")
        result = await fetched(pilot, screen, 1)
        assert result.verdict.value == "not-found"
        verdict = text_of(screen.query_one("#verdict"), width=400)
        assert "no default page" in verdict and "http://img.example.com/" in verdict


async def test_the_propagation_board_offers_the_fetch_once_propagated():
    app = sandbox_app(SPEED)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_domain(pilot, "img.example.com")
        await pilot.press("p")
        board = await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, PropagationScreen)
                and app.screen.board is not None
                and app.screen.board.propagated
                and app.screen
            ),
            timeout=40,
            what="propagated",
        )
        assert "f Fetch through CDN" in text_of(board.query_one("#next"), width=400)
        await pilot.press("f")
        screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, DeliveryScreen) and app.screen.objects and app.screen,
            what="the delivery screen from the board",
        )
        assert screen.domain == "img.example.com"
        await pilot.press("enter")
        assert (await fetched(pilot, screen, 1)).verdict.value == "served"


async def test_hostile_object_keys_and_answers_are_shown_literally():
    app = sandbox_app(SPEED)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_domain(pilot, "img.example.com")
        hostile = "a\x1b]0;pwned\x07[b]bold[/b].txt"
        with app.sandbox.world.lock:
            app.sandbox.world.buckets["demo-assets"].objects[hostile] = b"x"
        await pilot.press("f")
        screen = await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, DeliveryScreen)
                and hostile in [o.key for o in app.screen.objects]
                and app.screen
            ),
            what="the hostile key listed",
        )
        table = screen.query_one(DataTable)
        cell = table.get_cell(hostile, "key")
        assert "\x1b" not in cell.plain and "\x07" not in cell.plain
        assert "\\x1b" in cell.plain and "[b]bold[/b]" in cell.plain  # not read as markup
        while screen.objects[table.cursor_row].key != hostile:
            await pilot.press("down")
        await pilot.press("enter")
        result = await fetched(pilot, screen, 1)
        assert result.verdict.value == "served", result.explanation
        for part in ("#verdict", "#evidence"):
            text = text_of(screen.query_one(part), width=400)
            assert "\x1b" not in text and "\x07" not in text


async def test_enter_on_an_empty_path_leads_back_to_the_objects():
    app = sandbox_app(SPEED)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_delivery(pilot)
        table = screen.query_one(DataTable)
        await pilot.press("slash")
        assert screen.query_one("#path", Input).has_focus
        await pilot.press("enter")
        await wait_for(pilot, lambda: table.has_focus, what="the objects focused")
        assert not screen.results  # nothing was fetched for an empty path
        await pilot.press("enter")  # and Enter there fetches the highlighted object
        result = await fetched(pilot, screen, 1)
        assert result.url == f"http://img.example.com/{screen.objects[table.cursor_row].key}"
        assert len(screen.results) == 1
