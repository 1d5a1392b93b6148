"""One sandbox for the app and the command line (issue 7, part 7).

`oss-cdn sandbox serve` records itself (0600, in a 0700 directory); `check --sandbox` in
another process, and the app, attach to it; a stale record is ignored; `check` never
falls back to the sandbox for want of credentials. HOME and the XDG directories point at
temporary ones: nothing touches the user's files.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.helpers import PROXY_VARS, served_sandbox
from tests.pilot import sandbox_app, wait_for
from tui.sandbox import shared
from tui.services.facade import Services
from tui.services.models import Source
from tui.services.profile import sandbox_profile

pytestmark = pytest.mark.slow  # runs oss-cdn as processes

ROOT = Path(__file__).parent.parent


@pytest.fixture
def user(tmp_path, monkeypatch):
    """A user with an empty home and a runtime directory of their own; the environment
    the commands of this test run in (no credentials, no proxy)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ALIBABA_CLOUD_") and k not in PROXY_VARS
    }
    env.update(
        HOME=str(home),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_RUNTIME_DIR=str(tmp_path / "xdg-run"),
        OSS_CDN_RUNTIME_DIR=str(tmp_path / "run"),
        ALIBABA_CLOUD_ECS_METADATA_DISABLED="true",
    )
    for name in ("HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "OSS_CDN_RUNTIME_DIR"):
        monkeypatch.setenv(name, env[name])
    return env


def oss_cdn(env: dict, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui", *argv],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
        cwd=ROOT,
    )


@pytest.fixture
def served(user):
    with served_sandbox(user) as both:
        yield both


async def test_a_domain_added_in_the_served_sandbox_is_found_by_check_in_another_process(
    user, served
):
    process, info = served
    path = Path(user["OSS_CDN_RUNTIME_DIR"]) / "sandbox.json"
    # The record: the serve --json object and the pid, the user's alone.
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text()) == {**info, "pid": process.pid}

    running = shared.find_running()
    assert running is not None and running["pid"] == process.pid
    services = Services(sandbox_profile(running, shared=True))
    await services.cdn.add_domain(
        "shared.example.com",
        "web",
        [Source("oss", "demo-assets.oss-cn-hangzhou.aliyuncs.com")],
        scope="overseas",
    )
    cname = (await services.cdn.domain("shared.example.com")).cname
    assert cname

    done = oss_cdn(user, "check", "--sandbox", "shared.example.com", "--json")
    assert done.returncode in (0, 1), done.stdout + done.stderr  # found: not yet, or done
    report = json.loads(done.stdout)
    assert report["domain"] == "shared.example.com" and report["expected"] == cname
    assert f"check: using the shared sandbox (pid {process.pid})" in done.stderr
    assert info["access_key_secret"] not in done.stdout + done.stderr

    # Stopping it removes the record; the next command starts a sandbox of its own.
    process.terminate()
    assert process.wait(timeout=10) == 0
    assert not path.exists()
    done = oss_cdn(user, "--sandbox", "check", "shared.example.com", "--json")
    assert done.returncode == 2
    assert json.loads(done.stdout)["error"]["code"] == "InvalidDomain.NotFound"
    assert "a sandbox of its own" in done.stderr


def test_check_without_credentials_exits_2_and_says_how_to_give_them(user):
    done = oss_cdn(user, "check", "img.example.com", "--json")
    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert error["code"] == "CredentialsNotFound"
    for hint in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "aliyun configure", "--profile", "--sandbox"):
        assert hint in error["message"]
    assert "sandbox of its own" not in done.stderr  # it did not check a made-up world

    done = oss_cdn(user, "check", "img.example.com")  # the same, for people
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("oss-cdn check: no Alibaba Cloud credentials found.")


def test_a_corrupt_cli_config_is_reported_not_replaced_by_the_sandbox(user):
    config = Path(user["HOME"]) / ".aliyun" / "config.json"
    config.parent.mkdir()
    config.write_text(
        '{"current": "dev", "profiles": [{"name": "dev", "access_key_secret": "devSecretValue0123"',
        encoding="utf-8",
    )
    done = oss_cdn(user, "check", "img.example.com", "--json")
    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert error["code"] == "CredentialsInvalid"
    assert str(config) in error["message"] and "not valid JSON (line 1" in error["message"]
    assert "devSecretValue0123" not in done.stdout + done.stderr

    # The app's way in (tui.launch.connect) reports it too, where no credentials at all
    # would have given the sandbox.
    code = (
        "from tui.launch import LaunchOptions, connect\n"
        "try:\n    profile, box = connect(LaunchOptions())\n"
        "except Exception as e:\n    print(type(e).__name__, e)\n"
        "else:\n    print('connected', profile.label); box.stop()\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=user, cwd=ROOT, timeout=60
    )
    assert run.stdout.startswith("CredentialsInvalid "), run.stdout + run.stderr
    config.unlink()
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=user, cwd=ROOT, timeout=60
    )
    assert run.stdout.strip() == "connected SANDBOX (own)", run.stdout + run.stderr


@pytest.mark.parametrize(
    "config, problem",
    [
        (
            {"current": "prod", "profiles": [{"name": "dev", "mode": "AK"}]},
            "has no profile named 'prod'",
        ),
        (
            {"current": "dev", "profiles": [{"name": "dev", "mode": "AK"}]},
            "has a profile 'dev' without usable keys or token",
        ),
        ([1, 2], "is not a JSON object"),
    ],
)
def test_what_is_wrong_with_the_cli_config_is_said(user, config, problem):
    from tui.services.credentials import cli_config_problem

    path = Path(user["HOME"]) / ".aliyun" / "config.json"
    path.parent.mkdir()
    path.write_text(json.dumps(config), encoding="utf-8")
    assert cli_config_problem() == problem
    path.write_text(json.dumps({"current": "", "profiles": []}), encoding="utf-8")
    assert cli_config_problem() is None  # nothing configured: not an error


def test_usage_errors_are_json_too_with_json(user):
    done = oss_cdn(user, "check", "img.example.com", "--json", "--timeout", "0")
    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert error["code"] == "UsageError" and "--timeout" in error["message"]
    assert "error:" in done.stderr


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_stale_record_is_ignored_and_one_of_a_dead_process_removed(user, sandbox):
    info = sandbox.info
    path = shared.record(info, dead_pid())
    assert path == Path(user["OSS_CDN_RUNTIME_DIR"]) / "sandbox.json"
    assert shared.find_running() is None
    assert not path.exists()

    # Alive, but nobody answers at its endpoint: not used (and left alone).
    path = shared.record({**info, "cdn_endpoint": f"127.0.0.1:{closed_port()}"}, os.getpid())
    assert shared.find_running() is None and path.exists()
    # Alive and answering, but a sandbox of another run (it does not know the key).
    shared.record({**info, "access_key_id": "FAKE-another-run"}, os.getpid())
    assert shared.find_running() is None
    # The real thing.
    shared.record(info, os.getpid())
    assert shared.find_running()["cdn_endpoint"] == info["cdn_endpoint"]
    # Never probed off this machine.
    assert not shared.answers("192.0.2.1:80", info["access_key_id"])


def test_a_record_others_could_read_or_write_is_not_trusted(user, sandbox):
    path = shared.record(sandbox.info, os.getpid())
    assert shared.read(path) is not None
    os.chmod(path, 0o644)
    assert shared.read(path) is None and shared.find_running() is None
    path.unlink()
    (path.parent / "elsewhere.json").write_text("{}")
    path.symlink_to(path.parent / "elsewhere.json")
    assert shared.read(path) is None


def test_the_record_directory_is_made_private_and_falls_back_in_order(user, sandbox, monkeypatch):
    run = Path(user["OSS_CDN_RUNTIME_DIR"])
    run.mkdir(mode=0o755)
    os.chmod(run, 0o755)
    shared.record(sandbox.info, os.getpid())
    assert stat.S_IMODE(run.stat().st_mode) == 0o700

    monkeypatch.delenv("OSS_CDN_RUNTIME_DIR")
    xdg = Path(user["XDG_RUNTIME_DIR"])
    state = Path(user["XDG_STATE_HOME"])
    assert shared.candidate_dirs()[:2] == [xdg / "oss-cdn", state / "oss-cdn" / "run"]
    assert shared.candidate_dirs()[2].name == f"oss-cdn-{os.getuid()}"
    xdg.write_text("not a directory")  # XDG_RUNTIME_DIR unusable: the state directory
    path = shared.record(sandbox.info, os.getpid())
    assert path == state / "oss-cdn" / "run" / "sandbox.json"
    assert shared.find_running()["pid"] == os.getpid()
    shared.forget(path, os.getpid() + 1)  # not its record: kept
    assert path.exists()
    shared.forget(path, os.getpid())
    assert not path.exists()


async def test_the_app_attaches_to_the_shared_sandbox_and_says_so(user, sandbox):
    from tui.widgets.header import AppHeader

    shared.record(sandbox.info, os.getpid())
    sandbox.world.add_domain(
        "only-in-shared.example.com",
        "web",
        [
            {
                "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
                "type": "oss",
                "port": 80,
                "priority": "20",
                "weight": "10",
            }
        ],
        "overseas",
        status="online",
    )
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = await wait_for(
            pilot,
            lambda: (
                app.services is not None
                and (app.screen.query_one(DataTable).row_count and app.screen.query_one(DataTable))
            ),
            what="the domain list",
        )
        label = f"SANDBOX (shared, pid {os.getpid()})"
        assert app.sub_title == label
        assert app.profile.sandbox_speed == sandbox.speed  # its clock, for pacing polls
        await wait_for(
            pilot,
            lambda: label in str(app.screen.query_one(AppHeader).query_one("HeaderTitle").render()),
            what="the header",
        )
        names = {str(table.get_row(key)[0]) for key in table.rows}
        assert "only-in-shared.example.com" in names
    # Leaving the app leaves the shared sandbox running.
    assert shared.answers(sandbox.info["cdn_endpoint"], sandbox.info["access_key_id"])


async def test_without_a_shared_sandbox_the_app_runs_its_own_and_says_so(user):
    from tui.widgets.header import AppHeader

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.services is not None, what="the connection")
        assert app.sub_title == "SANDBOX (own)"
        await wait_for(
            pilot,
            lambda: (
                "SANDBOX (own)"
                in str(app.screen.query_one(AppHeader).query_one("HeaderTitle").render())
            ),
            what="the header",
        )
        assert app.sandbox.world is not None  # its own, in this process
