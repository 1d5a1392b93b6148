"""The delivery screen: fetch an object of a domain's bucket through the CDN and see, with
evidence, whether it is served (and from the cache), stale, denied or missing.

Thin: the check is tui/services/delivery.py; this lists the bucket's objects page by page
(ListObjectsV2, the filter is the listing's prefix), takes a picked object or a typed
path, and shows the verdict, the headers that matter and the origin beside the edge.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Input, Static

from screens.base import AppScreen
from tui.rules import display_name, is_wildcard
from tui.safe_text import shown
from tui.widgets.header import AppHeader

if TYPE_CHECKING:
    from textual.timer import Timer

    from tui.services.delivery import Delivery
    from tui.services.models import Bucket, OssObject

PAGE = 100  # objects listed at once
FILTER_PAUSE = 0.3  # seconds of no typing before the listing follows the filter
# verdict -> style; the word is always shown too, for terminals without colour.
STYLES = {
    "served": "bold green",
    "stale": "bold yellow",
    "denied": "bold red",
    "not-found": "bold yellow",
    "not-cdn": "bold magenta",
    "offline": "bold red",
    "error": "bold red",
}
# The edge's headers worth a line here (the rest are in `oss-cdn fetch --json`).
SHOWN_HEADERS = ("X-Cache", "Age", "Via", "X-Swift-CacheTime", "Server")


def verdict_text(result: Delivery) -> Text:
    word = result.verdict.value
    text = Text.assemble((word.upper(), STYLES.get(word, "bold")), "  ")
    text.append(shown(result.explanation, 1000))
    return text


def _when(unix: float | None) -> str:
    if unix is None:
        return "—"
    return datetime.fromtimestamp(unix, timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")


def evidence(result: Delivery) -> Group:
    """Edge and origin side by side, then the answer's status, DNS path and headers."""
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    status = "—" if result.status is None else str(result.status)
    facts.add_row(
        "Status", Text(f"{status} from {shown(result.edge) or '—'} in {result.elapsed_ms:.0f} ms")
    )
    if result.chain:
        facts.add_row("DNS", Text(shown(f"{' → '.join(result.chain)} ({result.resolver})")))
    headers = dict(result.headers)
    for name in SHOWN_HEADERS:
        if name in headers:
            facts.add_row(name, Text(shown(headers[name])))
    side = Table(box=None, padding=(0, 1), show_edge=False)
    side.add_column("", style="bold")
    side.add_column("Edge")
    side.add_column("Origin (OSS)")
    same = result.etag and result.etag == result.origin_etag
    side.add_row(
        "ETag",
        Text(shown(result.etag) or "—", style="green" if same else ""),
        Text(shown(result.origin_etag) or "—", style="green" if same else ""),
    )
    side.add_row(
        "Size",
        Text("—" if result.size is None else f"{result.size} B"),
        Text("—" if result.origin_size is None else f"{result.origin_size} B"),
    )
    side.add_row(
        "Modified",
        Text(shown(result.last_modified) or "—"),
        Text(_when(result.origin_modified)),
    )
    return Group(side, Text(""), facts)


class DeliveryScreen(AppScreen):
    """Fetch through CDN: pick an object (or type a path, or a whole URL), Enter fetches it
    through the CDN and compares it with the origin; r fetches it again, showing the
    cache at work (MISS, then HIT)."""

    CSS_PATH = "delivery.tcss"
    BINDINGS = [
        Binding("r", "again", "Fetch again", id="delivery.again"),
        Binding("slash", "filter", "Path/filter", id="delivery.filter"),
        Binding("escape", "dismiss", "Back", id="delivery.back"),
    ]

    def __init__(self, domain: str, origin: str = "") -> None:
        super().__init__()
        self.domain = domain  # the CDN domain (".example.com" for a wildcard)
        self.origin = origin  # its origin host (the bucket's); "": read from CDN on mount
        # The name URLs are built on: the domain, or for a wildcard a name it covers.
        self.host = domain.lstrip(".")
        if is_wildcard(domain):
            from tui.services.cname_setup import probe_name

            self.host = probe_name(domain)
        self.bucket: Bucket | None = None
        self.objects: list[OssObject] = []
        self.next_token = ""
        self.prefix = ""
        self.last_url = ""
        self.result: Delivery | None = None
        self.results: list[Delivery] = []  # every fetch of this visit, oldest first
        self._filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(
            Text.assemble(
                ("Fetch through CDN  ", "bold"), (shown(display_name(self.domain)), "bold")
            ),
            id="title",
        )
        yield Input(
            placeholder="path (img/logo.png) or URL; filters the objects below",
            id="path",
        )
        table: DataTable = DataTable(id="objects", cursor_type="row", zebra_stripes=True)
        table.add_column("Object", key="key")
        table.add_column("Size", key="size")
        table.add_column("Modified", key="modified")
        yield table
        yield Static("", id="listed")
        with VerticalScroll(id="result"):
            yield Static(
                Text(
                    "Enter on an object, or a typed path, fetches it through the CDN.", style="dim"
                ),
                id="verdict",
            )
            yield Static("", id="evidence")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.start()

    @work(exclusive=True, group="list")
    async def start(self) -> None:
        """The bucket behind the domain (its origin, read from CDN when not given), then
        its first page of objects."""
        from tui.rules import parse_origin

        if not self.origin:
            domain = await self.fetch(
                self.services.cdn.domain(self.domain), "Could not read the domain"
            )
            self.origin = domain.origin if domain is not None else ""
        if parse_origin(self.origin) is None:
            self.query_one("#listed", Static).update(
                Text(
                    shown(
                        f"the origin {self.origin or '(unknown)'} is not an OSS bucket: type a path"
                    ),
                    style="dim",
                )
            )
            return
        self.bucket = self.services.oss.bucket_from_origin(self.origin)
        self.list_objects()

    # -- the object picker: the bucket's listing, a page at a time ----------------------

    @work(exclusive=True, group="list")
    async def list_objects(self, more: bool = False) -> None:
        bucket = self.bucket
        if bucket is None:
            return
        listed = self.query_one("#listed", Static)
        listed.update(Text("listing…", style="dim"))
        page = await self.fetch(
            self.services.oss.list_objects(
                bucket, prefix=self.prefix, token=self.next_token if more else "", max_keys=PAGE
            ),
            "Could not list the bucket's objects",
        )
        if page is None:
            listed.update(Text("could not list the objects: type a path", style="red"))
            return
        table = self.query_one(DataTable)
        if not more:
            table.clear()
            self.objects = []
        for found in page.objects:
            if found.key in {o.key for o in self.objects}:
                continue
            self.objects.append(found)
            table.add_row(
                Text(shown(found.key, 200)),
                Text(f"{found.size} B", justify="right"),
                Text(_when(found.last_modified)),
                key=found.key,
            )
        self.next_token = page.next_token
        where = f" under {shown(self.prefix)}" if self.prefix else ""
        more_text = " · more below" if self.next_token else ""
        listed.update(
            Text(
                f"{len(self.objects)} object(s) of {shown(bucket.name)}{where}{more_text}",
                style="dim",
            )
        )

    @on(DataTable.RowHighlighted, "#objects")
    def _near_the_end(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if self.next_token and event.cursor_row >= table.row_count - 1:
            self.list_objects(more=True)

    @on(DataTable.RowSelected, "#objects")
    def _picked(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key is not None:
            self.fetch_url(self.url_for(key))

    @on(Input.Changed, "#path")
    def _filter(self, event: Input.Changed) -> None:
        text = event.value.strip()
        prefix = "" if "://" in text else text.lstrip("/")
        if prefix == self.prefix:
            return
        self.prefix = prefix
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_PAUSE, self.list_objects)

    @on(Input.Submitted, "#path")
    def _typed(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text:
            self.fetch_url(text if "://" in text else self.url_for(text.lstrip("/")))
        # Back to the objects: where r (fetch again) is heard, and where Enter on an
        # empty path leads (pick one there).
        self.query_one(DataTable).focus()

    def url_for(self, key: str) -> str:
        from tui.delivery_rules import object_url, parse_url

        return object_url(parse_url(f"http://{self.host}/"), key)

    # -- fetching --------------------------------------------------------------------

    def action_again(self) -> None:
        if self.last_url:
            self.fetch_url(self.last_url)
        else:
            self.notify("Pick an object first (Enter fetches it).", markup=False)

    def action_filter(self) -> None:
        self.query_one("#path", Input).focus()

    @work(exclusive=True, group="fetch")
    async def fetch_url(self, url: str) -> None:
        from tui.delivery_rules import UrlError
        from tui.services.delivery import DeliveryService

        self.last_url = url
        verdict = self.query_one("#verdict", Static)
        verdict.update(Text(shown(f"fetching {url} …"), style="dim"))
        checker = DeliveryService(self.profile, self.services.cdn, self.services.oss)
        try:
            result = await self.fetch(checker.check(url), "Could not fetch through CDN")
        except UrlError as error:
            verdict.update(Text(shown(f"not a URL to fetch: {error}"), style="red"))
            return
        if result is None:
            verdict.update(Text("The check could not be made (see the notification).", style="red"))
            return
        self.result = result
        self.results.append(result)
        self.show(result)

    def show(self, result: Delivery) -> None:
        text = verdict_text(result)
        if len(self.results) > 1 and self.results[-2].url == result.url:
            before = self.results[-2].cache or "—"
            text.append(f"\nCache: {before} before, {result.cache or '—'} now.", style="dim")
        self.query_one("#verdict", Static).update(text)
        self.query_one("#evidence", Static).update(evidence(result))
        self.query_one("#result").scroll_home(animate=False)
