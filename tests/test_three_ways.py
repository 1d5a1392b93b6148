"""The procedure done half in the app and half with `oss-cdn onboard`, against one
sandbox: the app adds the domain, `onboard` carries on from where the cloud stands
(without adding it again), and the app's checklist, read again, agrees that it is
served. Nothing is handed over but the cloud itself."""

from __future__ import annotations

import asyncio
import contextlib
import io

from screens.cname import DomainScreen
from tests.helpers import parse_onboard
from tests.pilot import form_ready, sandbox_app, wait_for
from tui.services.profile import sandbox_profile

NAME = "halfway.example.com"


def onboard_beside_the_app(profile, *argv: str) -> tuple[int, str]:
    """`oss-cdn onboard` in this process, beside the running app (its own event loop, in
    a thread); its stdout, read apart from what the app's test harness captures."""
    from tui.onboard import run_onboard

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = run_onboard(parse_onboard(*argv), profile=profile)
    return status, out.getvalue()


async def test_added_in_the_app_finished_by_onboard_and_the_app_agrees(no_proxy):
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await form_ready(pilot, NAME)
        await pilot.press("ctrl+s")
        details = await wait_for(
            pilot,
            lambda: isinstance(app.screen, DomainScreen) and app.screen.domain and app.screen,
            what="the new domain, shown",
        )
        standing = await wait_for(pilot, lambda: details.standing, what="its checklist")
        assert not standing.served  # its CNAME record is still to create, at least

        profile = sandbox_profile(app.sandbox.info)
        status, out = await asyncio.to_thread(
            onboard_beside_the_app, profile, "--bucket", "demo-assets", "--domain", NAME, "--yes"
        )
        assert status == 0, out
        assert f"{NAME}: serving" in out
        # onboard carried on: the app's add was the only one.
        assert app.sandbox.calls.actions().count("AddCdnDomain") == 1
        assert "AddCdnDomain" not in out.split("Then:")[0]  # not even planned

        await pilot.press("r")  # read it again: the app sees what onboard did
        await wait_for(
            pilot,
            lambda: details.standing is not None and details.standing.served,
            timeout=30,
            what="the checklist saying served",
        )
