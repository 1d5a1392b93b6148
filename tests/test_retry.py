"""A screen whose first load failed says so and offers r to try again (Pilot, sandbox).

The fault outlasts the service layer's own retries (a read is tried max_attempts times),
so the screen sees the failure; the next try finds the sandbox well again.
"""

from __future__ import annotations

from screens.cname import DomainScreen
from screens.cname_plan import CnamePlanScreen
from screens.verify import VerifyScreen
from tests.pilot import connected, open_domain, sandbox_app, text_of, wait_for
from tui.keys import shown_bindings
from tui.services.retry import DEFAULT_POLICY

ATTEMPTS = DEFAULT_POLICY.max_attempts


def offers(screen, action: str) -> bool:
    return any(b.action == action for _, b in shown_bindings(screen))


async def test_the_plan_screen_offers_r_after_the_records_could_not_be_read():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        domain = await open_domain(pilot, "static.example.com")
        # The checklist reads the zone's records too: the faults are for the plan's read.
        await wait_for(pilot, lambda: domain.standing is not None, what="the checklist")
        app.sandbox.faults.add("server_error", "DescribeDomainRecords", count=ATTEMPTS)
        await pilot.press("n")
        plan = await wait_for(
            pilot,
            lambda: isinstance(app.screen, CnamePlanScreen) and app.screen,
            what="the plan screen",
        )
        await wait_for(pilot, lambda: plan.failed, timeout=20, what="the failure")
        assert plan.setup is None
        assert "Press r to try again" in text_of(plan.query_one("#plan"))
        assert offers(plan, "retry")
        await pilot.press("r")
        await wait_for(pilot, lambda: plan.setup is not None, timeout=20, what="the plan")
        assert not offers(plan, "retry") and not plan.failed
        assert "create" in text_of(plan.query_one("#plan"))


async def test_the_verify_screen_offers_r_after_the_content_could_not_be_read():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        app.sandbox.faults.add("server_error", "DescribeVerifyContent", count=ATTEMPTS)
        verify = VerifyScreen("img.newsite.net")
        app.push_screen(verify)
        await wait_for(pilot, lambda: verify.failed, timeout=20, what="the failure")
        assert "Press r to try again" in text_of(verify.query_one("#state"))
        assert offers(verify, "retry")
        await pilot.press("r")
        await wait_for(
            pilot, lambda: verify.challenge is not None, timeout=20, what="the challenge"
        )
        assert not offers(verify, "retry")
        content = app.sandbox.world.verify_content("img.newsite.net")
        assert content in text_of(verify.query_one("#txt"))
        assert "Not verified yet" in text_of(verify.query_one("#state"))


async def test_the_details_screen_says_r_tries_again_after_a_failed_first_load():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        app.sandbox.faults.add("server_error", "DescribeCdnDomainDetail", count=ATTEMPTS)
        details = DomainScreen("static.example.com")
        app.push_screen(details)
        await wait_for(
            pilot, lambda: app.screen is details and details.is_mounted, what="the details screen"
        )
        status = details.query_one("#status")
        await wait_for(
            pilot, lambda: "Press r to try again" in text_of(status), timeout=20, what="the failure"
        )
        await pilot.press("r")
        await wait_for(pilot, lambda: details.domain is not None, timeout=20, what="the domain")
        assert "online" in text_of(status)
