"""Finding the user's credentials and region, the way Alibaba's own tools do.

Without a profile name: alibabacloud_credentials' default chain (environment variables,
OIDC, ~/.aliyun/config.json, ~/.alibabacloud/credentials.ini, the ECS RAM role unless
ALIBABA_CLOUD_ECS_METADATA_DISABLED=true, ALIBABA_CLOUD_CREDENTIALS_URI). With one: that
profile of aliyun-cli's ~/.aliyun/config.json. The resulting credential client is shared
by the three SDKs (it refreshes STS tokens itself).

The library fixes HOME and its environment variables when it is imported; the named
profile's file is located here, when asked, so a changed HOME is honoured.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .errors import CredentialsInvalid, CredentialsNotFound
from .profile import Profile, mask_key_id

DEFAULT_REGION = "cn-hangzhou"


def cli_config_path() -> Path:
    """aliyun-cli's configuration file in the current user's home."""
    return Path.home() / ".aliyun" / "config.json"


def cli_profile(name: str | None = None) -> dict:
    """A profile of aliyun-cli's config.json: `name`, else ALIBABA_CLOUD_PROFILE's, else
    the file's `current`; {} when there is no such file or profile."""
    try:
        config = json.loads(cli_config_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    wanted = name or os.environ.get("ALIBABA_CLOUD_PROFILE") or config.get("current")
    for profile in config.get("profiles") or ():
        if isinstance(profile, dict) and profile.get("name") == wanted:
            return profile
    return {}


def cli_config_problem() -> str | None:
    """Why aliyun-cli's config.json, which exists, gives no credentials; None when there
    is no such file or it configures nothing. Asked once the default chain found nothing:
    keys in the environment come first and make the file irrelevant. Says where, never
    quotes the file."""
    try:
        text = cli_config_path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        return f"cannot be read ({type(error).__name__})"
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        return f"is not valid JSON (line {error.lineno}, column {error.colno})"
    if not isinstance(config, dict):
        return "is not a JSON object"
    profiles = config.get("profiles")
    if not profiles:
        return None  # nothing configured yet
    if not isinstance(profiles, list):
        return 'has a "profiles" that is not a list'
    names = [p.get("name") for p in profiles if isinstance(p, dict)]
    wanted = os.environ.get("ALIBABA_CLOUD_PROFILE") or config.get("current")
    if not wanted:
        return "names no current profile (set ALIBABA_CLOUD_PROFILE or use --profile)"
    if wanted not in names:
        return f"has no profile named {str(wanted)!r}"
    return f"has a profile {str(wanted)!r} without usable keys or token"


def resolve_region(region: str | None, profile: dict) -> str:
    """The --region flag, else the CLI profile's region_id, else ALIBABA_CLOUD_REGION_ID,
    else cn-hangzhou."""
    return (
        region
        or profile.get("region_id")
        or os.environ.get("ALIBABA_CLOUD_REGION_ID")
        or DEFAULT_REGION
    )


def _home() -> str:
    """The home the credentials library looks in (auth_util.get_home, on POSIX)."""
    return os.environ.get("HOME") or os.environ.get("HOMEPATH") or os.path.expanduser("~")


def _set(name: str) -> bool:
    return bool(os.environ.get(name))


def credential_sources() -> list[str]:
    """The steps of the default chain that may hold credentials, found without the
    library (importing it brings aiohttp: ~150 ms of CPU before the app could say "no
    credentials" and fall back to the sandbox). Mirrors alibabacloud_credentials'
    DefaultCredentialsProvider (provider/default.py) and the environment it reads
    (utils/auth_util.py): a step listed here may still fail; one left out cannot
    succeed. Nothing is read but the environment and whether files exist."""
    found = []
    if _set("ALIBABA_CLOUD_ACCESS_KEY_ID"):  # EnvironmentVariableCredentialsProvider
        found.append("env")
    if all(  # OIDCRoleArnCredentialsProvider: joins the chain only with all three
        _set(name)
        for name in (
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
            "ALIBABA_CLOUD_ROLE_ARN",
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
        )
    ):
        found.append("oidc_role_arn")
    homes = {_home()}
    # The library fixes its HOME when first imported: if it is loaded already (a long
    # process whose HOME changed since), look where it will look too.
    constants = sys.modules.get("alibabacloud_credentials.utils.auth_constant")
    if constants is not None:
        homes.add(str(getattr(constants, "HOME", "") or _home()))
    cli_disabled = os.environ.get("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "").lower() == "true"
    if not cli_disabled and any(
        os.path.isfile(os.path.join(home, ".aliyun", "config.json")) for home in homes
    ):
        found.append("cli_profile")
    ini = os.environ.get("ALIBABA_CLOUD_CREDENTIALS_FILE")
    ini_files = (
        [ini] if ini else [os.path.join(h, ".alibabacloud", "credentials.ini") for h in homes]
    )
    if any(os.path.exists(path) for path in ini_files):  # ProfileCredentialsProvider
        found.append("profile")
    # The ECS RAM role: asked of the metadata service unless disabled (the app disables
    # it unless the user set the variable); no file says whether it would answer.
    if os.environ.get("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "false").lower() != "true":
        found.append("ecs_ram_role")
    if _set("ALIBABA_CLOUD_CREDENTIALS_URI"):  # URLCredentialsProvider
        found.append("credential_uri")
    return found


NOTHING_FOUND = (
    "no Alibaba Cloud credentials found (environment, ~/.aliyun/config.json, "
    "~/.alibabacloud/credentials.ini)"
)


def resolve_profile(profile_name: str | None = None, region: str | None = None) -> Profile:
    """A Profile for the real account. Raises CredentialsNotFound when nothing is found:
    at once, without the credentials library, when no step of its chain has anything
    to read (credential_sources)."""
    if not profile_name and not credential_sources():
        raise CredentialsNotFound(NOTHING_FOUND)
    from alibabacloud_credentials.client import Client as CredentialClient
    from alibabacloud_credentials.exceptions import CredentialException
    from alibabacloud_credentials.provider import (
        CLIProfileCredentialsProvider,
        DefaultCredentialsProvider,
    )

    config_profile = cli_profile(profile_name)
    if profile_name:
        provider = CLIProfileCredentialsProvider(
            profile_name=profile_name, profile_file=str(cli_config_path())
        )
    else:
        provider = DefaultCredentialsProvider()
    try:
        found = provider.get_credentials()
    except (CredentialException, ValueError, OSError) as error:
        if profile_name:
            # The class name only: the library's text may quote the file's content.
            raise CredentialsNotFound(
                f"cannot load profile {profile_name!r} from {cli_config_path()} "
                f"({type(error).__name__}): check that it exists and has keys or a token"
            ) from None
        problem = cli_config_problem()
        if problem:
            raise CredentialsInvalid(
                f"{cli_config_path()} {problem}: fix it (aliyun configure), or give keys "
                "in the environment; the sandbox is not used in its place"
            ) from None
        raise CredentialsNotFound(NOTHING_FOUND) from None
    if not found.get_access_key_id():
        raise CredentialsNotFound("the credentials found have no AccessKey ID")

    from_cli = profile_name or "cli_profile" in (found.get_provider_name() or "")
    name = profile_name or (config_profile.get("name") if from_cli else None) or "default"
    return Profile(
        name=name,
        region=resolve_region(region, config_profile),
        credential=CredentialClient(provider=provider),
        credential_source=chain_step(
            ("cli_profile/" if profile_name else "") + (found.get_provider_name() or ""), name
        ),
        key_id_hint=mask_key_id(found.get_access_key_id() or ""),
    )


# alibabacloud_credentials' provider names (get_provider_name(), joined by "/" along the
# chain: "default/env", "default/cli_profile/static_sts"), in words.
CHAIN_STEPS = (
    ("env", "environment variables (ALIBABA_CLOUD_ACCESS_KEY_ID)"),
    ("oidc_role_arn", "the OIDC role (ALIBABA_CLOUD_OIDC_TOKEN_FILE)"),
    ("cli_profile", "aliyun-cli profile {name!r} in ~/.aliyun/config.json"),
    ("profile", "~/.alibabacloud/credentials.ini"),
    ("ecs_ram_role", "the ECS instance's RAM role (instance metadata)"),
    ("credential_uri", "ALIBABA_CLOUD_CREDENTIALS_URI"),
    ("cloud_sso", "CloudSSO sign-in (aliyun-cli)"),
    ("oauth", "OAuth sign-in (aliyun-cli)"),
    ("external", "an external credential process (aliyun-cli)"),
)


def chain_step(provider_name: str, profile_name: str = "default") -> str:
    """Where in the credential chain keys came from, from the provider's name; with a
    note when they are an STS token or an assumed role's."""
    parts = provider_name.split("/")
    where = next(
        (text.format(name=profile_name) for step, text in CHAIN_STEPS if step in parts),
        provider_name or "the default credential chain",
    )
    if "ram_role_arn" in parts:
        return f"a RAM role assumed with keys from {where}"
    if "static_sts" in parts or ("env" in parts and os.environ.get("ALIBABA_CLOUD_SECURITY_TOKEN")):
        return f"an STS token from {where}"
    return where
