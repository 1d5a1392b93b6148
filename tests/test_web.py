"""`oss-cdn web`: what each tab's app is started with (pure, property-tested), and the real
thing in a process of its own on loopback: the page, its websocket, its stop, its refusal
to serve real credentials unasked, and a crashing app told instead of hidden."""

import asyncio
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
import textual_serve
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import ROOT
from tests.served import clean_env, in_groups, serve_web, wait_gone
from tui.cli import build_parser
from tui.web import (
    Refused,
    app_command,
    app_options,
    is_loopback,
    port_taken,
    shell_command,
    url_for,
)

FAKE_SECRET = "fake-secret-never-sent-0123456789"  # nothing is sent: web refuses first


PARSER = build_parser()  # parsing leaves it as it was: one for every example


def web_args(*argv: str):
    return PARSER.parse_args(["web", *argv])


def command_argv(*argv: str, credentials: bool = False) -> list[str]:
    command, _ = app_command(web_args(*argv), credentials)
    return shlex.split(command)


# -- what each tab runs ----------------------------------------------------------------


def test_the_sandbox_is_served_without_credentials():
    argv = command_argv()
    assert argv[:3] == [sys.executable, "-m", "tui"]
    assert "--sandbox" in argv and "--read-only" not in argv


def test_credentials_found_are_refused_unless_allowed():
    with pytest.raises(Refused) as refused:
        command_argv(credentials=True)
    assert "--allow-credentials" in str(refused.value)
    assert "--sandbox" in str(refused.value)


def test_allowed_credentials_are_read_only_unless_writes_are_allowed():
    argv = command_argv("--allow-credentials", "--region", "cn-shanghai", credentials=True)
    assert "--read-only" in argv and "--sandbox" not in argv
    assert "--region=cn-shanghai" in argv
    writes = command_argv("--allow-credentials", "--allow-writes", credentials=True)
    assert "--read-only" not in writes and "--sandbox" not in writes


def test_sandbox_asked_is_served_whatever_credentials_are_found():
    argv = command_argv("--sandbox", credentials=True)
    assert argv.count("--sandbox") == 1 and "--read-only" not in argv


def test_read_only_asked_stays_with_the_sandbox_too(monkeypatch):
    monkeypatch.delenv("OSS_CDN_READ_ONLY", raising=False)
    assert "--read-only" in command_argv("--read-only")
    monkeypatch.setenv("OSS_CDN_READ_ONLY", "1")
    assert "--read-only" in command_argv()


def test_loopback_is_told_from_other_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert not is_loopback("demo.example.com")
    assert url_for("::1", 8000) == "http://[::1]:8000/"


@pytest.mark.slow
def test_a_port_in_use_is_refused_before_anything_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert port_taken("127.0.0.1", port)
        done = subprocess.run(
            [sys.executable, "-m", "tui", "web", "--port", str(port)],
            capture_output=True,
            text=True,
            env=clean_env(tmp_path),
            cwd=ROOT,
            timeout=60,
        )
    assert done.returncode == 2 and done.stdout == ""
    assert f"cannot serve on 127.0.0.1:{port}" in done.stderr


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\x00"))))
def test_the_shell_string_splits_back_to_the_same_argv(argv):
    assert shlex.split(shell_command(argv)) == argv


APP_OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "--region": st.text(alphabet=st.characters(blacklist_characters="\x00")),
        "--profile": st.text(min_size=1, alphabet=st.characters(blacklist_characters="\x00")),
        "--sandbox-speed": st.floats(min_value=0.001, max_value=1e6),
        "--sandbox-quota": st.integers(min_value=0, max_value=10**6),
        "--sandbox-deny": st.lists(
            st.sampled_from(["cdn:AddCdnDomain", "alidns:DescribeDomains", "oss:ListBuckets"]),
            min_size=1,
        ),
        "--sandbox": st.just(True),
        "--read-only": st.just(True),
    },
)


@settings(deadline=None)  # no timing in tests: a loaded machine parses slowly at times
@given(APP_OPTIONS)
def test_the_app_options_given_to_web_reach_the_app_unchanged(options):
    argv = []
    for option, value in options.items():
        if value is True:
            argv.append(option)
        elif isinstance(value, list):
            argv += [f"{option}={item}" for item in value]
        else:
            argv.append(f"{option}={value}")
    args = web_args(*argv)
    passed = app_options(args, args.app_actions)
    app = PARSER.parse_args(passed)
    assert app.command is None  # the app itself, not a subcommand
    for action in args.app_actions:
        assert getattr(app, action.dest) == getattr(args, action.dest), action.dest


def test_app_options_given_before_web_are_passed_on_too(monkeypatch):
    monkeypatch.delenv("OSS_CDN_READ_ONLY", raising=False)
    args = build_parser().parse_args(["--read-only", "--region", "cn-beijing", "web"])
    command, mode = app_command(args, credentials_found=False)
    assert mode.read_only
    assert {"--read-only", "--region=cn-beijing"} <= set(shlex.split(command))


def test_web_takes_every_option_of_the_app():
    parser = build_parser()
    app = {s for a in parser._actions if a.option_strings for s in a.option_strings}
    app -= {"-h", "--help", "--version"}
    args = web_args()
    assert app == {s for a in args.app_actions for s in a.option_strings}


# -- our copy of textual-serve's page -----------------------------------------------------

OURS = ROOT / "tui" / "web_templates" / "app_index.html"
THEIRS = Path(textual_serve.__file__).parent / "templates" / "app_index.html"


def test_our_page_template_is_textual_serves_with_only_the_font_changed():
    ours = OURS.read_text()
    theirs = THEIRS.read_text()
    web_font = re.compile(r'\s*<link\s+rel="stylesheet"\s+href="https://fonts\.[^"]*"\s*/>')
    assert len(web_font.findall(theirs)) == 1, "textual-serve's page changed: compare anew"
    ours_rest = re.sub(r"\n<!--\n  oss-cdn's copy.*?-->", "", ours, count=1, flags=re.S)
    ours_rest = re.sub(r"\s*<!-- oss-cdn:.*?<!-- /oss-cdn -->", "", ours_rest, flags=re.S)
    assert ours_rest == web_font.sub("", theirs)
    assert "https://" not in ours and "fonts/RobotoMono-VariableFont_wght.ttf" in ours
    static_fonts = Path(textual_serve.__file__).parent / "static" / "fonts"
    assert (static_fonts / "RobotoMono-VariableFont_wght.ttf").is_file()


# -- the real thing, on loopback ------------------------------------------------------------

NOT_FETCHED = re.compile(r'\sxmlns="[^"]*"')  # an SVG namespace name is never requested


def urls_in(page: str) -> list[str]:
    return re.findall(r"[a-zA-Z][a-zA-Z+.-]*://[^\s\"'()<>]+", NOT_FETCHED.sub("", page))


def get(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
    with opener.open(url, timeout=30) as answer:
        return answer.status, answer.read()


@asynccontextmanager
async def tab(ws_url: str):
    """A tab's websocket, as the page opens it: the server starts one app process for it."""
    async with (
        aiohttp.ClientSession(trust_env=False) as session,
        session.ws_connect(ws_url) as ws,
    ):
        yield ws


async def read_until(ws, wanted: bytes, timeout: float = 90.0) -> bytes:
    """The app's output, read until `wanted` shows."""
    received = b""
    deadline = time.monotonic() + timeout
    while wanted not in received:
        message = await ws.receive(timeout=max(0.1, deadline - time.monotonic()))
        if message.type != aiohttp.WSMsgType.BINARY:
            pytest.fail(f"the app's websocket ended ({message.type}) before {wanted!r}")
        received += message.data
    return received


@pytest.mark.slow
async def test_web_serves_the_page_and_the_app_on_loopback_and_stops_them_all(tmp_path):
    with serve_web(tmp_path) as served:
        assert served.url.startswith("http://127.0.0.1:")
        assert "each tab runs the app against the sandbox" in served.output()
        status, body = get(served.url)
        page = body.decode()
        assert status == 200 and 'id="terminal"' in page
        server = urlsplit(served.url).netloc
        urls = urls_in(page)
        assert f"ws://{server}/ws" in urls
        assert {urlsplit(u).netloc for u in urls} == {server}, urls
        assert any(u.endswith("/static/fonts/RobotoMono-VariableFont_wght.ttf") for u in urls)
        status, font = get(f"http://{server}/static/fonts/RobotoMono-VariableFont_wght.ttf")
        assert status == 200 and font[:4] == b"\x00\x01\x00\x00"  # a TrueType font

        groups = served.server_groups()
        assert len(groups) == 1
        async with tab(f"ws://{server}/ws") as ws:
            await read_until(ws, b"SANDBOX")  # the app painted its header
            assert len(in_groups(groups)) >= 2, "the server and the tab's app"
            code = served.stop()  # Ctrl+C with a tab still open
    assert code == 0
    wait_gone(groups)


@pytest.mark.slow
def test_web_refuses_to_serve_credentials_found_unless_allowed(tmp_path):
    env = clean_env(
        tmp_path,
        ALIBABA_CLOUD_ACCESS_KEY_ID="LTAIfakefakefake",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=FAKE_SECRET,
    )
    done = subprocess.run(
        [sys.executable, "-m", "tui", "web", "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""  # no URL: nothing was served
    (line,) = done.stderr.splitlines()
    assert "credentials were found" in line and "whoever reaches the page" in line
    assert "--allow-credentials" in line and "--sandbox" in line
    assert FAKE_SECRET not in done.stderr and "LTAIfake" not in done.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
async def test_an_app_that_dies_is_logged_and_its_page_closed(tmp_path):
    crash = "import sys; sys.stderr.write('boom: the app fell over\\n'); sys.exit(3)"
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tui.web_server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--command",
            shell_command([sys.executable, "-c", crash]),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=clean_env(tmp_path, COLUMNS="200"),  # rich wraps its log lines at the width
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no server"
                await asyncio.sleep(0.1)
        async with (
            aiohttp.ClientSession(trust_env=False) as session,
            session.ws_connect(f"ws://127.0.0.1:{port}/ws") as ws,
        ):
            # Closed by the server (the page shows "Session ended."), not left hanging.
            message = await ws.receive(timeout=90)
            assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    text = output.decode()
    assert "boom: the app fell over" in text
    assert "the app ended with exit code 3" in text
