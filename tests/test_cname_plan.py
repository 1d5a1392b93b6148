"""The CDN CNAME in one step, and the propagation board (Pilot + service, real sandbox)."""

from textual.widgets import DataTable

from screens.propagation import PropagationScreen
from tests.pilot import open_plan, sandbox_app, text_of, wait_for
from tui.services.cname_setup import probe_name

WRITES = {"AddDomainRecord", "UpdateDomainRecord", "DeleteDomainRecord", "SetDomainRecordStatus"}


def cnames_at(world, rr: str, zone: str = "example.com"):
    return [r for r in world.current_records(zone) if r.rr == rr and r.type == "CNAME"]


async def test_one_confirmation_creates_the_record_and_the_board_turns_to_propagated():
    # Slower than other tests: OpenDNS lags 300 sandbox seconds, 1.5 s here, so the first
    # round surely comes before it turns, even on a loaded machine.
    app = sandbox_app(speed=200)
    async with app.run_test(size=(80, 24)) as pilot:
        plan_screen = await open_plan(pilot, "static.example.com")
        world = app.sandbox.world
        cname = world.domains["static.example.com"].cname
        plan = plan_screen.setup.plan
        assert [s.describe() for s in plan.steps] == [f"create  static  CNAME  {cname}  TTL 600"]
        assert "create" in text_of(plan_screen.query_one("#plan"))
        # Nothing to replace, no shadows: x and w are not offered.
        assert plan_screen.check_action("replace", ()) is False
        assert plan_screen.check_action("remove_shadows", ()) is False
        # Shown, not sent.
        assert not WRITES & set(app.sandbox.calls.actions())
        assert cnames_at(world, "static") == []
        await pilot.press("enter")
        board = await wait_for(
            pilot,
            lambda: isinstance(app.screen, PropagationScreen) and app.screen,
            what="the board",
        )
        assert [r.value for r in cnames_at(world, "static")] == [cname]
        assert app.sandbox.calls.actions().count("AddDomainRecord") == 1
        # First rounds: the authoritative server matches at once, lagging resolvers do not.
        await wait_for(pilot, lambda: board.board.rounds >= 1, what="a round")
        first = {r.resolver: r for r in board.board.results}
        assert first["Authoritative"].matches
        assert not first["OpenDNS"].matches
        # Stale rows say when they may change, each resolver at its own time.
        due = {r.ttl for r in first.values() if not r.matches and r.is_dns}
        assert None not in due and len(due) >= 3
        await wait_for(pilot, lambda: board.board.propagated, timeout=30, what="propagated")
        # CDN's own view lags behind DNS (its resolvers cache "none" for the SOA minimum):
        # the board keeps asking CDN until it sees the CNAME, then stops.
        await wait_for(
            pilot,
            lambda: board.board.cdn is not None and board.board.cdn.matches,
            timeout=30,
            what="CDN sees it",
        )
        table = board.query_one(DataTable)
        assert all("match" in str(table.get_row(k)[1]) for k in table.rows)
        assert "PROPAGATED" in text_of(board.query_one("#summary"))
        rounds = board.board.rounds
        await pilot.pause(0.5)
        assert board.board.rounds == rounds  # checks stopped


async def test_replanning_after_apply_is_nothing_to_do(sandbox, profile):
    from tui.services.facade import Services

    setup_service = Services(profile).cname_setup
    cname = sandbox.world.domains["static.example.com"].cname
    setup = await setup_service.prepare("static.example.com", cname)
    assert [s.action for s in setup.plan.steps] == ["create"]
    await setup_service.apply(setup)
    again = await setup_service.prepare("static.example.com", cname)
    assert again.plan.nothing_to_do
    before = len(sandbox.calls)
    assert await setup_service.apply(again) == []
    assert not WRITES & {a for a, _ in list(sandbox.calls)[before:]}


async def test_a_record_pointing_elsewhere_is_an_update(sandbox, profile):
    from tui.services.facade import Services

    world = sandbox.world
    old = world.add_record("example.com", "static", "CNAME", "old.cdn.example.net")
    cname = world.domains["static.example.com"].cname
    setup_service = Services(profile).cname_setup
    setup = await setup_service.prepare("static.example.com", cname)
    assert [s.describe() for s in setup.plan.steps] == [
        f"update  static  CNAME  old.cdn.example.net -> {cname}"
    ]
    await setup_service.apply(setup)
    assert [(r.record_id, r.value) for r in cnames_at(world, "static")] == [(old.record_id, cname)]


async def test_a_conflicting_record_blocks_until_replace_is_chosen():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await wait_for(pilot, lambda: app.sandbox is not None, what="sandbox")
        world = app.sandbox.world
        origin = {
            "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
            "type": "oss",
            "port": 80,
            "priority": "20",
            "weight": "10",
        }
        world.add_domain("www.example.com", "web", [origin], "domestic", status="online")
        await pilot.press("r")
        plan_screen = await open_plan(pilot, "www.example.com")
        plan = plan_screen.setup.plan
        assert not plan.ready and plan.blockers
        notes = text_of(plan_screen.query_one("#notes"))
        assert "127.0.0.11" in notes and "x" in notes
        await pilot.press("enter")  # refused: nothing sent
        assert not WRITES & set(app.sandbox.calls.actions())
        await pilot.press("x")
        await wait_for(pilot, lambda: plan_screen.setup.plan.ready, what="the replace plan")
        actions = [s.action for s in plan_screen.setup.plan.steps]
        assert actions == ["delete", "create"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PropagationScreen), what="board")
        www = [r for r in world.current_records("example.com") if r.rr == "www"]
        assert [(r.type, r.value) for r in www] == [
            ("CNAME", world.domains["www.example.com"].cname)
        ]


async def test_wildcard_lists_the_records_it_would_not_cover(sandbox, profile):
    from tui.services.facade import Services

    world = sandbox.world
    origin = {
        "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
        "type": "oss",
        "port": 80,
        "priority": "20",
        "weight": "10",
    }
    world.add_domain(".example.com", "web", [origin], "domestic", status="online")
    cname = world.domains[".example.com"].cname
    setup_service = Services(profile).cname_setup
    setup = await setup_service.prepare(".example.com", cname)
    assert setup.plan.rr == "*"
    shadowed = {c.record.rr for c in setup.plan.warnings if c.code == "shadow"}
    assert shadowed == {"www", "www2"}  # not @, _dmarc, nor img (into the CDN)
    # mx1 is the MX target: it is named, but never offered for deletion.
    kept = {c.record.rr for c in setup.plan.warnings if c.code == "shadow_kept"}
    assert kept == {"mx1"}
    removing = await setup_service.prepare(".example.com", cname, remove_shadows=True)
    assert {s.rr for s in removing.plan.steps if s.action == "delete"} == shadowed
    assert probe_name(".example.com") == "oss-cdn-probe.example.com"


async def test_dns_hosted_elsewhere_shows_the_record_and_goes_to_the_board():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        plan_screen = await open_plan(pilot, "cdn.partner.org")
        assert plan_screen.setup.plan is None
        assert "not in a zone of this account" in text_of(plan_screen.query_one("#where"))
        cname = app.sandbox.world.domains["cdn.partner.org"].cname
        assert cname in text_of(plan_screen.query_one("#plan"))
        await pilot.press("c")
        assert app.clipboard == f"cdn.partner.org. 600 IN CNAME {cname}."
        await pilot.press("p")
        board = await wait_for(
            pilot,
            lambda: isinstance(app.screen, PropagationScreen) and app.screen,
            what="the board",
        )
        await wait_for(pilot, lambda: board.board.propagated, timeout=10, what="propagated")
