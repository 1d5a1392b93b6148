"""The guided tour (`oss-cdn --tour`): the app plays the whole onboarding by itself, in its
own sandbox, at a pace people can follow, with a caption per step.

The script is data: each Step has its caption (one sentence, from the procedure in
Alibaba's "Use Alibaba Cloud CDN to accelerate the delivery of resources from OSS
buckets"), the keys a person would press, and the condition on screen that says the step
is done. The player presses those keys through the app's own key path (the same one the
terminal's keys take: the key gate, priority bindings, the focused widget), so the tour
drives the real screens and breaks when the app breaks. Nothing here calls a service.

While it plays, the presenter's keys steer it: Space pauses and resumes, Right drops the
pauses of the current step (the step still waits for its condition: the cloud has to get
there), Esc ends it and hands the keys over at the current screen; F1 or ? pauses and
opens help; every other key is swallowed so that it cannot fight the tour. Keys the tour
sent that have not landed yet (queued, or held by the key gate while the screen settles)
are taken back on a pause (and sent again on resume) or dropped when it ends: nothing of
the tour acts after PAUSED or Esc. A step whose condition is not met in time (a raising
condition counts as not met) stops the tour with an error caption and hands over, and so
does any error of the player itself. It plays only in a sandbox: against a real account
it stops before its first key.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import events
from textual.keys import _character_to_key

from tui.widgets.caption import Caption, caption_text

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

# The domain the tour adds. newsite.net is the sandbox world's zone in this account's
# Alibaba Cloud DNS that CDN has not verified yet (so ownership is proved the TXT way),
# and it has no ICP filing (so its scope is outside mainland China); its origin is
# demo-assets, the public-read bucket listed first, so its files are served at once.
TOUR_DOMAIN = "cdn.newsite.net"
TOUR_ROOT = "newsite.net"
TOUR_OBJECT = "img/logo.png"  # the first object the delivery screen lists

TYPE = "type:"  # a key of TYPE + text types the text key by key

# The pace at --tour-speed 1 (real seconds): between two keys typed, before a step's
# keys (the caption is read first), and after its condition (its outcome is looked at).
KEY_PACE = 0.14
LEAD = 1.2
READ_PER_CHAR = 0.035  # a caption of 80 characters adds ~2.8 s of reading
LOOK = 1.6
# The longest a step may take before the tour stops with an error: real seconds at the
# tour's sandbox speed (tui.launch.TOUR_SANDBOX_SPEED), not scaled by the pace. The cloud's
# steps run at the sandbox's speed, so a slower sandbox gives each step longer (see
# time_allowed): at --sandbox-speed 1, CDN's minutes of configuring are real minutes.
STEP_TIMEOUT = 120.0
# The sandbox speed the step timeouts are written for (tui.launch.TOUR_SANDBOX_SPEED,
# not imported: tui.launch brings the service layer's errors with it).
TIMEOUT_SPEED = 60.0


def time_allowed(timeout: float, sandbox_speed: float) -> float:
    """The real seconds a step of `timeout` may take in a sandbox at `sandbox_speed`:
    longer in a slower sandbox (its cloud's minutes last longer), never shorter."""
    return timeout * max(1.0, TIMEOUT_SPEED / sandbox_speed)


@dataclass(frozen=True)
class Step:
    caption: str  # one sentence: what the step is and why
    # The keys, in order; a condition among them is waited for (then looked at) before
    # the keys after it: a dialog the keys before it opened, shown and focused.
    keys: tuple[str | Callable[[App], Any], ...] = ()
    done: Callable[[App], Any] = lambda app: True  # the step's outcome, on screen
    what: str = "the step to finish"  # said when `done` never comes
    ready: Callable[[App], Any] = lambda app: True  # before the keys: the screen can take them
    timeout: float = STEP_TIMEOUT


# -- conditions: what the screen shows ------------------------------------------------------


def _on(app: App, module: str, name: str) -> Any:
    """The app's current screen if it is `module.name` (imported here, not at the top:
    `import tui.app` stays light, and the screens load after the first paint)."""
    import importlib

    cls = getattr(importlib.import_module(module), name)
    screen = app.screen
    return screen if isinstance(screen, cls) else None


def domains_listed(app: App) -> bool:
    from textual.widgets import DataTable

    screen = _on(app, "screens.domains", "DomainsScreen")
    services = getattr(app, "services", None)
    return bool(screen and services and screen.query_one(DataTable).row_count)


def add_form_ready(app: App) -> bool:
    screen = _on(app, "screens.add_domain", "AddDomainScreen")
    return bool(screen and screen.origin_host)


def form_checks_pass(app: App) -> bool:
    from textual.widgets import Button, Input

    screen = _on(app, "screens.add_domain", "AddDomainScreen")
    if screen is None or screen.query_one("#domain", Input).value != TOUR_DOMAIN:
        return False
    return not screen.query_one("#submit", Button).disabled


def scope_overseas(app: App) -> bool:
    screen = _on(app, "screens.add_domain", "AddDomainScreen")
    return bool(screen and screen.scope == "overseas")


def challenge_shown(app: App) -> bool:
    screen = _on(app, "screens.verify", "VerifyScreen")
    return bool(screen and screen.challenge is not None)


def asked(app: App) -> bool:
    """A confirmation on top, mounted, its harmless answer focused (as a person sees it)."""
    from tui.widgets.confirm import Confirm

    screen = app.screen
    return isinstance(screen, Confirm) and screen.is_mounted and screen.focused is not None


def answered(app: App) -> bool:
    from tui.widgets.confirm import Dialog

    return not isinstance(app.screen, Dialog)


def domain_shown(app: App) -> bool:
    screen = _on(app, "screens.cname", "DomainScreen")
    return bool(screen and screen.domain is not None and screen.domain_name == TOUR_DOMAIN)


def domain_online(app: App) -> bool:
    screen = _on(app, "screens.cname", "DomainScreen")
    if not domain_shown(app):
        return False
    return screen.domain.status == "online" and screen.standing is not None


def cname_copied(app: App) -> bool:
    screen = _on(app, "screens.cname", "DomainScreen")
    return bool(screen and screen.query_one("#copied").display)


def plan_ready(app: App) -> bool:
    screen = _on(app, "screens.cname_plan", "CnamePlanScreen")
    setup = screen.setup if screen is not None else None
    return bool(setup and setup.plan is not None and setup.plan.ready and not screen.busy)


def board_shown(app: App) -> bool:
    return _on(app, "screens.propagation", "PropagationScreen") is not None


def propagated(app: App) -> bool:
    screen = _on(app, "screens.propagation", "PropagationScreen")
    board = screen.board if screen is not None else None
    return bool(board and board.propagated)


def objects_listed(app: App) -> bool:
    screen = _on(app, "screens.delivery", "DeliveryScreen")
    return bool(screen and any(o.key == TOUR_OBJECT for o in screen.objects))


def served(app: App) -> bool:
    screen = _on(app, "screens.delivery", "DeliveryScreen")
    result = screen.result if screen is not None else None
    return bool(result and result.verdict.value == "served")


# Each caption fits one line at 80 columns with its "n/13 " (70 characters at most): the
# caption then takes two lines (the sentence, the keys) and leaves the screen the rest.
SCRIPT: tuple[Step, ...] = (
    Step(
        "A tour: serve an OSS bucket through CDN on your domain, in the sandbox.",
        ready=domains_listed,
        what="the domain list",
    ),
    Step(
        "Step 1: add the domain to CDN. The a key opens the Add form.",
        keys=("a",),
        done=add_form_ready,
        what="the add form with its buckets",
    ),
    Step(
        "Type the domain to accelerate: each rule is checked as you type.",
        keys=(TYPE + TOUR_DOMAIN,),
        done=form_checks_pass,
        what="every check of the add form to pass",
    ),
    Step(
        f"Region: {TOUR_ROOT} has no ICP filing, so Outside mainland China.",
        keys=("tab", "right", "right", "enter"),
        done=scope_overseas,
        what="the scope Outside mainland China",
    ),
    Step(
        f"ctrl+s adds it: CDN first asks to prove you own {TOUR_ROOT}.",
        keys=("ctrl+s",),
        done=challenge_shown,
        what="the ownership verification",
    ),
    Step(
        "Prove ownership by TXT: t asks, then adds the record; CDN checks.",
        # t asks first (Cancel focused): Tab to Create, Enter. Then end: down to the line
        # that follows the record, then CDN's answer.
        keys=("t", asked, "tab", "enter", answered, "end"),
        done=domain_shown,
        what="the domain added after its verification",
    ),
    Step(
        "CDN configures the domain (3-5 minutes; sped up here) until online.",
        done=domain_online,
        what="the domain to be online",
    ),
    Step(
        "Step 2: copy the CNAME CDN assigned (c): DNS will point at it.",
        keys=("c",),
        done=cname_copied,
        what="the CNAME copied",
    ),
    Step(
        "Step 3: add the CNAME record in Alibaba Cloud DNS: n plans it.",
        keys=("n",),
        done=plan_ready,
        what="the DNS plan",
    ),
    Step(
        "Enter applies the plan (nothing is sent before): the record is made.",
        keys=("enter",),
        done=board_shown,
        what="the plan applied and the propagation board",
    ),
    Step(
        "Step 4: is the CNAME in effect? Resolvers are asked until all see it.",
        done=propagated,
        what="every resolver to see the CNAME",
    ),
    Step(
        "Fetch a file through the CDN (f): the edge gets it from the bucket.",
        keys=("f",),
        done=objects_listed,
        what="the bucket's objects",
    ),
    Step(
        "Enter fetches it through the CDN and compares it with the bucket.",
        keys=("enter",),
        done=served,
        what='the verdict "served"',
    ),
)
LAST_CAPTION = "Served through the CDN: that's the whole procedure — Esc to explore."


class TourFailed(Exception):
    pass


def _why(error: Exception) -> str:
    """An exception in a few words, for the error caption (the tour's own code: no
    cloud text, and the caption shows it literally anyway)."""
    said = str(error).splitlines()[0][:80] if str(error) else ""
    return f"{type(error).__name__}: {said}" if said else type(error).__name__


class TourPlayer:
    """Plays a script on the app. `state`: waiting (not started), playing, paused,
    finished (the last caption shown, the keys are the presenter's), failed (a step
    timed out or the player broke: the error caption stays, the keys are the
    presenter's), ended (Esc, from any of those)."""

    def __init__(self, app: App, steps: tuple[Step, ...] = SCRIPT, speed: float = 1.0) -> None:
        self.app = app
        self.steps = steps
        self.speed = speed
        self.state = "waiting"
        self.index = -1  # the step on screen
        self.captions: list[str] = []  # every caption shown, in order (tests read it)
        self.text = caption_text("")
        self._failed = False
        self._resumed = asyncio.Event()
        self._resumed.set()
        self.held = 0  # looks the player took while paused, and did nothing (tests)
        self._skip = asyncio.Event()  # Right: the current step's pauses are dropped
        self._own: weakref.WeakSet[events.Event] = weakref.WeakSet()  # keys it sent
        # Keys it sent and took back (pause, end): swallowed if they still arrive.
        self._void: weakref.WeakSet[events.Event] = weakref.WeakSet()
        self._unsent: list[tuple[str, str | None]] = []  # taken back by a pause: sent again
        self._error = ""  # what the last look at a raising condition raised
        self._task: asyncio.Task | None = None

    # -- state ---------------------------------------------------------------------

    @property
    def steering(self) -> bool:
        """The tour holds the keys (playing or paused): the presenter's only steer it."""
        return self.state in ("playing", "paused")

    @property
    def shown(self) -> bool:
        return self.state in ("playing", "paused", "finished", "failed")

    def start(self) -> None:
        self.state = "playing"
        self.app.screen_change_signal.subscribe(self.app, self._screen_changed)
        self._task = asyncio.create_task(self._play(), name="oss-cdn tour")

    def pause(self) -> None:
        if self.state == "playing":
            self.state = "paused"
            self._resumed.clear()
            # What it typed and has not landed yet waits for the resume, in order.
            taken = [(e.key, e.character) for e in self._take_back() if isinstance(e, events.Key)]
            self._unsent = taken + self._unsent
            self._show()

    def resume(self) -> None:
        if self.state == "paused":
            self.state = "playing"
            self._resumed.set()
            self._show()

    def skip(self) -> None:
        """Right: on without the rest of this step's pauses (its condition still counts)."""
        self._skip.set()
        self.resume()

    def stop(self) -> None:
        """The app is leaving: the player's task goes with it."""
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def end(self) -> None:
        """Esc: the tour stops where it is; the caption goes, the keys are the presenter's."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self.state = "ended"
        self._take_back()  # nothing of the tour lands after Esc
        self._unsent = []
        self._resumed.set()
        for screen in self.app.screen_stack:
            for caption in screen.query(Caption).results():
                caption.remove()

    def _take_back(self) -> list[events.Event]:
        """The keys the tour sent that have not reached a widget yet, in order: out of
        the key gate (held there while the screen settles) and voided if already posted
        back to the app's queue. (The tour's keys queued before the presenter's key that
        paused or ended it have all been taken from the queue by then: one queue, in
        order; so the gate holds every one still pending.)"""
        gate = getattr(self.app, "key_gate", None)
        if gate is None:
            return []
        taken = gate.take_back(lambda event: event in self._own)
        self._void.update(taken)
        return taken

    # -- the presenter's keys ---------------------------------------------------------

    def presenter_key(self, event: events.Event) -> bool:
        """Whether the app must do nothing more with `event` (the tour took it). Called by
        the app for every event it takes from its queue."""
        if not isinstance(event, events.Key) or event.is_forwarded:
            return False
        if event in self._own:
            if event in self._void:
                return True  # taken back by a pause or the end: it never lands
            if self.state == "playing":
                return False  # on its way, through the key gate
            # Sent just as the presenter's key came (it was queued behind it): taken back
            # as well, to go again on resume; dropped if the tour is over.
            self._void.add(event)
            if self.state == "paused":
                self._unsent.append((event.key, event.character))
            return True
        if self.state in ("finished", "failed") and event.key == "escape":
            self.end()  # the caption goes, the screen's lines are given back
            return True
        if not self.steering:
            return False
        from screens.help import HelpScreen

        if isinstance(self.app.screen, HelpScreen):
            return False  # help is the presenter's: its keys close it
        key = event.key
        if key in ("f1", "question_mark"):
            # Help covers the screen: no key of the tour may land on it. Opened here, not
            # by the key: ? would be typed into the focused field (the add form's).
            self.pause()
            self.app.call_next(self.app.run_action, "help")
            return True
        if key in ("ctrl+q", "ctrl+c"):
            return False
        if key == "space":
            self.resume() if self.state == "paused" else self.pause()
        elif key == "right":
            self.skip()
        elif key == "escape":
            self.end()
        return True  # any other key would fight the tour: swallowed

    # -- the caption -------------------------------------------------------------------

    def _say(self, sentence: str, state: str | None = None) -> None:
        self.captions.append(sentence)
        self._sentence = sentence
        self._show(state)

    def _show(self, state: str | None = None) -> None:
        state = state or self.state
        number = self.index + 1 if 0 <= self.index < len(self.steps) else 0
        self.text = caption_text(
            self._sentence, step=number, steps=len(self.steps) if number else 0, state=state
        )
        self._put_caption(self.app.screen)

    def _screen_changed(self, screen: Screen) -> None:
        # A failed tour's caption follows too, until Esc: it says why it stopped, even
        # when it stopped before the first screen was there.
        if self.shown:
            self._put_caption(screen)

    def _put_caption(self, screen: Screen) -> None:
        failed = self.state == "failed"
        found = list(screen.query_children(Caption).results())
        if found:
            found[0].say(self.text, failed=failed)
        elif screen.is_attached:
            screen.mount(Caption(self.text, failed=failed))

    @property
    def caption(self) -> str:
        return self.text.plain

    # -- playing ---------------------------------------------------------------------

    async def _play(self) -> None:
        self._sentence = ""
        try:
            for index, step in enumerate(self.steps):
                self.index = index
                self._skip.clear()
                self._say(step.caption)
                await self._until(step.ready, step, "before its keys")
                await self._pause(LEAD + READ_PER_CHAR * len(step.caption))
                for key in step.keys:
                    if callable(key):  # a dialog the keys opened: shown, then read
                        await self._until(key, step, "on the way")
                        await self._pause(LOOK)
                    else:
                        await self._press(key)
                await self._until(step.done, step, "")
                await self._pause(LOOK)
        except TourFailed as failure:
            self._fail(str(failure))
            return
        except Exception as error:  # a bug in the player or a script: said, handed over
            self._fail(f"the tour broke at step {self.index + 1}: {_why(error)}.")
            return
        self.index = len(self.steps)
        self.state = "finished"
        self._say(LAST_CAPTION)

    def _fail(self, why: str) -> None:
        self.state = "failed"
        self.index = -1
        self._take_back()
        self._unsent = []
        self._resumed.set()
        self._say(why, "failed")
        self.app.notify(why, title="Tour stopped", severity="error", timeout=20)

    def _met(self, condition: Callable[[App], Any]) -> bool:
        """Whether `condition` holds; one that raises (a widget not there yet while a
        screen composes: NoMatches) does not yet, and what it raised is kept for the
        failure's caption."""
        try:
            met = bool(condition(self.app))
        except Exception as error:
            self._error = _why(error)
            return False
        self._error = ""
        return met

    def _time_allowed(self, step: Step) -> float:
        profile = getattr(self.app, "profile", None)
        speed = profile.sandbox_speed if profile is not None and profile.sandbox else TIMEOUT_SPEED
        return time_allowed(step.timeout, speed)

    async def _until(self, condition: Callable[[App], Any], step: Step, when: str) -> None:
        """Wait for `condition` (looked at every 50 ms); a pause stops the clock."""
        spent = 0.0
        self._error = ""
        while True:
            await self._hold()
            if self._met(condition):
                return
            allowed = self._time_allowed(step)
            if spent > allowed:
                where = type(self.app.screen).__name__
                raised = f" (it raised {self._error})" if self._error else ""
                raise TourFailed(
                    f"waited {allowed:g} s for {step.what}{' ' + when if when else ''}; "
                    f"the screen is {where}{raised}."
                )
            started = time.monotonic()
            await asyncio.sleep(0.05)
            if self.state == "playing":
                spent += time.monotonic() - started

    async def _pause(self, seconds: float) -> None:
        """`seconds` (at --tour-speed 1) of pace, cut short by Right, stopped by Space."""
        left = seconds / self.speed
        while left > 0 and not self._skip.is_set():
            await self._hold()
            started = time.monotonic()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._skip.wait(), timeout=min(left, 0.1))
            left -= time.monotonic() - started
        await self._hold()

    async def _hold(self) -> None:
        """Return at once while playing; while paused, look again every 50 ms until
        resumed (each look counted in `held`: a test sees the player stay put)."""
        while self.state == "paused":
            self.held += 1
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._resumed.wait(), timeout=0.05)
        # Resumed: what a pause took back goes again first, in the order it was typed.
        unsent, self._unsent = self._unsent, []
        for key, character in unsent:
            self._send(key, character)

    async def _press(self, key: str) -> None:
        if key.startswith(TYPE):
            for char in key.removeprefix(TYPE):
                await self._pause(KEY_PACE)
                self._send(_character_to_key(char), char)
            return
        await self._pause(KEY_PACE)
        self._send(key, key if len(key) == 1 else None)

    def _send(self, key: str, character: str | None) -> None:
        """A key as the terminal sends it: to the app's queue, through its key gate.
        Only ever to a sandbox: whatever started the player, a real account gets none."""
        profile = getattr(self.app, "profile", None)
        if profile is None or not profile.sandbox:
            raise TourFailed(
                "the tour plays only in a sandbox (oss-cdn --tour starts one of its own); "
                "this app talks to a real account, so it sent nothing."
            )
        event = events.Key(key, character)
        event.set_sender(self.app)
        self._own.add(event)
        self.app.post_message(event)
