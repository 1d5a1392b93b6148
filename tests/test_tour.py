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
from tui.cli import app_options, build_parser, main
from tui.launch import TOUR_SANDBOX_SPEED, LaunchOptions, connect
from tui.sandbox.world import cname_for
from tui.tour import (
    LAST_CAPTION,
    SCRIPT,
    STEP_TIMEOUT,
    TOUR_DOMAIN,
    TOUR_ROOT,
    TYPE,
    Step,
    TourPlayer,
    add_form_ready,
    domains_listed,
    time_allowed,
)
from tui.widgets.caption import KEYS_HINT, Caption, caption_lines

pytestmark = pytest.mark.slow


def tour_app(
    speed: float = 50.0, steps: tuple[Step, ...] | None = None, sandbox_speed: float = 1000.0
) -> OssCdnApp:
    """The app with the tour: the whole script at `speed`, or `steps` of a test's own."""
    app = OssCdnApp(
        LaunchOptions(
            sandbox=True, sandbox_speed=sandbox_speed, tour=steps is None, tour_speed=speed
        )
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
        assert any("a thing that never comes" in n.message for n in app._notifications)
        # On the domain list, even when it failed before the list was there (a loaded
        # machine connecting slowly): the failed caption follows to each screen.
        await wait_for(
            pilot, lambda: "Tour stopped" in caption_on_screen(app), what="the failed caption"
        )
        text = caption_on_screen(app)
        assert "a thing that never comes" in text and "The keys are yours" in text
        await pilot.press("a")  # the presenter's keys work
        form = await wait_for(
            pilot, lambda: isinstance(app.screen, AddDomainScreen) and app.screen, what="the form"
        )
        await wait_for(pilot, lambda: caption_lines(form) > 0, what="the caption on the form")
        assert "Tour stopped" in caption_on_screen(app)
        # Esc takes the red caption away (as after the last step), from every screen, and
        # gives its lines back to the form's checklist.
        room = form.query_one("#checklist").max_lines
        await pilot.press("escape")
        assert tour.state == "ended"
        await wait_for(
            pilot,
            lambda: not any(s.query(Caption) for s in app.screen_stack),
            what="the caption gone",
        )
        await wait_for(
            pilot,
            lambda: form.query_one("#checklist").max_lines > room,
            what="the checklist's lines given back",
        )
        assert isinstance(app.screen, AddDomainScreen)  # that Esc was the tour's only


def test_the_tour_runs_in_the_sandbox_at_its_own_speed_and_never_read_only(capsys):
    args = build_parser().parse_args(["--tour"])
    assert args.tour and args.tour_speed == 1.0
    args = build_parser().parse_args(["--tour", "--tour-speed", "4", "--sandbox-speed", "5"])
    assert (args.tour_speed, args.sandbox_speed) == (4.0, 5.0)
    with pytest.raises(SystemExit) as exit_:
        main(["--tour", "--read-only"])
    assert exit_.value.code == 2
    assert "cannot run read-only" in capsys.readouterr().err


def test_the_command_line_tour_plays_in_a_sandbox_even_with_credentials_found(monkeypatch):
    # Fake keys in the environment (nothing is sent): the tour still gets the sandbox.
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "FAKEtour000000000000")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "fakeTourSecret")
    options = app_options(build_parser().parse_args(["--tour"]))
    assert options.tour and options.sandbox
    assert options.sandbox_speed == TOUR_SANDBOX_SPEED == 60.0
    assert not options.read_only
    options = app_options(build_parser().parse_args(["--tour", "--sandbox-speed", "5"]))
    assert (options.sandbox, options.sandbox_speed) == (True, 5.0)
    # Without --tour, the same keys are the account's (the sandbox only when asked).
    assert not app_options(build_parser().parse_args([])).sandbox


def test_connect_gives_the_tour_a_sandbox_whoever_built_its_options(monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "FAKEtour000000000000")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "fakeTourSecret")
    profile, box = connect(LaunchOptions(tour=True, sandbox_speed=1000.0))
    try:
        assert profile.sandbox and box is not None
        assert profile.access_key_id != "FAKEtour000000000000"
    finally:
        if box is not None:
            box.stop()


async def test_the_player_sends_no_key_to_a_real_account(no_proxy):
    """OssCdnApp(LaunchOptions(tour=True)) connects to a sandbox (above); a player on an
    app that talks to a real account stops before its first key, whoever started it.
    (The account here is the sandbox's profile said not to be one: nothing leaves.)"""
    from dataclasses import replace

    steps = (
        Step("First, the list.", ready=domains_listed, what="the list"),
        Step("Then the form.", keys=("a",), done=add_form_ready, what="the form"),
    )
    app = tour_app(speed=0.001, steps=steps)  # nothing is pressed before Right
    async with app.run_test(size=(80, 24)) as pilot:
        tour = app.tour
        await connected(pilot)
        app.profile = replace(app.profile, sandbox=False)
        await pilot.press("right", "right")
        await wait_for(pilot, lambda: tour.state == "failed", what="the tour stopped")
        assert "plays only in a sandbox" in tour.captions[-1]
        assert not isinstance(app.screen, AddDomainScreen)
        assert app.key_gate.idle


def test_each_step_waits_longer_in_a_slower_sandbox():
    assert time_allowed(STEP_TIMEOUT, TOUR_SANDBOX_SPEED) == STEP_TIMEOUT
    assert time_allowed(STEP_TIMEOUT, 1.0) == STEP_TIMEOUT * 60  # CDN's real minutes
    assert time_allowed(STEP_TIMEOUT, 600.0) == STEP_TIMEOUT  # never shorter
    assert "slower" in build_parser().format_help()


async def test_a_step_in_a_slower_sandbox_is_given_longer_before_the_tour_stops(no_proxy):
    steps = (
        Step("The list.", ready=domains_listed),
        Step("Never.", done=lambda app: False, what="it", timeout=0.05),
    )
    app = tour_app(speed=50.0, steps=steps, sandbox_speed=6.0)
    async with app.run_test(size=(80, 24)) as pilot:
        tour = app.tour
        await wait_for(pilot, lambda: tour.state == "failed", timeout=30, what="the failure")
        assert "waited 0.5 s for it" in tour.captions[-1]  # 0.05 s at 60, ten times slower


def _raising_once():
    calls = []

    def condition(app) -> bool:
        calls.append(1)
        if len(calls) == 1:
            raise LookupError("not composed yet")
        return True

    return condition


def _always_raising(app) -> bool:
    raise LookupError("no such widget")


async def test_a_condition_that_raises_is_not_met_yet_and_never_kills_the_tour(no_proxy):
    steps = (
        Step("It raises once, then holds.", ready=domains_listed, done=_raising_once()),
        Step("It always raises.", done=_always_raising, what="the widget", timeout=0.5),
    )
    app = tour_app(speed=50.0, steps=steps)
    async with app.run_test(size=(80, 24)) as pilot:
        tour = app.tour
        await wait_for(pilot, lambda: tour.state == "failed", timeout=30, what="the failure")
        assert tour.captions[:2] == [step.caption for step in steps]  # the first passed
        said = tour.captions[-1]
        assert "the widget" in said and "LookupError: no such widget" in said
        await wait_for(pilot, lambda: "Tour stopped" in caption_on_screen(app), what="said")
        await pilot.press("escape")
        assert tour.state == "ended"


async def test_an_error_in_the_player_stops_the_tour_loudly_and_hands_over(no_proxy):
    broken = Step("A script with a bug.", ready=domains_listed, keys=(None,))  # type: ignore[arg-type]
    app = tour_app(speed=50.0, steps=(broken,))
    async with app.run_test(size=(80, 24)) as pilot:
        tour = app.tour
        await wait_for(pilot, lambda: tour.state == "failed", timeout=30, what="the failure")
        assert "broke at step 1" in tour.captions[-1] and "AttributeError" in tour.captions[-1]
        await wait_for(pilot, lambda: "Tour stopped" in caption_on_screen(app), what="said")
        await pilot.press("a")  # not swallowed: the keys are the presenter's
        await wait_for(pilot, lambda: isinstance(app.screen, AddDomainScreen), what="the form")


async def test_question_mark_while_typing_pauses_and_opens_help_and_types_nothing(no_proxy):
    steps = (
        Step("The list.", ready=domains_listed),
        Step("The form.", keys=("a",), done=add_form_ready),
        Step(
            "Typing.", keys=(TYPE + TOUR_DOMAIN,), done=lambda app: domain_field(app) == TOUR_DOMAIN
        ),
    )
    app = tour_app(speed=2.0, steps=steps)  # a key every 70 ms: ? lands mid-name
    async with app.run_test(size=(80, 24)) as pilot:
        tour = app.tour
        await wait_for(pilot, lambda: domain_field(app), timeout=60, what="typing")
        form = app.screen
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        assert tour.state == "paused"
        await pilot.press("escape")  # help's own
        await wait_for(pilot, lambda: app.screen is form, what="help closed")
        await wait_for(pilot, lambda: app.key_gate.idle, what="the keys handed on")
        typed = domain_field(app)
        assert "?" not in typed and TOUR_DOMAIN.startswith(typed)
        await pilot.press("space")
        await wait_for(pilot, lambda: tour.state == "finished", timeout=60, what="the end")
        assert domain_field(app) == TOUR_DOMAIN  # every key once, in order: none lost


def domain_field(app) -> str:
    from textual.widgets import Input

    screen = app.screen
    if not isinstance(screen, AddDomainScreen):
        return ""
    return screen.query_one("#domain", Input).value


# Typed with the step's pauses dropped (as Right does), the tour posts every key of it at
# once: the gate holds them (each waits for the form to settle after the one before)
# when the presenter's key comes, after the third has landed.
LONG_NAME = "a-name-long-enough-to-be-typed-for-a-while-by-the-tour.newsite.net"


def _typing_tour(presenter_key: str) -> OssCdnApp:
    """The tour typing LONG_NAME without pauses; the presenter presses `presenter_key`
    the moment the third character lands (from a watch on the field, armed before the
    first key: a poll from the test could miss the typing altogether)."""
    from textual import events
    from textual.widgets import Input

    pressed: list[str] = []

    def press_after_three(value: str) -> None:
        if len(value) >= 3 and not pressed:
            pressed.append(value)
            app.post_message(events.Key(presenter_key, " " if presenter_key == "space" else None))

    def armed(app) -> bool:
        screen = app.screen
        if not isinstance(screen, AddDomainScreen):
            return False
        screen.watch(screen.query_one("#domain", Input), "value", press_after_three, init=False)
        app.tour.skip()  # Right: no pause between the keys
        return True

    steps = (
        Step("The list.", ready=domains_listed),
        Step("The form.", keys=("a",), done=add_form_ready),
        Step(
            "Typing.",
            ready=armed,
            keys=(TYPE + LONG_NAME,),
            done=lambda app: domain_field(app) == LONG_NAME,
        ),
    )
    app = tour_app(speed=1000.0, steps=steps)
    return app


def _seen_at(tour, method: str) -> list[tuple[str, int]]:
    """Each time the tour's `method` runs (pause, end): the domain field's value then, and
    how many of the tour's keys it took back."""
    seen: list[tuple[str, int]] = []
    real, real_take_back = getattr(tour, method), tour._take_back
    taken: list[int] = []

    def take_back():
        keys = real_take_back()
        taken.append(len(keys))
        return keys

    def wrapped() -> None:
        value = domain_field(tour.app)
        taken.clear()
        real()
        seen.append((value, sum(taken)))

    setattr(tour, method, wrapped)
    tour._take_back = take_back
    return seen


def landed_since(value: str, then: str) -> str:
    assert LONG_NAME.startswith(value) and value.startswith(then), (value, then)
    return value.removeprefix(then)


async def test_esc_while_typing_drops_the_tours_keys_still_on_their_way(no_proxy):
    app = _typing_tour("escape")
    async with app.run_test(size=(80, 24)) as pilot:
        tour = app.tour
        at_end = _seen_at(tour, "end")
        await wait_for(pilot, lambda: tour.state == "ended", timeout=60, what="Esc while typing")
        await wait_for(pilot, lambda: app.key_gate.idle, what="the gate empty")
        await pilot.pause()
        [(then, taken)] = at_end
        # The keys on their way were taken back, and never land: at most the one the
        # field had been handed before Esc came is typed after it.
        assert taken >= 1
        assert len(landed_since(domain_field(app), then)) <= 1
        assert len(domain_field(app)) + taken <= len(LONG_NAME)
        typed = domain_field(app)
        await pilot.press("x")  # the presenter's key lands where focus is
        await wait_for(pilot, lambda: domain_field(app) == typed + "x", what="x typed")


async def test_space_while_typing_holds_the_tours_keys_back_and_resume_types_the_rest(
    no_proxy,
):
    app = _typing_tour("space")
    async with app.run_test(size=(80, 24)) as pilot:
        tour = app.tour
        at_pause = _seen_at(tour, "pause")
        await wait_for(pilot, lambda: tour.state == "paused", timeout=60, what="Space, typing")
        await wait_for(pilot, lambda: app.key_gate.idle, what="the gate empty")
        await pilot.pause()
        [(then, taken)] = at_pause
        assert taken >= 1
        paused_at = domain_field(app)
        assert len(landed_since(paused_at, then)) <= 1
        assert len(paused_at) + taken <= len(LONG_NAME)
        held = tour.held
        await wait_for(pilot, lambda: tour.held >= held + 10, what="the player held")
        assert domain_field(app) == paused_at  # nothing of the tour lands while paused
        await pilot.press("space")
        await wait_for(pilot, lambda: tour.state == "finished", timeout=60, what="the end")
        assert domain_field(app) == LONG_NAME  # what the pause took back went again, in order
