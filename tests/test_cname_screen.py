"""The details screen: the CNAME copied, the BIND line shown, live status."""

from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import DataTable

from screens.cname import DomainScreen
from tests.pilot import answer_yes, connected, open_domain, sandbox_app, text_of, wait_for
from tui.choices import ICP_SCOPES


async def test_copy_the_cname_and_the_bind_line():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_domain(pilot, "static.example.com")
        cname = app.sandbox.world.domains["static.example.com"].cname
        assert cname in text_of(screen.query_one("#cname"))
        bind = f"static.example.com. 600 IN CNAME {cname}."
        assert text_of(screen.query_one("#bind")).strip() == bind
        record = text_of(screen.query_one("#record"))
        assert "static" in record and "CNAME" in record and "600" in record
        await pilot.press("c")
        assert app.clipboard == cname
        await pilot.press("b")
        assert app.clipboard == bind


async def test_status_is_polled_until_online():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        world = app.sandbox.world
        world.configure_delay = 4000  # 4 s real: time to see it configuring
        origin = {
            "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
            "type": "oss",
            "port": 80,
            "priority": "20",
            "weight": "10",
        }
        world.add_domain("new.example.com", "web", [origin], "domestic")
        await pilot.press("r")
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: "new.example.com" in table.rows, what="the new row")
        screen = await open_domain(pilot, "new.example.com")
        assert screen.domain.status == "configuring"
        assert "watching for" in text_of(screen.query_one("#status"))
        await wait_for(pilot, lambda: screen.domain.status == "online", timeout=10, what="online")
        assert "online" in text_of(screen.query_one("#status"))


async def test_stop_then_delete_with_typed_confirmation():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_domain(pilot, "static.example.com")
        world = app.sandbox.world
        from tui.widgets.confirm import Confirm, TypedConfirm

        await pilot.press("s")
        stop = await wait_for(
            pilot, lambda: isinstance(app.screen, Confirm) and app.screen, what="the question"
        )
        said = " ".join(text_of(s) for s in stop.query("Static"))
        assert (
            "The site stops being served by CDN; requests to static.example.com fail "
            "until started again"
        ) in " ".join(said.split())
        await pilot.press("enter")  # Cancel has the focus: Enter alone stops nothing
        await wait_for(pilot, lambda: not isinstance(app.screen, Confirm), what="no")
        assert "StopCdnDomain" not in app.sandbox.calls.actions()
        await pilot.press("s")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, Confirm) and app.screen.is_mounted,
            what="the question",
        )
        await answer_yes(pilot)
        await wait_for(
            pilot,
            lambda: world.domains["static.example.com"].status in ("stopping", "offline"),
            what="stopping",
        )
        await pilot.press("d")

        dialog = await wait_for(
            pilot,
            lambda: isinstance(app.screen, TypedConfirm) and app.screen,
            what="the confirmation",
        )
        await pilot.press("enter")  # nothing typed: nothing happens
        assert isinstance(app.screen, TypedConfirm)
        assert "static.example.com" in world.domains
        for char in "static.example.com":
            await pilot.press(char)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                "static.example.com" not in world.domains
                or world.domains["static.example.com"].status == "deleting"
            ),
            what="deleting",
        )
        assert dialog is not app.screen


async def test_auto_cdn_cache_update_is_reported_from_oss():
    app = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        expectations = {
            "img.example.com": "on:",  # bound to demo-assets, IsPurgeCdnCache true
            "static.example.com": "off: changed objects stay cached",  # bound, switched off
            "video.example.com": "is not bound to bucket demo-video",
        }
        for name, expected in expectations.items():
            screen = await open_domain(pilot, name)
            await wait_for(
                pilot, lambda: "checking" not in screen.cache_update.plain, what="the OSS answer"
            )
            assert expected in screen.cache_update.plain
            assert expected.split(":")[0] in text_of(screen.query_one("#facts"))
            await pilot.press("escape")
            await wait_for(
                pilot, lambda: not isinstance(app.screen, DomainScreen), what="back to the list"
            )


async def test_a_notice_on_the_domain_screen_covers_neither_the_cname_nor_the_record():
    """Issue 13: at 80x24 a toast covered the CNAME, the record and the BIND line; on this
    screen notices sit at the top right, over the checklist's evidence."""
    from textual.widgets._toast import Toast

    app = sandbox_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_domain(pilot, "img.example.com")
        await wait_for(pilot, lambda: screen.standing is not None, timeout=30, what="checklist")
        await pilot.press("v")  # says ownership is done, in a notice
        toast = await wait_for(
            pilot,
            lambda: next((t for t in screen.query(Toast) if t.region.height), None),
            what="the notice",
        )
        await pilot.pause()
        for wanted in ("#cname", "#record", "#bind"):
            region = screen.query_one(wanted).region
            assert region.height, wanted  # in view at 80x24
            assert not toast.region.overlaps(region), wanted


async def test_the_record_line_says_whether_it_exists_and_points_at_the_cname():
    """Issue 13: the screen said "DNS record to create" even once the record existed.
    It says what the checklist read: to create; then, the plan applied, that it exists
    and points at the CNAME."""
    from screens.propagation import PropagationScreen
    from tests.pilot import open_plan

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        plan = await open_plan(pilot, "static.example.com")
        screen = app.screen_stack[-2]
        assert isinstance(screen, DomainScreen)
        assert "to create" in text_of(screen.query_one("#record_label"))
        await pilot.press("enter")  # apply the plan: the record is created
        await wait_for(pilot, lambda: isinstance(app.screen, PropagationScreen), what="board")
        assert plan not in app.screen_stack  # the board took the plan's place
        await pilot.press("escape")  # the board -> the domain's screen
        await wait_for(pilot, lambda: app.screen is screen, what="the domain's screen")
        label = await wait_for(
            pilot,
            lambda: (t := text_of(screen.query_one("#record_label"))) and "exists" in t and t,
            timeout=30,
            what="the record read again",
        )
        assert "exists and points at the CNAME" in label and "to create" not in label


async def test_a_record_pointing_elsewhere_is_said_to_point_elsewhere():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        app.sandbox.world.add_record("example.com", "static", "CNAME", "old.cdn.example.net")
        screen = await open_domain(pilot, "static.example.com")
        await wait_for(pilot, lambda: screen.standing is not None, timeout=30, what="checklist")
        label = text_of(screen.query_one("#record_label"))
        assert "exists but points at old.cdn.example.net; change it to:" in label
        assert "to create" not in label


def test_the_review_hint_names_an_icp_filing_only_for_scopes_that_need_one():
    from tui.choices import ICP_SCOPES, SCOPES
    from tui.explain import review_failed_hint

    for scope in SCOPES:
        hint = review_failed_hint(scope)
        assert hint.startswith("CDN's review of the domain failed")
        assert ("ICP" in hint) == (scope in ICP_SCOPES), scope


@given(st.text(max_size=20).filter(lambda s: s not in ICP_SCOPES))
def test_a_scope_that_reaches_no_mainland_node_asks_for_no_filing(scope):
    from tui.explain import review_failed_hint

    assert "ICP" not in review_failed_hint(scope)


async def test_a_failed_review_is_hinted_by_the_domains_scope():
    """Issue 13: dl.example.com (sandbox: check_failed, scope overseas) was told to check
    its ICP filing, which overseas needs none of; mainland scopes still are."""
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_domain(pilot, "dl.example.com")
        world = app.sandbox.world
        assert world.domains["dl.example.com"].scope == "overseas"
        status = " ".join(text_of(screen.query_one("#status")).split())
        assert "review of the domain failed" in status and "ICP" not in status
        world.domains["dl.example.com"].scope = "domestic"
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: "ICP filing" in text_of(screen.query_one("#status")),
            what="the hint read again",
        )
