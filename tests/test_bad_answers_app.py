"""A wrong-shaped answer in the app and in `oss-cdn check` (issue 7, part 5): an error
notification and the app carries on; `check` exits 2; a crash of the app exits non-zero."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from screens.cname import DomainScreen
from screens.domains import DomainsScreen
from tests.helpers import check
from tests.pilot import connected, sandbox_app, text_of, wait_for


def notes(app, title: str) -> list[str]:
    return [n.message for n in app._notifications if n.title == title]


async def test_the_domain_list_and_the_details_screen_report_a_bad_answer_and_carry_on():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        listed = app.screen.query_one(DataTable).row_count
        app.sandbox.faults.add("wrong_types", "DescribeUserDomains", count=None, rate=1.0)
        await pilot.press("r")
        [message] = await wait_for(
            pilot, lambda: notes(app, "Could not list domains"), what="the list's error"
        )
        assert message.startswith("unexpected answer from CDN DescribeUserDomains: field ")
        assert "RequestId" in message and "Traceback" not in message
        assert isinstance(app.screen, DomainsScreen) and app.is_running
        assert app.screen.query_one(DataTable).row_count == listed  # the last good list stays

        app.sandbox.faults.clear()
        app.sandbox.faults.add("wrong_types", "DescribeCdnDomainDetail", count=None, rate=1.0)
        await pilot.press("enter")
        [message] = await wait_for(
            pilot, lambda: notes(app, "Could not load the domain"), what="the details' error"
        )
        assert message.startswith("unexpected answer from CDN DescribeCdnDomainDetail: ")
        assert isinstance(app.screen, DomainScreen) and app.is_running

        app.sandbox.faults.clear()  # the answer comes right again: `r` shows the domain
        await pilot.press("r")
        screen = app.screen
        await wait_for(pilot, lambda: screen.domain is not None, what="the domain")
        assert text_of(screen.query_one("#cname", Static)).strip() == screen.domain.cname


def test_check_exits_2_on_a_bad_answer_with_the_error_as_json(sandbox, profile, capsys):
    sandbox.faults.add("wrong_types", "DescribeCdnDomainDetail", count=None, rate=1.0)
    status, out, err = check(profile, capsys, "img.example.com", "--json")
    assert status == 2
    error = json.loads(out)["error"]
    assert error["code"] == "UnexpectedAnswer"
    assert error["message"].startswith("unexpected answer from CDN DescribeCdnDomainDetail: ")
    assert err.startswith("oss-cdn check: unexpected answer from CDN DescribeCdnDomainDetail")


def test_check_exits_2_when_cdn_s_own_view_is_a_bad_answer(sandbox, profile, capsys):
    # The resolvers all answer the CNAME (img's record is long in place), but CDN's own
    # view of it could not be read: the check is not done.
    sandbox.faults.add("null_fields", "DescribeDomainCname", count=None, rate=1.0)
    status, out, err = check(profile, capsys, "img.example.com", "--json")
    assert status == 2
    report = json.loads(out)
    assert report["propagated"] is True
    assert report["error"]["code"] == "CdnViewFailed"
    assert (
        "unexpected answer from CDN DescribeDomainCname: field CnameDatas missing"
        in (report["error"]["message"])
    )
    [cdn] = [r for r in report["results"] if r["kind"] == "cdn"]
    assert cdn["verdict"] == "error"
    assert "CnameDatas missing" in err

    sandbox.faults.clear()
    status, out, _ = check(profile, capsys, "img.example.com", "--json")
    assert status == 0 and "error" not in json.loads(out)


# -- a crash of the app is a failing exit status ----------------------------------------


def run_in_a_terminal(code: str, timeout: float = 60.0) -> tuple[int, str]:
    """`python -c code` on a pseudo-terminal of its own (Textual wants one); its exit
    status and what it wrote."""
    main, child = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        cwd=Path(__file__).parent.parent,
        close_fds=True,
    )
    os.close(child)
    output = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main, 65536)
                except OSError:  # the terminal closed: the process is gone
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
        return process.wait(timeout=max(1.0, deadline - time.monotonic())), output.decode(
            errors="replace"
        )
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)


APP_WITH = """
import sys
from tui import cli
from tui.app import OssCdnApp
OssCdnApp.on_mount = {on_mount}
sys.exit(cli.main(["--sandbox"]))
"""


@pytest.mark.slow  # the app in a pty
def test_a_crash_of_the_app_exits_1_and_a_normal_exit_0():
    status, output = run_in_a_terminal(APP_WITH.format(on_mount="lambda self: 1 / 0"))
    assert status == 1, output
    assert "ZeroDivisionError" in output
    status, output = run_in_a_terminal(
        APP_WITH.format(on_mount="lambda self: self.call_after_refresh(self.exit)")
    )
    assert status == 0, output
