"""Start, stop and delete a CDN domain: shared by the list and the details screen."""

from __future__ import annotations

from textual import work

from screens.base import AppScreen
from tui.rules import display_name
from tui.widgets.status import status_badge
from tui.widgets.confirm import TypedConfirm


class DomainActions(AppScreen):
    """A screen showing one current domain; subclasses say which and how to reload."""

    def current_domain(self):
        raise NotImplementedError

    def domain_changed(self) -> None:
        """Called after a start/stop/delete was accepted by CDN."""

    def action_toggle(self) -> None:
        domain = self.current_domain()
        if domain is None:
            return
        if domain.status == "online":
            self._run(domain.name, "stop", "Stopping")
        elif domain.status in ("offline",):
            self._run(domain.name, "start", "Starting")
        else:
            state = status_badge(domain.status).plain
            self.notify(f"{display_name(domain.name)} is {state}: it can be started "
                        "when offline and stopped when online.", markup=False)

    def action_delete(self) -> None:
        domain = self.current_domain()
        if domain is None:
            return
        name = display_name(domain.name)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run(domain.name, "delete", "Deleting")

        self.app.push_screen(
            TypedConfirm(
                f"Delete {name} from CDN?",
                "CDN stops serving it and forgets its configuration. The DNS record "
                "pointing at its CNAME is not touched: remove or repoint it yourself.",
                name,
            ),
            confirmed,
        )

    def _run(self, name: str, verb: str, doing: str) -> None:
        # A second press while a change is on its way must not send another.
        pending = self.app.domains_changing
        if name in pending:
            self.notify(f"{display_name(name)}: the last change is still on its way.",
                        markup=False)
            return
        pending.add(name)
        self._send(name, verb, doing)

    @work(group="domain-action")
    async def _send(self, name: str, verb: str, doing: str) -> None:
        from tui.services.errors import ServiceError

        cdn = self.app.services.cdn
        method = {"start": cdn.start_domain, "stop": cdn.stop_domain,
                  "delete": cdn.delete_domain}[verb]
        self.busy = True
        try:
            await self.call(method(name))
        except ServiceError as error:
            self.app.report(error, f"Could not {verb} {display_name(name)}")
            return
        finally:
            self.busy = False
            self.app.domains_changing.discard(name)
        self.notify(f"{doing} {display_name(name)}…", markup=False)
        self.domain_changed()
