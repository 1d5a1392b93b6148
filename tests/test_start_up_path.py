"""What start-up does before the list paints, and what it leaves for later.

Without credentials the app says SANDBOX without loading the credentials library (the
check of the chain's sources reads only the environment and whether files exist); the
sandbox's DNS servers may start after its HTTP side, but anything that asks them waits.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui.services import credentials
from tui.services.credentials import credential_sources, resolve_profile
from tui.services.errors import CredentialsInvalid, CredentialsNotFound

ROOT = Path(__file__).resolve().parent.parent
CHAIN_VARIABLES = (
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    "ALIBABA_CLOUD_ROLE_ARN",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_CLI_PROFILE_DISABLED",
    "ALIBABA_CLOUD_CREDENTIALS_FILE",
    "ALIBABA_CLOUD_CREDENTIALS_URI",
)


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    """A home with nothing in it, no chain variable set, ECS metadata disabled."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
    for name in CHAIN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    # The library, when a test before this one loaded it, looks in the home it had then.
    monkeypatch.delitem(sys.modules, "alibabacloud_credentials.utils.auth_constant", raising=False)
    return tmp_path


def test_an_empty_home_has_no_source(empty_home):
    assert credential_sources() == []


@pytest.mark.parametrize(
    ("variables", "step"),
    [
        ({"ALIBABA_CLOUD_ACCESS_KEY_ID": "FAKEenv0000000000000"}, "env"),
        (
            {
                "ALIBABA_CLOUD_OIDC_TOKEN_FILE": "/token",
                "ALIBABA_CLOUD_ROLE_ARN": "acs:ram::1:role/r",
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "acs:ram::1:oidc-provider/p",
            },
            "oidc_role_arn",
        ),
        ({"ALIBABA_CLOUD_ECS_METADATA_DISABLED": "false"}, "ecs_ram_role"),
        ({"ALIBABA_CLOUD_CREDENTIALS_URI": "http://127.0.0.1:9/creds"}, "credential_uri"),
    ],
)
def test_each_variable_of_the_chain_is_a_source(empty_home, monkeypatch, variables, step):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert credential_sources() == [step]


def test_oidc_needs_all_three_variables(empty_home, monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/token")
    monkeypatch.setenv("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/r")
    assert credential_sources() == []  # the library leaves OIDC out of its chain


def test_the_files_of_the_chain_are_sources(empty_home, monkeypatch):
    (empty_home / ".aliyun").mkdir()
    (empty_home / ".aliyun" / "config.json").write_text("{}")
    assert credential_sources() == ["cli_profile"]
    monkeypatch.setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
    assert credential_sources() == []
    (empty_home / ".alibabacloud").mkdir()
    (empty_home / ".alibabacloud" / "credentials.ini").write_text("[default]\n")
    assert credential_sources() == ["profile"]
    monkeypatch.setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", str(empty_home / "elsewhere.ini"))
    assert credential_sources() == []  # the variable replaces the default file
    (empty_home / "elsewhere.ini").write_text("[default]\n")
    assert credential_sources() == ["profile"]


def test_nothing_found_says_where_it_looked(empty_home):
    with pytest.raises(CredentialsNotFound) as caught:
        resolve_profile(None, None)
    assert str(caught.value) == credentials.NOTHING_FOUND


def test_a_broken_cli_config_is_still_reported(empty_home):
    # A file is there: the library is asked, and the file's problem is told.
    (empty_home / ".aliyun").mkdir()
    config = empty_home / ".aliyun" / "config.json"
    config.write_text(json.dumps({"current": "dev", "profiles": [{"name": "other"}]}))
    with pytest.raises(CredentialsInvalid) as caught:
        resolve_profile(None, None)
    assert "has no profile named 'dev'" in str(caught.value)


NO_CREDENTIALS_PROBE = """
import sys
from tui import launch
from tui.services.errors import CredentialsNotFound
try:
    launch.connect(launch.LaunchOptions(sandbox_fallback=False))
except CredentialsNotFound as error:
    print("not found:", error)
print("loaded:", sorted(m for m in ("alibabacloud_credentials", "aiohttp") if m in sys.modules))
"""


@pytest.mark.slow  # a fresh interpreter
def test_without_credentials_the_library_is_never_loaded(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "ALICLOUD_"))}
    env.update(HOME=str(tmp_path), ALIBABA_CLOUD_ECS_METADATA_DISABLED="true")
    done = subprocess.run(
        [sys.executable, "-c", NO_CREDENTIALS_PROBE],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines == ["not found: " + credentials.NOTHING_FOUND, "loaded: []"], done.stderr


# -- the sandbox's DNS, served after the first listing -----------------------------------

SOA = "example.com"  # a zone of the seeded world, on the authoritative server


@pytest.fixture
def deferred():
    from tui.sandbox.runner import Sandbox

    box = Sandbox(speed=1000, defer_dns=True)
    box.start()
    try:
        yield box
    finally:
        box.stop()


async def ask(address: str, name: str, *, tcp: bool = False):
    import dns.asyncquery
    import dns.message

    host, port = address.rsplit(":", 1)
    query = dns.message.make_query(name, "SOA")
    send = dns.asyncquery.tcp if tcp else dns.asyncquery.udp
    return await send(query, host, port=int(port), timeout=10)


def soa_of(response) -> list[str]:
    return [rrset.name.to_text() for rrset in response.answer]


def test_deferred_dns_is_bound_but_not_served_until_asked(deferred):
    info = deferred.info
    assert len(info["nameservers"]) == 1 and len(info["resolvers"]) == 10
    assert set(info["resolver_details"]) == set(info["resolvers"])
    assert not deferred.dns_serving.is_set()  # nothing asked, nobody told it to


async def test_a_query_right_after_start_is_answered(deferred):
    # Before finish_start(): the query waits at the bound port until the server is up.
    response = await ask(deferred.info["nameservers"][0], SOA)
    assert soa_of(response) == [SOA + "."]
    # The query started the servers (their start ends after its answer, on their loop).
    assert await asyncio.to_thread(deferred.dns_serving.wait, 30)


async def test_a_tcp_query_right_after_start_is_answered(deferred):
    response = await ask(deferred.info["resolvers"]["AliDNS"], SOA, tcp=True)
    assert soa_of(response) == [SOA + "."]


async def test_finish_start_serves_the_dns_without_a_query(deferred):
    deferred.finish_start()
    assert await asyncio.to_thread(deferred.dns_serving.wait, 30)
    response = await ask(deferred.info["resolvers"]["Google"], SOA)
    assert soa_of(response) == [SOA + "."]


def test_a_sandbox_stopped_before_its_dns_served_frees_its_ports(deferred):
    import socket

    host, port = deferred.info["nameservers"][0].rsplit(":", 1)
    deferred.stop()
    again = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        again.bind((host, int(port)))  # the sandbox's socket is closed: free again
        assert again.getsockname() == (host, int(port))
    finally:
        again.close()


DEFERRED_PROBE = """
import asyncio, sys
from tui import launch
profile, box = launch.connect(launch.LaunchOptions(sandbox=True), defer_dns=True)
print("dns loaded at start:", any(m == "dns" or m.startswith("dns.") for m in sys.modules))
import dns.asyncquery, dns.message
host, port = profile.nameservers[0].rsplit(":", 1)
query = dns.message.make_query("example.com", "SOA")
answer = asyncio.run(dns.asyncquery.udp(query, host, port=int(port), timeout=10))
print("answered:", [r.name.to_text() for r in answer.answer])
box.stop()
"""


@pytest.mark.slow  # a fresh interpreter
def test_the_app_s_sandbox_starts_without_its_dns_code_and_still_answers(tmp_path):
    env = {**os.environ, "OSS_CDN_RUNTIME_DIR": str(tmp_path)}  # no shared sandbox here
    done = subprocess.run(
        [sys.executable, "-c", DEFERRED_PROBE],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    assert done.stdout.splitlines() == [
        "dns loaded at start: False",
        "answered: ['example.com.']",
    ], done.stderr


@pytest.mark.slow  # runs the app
async def test_the_app_serves_the_sandbox_dns_once_the_list_has_painted(monkeypatch):
    import tui.app
    from tests.pilot import connected, sandbox_app, wait_for

    # Only the first listing's paint ends start-up here (not the time limit): connecting,
    # started while the list mounts, must find the list's table to watch.
    monkeypatch.setattr(tui.app, "START_UP_LIMIT", 600.0)
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        assert app.sandbox is not None and app.sandbox.defer_dns
        await wait_for(pilot, app.sandbox.dns_serving.is_set, what="the sandbox's DNS")
        assert app._started


async def test_a_deferred_dns_that_cannot_start_leaves_the_apis_serving(monkeypatch):
    from alibabacloud_cdn20180510 import models
    from alibabacloud_cdn20180510.client import Client

    from tests.helpers import sdk_config
    from tui.sandbox import dns_server
    from tui.sandbox.runner import Sandbox

    async def broken(*args, **kwargs):
        raise RuntimeError("no DNS today")

    monkeypatch.setattr(dns_server, "serve_dns", broken)
    box = Sandbox(speed=1000, defer_dns=True)
    box.start()
    try:
        box.finish_start()
        for _ in range(600):  # the sandbox's thread meets the failure
            if box.dns_failure is not None:
                break
            await asyncio.sleep(0.05)
        assert str(box.dns_failure) == "no DNS today"
        # The APIs the app already talks to still answer.
        client = Client(sdk_config(box.info, "cdn_endpoint"))
        request = models.DescribeUserDomainsRequest(check_domain_show=True)
        answer = await client.describe_user_domains_async(request)
        assert answer.body.total_count == len(box.world.domains)
    finally:
        box.stop()
