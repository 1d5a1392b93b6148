"""The SDK clients, built from a Profile, and the one way the service layer calls them.

Every tea SDK call goes through `TeaService.call`: explicit connect/read timeouts, the
proxy rule for loopback, the project's errors and the retry policy, once for CDN and
Alidns alike. oss2 gets the same credential, timeouts and proxy rule here.

Two SDK habits are corrected here, at client construction:
- darabonba reads HTTP_PROXY/http_proxy (HTTPS_PROXY/https_proxy) from os.environ on
  every async request and ignores NO_PROXY, so a developer's proxy would swallow the
  sandbox's loopback traffic. Inside darabonba.core only, `os` is replaced by a view
  whose environ hides those variables while a call to a loopback endpoint runs (a
  ContextVar marks it, so concurrent calls elsewhere still see the proxy).
- SDK loggers: `darabonba-core` logs request headers, Authorization included, with
  DEBUG=sdk, through a handler of its own on stderr (over the TUI); oss2 logs request
  headers at DEBUG. Their records are dropped.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import ipaddress
import logging
import os
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import darabonba.core
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions

from . import reconcile
from .answers import Fields, ShapeError
from .errors import CredentialsNotFound, ReadOnlyError, UnexpectedAnswer, name_credentials
from .lazy_models import lazy_models
from .mapping import from_tea
from .profile import Profile
from .reconcile import Confirm
from .retry import DEFAULT_POLICY, RetryPolicy, retrying
from .writes import Write

if TYPE_CHECKING:
    from alibabacloud_alidns20150109.client import Client as AlidnsClient
    from alibabacloud_cdn20180510.client import Client as CdnClient

T = TypeVar("T")

SDK_LOGGERS = ("darabonba-core", "alibabacloud-tea", "credentials", "oss2")
PROXY_VARIABLES = frozenset({"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"})


# -- endpoints ---------------------------------------------------------------------------


def endpoint_host(endpoint: str) -> str:
    """The host of `endpoint`, given as a URL or as host[:port]."""
    netloc = endpoint.split("://", 1)[-1]
    return urlsplit("//" + netloc).hostname or ""


def is_loopback(endpoint: str) -> bool:
    """Does `endpoint` point at this machine (127.0.0.0/8, ::1, localhost)?"""
    host = endpoint_host(endpoint)
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- the SDK corrections -----------------------------------------------------------------

_DIRECT: ContextVar[bool] = ContextVar("oss_cdn_direct", default=False)


class _EnvironForDarabonba(Mapping):
    """os.environ as darabonba reads it: no proxy variables during a loopback call."""

    def _hidden(self, key: str) -> bool:
        return _DIRECT.get() and key in PROXY_VARIABLES

    def __getitem__(self, key: str) -> str:
        if self._hidden(key):
            raise KeyError(key)
        return os.environ[key]

    def __iter__(self) -> Iterator[str]:
        return (key for key in os.environ if not self._hidden(key))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _OsForDarabonba:
    """Stands in for the `os` module inside darabonba.core, and only there."""

    environ = _EnvironForDarabonba()

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


@functools.cache
def prepare_sdks() -> None:
    """Apply the corrections described above (once per process)."""
    darabonba.core.os = _OsForDarabonba()
    for name in SDK_LOGGERS:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.addHandler(logging.NullHandler())
        logger.setLevel(logging.CRITICAL + 1)
        logger.propagate = False


@contextmanager
def direct_connection(enabled: bool) -> Iterator[None]:
    """Within this block (and the tasks it starts), darabonba ignores proxy variables."""
    if not enabled:
        yield
        return
    token = _DIRECT.set(True)
    try:
        yield
    finally:
        _DIRECT.reset(token)


# -- tea SDKs (CDN, Alidns) --------------------------------------------------------------


def _require_credentials(profile: Profile) -> None:
    if not profile.access_key_id and profile.credential is None:
        raise CredentialsNotFound(f"profile {profile.name!r} has no credentials")


def tea_config(profile: Profile, endpoint: str) -> Config:
    _require_credentials(profile)
    config = Config(
        endpoint=endpoint,
        protocol=profile.protocol,
        region_id=profile.region,
        connect_timeout=profile.connect_timeout_ms,
        read_timeout=profile.read_timeout_ms,
    )
    if profile.access_key_id:
        config.access_key_id = profile.access_key_id
        config.access_key_secret = profile.access_key_secret
        config.security_token = profile.security_token or None
    else:
        config.credential = profile.credential
    return config


# The answer of the tea call in progress, as it came: {"body", "headers", "statusCode"}.
# A dict per call, set by TeaService.call (pages of one listing run at once).
_TEA_ANSWER: ContextVar[dict | None] = ContextVar("oss_cdn_tea_answer", default=None)


class _KeepsAnswers:
    """Keeps the JSON of each answer before the SDK fills its model from it: the model
    takes null lists as [] and swallows its own errors on a string where an object
    belongs (DaraCore.from_map), so the service layer reads the JSON itself. Every
    generated `*_with_options_async` method asks `call_api_async`."""

    async def call_api_async(self, params: Any, request: Any, runtime: Any) -> dict:
        # A mixin: the SDK client after it in the class's bases has call_api_async.
        answer = await super().call_api_async(params, request, runtime)  # type: ignore[misc]
        kept = _TEA_ANSWER.get()
        if kept is not None:
            kept["answer"] = answer
            if (turn := kept.get("turn")) is not None:
                await turn()  # the SDK's model, then the service's reading (TeaService._turn)
        return answer


@functools.cache
def _client_class(package: str) -> type:
    """The SDK client of `package` (a tea SDK), keeping its answers. Imported when its
    service is first built: the CDN listing the app needs first does without the Alidns
    SDK (~150 ms of CPU); and each SDK's models are loaded one by one as used, not its
    ~500 model modules at once (tui/services/lazy_models.py)."""
    lazy_models(package)  # before the client, which imports the models
    client = importlib.import_module(f"{package}.client").Client
    return type(f"_{client.__module__.split('.')[0]}_Client", (_KeepsAnswers, client), {})


def cdn_client(profile: Profile) -> CdnClient:
    prepare_sdks()
    return _client_class("alibabacloud_cdn20180510")(tea_config(profile, profile.cdn_endpoint))


def dns_client(profile: Profile) -> AlidnsClient:
    prepare_sdks()
    return _client_class("alibabacloud_alidns20150109")(tea_config(profile, profile.dns_endpoint))


class TeaService:
    """A tea SDK client called the project's way (base of CdnService and DnsService)."""

    service: ClassVar[str]  # the name errors carry, e.g. "CDN"

    def __init__(
        self, profile: Profile, client: Any, endpoint: str, policy: RetryPolicy = DEFAULT_POLICY
    ) -> None:
        self.profile = profile
        self._client = client
        self._endpoint = endpoint
        self._direct = is_loopback(endpoint)
        self._policy = policy
        self._reading: asyncio.Lock | None = None  # see _turn
        self._runtime = RuntimeOptions(
            connect_timeout=profile.connect_timeout_ms,
            read_timeout=profile.read_timeout_ms,
        )

    async def call(
        self,
        action: str,
        method: Callable[..., Awaitable[Any]],
        request: Any,
        *,
        write: bool,
        read: Callable[[Fields], T] | None = None,
    ) -> Any:
        """`read(answer)` for the answer of `method(request)` (a `*_with_options_async` of
        the client), where `answer` is its JSON body as `Fields`; without `read`, the
        SDK's response body.

        Raises the project's errors; a read is retried on transient ones. An answer that
        `read` cannot read (a field missing or of the wrong type), or that the SDK could
        not read, raises UnexpectedAnswer: the mapping runs here, inside the conversion,
        so no answer reaches a screen as a TypeError. Writes take `send` (built from a
        Write); one that comes here anyway still meets the read-only wall.
        """
        if write and self.profile.read_only:
            raise ReadOnlyError(f"{self.service} {action}")
        return await retrying(
            lambda: self._attempt(action, method, request, read, paced=not write),
            write=write,
            policy=self._policy,
        )

    async def send(
        self,
        write: Write,
        method: Callable[..., Awaitable[Any]],
        request_cls: type,
        *,
        confirm: Confirm | None = None,
        read: Callable[[Fields], T] | None = None,
    ) -> Any:
        """Send `write`: its request is built from its params, so what is sent is what an
        export of it says. Refused in read-only mode; on a lost answer, `confirm()` reads
        back whether it took effect (see tui.services.reconcile). Returns the answer
        (`read(answer)` when given, else the SDK's body), or what `confirm()` read back."""
        request = request_cls().from_map(dict(write.params))
        return await reconcile.send(
            write,
            lambda: self._attempt(write.action, method, request, read),
            read_only=self.profile.read_only,
            confirm=confirm,
            policy=self._policy,
        )

    async def _attempt(
        self,
        action: str,
        method: Callable[..., Awaitable[Any]],
        request: Any,
        read: Callable[[Fields], T] | None = None,
        *,
        paced: bool = False,
    ) -> Any:
        """One sending of `request`: its answer, read, or the project's error. `paced`:
        a read, whose answer waits for its turn (`_turn`) before being read; a write's
        answer, in hand, is read at once."""
        kept: dict = {"turn": self._turn} if paced else {}
        token = _TEA_ANSWER.set(kept)
        try:
            with direct_connection(self._direct):
                response = await method(request, self._runtime)
        except Exception as error:  # every SDK failure becomes one of ours
            failure = from_tea(error, service=self.service, action=action, endpoint=self._endpoint)
            failure = name_credentials(failure, self.profile)
        else:
            answer = kept.get("answer") or {}
            try:
                return _read_answer(response, answer, read)
            except ShapeError as error:
                problem = error.problem
            except (TypeError, ValueError, AttributeError, KeyError, IndexError) as error:
                # A reader that met a shape it did not foresee: still the answer's fault.
                problem = f"it could not be read ({type(error).__name__})"
            failure = UnexpectedAnswer(
                problem,
                service=self.service,
                action=action,
                request_id=_request_id(answer),
                status=answer.get("statusCode"),
            )
        finally:
            _TEA_ANSWER.reset(token)
        # Raised outside the except clause, so without the SDK's exception as its
        # context: that one's frames hold the AccessKey secret in their locals.
        raise failure

    async def _turn(self) -> None:
        """Wait for this answer's turn to be read: one a loop iteration. The pages of a
        listing arrive together, and each takes milliseconds to read (500 domains: the
        SDK's model, then the service's own reading); read in the same iteration, twenty
        of them would hold the loop for 100 ms. (The JSON itself is decoded by the SDK as
        each answer arrives, before this.)"""
        if self._reading is None:
            self._reading = asyncio.Lock()
        async with self._reading:
            await asyncio.sleep(0)


def _request_id(answer: dict) -> str:
    body, headers = answer.get("body"), answer.get("headers") or {}
    found = body.get("RequestId") if isinstance(body, dict) else None
    found = found or headers.get("x-acs-request-id")
    return found if isinstance(found, str) else ""


def _read_answer(response: Any, answer: dict, read: Callable[[Fields], T] | None) -> Any:
    if read is not None:
        return read(Fields(answer.get("body")))
    # DaraCore.from_map keeps the JSON in `_map` when its model could not hold it.
    if isinstance(getattr(response, "_map", None), dict) or response.body is None:
        raise ShapeError("fields of the wrong type: the SDK could not read it")
    return response.body
