"""The App: where it connects, the screens, the keys, notifications.

Nothing heavy is imported here: the SDKs arrive with the service layer after the first
paint (a test checks `import tui.app` leaves them out of sys.modules).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import signal
import threading
from collections import Counter
from typing import TYPE_CHECKING

from textual import events, work
from textual.actions import parse
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from tui import launch
from tui.commands import ScreenCommands
from tui.config import config_dir
from tui.key_order import KeyGate
from tui.keys import binding_ids, keymap_problems, usable_keymap
from tui.launch import LaunchOptions
from tui.messages import Connected
from tui.safe_text import shown
from tui.services.errors import ServiceError
from tui.services.facade import Services
from tui.widgets.connecting import Connecting
from tui.widgets.header import AppHeader

if TYPE_CHECKING:
    from tui.launch import AnySandbox
    from tui.services.profile import Profile
    from tui.tour import TourPlayer

NOTIFY_LIMIT = 1000  # characters of a notification: a toast is not a log


# Seconds a SIGTERM/SIGHUP exit may take before the process leaves without the rest.
EXIT_GRACE = 5.0

# What the header says while the sandbox starts (its label, shared or own, comes after).
SANDBOX_STARTING = "SANDBOX · connecting…"

# The collector's first threshold until start-up is over: importing the SDKs makes
# ~200,000 objects that all live on, and each default (700) round walks the young ones
# (~5% of start-up's CPU). Restored, with those objects frozen, once started.
START_UP_GC_THRESHOLD = 20_000

# Seconds after connecting when start-up counts as over even if no listing has painted
# (a slow or failing cloud): the other services are imported then (see _start_up_over).
START_UP_LIMIT = 5.0


def _import_screens() -> None:
    """The screens the domain list opens, imported on a thread after the first listing
    (screens/domains.py imports them where used, so the list shows sooner)."""
    import screens.add_domain
    import screens.batch_result
    import screens.cname
    import screens.dns_records  # noqa: F401


class OssCdnApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "oss-cdn"
    SUB_TITLE = "connecting…"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {ScreenCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f1,question_mark", "help", "Help", id="help"),
    ]

    def __init__(self, options: LaunchOptions | None = None) -> None:
        super().__init__()
        self.options = options or LaunchOptions()
        # None until connected: screens opened from the domain list use
        # AppScreen.services / .profile, which say so if it is not.
        self.services: Services | None = None
        self.connect_failure: str | None = None  # why connecting failed, once it has
        self.profile: Profile | None = None
        self.sandbox: AnySandbox | None = None  # the sandbox, when the app runs one
        self.domains_changing: set[str] = set()  # start/stop/delete on their way
        # Start/stop/delete sent per domain: a screen that read a domain before the last
        # of them shows a state that may be gone (screens/domain_actions.py).
        self.domain_writes: Counter[str] = Counter()
        self.key_gate = KeyGate(self)
        self._started = False  # the first listing has painted: start-up is over
        self._frozen: bool | None = None  # start-up's objects frozen; False: app ended
        self._gc_threshold = gc.get_threshold()
        # Set once the first screen (the domain list) is mounted: connecting, started
        # before, hands over its services only then (its table must be there to watch).
        self._list_mounted = threading.Event()
        # --tour: the player of the guided tour (tui/tour.py); tests may set their own.
        self.tour: TourPlayer | None = None

    async def on_event(self, event: events.Event) -> None:
        # A paste may carry escape sequences (copied from a log, a web page, a TXT value):
        # the input it lands in would draw them raw. Line breaks stay line breaks.
        if isinstance(event, events.Paste) and not event.is_forwarded:
            text = event.text.replace("\r\n", "\n").replace("\r", "\n")
            event.text = shown(text, None, multiline=True)
        # While the tour plays, the presenter's keys steer it (tui/tour.py), before
        # anything else sees them.
        if self.tour is not None and self.tour.presenter_key(event):
            return
        # A key typed before the key ahead of it has moved focus waits for it, so that it
        # lands in the new field or dialog, never on the screen behind (tui/key_order.py).
        if not self.key_gate.holds(event):
            await super().on_event(event)

    def compose(self) -> ComposeResult:
        # The first frame: the header, saying where the app talks to, painted before the
        # screens' modules load (~50 ms); the domain list covers it right after.
        yield AppHeader()

    def on_mount(self) -> None:
        gc.set_threshold(max(START_UP_GC_THRESHOLD, self._gc_threshold[0]), *self._gc_threshold[1:])
        self.load_keymap()
        self.exit_on_signals()
        if self.read_only:
            self.add_class("-read-only")
        # --sandbox: the first frame already says so (the sandbox starts after it).
        self._show_where(SANDBOX_STARTING if self.options.sandbox else self.SUB_TITLE)
        self.set_class(self.options.sandbox, "-sandbox")
        self.call_after_refresh(self._first_screen)
        if self.options.tour and self.tour is None:
            from tui.tour import TourPlayer

            self.tour = TourPlayer(self, speed=self.options.tour_speed)
        if self.tour is not None:
            self.tour.start()  # its first step waits for the domain list

    def _first_screen(self) -> None:
        # Screens are imported where used, here and below: a screen may then import this
        # module (for OssCdnApp's type, say) without a cycle at import time.
        # Connect now, after the first frame (the header), while the list's module loads
        # and its screen mounts: that has idle moments on the loop that the connect
        # thread's imports fill (measured: CNAMEs painted ~15% sooner than connecting
        # after the list's first frame). The answer waits for the list (_list_mounted).
        self.connect()
        from screens.domains import DomainsScreen

        screen = DomainsScreen()
        self.push_screen(screen)
        # The screen's own queue: after its compose and mount, once it has refreshed.
        screen.call_after_refresh(self._list_mounted.set)

    def exit_on_signals(self) -> None:
        """SIGTERM and SIGHUP end the app as Ctrl+Q does, so that the driver puts the
        terminal back (alternate screen and mouse reporting off, cursor shown). Python's
        default for them kills the process with the terminal left in the app's modes."""
        if self.is_headless:
            return  # Pilot tests: the test runner's signals stay its own
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            # Not on this platform, or not the main thread: the default stays.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self._exit_on_signal, signum)

    def _exit_on_signal(self, signum: int) -> None:
        # After a hang-up the terminal is gone: Textual's writer thread dies on its first
        # write and its shutdown then waits forever on the writer's full queue. The
        # terminal is put back first; if the rest has not ended in EXIT_GRACE, leave.
        code = 128 + signum
        watchdog = threading.Timer(EXIT_GRACE, os._exit, (code,))
        watchdog.daemon = True
        watchdog.start()
        self.exit(None, code)

    def get_loading_widget(self) -> Widget:
        if self.services is None:  # connecting: no animation taking the GIL meanwhile
            return Connecting()
        return super().get_loading_widget()

    def _show_where(self, label: str, sandbox: bool | None = None) -> None:
        """The header's subtitle: where the app talks to, and READ-ONLY when it is."""
        self.sub_title = label + (" · READ-ONLY" if self.read_only else "")
        if sandbox is not None:
            self.set_class(sandbox, "-sandbox")

    @work(thread=True, exclusive=True, group="connect")
    def connect(self) -> None:
        # A thread: reading credential files and binding the sandbox's sockets block.
        # The header says where as soon as that is known, before the services are built
        # (importing the CDN SDK takes a few hundred ms of CPU).
        sandbox = None
        handed_over = False
        try:
            profile, sandbox = launch.connect(
                self.options,
                to_sandbox=lambda: self.call_from_thread(self._show_where, SANDBOX_STARTING, True),
                # The list does not need the sandbox's DNS: served after it (_start_up_over).
                defer_dns=True,
            )
            profile = launch.with_read_only(profile, self.options)
            self.call_from_thread(self._show_where, profile.label, profile.sandbox)
            if get_current_worker().is_cancelled:
                return
            services = Services(profile)
            services.cdn  # noqa: B018 - the domain list needs it first: import it here
            while not self._list_mounted.wait(0.05):
                if get_current_worker().is_cancelled:  # the app ended meanwhile
                    return
            self.call_from_thread(self._connected, profile, sandbox, services)
            handed_over = True
        except ServiceError as error:
            self.call_from_thread(self._not_connected, str(error))
        finally:
            # Whatever ended the thread (an error, the app leaving), a sandbox it started
            # and did not hand over is stopped: its threads and ports would outlive it.
            if sandbox is not None and not handed_over:
                sandbox.stop()

    def _not_connected(self, error: str) -> None:
        from screens.list_screen import ListScreen

        self.connect_failure = error
        self.notify(
            f"{error}\nRun `oss-cdn doctor` to see what it found and what to fix.",
            title="Cannot connect",
            severity="error",
            timeout=30,
        )
        self._show_where("not connected")
        # No listing will come: the lists say why instead of "connecting…", and
        # start-up's collector threshold goes back to normal.
        for screen in self.screen_stack:
            if isinstance(screen, ListScreen) and screen.is_mounted:
                screen.not_connected(error)
        gc.set_threshold(*self._gc_threshold)

    def _connected(self, profile: Profile, sandbox: AnySandbox | None, services: Services) -> None:
        from tui.widgets.paged_table import PagedTable

        self.profile, self.sandbox, self.services = profile, sandbox, services
        self._show_where(profile.label, profile.sandbox)
        for screen in self.screen_stack:
            screen.post_message(Connected(profile.label))
        # Start-up is over once the first listing is whole and painted (its table's
        # counts are set with every fill; its worker ends), or START_UP_LIMIT after
        # connecting if none is.
        for screen in self.screen_stack:
            for table in screen.query(PagedTable).results():
                self.watch(table, "counts", self._listed, init=False)
            if hasattr(screen, "partial"):  # a listing that ends without a whole list
                self.watch(screen, "partial", self._listed, init=False)
        self.set_timer(START_UP_LIMIT, self._start_up_over)

    def _listed(self) -> None:
        # Once the listing is whole: a long list paints its first page well before the
        # rest arrive, and the warm-up's imports and suffix list would hold the GIL
        # while they do (a 100 ms stall listing 10,000 domains, issue 12).
        if not self._started and not any(getattr(s, "partial", False) for s in self.screen_stack):
            self.call_after_refresh(self._start_up_over)

    def _start_up_over(self) -> None:
        """After the first listing has painted: import the other services' SDKs (oss2,
        Alidns) in a thread, then freeze what start-up made. Earlier, their imports would
        hold the GIL while the list is read and painted."""
        if self._started or self.services is None:
            return
        self._started = True
        if self.sandbox is not None:
            self.sandbox.finish_start()  # its DNS servers (a query before this waits)
        self.run_worker(
            self.services.warm_up,
            thread=True,
            group="warm-up",
            exit_on_error=False,  # a service that cannot be built says so when used
        )
        # Speculative: a screen that fails to import says so when opened, not here.
        self.run_worker(_import_screens, thread=True, group="warm-up-screens", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "warm-up" or not event.worker.is_finished:
            return
        if event.state == WorkerState.SUCCESS:
            self._freeze_start_up()
        else:  # a service that cannot be built: nothing to freeze, the threshold back
            gc.set_threshold(*self._gc_threshold)

    def _freeze_start_up(self) -> None:
        # The objects of start-up (modules, classes, CSS, the SDKs) live as long as the
        # app: out of the collector's sight, a full collection no longer walks them all
        # (80-120 ms pauses while typing, issue 12). The young garbage goes first. On
        # the event loop: on_unmount, which undoes it, runs there too.
        if self._frozen is not None:
            return
        gc.collect(1)
        gc.freeze()
        self._frozen = True
        gc.set_threshold(*self._gc_threshold)

    @property
    def read_only(self) -> bool:
        """--read-only: no write is sent (the screens refuse it, the services too)."""
        return self.options.read_only

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        # A write key of a read-only app is dimmed (AppScreen.check_action), which would
        # drop the key in silence: say what is not sent, and how to see it as commands.
        # The command palette runs actions through here too.
        from screens.base import AppScreen

        if isinstance(action, str) and isinstance(default_namespace, AppScreen):
            namespace, name, _ = parse(action)
            if not namespace and default_namespace.refuse_read_only(name):
                return True
        return await super().run_action(action, default_namespace, namespaces)

    def load_keymap(self) -> None:
        """Remap keys from ~/.config/oss-cdn/keymap.json: {"binding id": "keys"}."""
        path = config_dir() / "keymap.json"
        try:
            keymap = json.loads(path.read_text())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as error:
            self.notify(
                f"{path}: {error}", title="Keymap not loaded", severity="warning", markup=False
            )
            return
        self.set_keymap(usable_keymap(keymap))
        if keymap:
            self.call_after_refresh(self.check_keymap, str(path), keymap)

    @work(thread=True, group="keymap")
    def check_keymap(self, path: str, keymap: object) -> None:
        """Say once what in keymap.json does nothing: ids no binding has, keys no terminal
        sends. A thread: it imports every screen to learn their binding ids."""
        problems = keymap_problems(keymap, binding_ids(type(self)))
        if problems:
            self.call_from_thread(
                self.notify,
                f"{path}: " + "; ".join(problems) + ". Those entries do nothing.",
                title="Keymap",
                severity="warning",
                timeout=20,
                markup=False,
            )

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def _fatal_error(self) -> None:
        """Textual's crash report (App._fatal_error) without the frames' locals: the
        SDKs' frames hold the AccessKey secret and the STS token. Its text is shown
        escaped: an exception's message may quote a cloud answer."""
        # Imported here: only a crash needs them, and rich.traceback costs ~45 ms at start.
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(
            Segments(
                segment
                if segment.control
                else segment._replace(text=shown(segment.text, None, multiline=True))
                for segment in self.console.render(traceback, self.console.options)
            )
        )
        self._close_messages_no_wait()

    def report(self, error: Exception, title: str = "Error") -> None:
        """Show an error as a notification: literal text, never a traceback. A RAM denial
        names the missing action and the policy that grants it, refused credentials say
        which key and from where (tui.explain); an account the app cannot reach at all
        points at `oss-cdn doctor`."""
        from tui.explain import DOCTOR_HINT, explain
        from tui.services.errors import NetworkError

        text = explain(error)
        if isinstance(error, NetworkError) and DOCTOR_HINT not in text:
            text = f"{text}\n{DOCTOR_HINT}"
        self.notify(text, title=title, severity="error", timeout=10, markup=False)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification (a screen's `notify` comes here too) is shown literally:
        never read as markup, its control, bidi and invisible characters made visible
        (tui.safe_text). Cloud text reaches notifications in errors and names, so this
        wall stands here once rather than at each call."""
        super().notify(
            shown(message, NOTIFY_LIMIT, multiline=True),
            title=shown(title, 200),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def format_title(self, title: str, sub_title: str):
        # The header names the profile and region (from the user's files) and whatever
        # a screen puts there: shown, never interpreted.
        return super().format_title(shown(title, 200), shown(sub_title, 200))

    async def on_unmount(self) -> None:
        if self.tour is not None:
            self.tour.stop()
        if self._frozen:
            gc.unfreeze()  # another app in this process (tests) starts from scratch
        self._frozen = False
        gc.set_threshold(*self._gc_threshold)
        if self.services is not None:
            await self.services.close()
        if self.sandbox is not None:
            self.sandbox.stop()
