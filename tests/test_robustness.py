"""Slow answers and impatient users: leaving mid-load, pressing twice, dialogs on top."""

from screens.cname import DomainScreen
from screens.cname_plan import CnamePlanScreen
from screens.domains import DomainsScreen
from screens.help import HelpScreen
from screens.propagation import PropagationScreen
from screens.verify import VerifyScreen
from tests.pilot import (
    answer_yes,
    connected,
    form_ready,
    messages,
    open_domain,
    open_plan,
    press_at_once,
    sandbox_app,
    wait_for,
)
from tui.widgets.confirm import Confirm


async def test_leaving_a_screen_while_it_loads_does_not_crash_the_app():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        slow = {
            "DescribeCdnDomainDetail": lambda: DomainScreen("img.example.com"),
            "DescribeVerifyContent": lambda: VerifyScreen("img.newsite.net"),
            "DescribeDomains": lambda: CnamePlanScreen("static.example.com", "x.w.kunlunsl.com"),
        }
        for action, make in slow.items():
            app.sandbox.faults.add("timeout", action=action, delay=1.0)
            screen = make()
            app.push_screen(screen)
            await wait_for(pilot, lambda: app.screen is screen, what=action)
            await pilot.pause()  # mounted (Textual's Header dislikes a same-frame pop)
            assert any(w.node is screen and not w.is_finished for w in app.workers)
            await pilot.press("escape")
            await pilot.pause(1.3)  # the held answer arrives after the screen is gone
            assert app.is_running and isinstance(app.screen, DomainsScreen), action


async def test_pressing_submit_twice_adds_the_domain_once():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await form_ready(pilot, "twice.example.com")
        app.sandbox.faults.add("timeout", action="AddCdnDomain", delay=2.0)
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+s")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DomainScreen), what="details")
        assert app.sandbox.calls.actions().count("AddCdnDomain") == 1


async def test_applying_a_plan_twice_sends_it_once():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        plan = await open_plan(pilot, "static.example.com")
        app.sandbox.faults.add("timeout", action="AddDomainRecord", delay=2.0)
        await pilot.press("enter")
        await pilot.press("x")  # would re-plan; refused while applying
        await pilot.press("escape")  # would cancel the write half-way; refused
        await pilot.press("enter")
        assert app.screen is plan
        await wait_for(pilot, lambda: isinstance(app.screen, PropagationScreen), what="board")
        assert app.sandbox.calls.actions().count("AddDomainRecord") == 1
        assert plan.replace is False


async def test_a_plan_being_redrawn_cannot_be_applied():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        origin = {
            "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
            "type": "oss",
            "port": 80,
            "priority": "20",
            "weight": "10",
        }
        app.sandbox.world.add_domain(
            "www.example.com", "web", [origin], "domestic", status="online"
        )
        await pilot.press("r")
        plan = await open_plan(pilot, "www.example.com")  # blocked by www's A record
        app.sandbox.faults.add("timeout", action="DescribeDomainRecords", delay=0.5)
        await pilot.press("x")
        await pilot.press("enter")  # the old plan is void until the new one arrives
        await wait_for(pilot, lambda: plan.setup is not None, what="the new plan")
        assert "AddDomainRecord" not in app.sandbox.calls.actions()


async def test_stop_pressed_twice_sends_one_stop():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_domain(pilot, "img.example.com")
        app.sandbox.faults.add("timeout", action="StopCdnDomain", delay=0.4)
        await pilot.press("s")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, Confirm) and app.screen.is_mounted,
            what="the question",
        )
        await pilot.press("tab")
        await press_at_once(pilot, "enter", "s", "tab", "enter")  # yes, then s, yes again
        await wait_for(
            pilot, lambda: "StopCdnDomain" in app.sandbox.calls.actions(), what="the stop"
        )
        await wait_for(
            pilot, lambda: "img.example.com" not in app.domains_changing, what="the stop's answer"
        )
        if isinstance(app.screen, Confirm):  # a second question, asked before the stop left
            assert app.screen.voided
            await pilot.press("escape")
        assert app.sandbox.calls.actions().count("StopCdnDomain") == 1


async def test_a_domain_changed_since_the_screen_read_it_is_not_asked_about_again():
    # The stop is accepted, but the details are read again slowly: until they arrive the
    # screen still shows "online", and s must not offer to stop it a second time.
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_domain(pilot, "img.example.com")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
        app.sandbox.faults.add("timeout", action="DescribeCdnDomainDetail", delay=3.0)
        await answer_yes(pilot)
        await wait_for(
            pilot, lambda: "img.example.com" not in app.domains_changing, what="the stop's answer"
        )
        assert screen.domain.status == "online"  # what the screen read before the stop
        await pilot.press("s")
        await wait_for(
            pilot,
            lambda: any("changed since this screen read it" in m for m in messages(app)),
            what="the refusal",
        )
        assert app.screen is screen
        assert app.sandbox.calls.actions().count("StopCdnDomain") == 1


async def test_a_verification_ending_under_the_help_screen_leaves_help_alone():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        world = app.sandbox.world
        verify = VerifyScreen("img.newsite.net")
        app.push_screen(verify)
        await wait_for(pilot, lambda: verify.challenge, what="the challenge")
        world.add_record("newsite.net", "verification", "TXT", verify.challenge.content)
        app.sandbox.faults.add("timeout", action="VerifyDomainOwner", delay=0.4)
        await pilot.press("v")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await wait_for(pilot, lambda: world.zones["newsite.net"].verified_for_cdn, what="verified")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)  # not popped by the verify screen
        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, DomainsScreen),
            what="the verify screen leaving once shown again",
        )
