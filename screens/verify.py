"""Ownership verification: the TXT record (created for you when the zone is in this
account), watched until the authoritative servers serve it, then verified, asked again
while CDN's own resolvers lag behind; or the file at http://<root>/verification.html,
fetched by the app itself before CDN is asked."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from screens.base import AppScreen
from tui.clipboard import copy
from tui.explain import denial_advice, explain
from tui.rules import display_name, root_domain
from tui.safe_text import shown
from tui.services import writes
from tui.services.errors import ServiceError
from tui.services.profile import poll_interval
from tui.widgets.confirm import Confirm, void_dialogs
from tui.widgets.header import AppHeader

# How often the authoritative servers are asked whether they serve the TXT record yet.
TXT_RECHECK = 5.0
WATCHING = "Already watching DNS: it verifies as soon as the record is served."

if TYPE_CHECKING:
    from tui.services.ownership import Challenge, FileHost, VerifyProgress


def clock(seconds: float) -> str:
    """A countdown as people read it: 9:05."""
    whole = max(int(seconds + 0.5), 0)
    return f"{whole // 60}:{whole % 60:02d}"


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    return grid


def not_here(ch: Challenge) -> str:
    """Why the app cannot create the TXT record itself: the root's zone is not in this
    account's Alidns, or RAM did not let the app list the zones (then it is unknown, and
    the missing permission is named)."""
    if ch.zones_denied is not None:
        return (
            "Alibaba Cloud DNS refused to list this account's zones, so whether "
            f"{ch.root} is hosted here is unknown. {denial_advice(ch.zones_denied)}\nOr"
        )
    return f"{ch.root} is not in this account's Alibaba Cloud DNS"


class VerifyScreen(AppScreen):
    """Prove to CDN that you own the root domain. Press t to create the TXT record in
    Alibaba Cloud DNS (it asks first; a correct record already there is reused without
    asking), or copy it with c to add it at your provider; the app watches the
    authoritative servers, then asks CDN, and asks again for up to ten minutes while
    CDN's own resolvers catch up. Or serve the file at http://<root>/verification.html
    and press f: the app fetches that URL itself before asking CDN to verify by file
    (u puts it there, after asking, when the root is served from a public bucket of
    this account)."""

    CSS_PATH = "verify.tcss"
    BINDINGS = [
        # The footer fits 80 columns with f1 Help and ^q Quit; the screen's text names f
        # and u where they apply, F1 and ctrl+p list every key.
        Binding("t", "publish", "Add TXT", tooltip="Create TXT", id="verify.publish"),
        Binding("c", "copy_value", "Copy", tooltip="Copy value", id="verify.copy"),
        Binding("f", "check_file", "Check file", show=False, id="verify.file"),
        Binding("u", "upload", "Upload file", show=False, id="verify.upload"),
        Binding("v", "verify", "Verify", tooltip="Verify now", id="verify.now"),
        Binding("escape", "dismiss(False)", "Back", id="verify.back"),
        Binding("r", "retry", "Retry", id="verify.retry"),  # shown once loading failed
        Binding("e", "export", "As commands", show=False, id="verify.export"),
    ]
    WRITE_ACTIONS = frozenset({"publish", "upload", "verify"})
    # What follows a passed verification, run with this screen still shown (the add form
    # sends its add again); None: the screen leaves with True.
    then: Callable[[], None] | None = None

    def __init__(self, domain: str, origin: str = "") -> None:
        super().__init__()
        self.domain = domain
        self.origin = origin  # the domain's bucket endpoint (not where the file goes)
        self.challenge: Challenge | None = None  # t, u, v, c wait for it
        # The bucket the root itself is served from through CDN: the one place `u` can
        # put the file so that http://<root>/verification.html serves it.
        self.file_host: FileHost | None = None
        self.watching_since: float | None = None  # while the DNS watch runs (t, v wait)
        self.failed = False  # getting the challenge failed: r tries again
        # A domain of the root in this account's CDN: ownership is already proven.
        self.verified_by = ""
        # While CDN is asked again: its last refusal, and when (monotonic) it came.
        self.retrying: tuple[VerifyProgress, float] | None = None
        self.verified = False  # CDN said yes: a question still open sends nothing

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll():
            yield Static(
                Text(shown(f"Prove you own the root of {display_name(self.domain)}"), style="bold"),
                id="title",
            )
            yield Static("", id="intro")
            yield Static(Text("Method 1 · DNS TXT record", style="bold underline"), id="txt_title")
            yield Static("", id="txt")
            yield Static("", id="txt_hint", classes="hint")
            yield Static(Text("Method 2 · file on your web site", style="bold underline"))
            yield Static("", id="file")
            yield Static("", id="file_hint", classes="hint")
            yield Static("", id="state")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#txt").loading = True
        self.load()
        self.set_interval(1.0, self.tick)

    @work(exclusive=True, group="verify-load")
    async def load(self) -> None:
        # The real state first: nothing is said ("Not verified yet") before it is read.
        challenge, self.verified_by = await asyncio.gather(
            self.fetch(
                self.services.ownership.challenge(self.domain),
                "Could not get the verification content",
            ),
            self._verified_by(),
        )
        self.query_one("#txt").loading = False
        if challenge is None:
            self.failed = True
            self.refresh_bindings()
            self.set_state(
                "Could not get the verification content from CDN. Press r to try again.", "red"
            )
            return
        file_host = await self._file_host(challenge)
        # Both at once: a challenge that has arrived is one shown with its file method.
        self.challenge, self.file_host = challenge, file_host
        self.show()

    async def _verified_by(self) -> str:
        """A domain of the root already in this account's CDN ("" for none): CDN took
        it only once the root was proven, and asks once per root per account (how the
        onboarding engine reads the ownership step). An error reading it says nothing."""
        root = root_domain(self.domain)
        try:
            found = await self.call(self.services.cdn.under_root(root))
        except ServiceError:
            return ""
        return next((d.name for d in found if root_domain(d.name) == root), "")

    async def _file_host(self, challenge: Challenge) -> FileHost | None:
        """Where `u` can work, if anywhere; an error reading it leaves `u` off (the
        file method stays, served by hand)."""
        try:
            return await self.call(self.services.ownership.file_host(challenge))
        except ServiceError:
            return None

    def show(self) -> None:
        ch = self.loaded_challenge
        self.query_one("#intro", Static).update(
            Text(
                shown(
                    f"CDN serves {display_name(self.domain)} only once you prove you own "
                    f"{ch.root}. It asks once per root domain."
                )
            )
        )
        txt = _grid()
        txt.add_row(
            "Host",
            Text(
                shown(
                    f"{ch.txt_rr if ch.zone else 'verification'}"
                    + (f"  (in zone {ch.zone})" if ch.zone else f"  (on {ch.root})")
                )
            ),
        )
        txt.add_row("Type", "TXT")
        txt.add_row("Value", Text(shown(ch.content)))
        self.query_one("#txt", Static).update(txt)
        if ch.zone:  # one key does it all here, and no web server is needed
            title = Text("Method 1 · DNS TXT record", style="bold underline")
            title.append("  recommended", style="bold green")
            self.query_one("#txt_title", Static).update(title)
        hint = (
            "t creates it in Alibaba Cloud DNS (a correct existing one is reused)."
            if ch.zone
            else f"{not_here(ch)}: add the record at your DNS provider (c copies the "
            "value); the app watches for it."
        )
        self.query_one("#txt_hint", Static).update(Text(shown(hint)))
        self.query_one("#file", Static).update(self._file_grid(ch))
        self.query_one("#file_hint", Static).update(Text(shown(self._file_hint(ch))))
        if self.verified_by:  # nothing to prove: said, and nothing watched
            self.set_state(
                f"Verified: {ch.root} is already proven for this account "
                f"({display_name(self.verified_by)} is in its CDN, and CDN asks once per "
                "root domain). Nothing to do here.",
                "green",
            )
        elif ch.zone is None:
            self.start_watch()
        elif ch.txt_published and not self.read_only:
            # Back on this screen after publishing (the cloud is the journal): carry on.
            self.start_watch()
        elif self.read_only:
            self.set_state(
                f"Not verified yet. read-only mode: nothing is sent from here; "
                f"{self.export_key()} shows the commands that prove ownership."
            )
        else:
            self.set_state(
                "Not verified yet: press t to publish the TXT record (recommended: "
                f"{ch.root} is in this account's Alibaba Cloud DNS)."
            )

    def _file_grid(self, ch: Challenge) -> Table:
        from tui.services.ownership import file_url

        file = _grid()
        file.add_row("URL", Text(shown(file_url(ch))))
        file.add_row("Content", Text(shown(ch.content)))
        return file

    def _file_hint(self, ch: Challenge) -> str:
        """What the file method takes, said plainly: CDN fetches that URL over plain
        HTTP from wherever the root points; a file in a private bucket is not there."""
        lines = [
            f"CDN fetches this URL from wherever {ch.root} points: serve the content "
            "there, then press f (the app fetches the URL itself before asking CDN)."
        ]
        host = self.file_host
        if host is not None and host.public:
            lines.append(
                f"u puts the file in bucket {host.bucket}, which serves {ch.root} "
                "through CDN, then checks it."
            )
        elif host is not None:
            lines.append(
                f"No u: {ch.root} is served from bucket {host.bucket}, which is private, "
                "so a file put there is not readable at that URL."
            )
        else:
            lines.append(
                f"No u: {ch.root} is not served from a bucket of this account, so a "
                "file put in the origin bucket is not at that URL."
            )
        return " ".join(lines)

    @property
    def loaded_challenge(self) -> Challenge:
        """The challenge, where it has arrived: the keys that lead here wait for it."""
        if self.challenge is None:
            raise RuntimeError("the verification content has not arrived")
        return self.challenge

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return super().check_action(action, parameters) if self.failed else False
        if action == "upload" and not (self.file_host and self.file_host.public):
            return False  # an upload that could not be served: not offered (see #file_hint)
        return super().check_action(action, parameters)

    def action_retry(self) -> None:
        self.failed = False
        self.refresh_bindings()
        self.set_state("")
        self.query_one("#txt").loading = True
        self.load()

    def set_state(self, text: str, style: str = "") -> None:
        # Cloud text (errors, server names) reaches this line: shown, never interpreted.
        self.query_one("#state", Static).update(Text(shown(text, multiline=True), style=style))

    def retry_text(self) -> str:
        """The countdown while CDN is asked again, in the cloud's seconds."""
        if self.retrying is None:
            return ""
        from tui.services.profile import real_seconds

        report, at = self.retrying
        gone = (time.monotonic() - at) / real_seconds(self.profile, 1.0)
        return (
            f"CDN does not see it yet (try {report.attempt}): {report.code}: "
            f"{report.message}\nCDN checks through its own resolvers, which lag minutes "
            f"behind DNS. Asking again in {clock(report.next_in - gone)}; giving up in "
            f"{clock(report.left - gone)}. You may leave: coming back carries on."
        )

    def tick(self) -> None:
        if self.retrying is not None and not self.gone:
            self.set_state(self.retry_text(), "yellow")

    # -- the export ----------------------------------------------------------------------

    def export_writes(self, action: str | None = None) -> list:
        """Each method's writes as t, u and v send them (t: the TXT record unless a
        correct one is there, then the check by DNS; u: the file, then the check by
        file)."""
        # Here, not at the top: it brings dnspython (through the propagation service),
        # which the first paint can do without.
        from tui.services.ownership import publish_writes, upload_writes

        ch = self.challenge
        if ch is None:
            return []
        if action == "verify":
            return [writes.verify_owner(ch.domain, "dnsCheck")]
        found = []
        if action in (None, "publish"):
            found += publish_writes(ch, "dnsCheck")
        if action == "check_file":
            return [writes.verify_owner(ch.domain, "fileCheck")]
        host = self.file_host
        if action in (None, "upload") and host is not None and host.public:
            found += upload_writes(ch, host.bucket)
        elif action is None:  # the file served by hand, then the check by file
            found += publish_writes(ch, "fileCheck")
        return found

    def export_note(self) -> str:
        ch = self.challenge
        notes = []
        notes.append("Two ways to prove ownership: run the commands of one of them.")
        if ch is not None and not (self.file_host and self.file_host.public):
            from tui.services.ownership import file_url

            notes.append(f"By file: first serve {file_url(ch)} holding exactly the content.")
        if ch is not None and ch.zone is None:
            notes.append(
                f"{not_here(ch)}: add the TXT record at your DNS provider before the check."
            )
        return " ".join(notes)

    def nothing_to_export(self) -> str:
        return "The verification content has not arrived yet."

    # -- the TXT method ------------------------------------------------------------------

    def action_copy_value(self) -> None:
        if self.challenge:
            copy(self.app, self.challenge.content, "the TXT value")

    def action_publish(self) -> None:
        ch = self.challenge
        if ch is None or self.busy:
            return
        if ch.zone is None:
            self.notify(
                shown(f"{not_here(ch)}: add the record at your DNS provider."),
                severity="warning",
                markup=False,
            )
            return
        from tui.services.ownership import publish_writes

        if any(w.action == "AddDomainRecord" for w in publish_writes(ch)):
            self.ask_publish(ch)
            return
        # A correct record was there when the challenge was read: t only has CDN check it
        # (as v does), which asks nothing; whether it is still there is read first.
        self.busy = True
        self.reuse(ch)

    @work(group="verify-write")
    async def reuse(self, ch: Challenge) -> None:
        try:
            now = await self.call(self.services.ownership.with_current_txt(ch))
        except ServiceError as error:
            self.set_state(explain(error), "red")
            return
        finally:
            self.busy = False
        if now.txt_published:
            if self.watching_since is not None:  # (restarting it could cut a check short)
                self.notify(WATCHING, markup=False)
                return
            self.notify("A correct TXT record is already there: reusing it.", markup=False)
            self.start_watch()
            return
        if self.challenge is ch:  # removed since it was read: creating it is asked first
            self.challenge = now
            self.ask_publish(now)

    def ask_publish(self, ch: Challenge) -> None:
        """The record, where it goes and what follows, with Cancel focused: a stray t
        writes nothing to the user's DNS."""
        from tui.services.ownership import publish_writes

        if ch.zone is None:  # (t says why not before it gets here)
            return
        value = " ".join(ch.content.split())
        self.app.push_screen(
            Confirm(
                f"Create the TXT record in {ch.zone}?",
                f"Alibaba Cloud DNS, zone {ch.zone}:\n"
                f"  host  {ch.txt_rr}\n  type  TXT\n  value {value}\n\n"
                "Then the app watches the authoritative servers until they serve it, and "
                f"asks CDN to verify that you own {ch.root}.",
                "Create",
                writes=publish_writes(ch),
                subject=("ownership", ch.root),
            ),
            self._when_confirmed(self.publish),
        )

    def _when_confirmed(self, send: Callable[[], object]):
        """The answer to a question about the challenge. Verified while it was open: the question
        is voided (`_verified`), so a yes is refused by the dialog itself and nothing is
        sent. (The challenge cannot change while the question covers the screen, and no
        write is on its way: t, u and f ask only when none is.)"""

        def confirmed(yes: bool | None) -> None:
            if not yes or self.gone:
                return
            self.busy = True
            send()

        return confirmed

    @work(group="verify-write")
    async def publish(self) -> None:
        self.set_state("Creating the TXT record…")
        try:
            created = await self.call(self.services.ownership.publish_txt(self.loaded_challenge))
        except ServiceError as error:
            self.set_state(explain(error), "red")
            return
        finally:
            self.busy = False
        self.notify(
            "TXT record created."
            if created
            else "A correct TXT record was already there: reusing it.",
            markup=False,
        )
        self.start_watch()

    def start_watch(self) -> None:
        self.watching_since = time.monotonic()
        self.watch_dns()

    @work(exclusive=True, group="verify-watch")
    async def watch_dns(self) -> None:
        """Ask the authoritative servers until every one serves the TXT, then verify.
        Over (verified, refused, failed, replaced): t and v may start another."""
        since = self.watching_since or time.monotonic()
        try:
            await self._watch_dns(since)
        finally:
            if self.watching_since == since:  # not a newer watch's
                self.watching_since = None

    async def _watch_dns(self, since: float) -> None:
        ownership = self.services.ownership
        challenge = self.loaded_challenge
        interval = poll_interval(self.profile, TXT_RECHECK)
        while True:
            seen = await self.call(ownership.txt_seen(challenge))
            elapsed = int(time.monotonic() - since)
            shown = ", ".join(f"{a} {'✓' if ok else '…'}" for a, ok in seen.items())
            if seen and all(seen.values()):
                if self.read_only:
                    self.set_state(
                        f"Authoritative servers serve the record ({shown}). "
                        "read-only mode: the check (VerifyDomainOwner) is not "
                        f"sent; press {self.export_key()} to see it as "
                        "aliyun-cli commands."
                    )
                    return
                self.set_state(f"Authoritative servers serve the record ({shown}). Verifying…")
                await self._verify_retrying("dnsCheck")
                return
            self.set_state(
                f"Waiting for the authoritative servers to serve it "
                f"({elapsed}s): {shown or 'none found'}"
            )
            await asyncio.sleep(interval)

    # -- the file method and the call ---------------------------------------------------

    def action_check_file(self) -> None:
        if self.challenge is None or self.busy:
            return
        self.check_file()

    @work(exclusive=True, group="verify-watch")
    async def check_file(self) -> None:
        """Fetch http://<root>/verification.html as CDN will; ask CDN only if it serves
        the content (a refusal would say less than this check does)."""
        from tui.services.ownership import file_url

        challenge = self.loaded_challenge
        self.set_state(f"Fetching {file_url(challenge)}…")
        check = await self.call(self.services.ownership.file_served(challenge))
        if not check.ok:
            self.set_state(
                f"Not served yet at {check.url}: {check.detail}\nServe a file there holding "
                f"exactly {challenge.content}, then press f again.",
                "red",
            )
            return
        if self.read_only:
            self.set_state(
                f"{check.url} serves the right content. read-only mode: the check "
                f"(VerifyDomainOwner by file) is not sent; {self.export_key()} shows it."
            )
            return
        self.set_state(f"{check.url} serves the right content. Verifying by file…")
        await self._verify_retrying("fileCheck")

    def action_upload(self) -> None:
        ch, host = self.challenge, self.file_host
        if ch is None or self.busy or host is None or not host.public:
            return
        from tui.services.ownership import FILE_NAME, file_url

        value = " ".join(ch.content.split())
        self.app.push_screen(
            Confirm(
                f"Upload {FILE_NAME} to bucket {host.bucket}?",
                f"OSS bucket {host.bucket}, object key {FILE_NAME}, holding exactly "
                f"{value} (a file of that name there is replaced).\n\n"
                f"Then the app fetches {file_url(ch)} as CDN will, and asks CDN to "
                f"verify by file that you own {ch.root}.",
                "Upload",
                writes=self.export_writes("upload"),
                subject=("ownership", ch.root),
            ),
            self._when_confirmed(lambda: self.upload(host)),
        )

    @work(group="verify-write")
    async def upload(self, host: FileHost) -> None:
        services = self.services
        self.set_state(f"Uploading verification.html to {host.bucket}…")
        try:
            bucket = services.oss.bucket_from_origin(host.origin)
            await self.call(services.ownership.upload_file(self.loaded_challenge, bucket))
        except ServiceError as error:
            self.set_state(explain(error), "red")
            return
        finally:
            self.busy = False
        self.check_file()  # served through CDN? then verified by file

    def action_verify(self) -> None:
        if self.watching_since is not None:
            self.notify(WATCHING, markup=False)
            return
        if self.challenge is not None and not self.busy:
            self.busy = True
            self.verify_now()

    @work(group="verify-write")
    async def verify_now(self) -> None:
        await self._verify("dnsCheck")

    async def _verify_retrying(self, method: str) -> None:
        """VerifyDomainOwner, asked again while CDN's resolvers lag (a bounded time),
        with the countdown and CDN's last answer on screen. Leaving the screen stops it;
        it starts again on return, from what the cloud holds."""

        def progress(report: VerifyProgress) -> None:
            self.retrying = (report, time.monotonic())
            self.tick()

        try:
            verified = await self.call(
                self.services.ownership.verify_until(
                    self.loaded_challenge, method, progress=progress
                )
            )
        except ServiceError as error:
            self.retrying = None
            self.set_state(f"Verification failed. {explain(error)}", "red")
            return
        last, self.retrying = self.retrying, None
        if not verified:
            said = f"{last[0].code}: {last[0].message}" if last else ""
            self.set_state(
                f"CDN still does not see it after ten minutes. Its last answer: {said}\n"
                + (
                    "Check the TXT record's host and value, then press v."
                    if method == "dnsCheck"
                    else "Check the file at the URL above, then press f."
                ),
                "red",
            )
            return
        self._verified()

    async def _verify(self, method: str) -> None:
        self.busy = True
        try:
            await self.call(self.services.ownership.verify(self.loaded_challenge, method))
        except ServiceError as error:
            how = (
                "Check the TXT record's host and value, wait for DNS, then press v."
                if method == "dnsCheck"
                else "Check the file at the URL above, then press f."
            )
            self.set_state(f"Verification failed. {explain(error)}\n{how}", "red")
            return
        finally:
            self.busy = False
        self._verified()

    def _verified(self) -> None:
        root = self.loaded_challenge.root
        self.verified = True
        # A question still open (u asked while the watch verified by DNS): nothing to send.
        void_dialogs(
            self.app,
            ("ownership", root),
            f"Ownership of {root} was just verified: nothing more is sent. Esc closes.",
        )
        self.notify(f"Ownership of {root} verified.", markup=False)
        if self.then is None:
            self.leave(True)
            return
        # The caller carries on (the add form sends the add again) while this screen
        # stays shown, until the domain's screen replaces both (issue 13: no flash).
        then, self.then = self.then, None
        self.busy = True  # Esc would leave mid-way; the next screen replaces this one
        self.set_state(f"Ownership of {root} verified. Adding {display_name(self.domain)}…")
        then()
