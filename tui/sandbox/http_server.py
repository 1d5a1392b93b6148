"""The sandbox's HTTP side: one aiohttp server on loopback speaking Alibaba's wire protocol.

One port answers three services the way the real endpoints do:
- CDN (x-acs-version 2018-05-10) and Alidns (2015-01-09): RPC-style `POST /?params`,
  signed V3 (ACS3-HMAC-SHA256) or v2 (the signature in the query, or with every
  parameter in a POST's form body), JSON answers and JSON errors;
- OSS REST, path-style `/bucket/key?sub-resource` or virtual-hosted-style (the bucket in
  `Host`), signed V4 (`OSS4-HMAC-SHA256`; V1 `OSS ak:sig` only where OSS still takes it),
  XML answers and errors (see oss_api).

Every request: the world's clock moves on (`World.tick`), the call is recorded, an armed
fault may take over, then the key, token and signature are checked, RAM may refuse the
action (`World.denied`), and the action is answered.
This module holds what CDN and Alidns share: `ApiError`, `Params`, request ids, JSON
errors, signature checks. The products' actions are plugged in by the runner.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import inspect
import socket
import struct
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, overload
from urllib.parse import parse_qsl

from tui.sandbox import signing, web
from tui.sandbox.bad_answers import BAD_ANSWERS, mangle_json
from tui.sandbox.faults import CallLog, Fault, Faults
from tui.sandbox.world import World

# Parameters of the RPC protocol itself: not an action's parameters, not in `calls`.
PROTOCOL_PARAMS = frozenset(
    {
        "Action",
        "Version",
        "Format",
        "Timestamp",
        "SignatureNonce",
        "SignatureMethod",
        "SignatureVersion",
        "Signature",
        "AccessKeyId",
        "SecurityToken",
        "SignatureType",
    }
)

# Faults that let the action act, then lose its answer.
AFTER_KINDS = frozenset({"reset_after", "timeout_after"})

FAULT_HTML = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    "<body><h1>502 Bad Gateway</h1><p>Tengine</p></body></html>"
)


class ApiError(Exception):
    """An error answer: HTTP status, Alibaba error code, the service's own message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
        **extra: object,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.extra = extra  # more fields for the error body (OSS: BucketName; RAM's detail)


def new_request_id() -> str:
    return str(uuid.uuid4()).upper()


def iso_time(t: float) -> str:
    """Sandbox time as the RPC APIs write it: 2025-01-02T03:04:05Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    def of(self, items: list) -> list:
        start = (self.number - 1) * self.size
        return items[start : start + self.size]


class Params:
    """An RPC call's parameters, read with the checks and error codes of the real APIs."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = {k: v for k, v in values.items() if k not in PROTOCOL_PARAMS}

    @overload
    def get(self, name: str) -> str | None: ...
    @overload
    def get(self, name: str, default: str) -> str: ...
    @overload
    def get(self, name: str, default: str | None) -> str | None: ...

    def get(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        return default if value is None or value == "" else value

    def required(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise ApiError(
                400,
                "MissingParameter",
                f'The input parameter "{name}" that is mandatory for '
                "processing this request is not supplied.",
            )
        return value

    def integer(self, name: str, default: int, low: int, high: int, code: str | None = None) -> int:
        raw = self.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise ApiError(
                400,
                code or f"Invalid{name}.ValueNotSupported",
                f"The specified value of parameter {name} is not supported.",
            )
        return value

    def page(self, max_size: int, default_size: int = 20) -> Page:
        return Page(
            self.integer("PageNumber", 1, 1, 100000),
            self.integer("PageSize", default_size, 1, max_size),
        )


Action = Callable[[World, Params], dict] | Callable[[World, Params], Awaitable[dict]]


@dataclass(frozen=True)
class RpcProduct:
    name: str  # as in Alibaba's troubleshooting links: Cdn, Alidns
    version: str  # x-acs-version
    host_id: str  # the public endpoint, echoed as HostId in errors
    actions: Mapping[str, Action]


@dataclass
class Call:
    """What a request asks for, before anything is checked."""

    action: str
    params: dict[str, str]
    request_id: str
    version: str = ""  # RPC only: which product (x-acs-version or Version)


class Api(Protocol):
    """A wire protocol served on the port: RPC (CDN, Alidns) or OSS REST."""

    def identify(self, request: web.Request, body: bytes) -> Call: ...

    def fault_error(self, fault: Fault) -> ApiError: ...

    def error(self, call: Call, err: ApiError) -> web.Response: ...

    def non_json(self, call: Call) -> web.Response: ...

    def mangle(self, response: web.Response, fault: Fault) -> web.Response: ...

    async def answer(self, call: Call, request: web.Request, body: bytes) -> web.Response: ...


def is_rpc(request: web.Request, body: bytes = b"") -> bool:
    """CDN or Alidns: the action in a header (V3), the query, or a POST's form body (what
    `@alicloud/pop-core` and the OpenAPI Explorer's samples send: every parameter, the
    signature included, form-encoded)."""
    return (
        "x-acs-action" in request.headers
        or "Action" in request.query
        or "Action" in _form(request, body)
    )


class RpcApi:
    """CDN and Alidns: both RPC style, told apart by their API version."""

    def __init__(self, world: World, products: list[RpcProduct]) -> None:
        self.world = world
        self.products = {p.version: p for p in products}

    # -- reading the request ---------------------------------------------------------

    def identify(self, request: web.Request, body: bytes) -> Call:
        values = {**_query(request), **_form(request, body)}  # v2: either place
        action = request.headers.get("x-acs-action") or values.get("Action", "")
        version = request.headers.get("x-acs-version") or values.get("Version", "")
        return Call(action, Params(values).values, new_request_id(), version)

    # -- answers ---------------------------------------------------------------------

    async def answer(self, call: Call, request: web.Request, body: bytes) -> web.Response:
        product = self.products.get(call.version)
        if product is None:
            raise ApiError(400, "InvalidVersion", "Specified parameter Version is not valid.")
        self._verify(request, body)
        handler = product.actions.get(call.action)
        if handler is None:
            raise ApiError(
                404,
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url and method.",
            )
        self._authorize(product, call)
        if inspect.iscoroutinefunction(handler):
            # An action that waits on the network (VerifyDomainOwner's fileCheck fetches
            # over HTTP) takes the world's lock itself, around what it reads and writes.
            payload = await handler(self.world, Params(call.params))
        else:
            with self.world.lock:
                payload = handler(self.world, Params(call.params))
        return web.json_response(
            {"RequestId": call.request_id, **payload}, headers={"x-acs-request-id": call.request_id}
        )

    def error(self, call: Call, err: ApiError) -> web.Response:
        product = self.products.get(call.version)
        name = product.name if product else "Unknown"
        host_id = product.host_id if product else "aliyuncs.com"
        body = {
            "RequestId": call.request_id,
            "HostId": host_id,
            "Code": err.code,
            "Message": err.message,
            "Recommend": (
                f"https://api.aliyun.com/troubleshoot?q={err.code}"
                f"&product={name}&requestId={call.request_id}"
            ),
            **err.extra,  # AccessDeniedDetail of a RAM denial
        }
        headers = {"x-acs-request-id": call.request_id, **err.headers}
        return web.json_response(body, status=err.status, headers=headers)

    def fault_error(self, fault: Fault) -> ApiError:
        p = fault.params
        if fault.kind == "throttle":
            # Real flow control answers HTTP 400 (some gateways 429) Throttling.User and
            # normally no x-acs-retry-after, so the SDK raises a ClientException
            # (alibaba-api-facts.md; Alibaba's API error centre for Throttling.User).
            # The header only when a test asks for one.
            retry_after = p.get("retry_after_ms")
            headers = {} if retry_after is None else {"x-acs-retry-after": str(retry_after)}
            return ApiError(
                int(p.get("status", 400)),
                "Throttling.User",
                "Request was denied due to user flow control.",
                headers,
            )
        if fault.kind == "server_error":
            return ApiError(
                500,
                "InternalError",
                "The request processing has failed due to "
                "some unknown error, exception or failure.",
            )
        if fault.kind == "unavailable":
            return ApiError(
                503,
                "ServiceUnavailable",
                "The request has failed due to a temporary failure of the server.",
            )
        return ApiError(
            int(p.get("status", 400)),
            p.get("code", "InvalidParameter"),
            p.get("message", "The specified parameter is not valid."),
        )

    def non_json(self, call: Call) -> web.Response:
        return web.Response(text=FAULT_HTML, content_type="text/html")

    def mangle(self, response: web.Response, fault: Fault) -> web.Response:
        if not isinstance(response.body, bytes):  # the APIs answer bytes; a stream stays
            return response
        p = fault.params
        body = mangle_json(
            response.body,
            fault.kind,
            seed=int(p.get("seed", 0)),
            rate=float(p.get("rate", 0.3)),
            empty=str(p.get("body", "")),
        )
        return mangled(response, body)

    # -- signatures ------------------------------------------------------------------

    def _verify(self, request: web.Request, body: bytes) -> None:
        authorization = request.headers.get("Authorization")
        if authorization:
            self._verify_acs3(request, authorization, body)
        elif "Signature" in {**_query(request), **_form(request, body)}:
            # The v2 signature, in the query or (a POST of pop-core) in the form body.
            self._verify_rpc(request, body)
        else:
            raise ApiError(400, "MissingAccessKeyId", "AccessKeyId is mandatory for this action.")

    def _secret(self, access_key_id: str, token: str | None) -> str:
        """The secret to check the signature with; the gateway's answers for an unknown
        key and for an STS token that is missing, not the key's, or expired (codes as the
        POP gateway sends them: InvalidAccessKeyId.NotFound 404, InvalidSecurityToken.*
        and MissingSecurityToken 400; Alibaba's OpenAPI error centre)."""
        secret = self.world.secret_for(access_key_id)
        if secret is None:
            raise ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        problem = self.world.token_problem(access_key_id, token)
        if problem is not None:
            raise ApiError(400, problem, TOKEN_MESSAGES[problem])
        return secret

    def _verify_acs3(self, request: web.Request, authorization: str, body: bytes) -> None:
        auth = signing.parse_acs3_authorization(authorization)
        if auth is None:
            raise ApiError(
                400,
                "IncompleteSignature",
                "The request signature does not conform to Aliyun standards.",
            )
        secret = self._secret(auth.access_key_id, request.headers.get("x-acs-security-token"))
        expected, string_to_sign = signing.acs3_signature(
            request.method,
            request.path,
            _query(request),
            request.headers,
            auth.signed_headers,
            body,
            secret,
        )
        if not hmac.compare_digest(expected.encode(), auth.signature.encode()):
            raise _signature_mismatch(string_to_sign)

    def _verify_rpc(self, request: web.Request, body: bytes) -> None:
        params = {**_query(request), **_form(request, body)}
        provided = params.pop("Signature")
        secret = self._secret(params.get("AccessKeyId", ""), params.get("SecurityToken"))
        expected, string_to_sign = signing.rpc_signature(request.method, params, secret)
        if not hmac.compare_digest(expected.encode(), provided.encode()):
            raise _signature_mismatch(string_to_sign)

    def _authorize(self, product: RpcProduct, call: Call) -> None:
        """RAM's refusal of an action the principal is not granted (World.denied)."""
        action = f"{product.name.lower()}:{call.action}"
        if self.world.is_denied(action):
            raise ram_denial(product, action, self.world.account_uid)


# The POP gateway's messages for a refused SecurityToken.
TOKEN_MESSAGES = {
    "MissingSecurityToken": "SecurityToken is mandatory for this action.",
    "InvalidSecurityToken.MismatchWithAccessKey": (
        "Specified SecurityToken mismatch with the AccessKey."
    ),
    "InvalidSecurityToken.Expired": "Specified SecurityToken is expired.",
}


def access_denied_detail(action: str, account_uid: str) -> dict[str, str]:
    """RAM's AccessDeniedDetail: the fields Alibaba's API references list for it
    (PolicyType, AuthPrincipalOwnerId, AuthPrincipalType, AuthPrincipalDisplayName,
    NoPermissionType, AuthAction, EncodedDiagnosticMessage; e.g. the AccessDeniedDetail
    data type of the newer APIs, and RAM DecodeDiagnosticMessage for the encoded part).
    The sandbox's principal is a RAM user with no Allow for the action: an implicit deny."""
    diagnostic = base64.b64encode(f"sandbox|{action}|ImplicitDeny".encode()).decode()
    return {
        "PolicyType": "AccountLevelIdentityBasedPolicy",
        "AuthPrincipalOwnerId": account_uid,
        "AuthPrincipalType": "SubUser",
        "AuthPrincipalDisplayName": "oss-cdn-sandbox-user",
        "NoPermissionType": "ImplicitDeny",
        "AuthAction": action,
        "EncodedDiagnosticMessage": diagnostic,
    }


def ram_denial(product: RpcProduct, action: str, account_uid: str) -> ApiError:
    """How CDN and Alidns refuse an action RAM does not grant.

    Alidns answers HTTP 400 `Forbidden.RAM` "User not authorized to operate on the
    specified resource, or this API doesn't support RAM." (as users of its API report it:
    github.com/mgsky1/DDNS/issues/27, honwen/aliyun-ddns-cli/issues/27, acme.sh #1898);
    CDN is given the newer gateway's 403 `NoPermission` (reference/alibaba-api-facts.md:
    "RAM denials: Forbidden.RAM / NoPermission with HTTP 403 ... newer APIs add
    AccessDeniedDetail"). Both carry AccessDeniedDetail, which newer gateways add to RAM
    denials (aliyun-openapi-java-sdk PR #761 "support access denied detail in AcsError";
    RAM DecodeDiagnosticMessage decodes its EncodedDiagnosticMessage)."""
    detail = {"AccessDeniedDetail": access_denied_detail(action, account_uid)}
    if product.name == "Alidns":
        return ApiError(
            400,
            "Forbidden.RAM",
            "User not authorized to operate on the specified resource, "
            "or this API doesn't support RAM.",
            **detail,
        )
    return ApiError(
        403,
        "NoPermission",
        f"You are not authorized to perform this operation. Action: {action}.",
        **detail,
    )


def _signature_mismatch(string_to_sign: str) -> ApiError:
    # Alibaba shows its string to sign (a digest of the request, no secret) to help debugging.
    return ApiError(
        400,
        "SignatureDoesNotMatch",
        "Specified signature does not match our calculation. "
        f"server string to sign is:{string_to_sign}",
    )


def mangled(response: web.Response, body: bytes) -> web.Response:
    """`response` (a success) with `body` instead of its own; an error answer as it was."""
    if response.status >= 300:
        return response
    headers = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in ("content-length", "content-type")
    }
    return web.Response(
        status=response.status,
        body=body,
        headers=headers,
        content_type=response.content_type,
        charset=response.charset,
    )


def _query(request: web.Request) -> dict[str, str]:
    # parse_qsl decodes '+' as a space, matching the SDK's urlencode on the way out.
    return dict(parse_qsl(request.query_string, keep_blank_values=True))


def _form(request: web.Request, body: bytes) -> dict[str, str]:
    if not body or not request.content_type.startswith("application/x-www-form-urlencoded"):
        return {}
    return dict(parse_qsl(body.decode(errors="replace"), keep_blank_values=True))


async def serve_on_free_port(
    handler: web.Handler, host: str, *, client_max_size: int = 1024**2
) -> tuple[web.Served, int]:
    """Serve `handler` (every method and path) on a free port of `host`: what to clean
    up, and the port. A client that gave up (timeout faults) frees its handler; stopping
    never waits long on a held request (web.serve)."""
    # Bind the socket ourselves: port 0 picks a free port, and we can read which.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    served = await web.serve(handler, sock, client_max_size=client_max_size)
    return served, sock.getsockname()[1]


class SandboxServer:
    """The aiohttp server: picks the protocol, records the call, applies faults, answers."""

    def __init__(
        self,
        world: World,
        faults: Faults,
        calls: CallLog,
        rpc: RpcApi,
        oss: Api,
        host: str = "127.0.0.1",
    ) -> None:
        self.world = world
        self.faults = faults
        self.calls = calls
        self.rpc = rpc
        self.oss = oss
        self.host = host
        self.port = 0
        self._runner: web.Served | None = None

    async def start(self) -> int:
        """Listen on an ephemeral port; returns it."""
        self._runner, self.port = await serve_on_free_port(
            self._handle, self.host, client_max_size=64 * 1024 * 1024
        )
        return self.port

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.world.tick()
        body = await request.read()
        api: Api = self.rpc if is_rpc(request, body) else self.oss
        call = api.identify(request, body)
        self.calls.record(call.action, call.params)
        fault = self.faults.take(call.action)
        if fault is not None and fault.kind in BAD_ANSWERS:
            # The action's real answer (its effect too), mangled on the way out.
            try:
                response = await api.answer(call, request, body)
            except ApiError as err:
                return api.error(call, err)
            return api.mangle(response, fault)
        if fault is not None:
            if fault.kind in AFTER_KINDS:
                return await self._lose_answer(fault, api, call, request, body)
            if fault.kind == "reset":
                fault.outcome = "reset"
                _reset(request)
                return web.Response()
            if fault.kind == "non_json":
                return api.non_json(call)
            if fault.kind == "timeout":
                await self._hold(fault)
                self.world.tick()
            else:
                return api.error(call, api.fault_error(fault))
        return await self._answer(api, call, request, body)

    async def _answer(
        self, api: Api, call: Call, request: web.Request, body: bytes
    ) -> web.Response:
        try:
            return await api.answer(call, request, body)
        except ApiError as err:
            return api.error(call, err)

    async def _lose_answer(
        self, fault: Fault, api: Api, call: Call, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        """The cloud acted, and its answer never reached the client: the connection
        dropped (reset_after) or the client stopped waiting (timeout_after)."""
        response = await self._answer(api, call, request, body)
        if fault.kind == "reset_after":
            fault.outcome = "reset"
            _reset(request)
            return web.Response()
        await self._hold(fault)
        return response

    @staticmethod
    async def _hold(fault: Fault) -> None:
        """Wait `delay` seconds before answering; a client that gives up first cancels
        this handler (handler_cancellation), which `outcome` then tells."""
        try:
            await asyncio.sleep(float(fault.params.get("delay", 30)))
        except asyncio.CancelledError:
            fault.outcome = "abandoned"
            raise
        fault.outcome = "answered"


def _reset(request: web.Request) -> None:
    """Drop the connection with a TCP reset, answering nothing."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # Linger 0: close() sends RST instead of a polite FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
