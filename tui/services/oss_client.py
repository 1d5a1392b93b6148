"""oss2, set up the project's way: the profile's credential, V4 signing, the timeouts,
the proxy rule for loopback, and a session that keeps what each answer looked like.

Apart from tui/services/clients.py so that the CDN listing the app needs first does
not import oss2 (~120 ms of CPU): OssService imports this module.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import oss2

from .clients import _require_credentials, is_loopback, prepare_sdks
from .profile import Profile


class OssCredentials(oss2.credentials.CredentialsProvider):
    """oss2's view of the profile's alibabacloud_credentials client (refreshed by it)."""

    def __init__(self, credential: Any) -> None:
        self._credential = credential

    def get_credentials(self) -> oss2.credentials.Credentials:
        model = self._credential.get_credential()
        return oss2.credentials.Credentials(
            model.access_key_id, model.access_key_secret, model.security_token or ""
        )


def oss_auth(profile: Profile) -> oss2.ProviderAuthV4:
    """V4 signing (OSS4-HMAC-SHA256): OSS refuses V1 for accounts created since 2025-03-01
    and buckets created since 2025-09-01 (403, EC 0002-00000080; Alibaba's "Guidelines for
    upgrading V1 signatures to V4 signatures"). V4 needs the region on every oss2.Service
    and oss2.Bucket (`oss_region`)."""
    _require_credentials(profile)
    if profile.access_key_id:
        provider = oss2.credentials.StaticCredentialsProvider(
            profile.access_key_id, profile.access_key_secret, profile.security_token
        )
    else:
        provider = OssCredentials(profile.credential)
    return oss2.ProviderAuthV4(provider)


def oss_region(location: str) -> str:
    """The region id a V4 signature's scope names, from an OSS Location or region:
    `oss-cn-hangzhou` -> `cn-hangzhou` (the scope refuses the `oss-` prefix: OSS error
    page 0002-00000226)."""
    return location.removeprefix("oss-")


# What the last OSS answer of the current call looked like, filled in by OssAnswerSession
# from oss2's worker thread (asyncio.to_thread copies the context, so both share the dict).
OSS_ANSWER: ContextVar[dict | None] = ContextVar("oss_cdn_oss_answer", default=None)


class OssAnswerSession(oss2.Session):
    """oss2's Session, keeping what OssService needs to judge an answer: its status,
    content type and request id, and the XML of a read (GET) answer. oss2 parses the XML
    its own way (an element holding text instead of elements reads as "none"); the
    service reads the document again, strictly. Reading the body here first is safe:
    requests serves later reads from what it kept."""

    def do_request(self, req: Any, timeout: Any) -> Any:
        response = super().do_request(req, timeout)
        seen = OSS_ANSWER.get()
        if seen is not None:
            content_type = response.headers.get("content-type", "")
            seen.update(
                status=response.status,
                content_type=content_type,
                request_id=response.request_id,
                body=None,
            )
            if req.method == "GET" and "xml" in content_type and response.status < 300:
                seen["body"] = response.response.content
        return response


def oss_session(profile: Profile) -> oss2.Session:
    """One connection pool for all of the profile's OSS calls."""
    prepare_sdks()
    session = OssAnswerSession()
    # requests honours NO_PROXY, but nobody sets it for the sandbox: loopback goes direct.
    session.session.trust_env = not is_loopback(profile.oss_url)
    return session


def oss_timeout(profile: Profile) -> tuple[float, float]:
    """oss2 hands its `connect_timeout` to requests, which takes (connect, read)."""
    return profile.connect_timeout_ms / 1000, profile.read_timeout_ms / 1000
