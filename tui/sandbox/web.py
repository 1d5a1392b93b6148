"""The part of aiohttp's server the sandbox uses, without `aiohttp.web`.

Each of the sandbox's servers answers every request with one handler, so it needs no
application, router, middlewares, file responses or runner: importing `aiohttp.web` for
them costs ~15 ms of CPU while the app's domain list waits for the sandbox. The request
is aiohttp's BaseRequest (`aiohttp.web.Request` adds the router's match_info and the
application, which nothing here reads); responses are aiohttp's own.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

from aiohttp.web_request import BaseRequest as Request
from aiohttp.web_response import Response, StreamResponse, json_response
from aiohttp.web_server import Server

__all__ = ["Request", "Response", "Served", "StreamResponse", "json_response", "serve"]

Handler = Callable[[Request], Awaitable[StreamResponse]]


class Served:
    """A handler served on a socket: `cleanup()` stops it as aiohttp's AppRunner does."""

    def __init__(self, server: Server, listener: asyncio.Server, shutdown_timeout: float) -> None:
        self._server = server
        self._listener = listener
        self._shutdown_timeout = shutdown_timeout

    async def cleanup(self) -> None:
        self._listener.close()  # no new connections
        await asyncio.sleep(0)  # as BaseRunner.cleanup: let the closed listener settle
        self._server.pre_shutdown()
        await self._server.shutdown(self._shutdown_timeout)
        await self._listener.wait_closed()


async def serve(
    handler: Handler,
    sock: socket.socket,
    *,
    client_max_size: int = 1024**2,
    shutdown_timeout: float = 0.5,
) -> Served:
    """Serve `handler` on the bound socket `sock`: every method, every path. A client
    that gave up (timeout faults) frees its handler (handler_cancellation); no access log."""
    loop = asyncio.get_running_loop()

    def request(message, payload, protocol, writer, task) -> Request:
        return Request(
            message, payload, protocol, writer, task, loop, client_max_size=client_max_size
        )

    server = Server(handler, request_factory=request, handler_cancellation=True, access_log=None)
    listener = await loop.create_server(server, sock=sock)
    return Served(server, listener, shutdown_timeout)
