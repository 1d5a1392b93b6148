"""`oss-cdn web`: what each tab's app is started with (pure, property-tested), and the real
thing in a process of its own on loopback: the page, its websocket, its stop (Ctrl+C,
SIGHUP, or killed outright), its refusal to serve real credentials unasked or another
site's page, and a crashing app told instead of hidden."""

import asyncio
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
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
    public_url,
    serving,
    shell_command,
    url_for,
)
from tui.web_server import SameSite, crashed

FAKE_SECRET = "fake-secret-never-sent-0123456789"  # nothing is sent: web refuses first
FAKE_KEY_ID = "fake-key-id-never-sent"


PARSER = build_parser()  # parsing leaves it as it was: one for every example


def web_args(*argv: str):
    return PARSER.parse_args(["web", *argv])


def command_argv(*argv: str, credentials: bool = False) -> list[str]:
    """The app's argv in the command each tab runs (after its `exec`)."""
    command, _ = app_command(web_args(*argv), credentials)
    exec_, *app = shlex.split(command)
    assert exec_ == "exec"  # the app replaces the shell: the server's signals reach it
    return app


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


@pytest.mark.parametrize("credentials", [False, True])
@pytest.mark.parametrize(
    "options", [(), ("--allow-credentials",), ("--allow-credentials", "--allow-writes")]
)
def test_the_tour_serves_the_sandbox_whatever_credentials_are_found(
    monkeypatch, credentials, options
):
    monkeypatch.delenv("OSS_CDN_READ_ONLY", raising=False)
    command, mode = app_command(web_args("--tour", *options), credentials)
    app = shlex.split(command)[1:]
    assert mode.sandbox and not mode.read_only
    assert "--tour" in app and "--sandbox" in app and "--read-only" not in app


def test_the_tour_read_only_is_refused_before_anything_starts(monkeypatch):
    monkeypatch.delenv("OSS_CDN_READ_ONLY", raising=False)
    with pytest.raises(Refused, match=r"--tour .* cannot run read-only"):
        app_command(web_args("--tour", "--read-only"), credentials_found=False)
    monkeypatch.setenv("OSS_CDN_READ_ONLY", "1")
    with pytest.raises(Refused, match="OSS_CDN_READ_ONLY"):
        app_command(web_args("--tour"), credentials_found=True)
    with pytest.raises(Refused):
        serving(
            False,
            sandbox=True,
            allow_credentials=False,
            allow_writes=False,
            read_only=True,
            tour=True,
        )


def test_a_wildcard_bind_needs_the_public_url():
    for host in ("0.0.0.0", "::"):
        with pytest.raises(Refused, match="--public-url") as refused:
            public_url(web_args("--host", host), 8000)
        assert f"--host {host} binds every address" in str(refused.value)
        given = web_args("--host", host, "--public-url", "http://192.0.2.10:8000/")
        assert public_url(given, 8000) == "http://192.0.2.10:8000/"
    assert public_url(web_args("--host", "::1"), 8001) == "http://[::1]:8001/"
    assert public_url(web_args(), 8002) == "http://127.0.0.1:8002/"


@pytest.mark.parametrize("url", ["demo.example.com", "ftp://demo.example.com/", "http://:80/"])
def test_a_public_url_that_is_no_web_address_is_a_usage_error(url, capsys):
    with pytest.raises(SystemExit) as exited:
        web_args("--public-url", url)
    assert exited.value.code == 2
    assert "not an http:// or https:// URL" in capsys.readouterr().err


def test_the_page_answers_only_at_its_own_address():
    ours = SameSite.serving("http://127.0.0.1:8000/", "127.0.0.1", 8000)
    assert ours.host_allowed("127.0.0.1:8000") and ours.origin_allowed("http://127.0.0.1:8000")
    assert ours.host_allowed("localhost:8000") and ours.origin_allowed("http://localhost:8000")
    for host in ("evil.example:8000", "127.0.0.1:8001", "127.0.0.1", "", None, "x:y"):
        assert not ours.host_allowed(host), host
    for origin in (
        "http://evil.example",
        "http://127.0.0.1:8001",
        "https://127.0.0.1:8000",
        "null",
        "",
        None,
        "http://127.0.0.1:8000/path",
    ):
        assert not ours.origin_allowed(origin), origin
    # Behind a proxy: its public address (default port or not), and the bound one.
    proxied = SameSite.serving("https://Demo.Example.com/oss/", "127.0.0.1", 8000)
    assert proxied.host_allowed("demo.example.com") and proxied.host_allowed("127.0.0.1:8000")
    assert proxied.host_allowed("demo.example.com:443")
    assert proxied.origin_allowed("https://demo.example.com")
    assert not proxied.origin_allowed("http://demo.example.com")
    ipv6 = SameSite.serving("http://[::1]:8000/", "::1", 8000)
    assert ipv6.host_allowed("[::1]:8000") and ipv6.origin_allowed("http://[::1]:8000")


@given(st.text())
def test_no_other_host_or_origin_passes(text):
    ours = SameSite.serving("http://127.0.0.1:8000/", "127.0.0.1", 8000)
    allowed = {"127.0.0.1:8000", "localhost:8000"}
    assert ours.host_allowed(text) == (text.lower() in allowed)
    assert ours.origin_allowed(text) == (text.lower() in {f"http://{a}" for a in allowed})


def test_an_app_stopped_by_a_signal_is_no_crash():
    assert crashed(1, stopping=False) and crashed(3, stopping=True)  # its own error exit
    assert crashed(-signal.SIGSEGV, stopping=False) and crashed(-signal.SIGKILL, stopping=False)
    assert not crashed(0, stopping=False)
    assert crashed(128 + signal.SIGSEGV, stopping=False)  # as a shell reports it
    for stop in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        # Python's default (-N), or the app's own exit on SIGTERM/SIGHUP (128+N).
        assert not crashed(-stop, stopping=False) and not crashed(128 + stop, stopping=False)
    assert not crashed(-signal.SIGKILL, stopping=True)  # the server's stop, after its grace
    assert crashed(2, stopping=True)  # an error exit is one, stopping or not


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


def ws_url(served) -> str:
    return f"ws://{urlsplit(served.url).netloc}/ws"


@asynccontextmanager
async def tab(served, **headers: str):
    """A tab's websocket, as the page opens it (with its Origin, as browsers send it): the
    server starts one app process for it."""
    async with (
        aiohttp.ClientSession(trust_env=False) as session,
        session.ws_connect(ws_url(served), origin=served.origin, headers=headers) as ws,
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
        served.wait_for_output("each tab runs the app against the sandbox")
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
        async with tab(served) as ws:
            await read_until(ws, b"SANDBOX")  # the app painted its header
            assert len(in_groups(groups)) >= 2, "the server and the tab's app"
            code = served.stop()  # Ctrl+C with a tab still open
        assert code == 0
        wait_gone(groups)  # by `oss-cdn web`'s own stop: serve_web's clean-up is yet to come
    # The app it stopped did not crash: no "the app ended with exit code -15".
    assert "exit code" not in served.output(), served.output()


@pytest.mark.slow
async def test_another_sites_page_or_name_gets_nothing(tmp_path):
    # Any page the presenter visits could open ws://127.0.0.1:PORT/ws and drive the app;
    # a DNS name rebound to 127.0.0.1 could read the page.
    with serve_web(tmp_path) as served:
        groups = served.server_groups()
        netloc = urlsplit(served.url).netloc
        port = urlsplit(served.url).port
        for origin, host in (
            ("http://evil.example", netloc),  # another site's page
            (None, netloc),  # no Origin: no browser's websocket
            (served.origin, f"evil.example:{port}"),  # a rebound name
        ):
            headers = {"Host": host} if host != netloc else {}
            async with aiohttp.ClientSession(trust_env=False) as session:
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await session.ws_connect(ws_url(served), origin=origin, headers=headers)
            assert refused.value.status == 403, (origin, host)
        request = urllib.request.Request(served.url, headers={"Host": f"evil.example:{port}"})
        with pytest.raises(urllib.error.HTTPError) as refused_page:
            urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=30)
        assert refused_page.value.code == 403
        assert in_groups(groups) == [next(iter(groups))], "no app started for them"
        # Ours is served.
        async with tab(served) as ws:
            await read_until(ws, b"SANDBOX")
    assert "refused a request from another site: Host 'evil.example:" in served.output()


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGKILL])
async def test_a_closed_terminal_or_a_killed_web_leaves_no_server_or_app(tmp_path, signum):
    # SIGHUP: the terminal closed, an SSH session dropped. SIGKILL: no clean-up at all;
    # the server, in a session of its own, sees its stdin end and ends its group itself.
    with serve_web(tmp_path) as served:
        groups = served.server_groups()
        async with tab(served) as ws:
            await read_until(ws, b"SANDBOX")
            assert len(in_groups(groups)) >= 2, "the server and the tab's app"
            code = served.stop(signum)
        assert code == (0 if signum == signal.SIGHUP else -signal.SIGKILL)
        wait_gone(groups)


@pytest.mark.slow
def test_web_refuses_to_serve_credentials_found_unless_allowed(tmp_path):
    env = clean_env(
        tmp_path,
        ALIBABA_CLOUD_ACCESS_KEY_ID=FAKE_KEY_ID,
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
    assert FAKE_SECRET not in done.stderr and FAKE_KEY_ID not in done.stderr


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
            "exec " + shell_command([sys.executable, "-c", crash]),
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
            session.ws_connect(
                f"ws://127.0.0.1:{port}/ws", origin=f"http://127.0.0.1:{port}"
            ) as ws,
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
