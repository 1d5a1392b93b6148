"""Credentials and region from aliyun-cli's config.json and the default chain.

HOME points at a temporary directory: no developer's real keys are read, and nothing is
sent anywhere (the ECS metadata service is disabled by conftest).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tui.services.credentials import resolve_profile
from tui.services.errors import CredentialsNotFound
from tui.services.facade import Services

DEV_SECRET = "devSecretdevSecretdevSecret123"
PROD_SECRET = "prodSecretprodSecretprodSecret"
STS_TOKEN = "CAIS-sts-token-value-0123456789"


def write_cli_config(home: Path, profiles: list[dict], current: str = "dev") -> None:
    (home / ".aliyun").mkdir(parents=True, exist_ok=True)
    (home / ".aliyun" / "config.json").write_text(
        json.dumps({"current": current, "profiles": profiles}), encoding="utf-8"
    )


def ak(name: str, key: str, secret: str, region: str = "") -> dict:
    profile = {"name": name, "mode": "AK", "access_key_id": key, "access_key_secret": secret}
    if region:
        profile["region_id"] = region
    return profile


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("ALIBABA_CLOUD_REGION_ID", "ALIBABA_CLOUD_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    write_cli_config(
        tmp_path,
        [
            ak("dev", "FAKEdev000000000000", DEV_SECRET, "cn-shanghai"),
            ak("prod", "FAKEprod00000000000", PROD_SECRET, "ap-southeast-1"),
            ak("noregion", "FAKEnoregion0000000", PROD_SECRET),
            {
                "name": "sts",
                "mode": "StsToken",
                "access_key_id": "STS.key",
                "access_key_secret": PROD_SECRET,
                "sts_token": STS_TOKEN,
                "region_id": "cn-beijing",
            },
        ],
    )
    return tmp_path


def test_a_named_profile_and_its_region(home):
    profile = resolve_profile("prod", None)
    assert (profile.name, profile.region, profile.sandbox) == ("prod", "ap-southeast-1", False)
    credential = profile.credential.get_credential()
    assert (credential.access_key_id, credential.access_key_secret) == (
        "FAKEprod00000000000",
        PROD_SECRET,
    )
    assert PROD_SECRET not in repr(profile)
    assert profile.label == "prod · ap-southeast-1"


def test_an_sts_profile_carries_its_token(home):
    profile = resolve_profile("sts", None)
    assert profile.region == "cn-beijing"
    assert profile.credential.get_credential().security_token == STS_TOKEN
    assert STS_TOKEN not in repr(profile)


def test_region_from_the_flag_then_the_profile_then_the_environment(home, monkeypatch):
    assert resolve_profile("dev", "cn-hongkong").region == "cn-hongkong"
    assert resolve_profile("dev", None).region == "cn-shanghai"
    assert resolve_profile("noregion", None).region == "cn-hangzhou"
    monkeypatch.setenv("ALIBABA_CLOUD_REGION_ID", "eu-central-1")
    assert resolve_profile("noregion", None).region == "eu-central-1"
    assert resolve_profile("dev", None).region == "cn-shanghai"


def test_an_unknown_profile_is_not_found(home):
    with pytest.raises(CredentialsNotFound) as caught:
        resolve_profile("staging", None)
    assert "staging" in str(caught.value)
    assert DEV_SECRET not in str(caught.value) and PROD_SECRET not in str(caught.value)


def test_the_library_s_words_stay_out_of_the_message(home):
    # The library quotes the file (here a mode holding a secret); only its class is told.
    write_cli_config(home, [{"name": "odd", "mode": f"Mode-{DEV_SECRET}"}], current="odd")
    with pytest.raises(CredentialsNotFound) as caught:
        resolve_profile("odd", None)
    message = str(caught.value)
    assert "'odd'" in message and "(CredentialException)" in message
    assert DEV_SECRET not in message and "unsupported profile mode" not in message


def test_no_config_file_is_not_found(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(CredentialsNotFound):
        resolve_profile("dev", None)


async def test_a_resolved_profile_reaches_the_sandbox_through_all_three_sdks(
    tmp_path, monkeypatch, profile
):
    """The credential client is what signs: Config(credential=...) and oss2's provider."""
    monkeypatch.setenv("HOME", str(tmp_path))
    write_cli_config(
        tmp_path, [ak("sbx", profile.access_key_id, profile.access_key_secret)], current="sbx"
    )
    resolved = resolve_profile("sbx", None)
    assert resolved.access_key_id == "" and resolved.credential is not None
    account = replace(
        profile, access_key_id="", access_key_secret="", credential=resolved.credential
    )
    services = Services(account)
    assert len(await services.cdn.list_domains()) == 6
    assert len(await services.dns.list_zones()) == 3
    assert len(await services.oss.list_buckets()) == 3


# The default chain reads the environment when alibabacloud_credentials is imported, so
# these run in a fresh interpreter whose environment is set from the start.


def resolve_in_subprocess(home: Path, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALIBABA_CLOUD_")}
    clean.update(HOME=str(home), ALIBABA_CLOUD_ECS_METADATA_DISABLED="true", **env)
    code = (
        "from tui.services.credentials import resolve_profile\n"
        "from tui.services.errors import CredentialsNotFound\n"
        "try:\n"
        "    p = resolve_profile(None, None)\n"
        "except CredentialsNotFound as e:\n"
        "    print('not found:', e)\n"
        "else:\n"
        "    print(p.name, p.region, p.credential.get_credential().access_key_id)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=clean,
        cwd=Path(__file__).parent.parent,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.slow  # a fresh interpreter
def test_the_default_chain_uses_the_current_cli_profile(home):
    assert resolve_in_subprocess(home) == "dev cn-shanghai FAKEdev000000000000"
    assert (
        resolve_in_subprocess(home, ALIBABA_CLOUD_PROFILE="prod")
        == "prod ap-southeast-1 FAKEprod00000000000"
    )


@pytest.mark.slow  # a fresh interpreter
def test_the_default_chain_prefers_environment_keys(home):
    out = resolve_in_subprocess(
        home,
        ALIBABA_CLOUD_ACCESS_KEY_ID="FAKEenv0000000000000",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET="envSecret",
        ALIBABA_CLOUD_REGION_ID="cn-qingdao",
    )
    # The keys come from the environment; the region still from the CLI's current profile.
    assert out == "default cn-shanghai FAKEenv0000000000000"


@pytest.mark.slow  # a fresh interpreter
def test_the_default_chain_with_nothing_is_not_found(tmp_path):
    out = resolve_in_subprocess(tmp_path)
    assert out.startswith("not found: no Alibaba Cloud credentials found")


async def test_credentials_that_fail_at_call_time(tmp_path, profile):
    """A profile whose credential cannot be loaded any more (file gone, token expired)."""
    from alibabacloud_credentials.client import Client as CredentialClient
    from alibabacloud_credentials.provider import CLIProfileCredentialsProvider

    provider = CLIProfileCredentialsProvider(
        profile_name="gone", profile_file=str(tmp_path / "config.json")
    )
    account = replace(
        profile,
        access_key_id="",
        access_key_secret="",
        credential=CredentialClient(provider=provider),
    )
    services = Services(account)
    with pytest.raises(CredentialsNotFound) as caught:
        await services.cdn.list_domains()
    assert "CDN DescribeUserDomains" in str(caught.value)
    with pytest.raises(CredentialsNotFound) as oss_caught:
        await services.oss.list_buckets()
    assert "OSS ListBuckets" in str(oss_caught.value)
    for error in (caught.value, oss_caught.value):  # the class name, not the library's text
        assert "(CredentialException)" in str(error)
        assert "unable to open" not in str(error) and str(tmp_path) not in str(error)


def test_a_profile_without_credentials_cannot_build_clients():
    from tui.services.profile import Profile

    services = Services(Profile(name="empty", region="cn-hangzhou"))
    with pytest.raises(CredentialsNotFound):
        _ = services.cdn
    with pytest.raises(CredentialsNotFound):
        _ = services.oss
