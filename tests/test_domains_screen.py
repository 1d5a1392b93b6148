"""The domain list against the sandbox (Pilot): what it polls, and when."""

from screens.dns_records import ZonesScreen
from tests.pilot import connected, sandbox_app, wait_for


async def test_a_changing_domain_is_polled_only_while_the_list_is_in_view():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        domains = app.screen
        world = app.sandbox.world
        # Configuring with nothing pending: it stays so, and the list keeps polling.
        world.add_domain("slow.example.com", "web", [], "domestic", status="configuring")
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: "slow.example.com" in domains.query_one("#domains").rows,
            what="the changing domain listed",
        )

        def lists() -> int:
            return app.sandbox.calls.actions().count("DescribeUserDomains")

        before = lists()
        await wait_for(pilot, lambda: lists() > before, what="a poll")

        await pilot.press("z")
        await wait_for(pilot, lambda: isinstance(app.screen, ZonesScreen), what="the zones")
        await wait_for(pilot, lambda: not domains.is_loading(), what="the last poll done")
        covered = lists()
        # The poll's timer fires as it always does; covered, its turn reads nothing (its
        # turn is run here, not waited for: "nothing happened" cannot be awaited).
        domains._tick()
        await pilot.pause()
        assert not domains.is_loading()
        assert lists() == covered

        await pilot.press("escape")
        await wait_for(pilot, lambda: lists() > covered, what="polling again")
