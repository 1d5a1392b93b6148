"""Helpers shared by tests that run the command line, a served sandbox or the app in a real
terminal (Pilot helpers are in tests/pilot.py). Test modules import helpers from these two
modules, never from one another."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from contextlib import contextmanager
from pathlib import Path

import pytest

from tui.check import add_check_parser, run_check
from tui.fetch import add_fetch_parser, run_fetch

# -- `oss-cdn check`, in-process ------------------------------------------------------------


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="oss-cdn")
    add_check_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["check", *argv])


def check(profile, capsys, *argv: str) -> tuple[int, str, str]:
    status = run_check(parse(*argv), profile=profile)
    out, err = capsys.readouterr()
    return status, out, err


def parse_fetch(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="oss-cdn")
    add_fetch_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["fetch", *argv])


def fetch(profile, capsys, *argv: str) -> tuple[int, str, str]:
    """`oss-cdn fetch ARGV` in-process against `profile`: (exit status, stdout, stderr)."""
    status = run_fetch(parse_fetch(*argv), profile=profile)
    out, err = capsys.readouterr()
    return status, out, err


# -- `oss-cdn sandbox serve`, as a process -----------------------------------------------

ROOT = Path(__file__).resolve().parent.parent  # where `python -m tui` runs
PROXY_VARS = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
STARTUP_TIMEOUT = 30.0  # seconds for `serve` to print its JSON line


def first_line(process: subprocess.Popen, timeout: float) -> str:
    """The process's first line of output; fails the test, never hangs, when none comes."""
    with ThreadPoolExecutor(1) as pool:
        line = pool.submit(process.stdout.readline)
        try:
            text = line.result(timeout)
        except FuturesTimeout:
            process.kill()  # closes the pipe: the reading thread returns
            pytest.fail(f"`oss-cdn sandbox serve --json` printed nothing in {timeout:g} s")
    if not text:
        pytest.fail(f"`oss-cdn sandbox serve --json` exited ({process.wait()}) silently")
    return text


@contextmanager
def served_sandbox(env: dict[str, str] | None = None, *options: str):
    """`oss-cdn sandbox serve --json` (at speed 1000, plus `options`) in a process of its
    own: (the process, the JSON it printed). Stopped on the way out."""
    command = [sys.executable, "-m", "tui", "sandbox", "serve", "--json", "--sandbox-speed"]
    process = subprocess.Popen(
        [*command, "1000", *options],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        yield process, json.loads(first_line(process, STARTUP_TIMEOUT))
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
        process.stdout.close()


# -- the app in a real terminal (tmux at 80x24) -------------------------------------------


class Tmux:
    """One tmux server on a private socket, one window running the app."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "app")

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", "app", "-l", text)

    def press(self, key: str) -> None:
        self.run("send-keys", "-t", "app", key)

    def wait(self, condition, what: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if condition(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen:\n{screen}")
            time.sleep(0.05)


@contextmanager
def app_in_tmux():
    tmux = Tmux(f"oss-cdn-test-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    command = f"exec {sys.executable} -m tui --sandbox"  # the pane's process is the app
    env = [
        "-e",
        f"XDG_CONFIG_HOME={os.environ['XDG_CONFIG_HOME']}",
        "-e",
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true",
    ]
    tmux.run(
        "new-session", "-d", "-x", "80", "-y", "24", "-s", "app", *env, "-c", os.getcwd(), command
    )
    path = tmux.run("display-message", "-p", "#{socket_path}").strip()
    try:
        yield tmux
    finally:
        subprocess.run(["tmux", "-L", tmux.socket, "kill-server"], capture_output=True, timeout=30)
        if path and os.path.exists(path):  # tmux leaves its socket file behind
            os.unlink(path)


# -- the sandbox's world, set up for CDN's own checks -----------------------------------------

ASSETS_ORIGIN = {
    "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
    "type": "oss",
    "port": 80,
    "priority": "20",
    "weight": "10",
}


def serve_root_through_cdn(world, root: str) -> None:
    """Make `root` a CDN domain of the world, on demo-assets (public-read), its name a
    CNAME to its CDN target: http://<root>/ then leads to the sandbox's edge, where
    CDN's fileCheck and the app's own check fetch verification.html. Set up in the world
    directly (CDN would want the root verified first)."""
    from tui.sandbox.world import cname_for

    world.add_domain(root, "web", [dict(ASSETS_ORIGIN)], "overseas", status="online")
    if world.zone_for(root) is None:
        world.add_zone(root, hosted_in_alidns=False)
    for record in world.current_records(root):
        if record.rr == "@" and record.type == "A":
            world.delete_record(record.record_id)
    world.add_record(root, "@", "CNAME", cname_for(root))


def sdk_config(info: dict, endpoint: str):
    """A tea SDK Config for the sandbox's `endpoint` ("cdn_endpoint", "dns_api_endpoint")."""
    from alibabacloud_tea_openapi.models import Config

    return Config(
        access_key_id=info["access_key_id"],
        access_key_secret=info["access_key_secret"],
        endpoint=info[endpoint],
        protocol="http",
        region_id="cn-hangzhou",
        read_timeout=3000,
    )


# -- `oss-cdn onboard`, in-process --------------------------------------------------------


def parse_onboard(*argv: str) -> argparse.Namespace:
    from tui.onboard import add_onboard_parser

    parser = argparse.ArgumentParser(prog="oss-cdn")
    add_onboard_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["onboard", *argv])


def onboard(profile, capsys, *argv: str) -> tuple[int, str, str]:
    """`oss-cdn onboard ARGV` in-process against `profile`: (exit status, stdout, stderr)."""
    from tui.onboard import run_onboard

    status = run_onboard(parse_onboard(*argv), profile=profile)
    out, err = capsys.readouterr()
    return status, out, err
