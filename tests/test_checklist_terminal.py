"""Killed mid-flow and started again, the app shows where the domain stands (issue 11).

The real app in a real terminal (tmux at 80x24), attached to one shared sandbox
(`oss-cdn sandbox serve`) so the cloud outlives the app: add a domain, SIGKILL the app on
its checklist, start it again, open the domain: its checklist names the next step, read
from the cloud (nothing was saved locally).
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest

from tests.helpers import PROXY_VARS, app_in_tmux, served_sandbox

pytestmark = pytest.mark.slow  # the app in tmux, the sandbox as a process

ROOT = Path(__file__).parent.parent
NAME = "shop.example.com"  # example.com is verified: no ownership step to do


@pytest.fixture
def shared_sandbox(tmp_path, monkeypatch):
    """`oss-cdn sandbox serve`, recorded where the app in tmux (which inherits this
    environment) finds it."""
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OSS_CDN_RUNTIME_DIR", str(tmp_path / "run"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "xdg-run"))
    monkeypatch.setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
    with served_sandbox() as (_, info):
        yield info


def next_step(screen: str) -> str | None:
    """The step the checklist marks next (▸), as shown."""
    for line in screen.splitlines():
        match = re.match(r"\s*▸\S\s+(\S+(?: \S+)*?)\s{2,}", line)
        if match:
            return match.group(1)
    return None


def test_killed_after_adding_a_domain_the_restarted_app_shows_its_checklist(shared_sandbox):
    with app_in_tmux() as tmux:
        tmux.wait(lambda s: "static.example.com" in s and "SANDBOX (shared" in s, "the list")
        tmux.press("a")
        tmux.wait(lambda s: "demo-assets" in s, "the add form with its bucket")
        tmux.type(NAME)
        tmux.wait(lambda s: NAME in s, "the name typed")
        tmux.press("C-s")
        # The domain's screen, its checklist read: killed there, mid-flow.
        screen = tmux.wait(
            lambda s: "ownership" in s and "cname record" in s and next_step(s), "the checklist"
        )
        assert next_step(screen) in ("online", "cname record")
        pid = int(tmux.run("display-message", "-p", "-t", "app", "#{pane_pid}").strip())
        os.kill(pid, signal.SIGKILL)

    with app_in_tmux() as tmux:
        tmux.wait(lambda s: "static.example.com" in s and "SANDBOX (shared" in s, "the list")
        tmux.type("/shop")
        tmux.wait(lambda s: NAME in s and "static.example.com" not in s, "the filtered list")
        tmux.press("Enter")  # back to the table
        tmux.press("Enter")  # opens the domain
        screen = tmux.wait(
            lambda s: next_step(s) == "cname record",
            "the checklist's next step: the CNAME record",
        )
        assert re.search(r"✓\s+added", screen) and re.search(r"✓\s+ownership", screen)
        assert "DNS record to create" in screen
