"""What start-up does before the list paints, and what it leaves for later.

Without credentials the app says SANDBOX without loading the credentials library (the
check of the chain's sources reads only the environment and whether files exist); the
sandbox's DNS servers may start after its HTTP side, but anything that asks them waits.
"""

from __future__ import annotations

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
