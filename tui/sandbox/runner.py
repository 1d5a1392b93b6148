"""Run the sandbox: its HTTP APIs and DNS servers on loopback, in a thread of their own.

    with Sandbox(speed=1000) as box:
        box.info["cdn_endpoint"]        # "127.0.0.1:PORT", for the SDKs' Config(endpoint=)
        box.info["edge"]                # "127.0.0.1:PORT": the CDN edge, routing by Host
        box.faults.add("throttle", "AddCdnDomain")
        box.world.add_zone("more.example")

The thread runs its own asyncio loop, so the app (or a test) in the main thread talks to
the sandbox over real sockets, exactly as it would to Alibaba Cloud.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import threading

from tui.sandbox import alidns_api, cdn_api, shared
from tui.sandbox.dns_ports import BoundDns, bind_dns
from tui.sandbox.edge import Edge
from tui.sandbox.faults import CallLog, Faults
from tui.sandbox.http_server import RpcApi, SandboxServer
from tui.sandbox.oss_api import OssApi
from tui.sandbox.world import World

START_TIMEOUT = 15.0


class Sandbox:
    def __init__(
        self,
        speed: float = 1.0,
        host: str = "127.0.0.1",
        epoch: float | None = None,
        quota: int | None = None,
        *,
        defer_dns: bool = False,
    ) -> None:
        self.speed = speed
        # The app's sandbox: its DNS servers are served once `finish_start()` is called
        # (after the first listing) or a query arrives, whichever is first; their ports
        # are bound, and in `info`, from the start (see dns_ports).
        self.defer_dns = defer_dns
        self.host = host
        self.world = World(speed, epoch=epoch)
        if quota is not None:  # the account's CDN domain quota (DescribeCdnUserQuota)
            self.world.quota = quota
        self.faults = Faults()
        # The DNS servers' own, by server name ("AliDNS", "Authoritative"): kept apart so
        # a fault armed for "any API call" never delays a DNS answer.
        self.dns_faults = Faults()
        self.calls = CallLog()
        self.info: dict = {}
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._rest: asyncio.Event | None = None  # set: serve the deferred DNS now
        self.dns_serving = threading.Event()  # set once the DNS servers answer
        self.dns_failure: Exception | None = None  # why a deferred DNS did not start

    def start(self) -> Sandbox:
        """Start serving; returns once every server listens (raises what stopped it)."""
        if self._thread is not None:
            raise RuntimeError("the sandbox is already running")
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._serve(ready, failure)),
            name="oss-cdn-sandbox",
            daemon=True,
        )
        self._thread.start()
        if not ready.wait(START_TIMEOUT):
            raise TimeoutError("the sandbox did not start in time")
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]
        return self

    def finish_start(self) -> None:
        """Serve what start() deferred (the DNS servers), now; safe from any thread,
        and to call again."""
        loop, rest = self._loop, self._rest
        if loop is not None and rest is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(rest.set)

    def stop(self) -> None:
        """Stop the servers and wait for the thread; safe to call twice."""
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None:
            return
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        thread.join(START_TIMEOUT)
        self._thread = self._loop = self._stop = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def _serve(self, ready: threading.Event, failure: list[BaseException]) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._rest = asyncio.Event()
        http = SandboxServer(
            self.world,
            self.faults,
            self.calls,
            rpc=RpcApi(self.world, [cdn_api.PRODUCT, alidns_api.PRODUCT]),
            oss=OssApi(self.world),
            host=self.host,
        )
        bound = dns = edge = None
        try:
            port = await http.start()
            # Every CNAME target resolves to the edge's address (set before DNS serves).
            self.world.edge_host = self.host
            edge = Edge(self.world, f"{self.host}:{port}", self.host)
            self.world.edge_port = await edge.start()
            bound = bind_dns(self.host)
            if not self.defer_dns:
                dns = await self._serve_dns(bound)
            self.info = self._describe(port, bound, edge)
        except BaseException as exc:  # reported to start() in the caller's thread
            failure.append(exc)
        ready.set()
        try:
            if not failure:
                if dns is None and bound is not None:
                    try:
                        dns = await self._deferred_dns(bound)
                    except Exception as exc:
                        # The app already talks to this sandbox: a DNS that cannot start
                        # leaves its queries unanswered (a timeout, as a dead resolver),
                        # never the whole sandbox down under the app. Kept for a look.
                        self.dns_failure = exc
                await self._stop.wait()
        finally:
            if dns is not None:
                await dns.close()
            elif bound is not None:
                bound.close()
            if edge is not None:
                await edge.close()
            await http.close()

    async def _serve_dns(self, bound: BoundDns):
        # Imported here: dnspython and the zones' answers are the DNS's alone.
        from tui.sandbox.dns_server import serve_dns

        servers = await serve_dns(self.world, bound, self.dns_faults)
        self.dns_serving.set()
        return servers

    async def _deferred_dns(self, bound: BoundDns):
        """Serve the DNS once asked to (finish_start) or once a query waits at one of
        its ports; None if the sandbox stops first."""
        assert self._stop is not None and self._rest is not None
        waits = {
            asyncio.ensure_future(self._rest.wait()),
            asyncio.ensure_future(bound.first_query()),
            asyncio.ensure_future(self._stop.wait()),
        }
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
            await asyncio.gather(*waits, return_exceptions=True)
        if self._stop.is_set():
            return None
        return await self._serve_dns(bound)

    def _describe(self, port: int, dns: BoundDns, edge: Edge) -> dict:
        endpoint = f"{self.host}:{port}"
        nameservers, resolvers, details = dns.describe()
        return {
            "cdn_endpoint": endpoint,
            "dns_api_endpoint": endpoint,
            "oss_endpoint": endpoint,
            # The CDN edge: where every CNAME target resolves, on a port of its own
            # (the real edge listens on 80/443).
            "edge": edge.address,
            "access_key_id": self.world.access_key_id,
            "access_key_secret": self.world.access_key_secret,
            "nameservers": nameservers,
            "resolvers": resolvers,
            "resolver_details": details,
            "speed": self.speed,
        }


def main_serve(
    speed: float = 1.0,
    json_out: bool = False,
    deny: list[str] | None = None,
    quota: int | None = None,
) -> int:
    """`oss-cdn sandbox serve [--json]`: run until SIGINT, SIGTERM or SIGHUP, then stop
    cleanly.

    While it runs it is the shared sandbox (see shared.py): its record lets every other
    command attach to it, and is removed when it stops. With json_out the first line of
    output is the connection info as one JSON object (credentials included: it is how
    another process connects). Without it, a summary for people, which leaves the
    secret out. `deny`: RAM actions the account's user is refused (`--deny`).
    """
    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: done.set())
    with Sandbox(speed=speed, quota=quota) as box:
        box.world.denied.update(deny or ())  # `--deny cdn:AddCdnDomain`: RAM refuses it
        info = box.info
        other = shared.find_running()
        recorded = None if other else shared.record(info, os.getpid())
        try:
            _announce(info, speed, json_out, recorded, other)
            while not done.wait(0.5):
                pass
        finally:
            if recorded is not None:
                shared.forget(recorded, os.getpid())
    return 0


def _announce(info: dict, speed: float, json_out: bool, recorded, other: dict | None) -> None:
    if other is not None:
        print(
            f"oss-cdn sandbox serve: the sandbox of pid {other['pid']} is already the "
            "shared one: other commands attach to it, not to this one",
            file=sys.stderr,
            flush=True,
        )
    elif recorded is None:
        print(
            "oss-cdn sandbox serve: no private runtime directory could be made: other "
            "commands will not find this sandbox",
            file=sys.stderr,
            flush=True,
        )
    if json_out:
        print(json.dumps(info), flush=True)
    else:
        details = info["resolver_details"]
        resolvers = "".join(
            f"\n    {name:<11} {address}  (stands for {details[name]['stands_for']})"
            for name, address in info["resolvers"].items()
        )
        print(
            f"Sandbox running at speed {speed:g}x (Ctrl+C stops it)\n"
            f"  CDN and Alidns API  {info['cdn_endpoint']}\n"
            f"  OSS                 http://{info['oss_endpoint']}\n"
            f"  CDN edge            {info['edge']}  (every CNAME target resolves here)\n"
            f"  Name servers        {', '.join(info['nameservers'])}\n"
            f"  Resolvers{resolvers}\n"
            f"  AccessKey ID        {info['access_key_id']}\n"
            "  (the secret is in the --json output)",
            flush=True,
        )
        if recorded is not None:
            print(
                "Shared: `oss-cdn --sandbox` and `oss-cdn check --sandbox` attach to "
                f"it (recorded in {recorded})",
                flush=True,
            )
