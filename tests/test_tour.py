"""The guided tour (`oss-cdn --tour`): it plays the onboarding through the real screens
to "served" in a sandbox of its own, and the presenter steers it (Space, Right, Esc).
Against the sandbox, through the app's own key path: nothing here calls a service."""

from __future__ import annotations

import pytest

from screens.add_domain import AddDomainScreen
from screens.delivery import DeliveryScreen
from screens.dns_records import ZonesScreen
from screens.help import TOUR, HelpScreen
from tests.pilot import connected, text_of, wait_for
from tui.app import OssCdnApp
from tui.cli import build_parser, main
from tui.launch import LaunchOptions
from tui.sandbox.world import cname_for
from tui.tour import (
    LAST_CAPTION,
    SCRIPT,
    TOUR_DOMAIN,
    TOUR_ROOT,
    Step,
    TourPlayer,
    add_form_ready,
    domains_listed,
)
from tui.widgets.caption import KEYS_HINT, Caption

pytestmark = pytest.mark.slow


def tour_app(speed: float = 50.0, steps: tuple[Step, ...] | None = None) -> OssCdnApp:
    """The app with the tour: the whole script at `speed`, or `steps` of a test's own."""
    app = OssCdnApp(
        LaunchOptions(sandbox=True, sandbox_speed=1000.0, tour=steps is None, tour_speed=speed)
    )
    if steps is not None:
        app.tour = TourPlayer(app, steps, speed=speed)
    return app


def captions(app) -> list[Caption]:
    return list(app.screen.query(Caption).results())


def caption_on_screen(app) -> str:
    found = captions(app)
    return text_of(found[0]) if found else ""


async def test_the_tour_plays_the_whole_onboarding_to_served(no_proxy):
    app = tour_app(speed=50.0)
    async with app.run_test(size=(80, 24)) as pilot:
        tour = app.tour
        assert tour is not None
        shown: list[str] = []  # the captions seen on screen, in order

        def finished() -> bool:
            text = " ".join(caption_on_screen(app).split())
            if text and (not shown or shown[-1] != text):
                shown.append(text)
            return tour.state == "finished"

        await wait_for(pilot, finished, timeout=180, what="the tour to finish")

        # Each step's caption was shown on screen, one after the other, then the last.
        assert tour.captions == [step.caption for step in SCRIPT] + [LAST_CAPTION]
        for step in SCRIPT:
            assert any(step.caption in text for text in shown), step.caption
        assert LAST_CAPTION in caption_on_screen(app)

        # What each step did, in the cloud: the domain added (after CDN refused it for
        # ownership), its root verified by TXT, online, the CNAME record in the zone.
        world = app.sandbox.world
        actions = app.sandbox.calls.actions()
        adds = [i for i, a in enumerate(actions) if a == "AddCdnDomain"]
        assert len(adds) == 2  # refused for ownership, then added
        assert adds[0] < actions.index("VerifyDomainOwner") < adds[1]
        assert world.is_verified(TOUR_DOMAIN)
        txt = [r for r in world.current_records(TOUR_ROOT) if r.type == "TXT"]
        assert [r.rr for r in txt] == ["verification"]
        assert world.domains[TOUR_DOMAIN].status == "online"
        assert world.domains[TOUR_DOMAIN].scope == "overseas"
        cname = [r for r in world.current_records(TOUR_ROOT) if r.type == "CNAME"]
        assert [(r.rr, r.value) for r in cname] == [("cdn", cname_for(TOUR_DOMAIN))]
        # Fetched through the CDN, and served.
        assert isinstance(app.screen, DeliveryScreen)
        assert app.screen.result is not None and app.screen.result.verdict.value == "served"

        # The app is usable: Esc ends the tour (caption gone), then keys work as usual.
        await pilot.press("escape")
        await wait_for(pilot, lambda: tour.state == "ended", what="the tour ended")
        assert not captions(app)
        await pilot.press("escape")  # the delivery screen's own Back
        await wait_for(
            pilot, lambda: not isinstance(app.screen, DeliveryScreen), what="back from delivery"
        )


async def test_space_pauses_the_tour_and_resumes_it(no_proxy):
    app = tour_app(speed=50.0)
    async with app.run_test(size=(80, 24)) as pilot:
        tour = app.tour
        await wait_for(pilot, lambda: tour.index >= 1, timeout=60, what="the tour's step 2")
        await pilot.press("space")
        assert tour.state == "paused"
        index, screen = tour.index, app.screen
        await wait_for(pilot, lambda: "PAUSED" in caption_on_screen(app), what="PAUSED shown")
        # The player keeps looking while paused and goes nowhere: 20 looks, 1 s at least,
        # where the whole step takes a fraction of that at this speed.
        await wait_for(pilot, lambda: tour.held >= 20, what="the player held")
        assert (tour.index, app.screen) == (index, screen)
        await pilot.press("space")
        assert tour.state == "playing"
        await wait_for(pilot, lambda: tour.index > index, what="the tour to move on")
        assert "PAUSED" not in caption_on_screen(app)


async def test_right_skips_the_pauses_of_a_step(no_proxy):
    # At this pace each step reads for minutes before its keys: only Right moves it.
    steps = (
        Step("First, the list.", ready=domains_listed, what="the list"),
        Step("Then the form.", keys=("a",), done=add_form_ready, what="the form"),
    )
    app = tour_app(speed=0.001, steps=steps)
    async with app.run_test(size=(80, 24)) as pilot:
        tour = app.tour
        await connected(pilot)
        await wait_for(pilot, lambda: "First, the list." in caption_on_screen(app), what="step 1")
        await pilot.press("right")
        await wait_for(pilot, lambda: "Then the form." in caption_on_screen(app), what="step 2")
        assert not isinstance(app.screen, AddDomainScreen)  # its pause holds its key back
        await pilot.press("right")
        await wait_for(
            pilot, lambda: isinstance(app.screen, AddDomainScreen), what="a pressed by the tour"
        )
        await wait_for(pilot, lambda: tour.state == "finished", what="the end of the script")


async def test_esc_hands_the_keys_over_and_other_keys_never_fight_the_tour(no_proxy):
    app = tour_app(speed=0.001, steps=(Step("Only a caption.", ready=domains_listed),))
    async with app.run_test(size=(80, 24)) as pilot:
        tour = app.tour
        await connected(pilot)
        await wait_for(pilot, lambda: KEYS_HINT in caption_on_screen(app), what="the caption")
        # z (the zones) while the tour plays is swallowed: Space behind it is handled
        # after it, so once paused, z has had its turn.
        await pilot.press("z", "space")
        await wait_for(pilot, lambda: tour.state == "paused", what="paused")
        assert not isinstance(app.screen, ZonesScreen)
        await pilot.press("escape")
        assert tour.state == "ended"
        await wait_for(
            pilot,
            lambda: not list(app.screen.query(Caption).results()),
            what="the caption to be gone",
        )
        await pilot.press("z")  # a normal key, now the presenter's
        await wait_for(pilot, lambda: isinstance(app.screen, ZonesScreen), what="the zones")
        assert not list(
            app.screen.query(Caption).results()
        )  # and no caption follows to the next screen


async def test_f1_pauses_the_tour_and_help_names_its_keys(no_proxy):
    app = tour_app(speed=0.001, steps=(Step("Only a caption.", ready=domains_listed),))
    async with app.run_test(size=(80, 24)) as pilot:
        tour = app.tour
        await connected(pilot)
        await wait_for(pilot, lambda: tour.steering and tour.captions, what="the tour")
        await pilot.press("f1")
        help_screen = await wait_for(
            pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen, what="help"
        )
        assert tour.state == "paused"
        assert any(TOUR in str(s.content) for s in help_screen.query("Static"))
        await pilot.press("escape")  # help's own key while it is shown
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), what="help closed")
        assert tour.state == "paused"
        await pilot.press("space")
        assert tour.state == "playing"


async def test_a_step_that_never_comes_stops_the_tour_loudly_and_hands_over(no_proxy):
    never = Step(
        "Waiting for something that never comes.",
        done=lambda app: False,
        what="a thing that never comes",
        timeout=1.0,
    )
    app = tour_app(speed=50.0, steps=(never,))
    async with app.run_test(size=(80, 24)) as pilot:
        tour = app.tour
        await connected(pilot)
        await wait_for(pilot, lambda: tour.state == "failed", what="the tour to fail")
        text = caption_on_screen(app)
        assert "Tour stopped" in text and "a thing that never comes" in text
        assert "The keys are yours" in text
        assert any("a thing that never comes" in n.message for n in app._notifications)
        await pilot.press("a")  # the presenter's keys work
        await wait_for(pilot, lambda: isinstance(app.screen, AddDomainScreen), what="the form")


def test_the_tour_runs_in_the_sandbox_at_its_own_speed_and_never_read_only(capsys):
    args = build_parser().parse_args(["--tour"])
    assert args.tour and args.tour_speed == 1.0
    args = build_parser().parse_args(["--tour", "--tour-speed", "4", "--sandbox-speed", "5"])
    assert (args.tour_speed, args.sandbox_speed) == (4.0, 5.0)
    with pytest.raises(SystemExit) as exit_:
        main(["--tour", "--read-only"])
    assert exit_.value.code == 2
    assert "cannot run read-only" in capsys.readouterr().err
