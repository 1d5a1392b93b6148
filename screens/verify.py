"""Ownership verification: the TXT record (created for you when the zone is in this
account) or the file at the origin, watched until it is live, then verified."""

from __future__ import annotations

import asyncio
import time
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
from tui.explain import explain
from tui.rules import display_name, parse_origin
from tui.safe_text import shown
from tui.services import writes
from tui.services.errors import ServiceError
from tui.services.profile import poll_interval
from tui.widgets.header import AppHeader

# How often the authoritative servers are asked whether they serve the TXT record yet.
TXT_RECHECK = 5.0

if TYPE_CHECKING:
    from tui.services.ownership import Challenge


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    return grid


class VerifyScreen(AppScreen):
    """Prove to CDN that you own the root domain. Press t to create the TXT record in
    Alibaba Cloud DNS (or copy it with c to add it at your provider); the app watches the
    authoritative servers and verifies as soon as they serve it. Or press u to upload the
    verification file to the origin bucket and verify by file."""

    CSS_PATH = "verify.tcss"
    BINDINGS = [
        Binding("t", "publish", "Create TXT", id="verify.publish"),
        Binding("c", "copy_value", "Copy value", id="verify.copy"),
        Binding("u", "upload", "Upload file", id="verify.upload"),
        Binding("v", "verify", "Verify now", id="verify.now"),
        Binding("escape", "dismiss(False)", "Back", id="verify.back"),
        Binding("r", "retry", "Retry", id="verify.retry"),  # shown once loading failed
        # Last: the footer keeps its keys at 80 columns; F1 and ctrl+p list it.
        Binding("e", "export", "As commands", id="verify.export"),
    ]
    WRITE_ACTIONS = frozenset({"publish", "upload", "verify"})

    def __init__(self, domain: str, origin: str = "") -> None:
        super().__init__()
        self.domain = domain
        self.origin = origin  # the bucket endpoint, for the file method
        self.challenge: Challenge | None = None  # t, u, v, c wait for it
        self.watching_since: float | None = None
        self.failed = False  # getting the challenge failed: r tries again

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll():
            yield Static(
                Text(shown(f"Prove you own the root of {display_name(self.domain)}"), style="bold"),
                id="title",
            )
            yield Static("", id="intro")
            yield Static(Text("Method 1 · DNS TXT record", style="bold underline"))
            yield Static("", id="txt")
            yield Static("", id="txt_hint", classes="hint")
            yield Static(Text("Method 2 · file at the origin", style="bold underline"))
            yield Static("", id="file")
            yield Static("", id="state")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#txt").loading = True
        self.load()

    @work(exclusive=True, group="verify-load")
    async def load(self) -> None:
        challenge = await self.fetch(
            self.services.ownership.challenge(self.domain),
            "Could not get the verification content",
        )
        self.query_one("#txt").loading = False
        if challenge is None:
            self.failed = True
            self.refresh_bindings()
            self.set_state(
                "Could not get the verification content from CDN. Press r to try again.", "red"
            )
            return
        self.challenge = challenge
        self.show()

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
        hint = (
            "t creates it in Alibaba Cloud DNS (a correct existing one is reused)."
            if ch.zone
            else f"{ch.root} is not in this account's Alibaba Cloud DNS: add "
            "the record at your DNS provider (c copies the value); the app watches for it."
        )
        self.query_one("#txt_hint", Static).update(Text(shown(hint)))
        file = _grid()
        bucket = parse_origin(self.origin) if self.origin else None
        file.add_row(
            "File",
            Text(
                shown(
                    "verification.html at the root of the origin"
                    + (f" (bucket {bucket.bucket})" if bucket else "")
                )
            ),
        )
        file.add_row("Content", Text(shown(ch.content)))
        if bucket:
            file.add_row("", "u uploads it to the bucket, then verifies by file.")
        self.query_one("#file", Static).update(file)
        if ch.zone is None:
            self.start_watch()
        elif self.read_only:
            self.set_state(
                f"Not verified yet. read-only mode: nothing is sent from here; "
                f"{self.export_key()} shows the commands that prove ownership."
            )
        else:
            self.set_state(
                "Not verified yet: press t to publish the TXT record, or u to upload the file."
            )

    @property
    def loaded_challenge(self) -> Challenge:
        """The challenge, where it has arrived: the keys that lead here wait for it."""
        if self.challenge is None:
            raise RuntimeError("the verification content has not arrived")
        return self.challenge

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return super().check_action(action, parameters) if self.failed else False
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
        bucket = parse_origin(self.origin) if self.origin else None
        if action in (None, "upload") and bucket is not None:
            found += upload_writes(ch, bucket.bucket)
        return found

    def export_note(self) -> str:
        ch = self.challenge
        notes = []
        if self.origin and parse_origin(self.origin):
            notes.append("Two ways to prove ownership: run the commands of one of them.")
        if ch is not None and ch.zone is None:
            notes.append(
                f"{ch.root} is not in this account's Alibaba Cloud DNS: add the TXT "
                "record at your DNS provider before the check."
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
                "The root domain's DNS is not in this account: add the record at "
                "your DNS provider.",
                severity="warning",
            )
            return
        self.busy = True
        self.publish()

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
        """Ask the authoritative servers until every one serves the TXT, then verify."""
        ownership = self.services.ownership
        challenge, since = self.loaded_challenge, self.watching_since or time.monotonic()
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
                await self._verify("dnsCheck")
                return
            self.set_state(
                f"Waiting for the authoritative servers to serve it "
                f"({elapsed}s): {shown or 'none found'}"
            )
            await asyncio.sleep(interval)

    # -- the file method and the call ---------------------------------------------------

    def action_upload(self) -> None:
        bucket = parse_origin(self.origin) if self.origin else None
        if self.challenge is None or self.busy:
            return
        if bucket is None:
            self.notify(
                "No OSS origin known for this domain: use the TXT method.", severity="warning"
            )
            return
        self.busy = True
        self.upload(bucket.bucket)

    @work(group="verify-write")
    async def upload(self, name: str) -> None:
        services = self.services
        self.set_state(f"Uploading verification.html to {name}…")
        try:
            bucket = services.oss.bucket_from_origin(self.origin)
            await self.call(services.ownership.upload_file(self.loaded_challenge, bucket))
        except ServiceError as error:
            self.busy = False
            self.set_state(explain(error), "red")
            return
        await self._verify("fileCheck")

    def action_verify(self) -> None:
        if self.watching_since is not None:
            self.notify("Already watching DNS: it verifies as soon as the record is served.")
            return
        if self.challenge is not None and not self.busy:
            self.busy = True
            self.verify_now()

    @work(group="verify-write")
    async def verify_now(self) -> None:
        await self._verify("dnsCheck")

    async def _verify(self, method: str) -> None:
        self.busy = True
        try:
            await self.call(self.services.ownership.verify(self.loaded_challenge, method))
        except ServiceError as error:
            how = (
                "Check the TXT record's host and value, wait for DNS, then press v."
                if method == "dnsCheck"
                else "Check that the file is reachable at http://<root>/verification.html."
            )
            self.set_state(f"Verification failed. {explain(error)}\n{how}", "red")
            return
        finally:
            self.busy = False
        self.notify(f"Ownership of {self.loaded_challenge.root} verified.", markup=False)
        self.leave(True)
