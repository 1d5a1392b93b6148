"""Start, stop and delete a CDN domain: shared by the list and the details screen.

Each asks first, saying what it means for the site, with the harmless answer focused;
`e` shows the same changes as aliyun-cli commands.
"""

from __future__ import annotations

from textual import work

from screens.base import AppScreen
from tui.rules import display_name
from tui.services import writes
from tui.services.errors import ServiceError
from tui.widgets.confirm import Confirm, TypedConfirm, void_dialogs
from tui.widgets.status import status_badge

# How a failure names a change whose verb does not read as one ("Could not start x").
FAILED = {"origin_auth": "switch on back-to-origin authentication for"}


def toggle_write(domain) -> writes.Write | None:
    """What `s` sends for the domain: stop when online, start when offline, else nothing."""
    if domain.status == "online":
        return writes.stop_domain(domain.name)
    if domain.status == "offline":
        return writes.start_domain(domain.name)
    return None


class DomainActions(AppScreen):
    """A screen showing one current domain; subclasses say which and how to reload."""

    WRITE_ACTIONS = frozenset({"toggle", "delete"})
    # app.domain_writes as it stood when the read now shown began, and when the read on
    # its way began (replaced on each read, never mutated).
    _writes_seen: dict[str, int] = {}
    _writes_reading: dict[str, int] = {}

    def current_domain(self):
        raise NotImplementedError

    def reading(self) -> None:
        """A subclass calls this as it begins to read its domain(s) from the cloud..."""
        self._writes_reading = dict(self.app.domain_writes)

    def read_arrived(self) -> None:
        """...and this once what it read is shown."""
        self._writes_seen = self._writes_reading

    def _stale(self, name: str) -> bool:
        """Was a change to `name` sent since this screen read it? Then what it shows (say
        "online" for a domain just stopped) may be gone: no question is asked on it."""
        if self.app.domain_writes[name] == self._writes_seen.get(name, 0):
            return False
        self.notify(
            f"{display_name(name)} changed since this screen read it: reading it again.",
            markup=False,
        )
        self.domain_changed()
        return True

    def domain_changed(self) -> None:
        """Called after a change (start, stop, delete, origin auth) was accepted by CDN."""

    # -- the export ----------------------------------------------------------------------

    def export_writes(self, action: str | None = None) -> list[writes.Write]:
        domain = self.current_domain()
        if domain is None:
            return []
        found = []
        if action in (None, "toggle") and (toggle := toggle_write(domain)) is not None:
            found.append(toggle)
        if action in (None, "delete"):
            found.append(writes.delete_domain(domain.name))
        return found

    def export_note(self) -> str:
        if len(self.export_writes()) > 1:
            return "Alternatives for this domain: run only the one you mean."
        return ""

    def nothing_to_export(self) -> str:
        return "No domain selected."

    # -- the actions ---------------------------------------------------------------------

    # The s key's start/stop (enable/disable): it replaces Textual's toggle(attribute),
    # which no key or command of this app uses.
    def action_toggle(self) -> None:  # type: ignore[override]
        domain = self.current_domain()
        if domain is None:
            return
        write = toggle_write(domain)
        if write is None:
            state = status_badge(domain.status).plain
            self.notify(
                f"{display_name(domain.name)} is {state}: it can be started "
                "when offline and stopped when online.",
                markup=False,
            )
            return
        if self._changing(domain.name) or self._stale(domain.name):
            return
        name = display_name(domain.name)
        if write.action == "StopCdnDomain":
            verb, doing = "stop", "Stopping"
            dialog = Confirm(
                f"Stop {name}?",
                f"The site stops being served by CDN; requests to {name} fail until "
                "started again. Its configuration is kept: s starts it again.",
                "Stop",
                writes=[write],
                subject=("domain", domain.name),
            )
        else:
            verb, doing = "start", "Starting"
            dialog = Confirm(
                f"Start {name}?",
                f"CDN serves {name} again with the configuration it had, once it has "
                "configured it (a few minutes): requests through its CNAME reach the "
                "origin again.",
                "Start",
                writes=[write],
                subject=("domain", domain.name),
            )

        self.app.push_screen(dialog, self._when_confirmed(domain.name, verb, doing))

    def action_delete(self) -> None:
        domain = self.current_domain()
        if domain is None or self._changing(domain.name) or self._stale(domain.name):
            return
        name = display_name(domain.name)

        self.app.push_screen(
            TypedConfirm(
                f"Delete {name} from CDN?",
                "CDN stops serving it and forgets its configuration. The DNS record "
                "pointing at its CNAME is not touched: remove or repoint it yourself.",
                name,
                writes=[writes.delete_domain(domain.name)],
                subject=("domain", domain.name),
            ),
            self._when_confirmed(domain.name, "delete", "Deleting"),
        )

    def _when_confirmed(self, name: str, verb: str, doing: str):
        """The answer to a question about `name`: sends the change only if no other change
        to it was sent since the question was asked (a late yes sends nothing)."""
        asked = self.app.domain_writes[name]

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            if self.app.domain_writes[name] != asked:
                self.notify(
                    f"{display_name(name)} changed since you were asked: nothing was sent.",
                    severity="warning",
                    markup=False,
                )
                return
            self._run(name, verb, doing)

        return confirmed

    def _changing(self, name: str) -> bool:
        """A change to the domain is on its way (says so): a second one waits for it."""
        if name in self.app.domains_changing:
            self.notify(f"{display_name(name)}: the last change is still on its way.", markup=False)
            return True
        return False

    def _run(self, name: str, verb: str, doing: str) -> None:
        # A second press while a change is on its way must not send another.
        if self._changing(name):
            return
        self.app.domains_changing.add(name)
        self.app.domain_writes[name] += 1
        # A question about this domain still open (asked before this change was sent)
        # no longer stands: its yes would send a change after this one.
        if void_dialogs(
            self.app,
            ("domain", name),
            "Another change to this domain was just sent: this one will not be. Esc closes.",
        ):
            self.notify(
                f"{display_name(name)}: the last change is still on its way; "
                "the other question sends nothing.",
                severity="warning",
                timeout=10,
                markup=False,
            )
        self._send(name, verb, doing)

    @work(group="domain-action")
    async def _send(self, name: str, verb: str, doing: str) -> None:
        cdn = self.services.cdn
        method = {
            "start": cdn.start_domain,
            "stop": cdn.stop_domain,
            "delete": cdn.delete_domain,
            "origin_auth": cdn.enable_private_origin,
        }[verb]
        self.busy = True
        try:
            await self.call(method(name))
        except ServiceError as error:
            what = FAILED.get(verb, verb)
            self.app.report(error, f"Could not {what} {display_name(name)}")
            return
        finally:
            self.busy = False
            self.app.domains_changing.discard(name)
        self.notify(f"{doing} {display_name(name)}…", markup=False)
        self.domain_changed()
