"""A domain's edge cache: refresh or prefetch typed URLs, or refresh what changed in the
origin since a time; the tasks followed live until CDN completes them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Input, Static, TextArea

from screens.base import AppScreen
from tui.cache_rules import PREFETCH, REFRESH, Check, check, parse_since
from tui.rules import display_name
from tui.safe_text import shown
from tui.services import writes
from tui.services.errors import ServiceError
from tui.services.profile import poll_interval
from tui.widgets.confirm import Confirm
from tui.widgets.header import AppHeader

if TYPE_CHECKING:
    from tui.services.freshness import Changed
    from tui.services.models import CdnDomain, RefreshQuota, RefreshTask

# CDN completes a refresh in 5-6 minutes: its tasks are read this often meanwhile.
TASK_POLL = 20.0
SHOWN_PROBLEMS = 4  # lines with a problem listed under the field; the rest are counted
SHOWN_CHANGES = 5  # changed objects named before "and N more"
TASK_TYPE = {"File": "file", "Directory": "directory"}
TASKS_PAGE_SIZE = 100  # the tasks DescribeRefreshTasks lists a page (CdnService asks this many)

EXPLAINED = Text.assemble(
    ("Refresh", "bold"),
    "  expires cached copies; the next request fetches the origin's file\n",
    ("Prefetch", "bold"),
    " loads files into the edge before anyone asks: first visits hit",
)


class FreshnessScreen(AppScreen):
    """Refresh or prefetch this domain's cached files: one URL or directory (ending in /)
    per line, judged as you type; ctrl+s sends them after asking. Or type a time under
    "What changed since" (2h, 30m, 1d, a date, or last) and press Enter to list the origin's
    objects modified since then; ctrl+r refreshes exactly those. Tasks are followed live."""

    CSS_PATH = "freshness.tcss"
    BUSY_BLOCKS = frozenset({"dismiss", "send", "refresh_changed"})
    BINDINGS = [
        # Short words: with f1 Help and ^q Quit, the footer fits 80 columns (the mode line
        # says what ctrl+t switches to; F1 and ctrl+p list every key).
        Binding("ctrl+s", "send", "Send", id="cache.send"),
        Binding("ctrl+t", "switch_mode", "Mode", tooltip="Refresh/Prefetch", id="cache.mode"),
        Binding("ctrl+r", "refresh_changed", "Refresh changed", id="cache.changed"),
        Binding("escape", "dismiss", "Back", id="cache.back"),
        Binding("e", "export", "As commands", show=False, id="cache.export"),
        # Where URLs are typed, `e` is a letter of them.
        Binding("ctrl+e", "export", "As commands", show=False, priority=True),
    ]
    WRITE_ACTIONS = frozenset({"send", "refresh_changed"})

    def __init__(self, domain: CdnDomain) -> None:
        super().__init__()
        self.domain = domain
        self.mode = REFRESH
        self.quota: RefreshQuota | None = None
        self.checked: Check = check("", domain.name)
        self.changes: Changed | None = None
        # Tasks followed, by DescribeRefreshTasks' ObjectType: their ids, oldest first,
        # at most the newest page of them (DescribeRefreshTasks lists newest first).
        self.following: dict[str, dict[str, None]] = {}
        self.tasks: dict[str, RefreshTask] = {}

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll():
            title = Text("Cache of ", style="bold")
            title.append(shown(display_name(self.domain.name)))
            yield Static(title, id="title")
            yield Static(EXPLAINED, id="explained")
            yield Static("", id="quota")
            yield Static("", id="mode")
            yield TextArea(id="paths", soft_wrap=False, show_line_numbers=True)
            yield Static("", id="rules")
            yield Input(
                placeholder="What changed since: 2h, 30m, 1d, 2026-11-29, or last; Enter",
                id="since",
            )
            yield Static("", id="changed")
            yield Static("", id="tasks")
        yield Footer()

    def on_mount(self) -> None:
        self.show_mode()
        self.show_rules()
        self.query_one("#paths", TextArea).focus()
        self.load_quota()
        self.set_interval(poll_interval(self.profile, TASK_POLL), self._tick)

    # -- today's quota -----------------------------------------------------------------

    @work(exclusive=True, group="quota")
    async def load_quota(self) -> None:
        quota = await self.fetch(self.services.cdn.refresh_quota(), "Could not read the quota")
        if quota is None:
            self.query_one("#quota", Static).update(Text("Quota: unknown", style="dim"))
            return
        self.quota = quota
        self.query_one("#quota", Static).update(
            Text(
                f"Left today: {quota.url_remain} URL and {quota.dir_remain} directory "
                f"refreshes, {quota.preload_remain} prefetches",
                style="dim",
            )
        )
        self.show_rules()

    def remaining(self) -> dict[str, int | None]:
        q = self.quota
        if q is None:
            return {}
        return {"File": q.url_remain, "Directory": q.dir_remain, "Preload": q.preload_remain}

    # -- typed URLs --------------------------------------------------------------------

    def show_mode(self) -> None:
        if self.mode == REFRESH:
            line = "Refresh: one URL or directory (ending in /) per line · ctrl+t: prefetch"
        else:
            line = "Prefetch: one file URL per line · ctrl+t: refresh"
        self.query_one("#mode", Static).update(Text(line, style="italic"))

    @on(TextArea.Changed, "#paths")
    def typed(self) -> None:
        self.show_rules()

    def show_rules(self) -> None:
        text = self.query_one("#paths", TextArea).text
        self.checked = check(text, self.domain.name, self.mode, self.remaining())
        out = Text()
        for entry in self.checked.problems[:SHOWN_PROBLEMS]:
            out.append(f"line {entry.line}: ", style="bold red")
            out.append(shown(entry.problem) + "\n")
        hidden = len(self.checked.problems) - SHOWN_PROBLEMS
        if hidden > 0:
            out.append(f"and {hidden} more lines to fix\n", style="red")
        style = "green" if self.checked.sendable else "dim"
        out.append(shown(self.checked.summary()), style=style)
        self.query_one("#rules", Static).update(out)

    def action_switch_mode(self) -> None:
        self.mode = PREFETCH if self.mode == REFRESH else REFRESH
        self.show_mode()
        self.show_rules()

    def typed_write(self) -> writes.Write | None:
        c = self.checked
        if not c.sendable or c.object_type is None:
            return None
        urls = [e.url for e in c.valid]
        if self.mode == PREFETCH:
            return writes.push(urls)
        return writes.refresh(urls, c.object_type)

    # -- the export and read-only mode ---------------------------------------------------

    def export_writes(self, action: str | None = None) -> list[writes.Write]:
        found: list[writes.Write] = []
        if action in (None, "send") and (write := self.typed_write()) is not None:
            found.append(write)
        if action in (None, "refresh_changed"):
            found += self.changed_writes()
        return found

    def nothing_to_export(self) -> str:
        return "Type URLs to refresh, or list what changed, first."

    def changed_writes(self) -> list[writes.Write]:
        if self.changes is None or not self.changes.objects:
            return []
        remain = self.quota.url_remain if self.quota is not None else None
        planned, _ = self.services.freshness.plan(
            self.changes, remain if remain is not None else len(self.changes.objects)
        )
        return [writes.refresh(batch, "File") for batch in planned]

    # -- sending typed URLs --------------------------------------------------------------

    def action_send(self) -> None:
        write = self.typed_write()
        if write is None:
            self.notify(
                "Nothing to send yet: " + " ".join(self.checked.summary().split()),
                severity="warning",
                markup=False,
            )
            return
        c = self.checked
        count = len(c.valid)
        name = display_name(self.domain.name)
        if self.mode == PREFETCH:
            title = f"Prefetch {count} URL{'s' if count != 1 else ''} of {name}?"
            body = (
                "CDN fetches them from the origin into its edge now (this counts against "
                "today's prefetch quota and the origin's traffic)."
            )
            label = "Prefetch"
        else:
            what = "director" + ("ies" if count != 1 else "y")
            if c.object_type == "File":
                what = "URL" + ("s" if count != 1 else "")
            title = f"Refresh {count} {what} of {name}?"
            body = (
                "CDN marks the cached copies expired (done in about 5-6 minutes); the next "
                "requests fetch them from the origin again. This counts against today's quota."
            )
            label = "Refresh"

        def confirmed(yes: bool | None) -> None:
            if yes and not self.busy:
                self.busy = True
                self.send(write)

        self.app.push_screen(
            Confirm(title, body, label, writes=[write], subject=("cache", self.domain.name)),
            confirmed,
        )

    @work(group="cache-send")  # not exclusive: a write in flight is never cancelled
    async def send(self, write: writes.Write) -> None:
        cdn = self.services.cdn
        paths = str(write.param("ObjectPath")).split("\n")
        try:
            if write.action == "PushObjectCache":
                task_type = "preload"
                ids = await self.call(cdn.push(paths))
            else:
                object_type = str(write.param("ObjectType"))
                task_type = TASK_TYPE.get(object_type, object_type.lower())
                ids = await self.call(cdn.refresh(paths, object_type))
        except ServiceError as error:
            self.app.report(error, "Could not send it")
            return
        finally:
            self.busy = False
        self.follow(task_type, ids)
        self.notify(f"Sent: {len(paths)} task(s); following them below.", markup=False)
        self.query_one("#paths", TextArea).text = ""
        self.load_quota()

    # -- refresh what changed ------------------------------------------------------------

    @on(Input.Submitted, "#since")
    def list_changes(self, event: Input.Submitted) -> None:
        try:
            since = parse_since(event.value)
        except ValueError as error:
            self.query_one("#changed", Static).update(Text(shown(str(error)), style="red"))
            return
        self.find_changes(since)

    @work(exclusive=True, group="changes")
    async def find_changes(self, since) -> None:
        freshness = self.services.freshness
        note = self.query_one("#changed", Static)
        self.changes = None
        note.update(Text("Listing the origin's objects…", style="dim"))

        def listed(count: int) -> None:
            note.update(Text(f"Listing the origin's objects… {count} so far", style="dim"))

        try:
            at, ago = since.at, since.ago
            if since.last_refresh:
                at = await self.call(freshness.last_refresh(self.domain.name))
                if at is None:
                    note.update(
                        Text(
                            "CDN remembers no refresh of this domain: type a time instead.",
                            style="yellow",
                        )
                    )
                    return
            changes = await self.call(
                freshness.changed(self.domain, since=at, ago=ago, on_page=listed)
            )
        except (ServiceError, ValueError) as error:
            note.update(Text(shown(f"Could not list what changed: {error}"), style="red"))
            return
        self.changes = changes
        self.show_changes()

    def show_changes(self) -> None:
        changes = self.changes
        assert changes is not None
        note = self.query_one("#changed", Static)
        count = len(changes.objects)
        if not count:
            note.update(
                Text(f"Nothing changed: none of {changes.scanned} objects is newer.", style="green")
            )
            return
        out = Text(f"{count} of {changes.scanned} objects changed", style="bold")
        remain = self.quota.url_remain if self.quota is not None else None
        if remain is not None and count > remain:
            out.append(f" ({remain} fit today's quota)", style="yellow")
        out.append(" · ctrl+r refreshes them\n")
        for obj in changes.objects[:SHOWN_CHANGES]:
            out.append("  " + shown(obj.key) + "\n")
        if count > SHOWN_CHANGES:
            out.append(f"  and {count - SHOWN_CHANGES} more", style="dim")
        note.update(out)

    def action_refresh_changed(self) -> None:
        changes = self.changes
        if changes is None or not changes.objects:
            self.notify(
                "Type a time under the URLs and press Enter to list what changed first.",
                markup=False,
            )
            return
        batches = self.changed_writes()
        sent = sum(len(str(w.param("ObjectPath")).split("\n")) for w in batches)
        left = len(changes.objects) - sent
        body = (
            f"CDN marks the cached copies of {sent} changed object(s) expired, in "
            f"{len(batches)} request(s); the next requests fetch them from the origin."
        )
        if left:
            body += f" {left} do not fit today's quota and are not sent."

        def confirmed(yes: bool | None) -> None:
            if yes and not self.busy and self.changes is changes:
                self.busy = True
                self.run_refresh(changes)

        self.app.push_screen(
            Confirm(
                f"Refresh what changed on {display_name(self.domain.name)}?",
                body,
                "Refresh",
                writes=batches,
                subject=("cache", self.domain.name),
            ),
            confirmed,
        )

    @work(group="cache-send")
    async def run_refresh(self, changes: Changed) -> None:
        note = self.query_one("#changed", Static)

        def progressed(p) -> None:
            note.update(
                Text(f"Refreshing: batch {p.batch} of {p.batches}, {p.sent}/{p.total} URLs sent")
            )
            self.follow("file", ",".join(p.task_ids))

        try:
            outcome = await self.call(self.services.freshness.refresh_changed(changes, progressed))
        except ServiceError as error:
            self.app.report(error, "Could not refresh what changed")
            return
        finally:
            self.busy = False
        self.changes = None
        note.update(Text(shown(outcome.message()), style="yellow" if outcome.left else "green"))
        self.load_quota()

    # -- the tasks, live -------------------------------------------------------------------

    def follow(self, task_type: str, ids: str) -> None:
        followed = self.following.setdefault(task_type, {})
        followed.update(dict.fromkeys(i for i in ids.split(",") if i))
        # A run of 1,000s of URLs is followed by its newest page of tasks: the older ones
        # would never be on the page read, and the poll would never end.
        for old in list(followed)[:-TASKS_PAGE_SIZE]:
            del followed[old]
            self.tasks.pop(old, None)
        self.poll_tasks()

    def _tick(self) -> None:
        waiting = [t for t in self.tasks.values() if t.status == "Refreshing"]
        unseen = any(i not in self.tasks for ids in self.following.values() for i in ids)
        if waiting or unseen:
            self.poll_tasks()

    @work(exclusive=True, group="tasks")
    async def poll_tasks(self) -> None:
        cdn = self.services.cdn
        for task_type, ids in list(self.following.items()):
            try:
                page = await self.call(
                    cdn.refresh_tasks(domain=self.domain.name, object_type=task_type)
                )
            except ServiceError:
                return  # read again at the next tick
            for task in page:
                if task.task_id in ids:
                    self.tasks[task.task_id] = task
        self.show_tasks()

    def show_tasks(self) -> None:
        if not self.tasks:
            return
        tasks = sorted(self.tasks.values(), key=lambda t: t.created, reverse=True)
        done = sum(1 for t in tasks if t.status == "Complete")
        table = Table.grid(padding=(0, 1))
        table.add_column()
        table.add_column()
        table.add_column()
        for task in tasks[:SHOWN_CHANGES]:
            style = {"Complete": "green", "Failed": "red"}.get(task.status, "yellow")
            table.add_row(
                Text(shown(task.status), style=style),
                Text(shown(task.process)),
                Text(shown(task.object_path), overflow="ellipsis", no_wrap=True),
            )
        head = Text(f"Tasks: {done} of {len(tasks)} complete", style="bold")
        if len(tasks) > SHOWN_CHANGES:
            head.append(f" (newest {SHOWN_CHANGES} shown)", style="dim")
        self.query_one("#tasks", Static).update(Group(head, table))
