"""Where the sandbox's DNS servers listen, bound before their code is loaded.

The app's sandbox starts while the domain list waits for it; its DNS (dnspython, the
zones' answers: ~30 ms of CPU) is not needed for that list. So the sockets are bound
first, cheaply, and their addresses go into `Sandbox.info` at once; the servers attach
to them later (dns_server.serve_dns). A query sent meanwhile waits in the socket's
buffer (a TCP connection in its backlog) and is answered once they do: nobody sees a
server that is not up.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class PublicResolver:
    name: str
    stands_for: str  # the real resolver's address
    region: str  # "mainland" | "global"
    lag: float  # sandbox seconds behind the world
    # Real resolvers cap how long they keep a negative answer, each its own way; without
    # caps every resolver asked at once would turn at once, when the SOA minimum ends.
    max_negative_ttl: int = 600


# Lags and caps spread so that a propagation board turns its rows one by one.
PUBLIC_RESOLVERS = (
    PublicResolver("AliDNS", "223.5.5.5", "mainland", 0, 60),
    PublicResolver("AliDNS 2", "223.6.6.6", "mainland", 15, 90),
    PublicResolver("DNSPod", "119.29.29.29", "mainland", 30, 120),
    PublicResolver("114DNS", "114.114.114.114", "mainland", 60, 180),
    PublicResolver("Baidu", "180.76.76.76", "mainland", 90, 240),
    PublicResolver("CNNIC", "1.2.4.8", "mainland", 120, 300),
    PublicResolver("Google", "8.8.8.8", "global", 150, 360),
    PublicResolver("Cloudflare", "1.1.1.1", "global", 180, 420),
    PublicResolver("Quad9", "9.9.9.9", "global", 240, 480),
    PublicResolver("OpenDNS", "208.67.222.222", "global", 300, 600),
)

TCP_BACKLOG = 100


@dataclass
class Port:
    """One server's UDP and TCP sockets, at the same port of `host`."""

    udp: socket.socket
    tcp: socket.socket
    address: str  # "127.0.0.1:PORT"

    def close(self) -> None:
        self.udp.close()
        self.tcp.close()


def bind_port(host: str) -> Port:
    """A UDP socket on a free port of `host` and a listening TCP socket on the same one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(20):
        udp = socket.socket(family, socket.SOCK_DGRAM)
        try:
            udp.bind((host, 0))
            port = udp.getsockname()[1]
            tcp = socket.socket(family, socket.SOCK_STREAM)
        except OSError:
            udp.close()
            raise
        try:
            # As asyncio.start_server does on POSIX: a restarted sandbox may reuse the port.
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((host, port))
            tcp.listen(TCP_BACKLOG)
        except OSError:  # the port is taken for TCP: try another one
            udp.close()
            tcp.close()
            continue
        udp.setblocking(False)
        tcp.setblocking(False)
        return Port(udp, tcp, f"{host}:{port}")
    raise OSError(f"no port free for both UDP and TCP on {host}")


@dataclass
class BoundDns:
    """The authoritative server's port and each public resolver's, bound, not served."""

    authoritative: Port
    resolvers: dict[str, Port]  # resolver name -> its port

    @property
    def ports(self) -> list[Port]:
        return [self.authoritative, *self.resolvers.values()]

    def close(self) -> None:
        for port in self.ports:
            port.close()

    def describe(self) -> tuple[list[str], dict[str, str], dict[str, dict]]:
        """(nameservers, resolver name -> address, resolver name -> details): what
        `Sandbox.info` says of the DNS."""
        details = {
            spec.name: {
                "address": self.resolvers[spec.name].address,
                "stands_for": spec.stands_for,
                "region": spec.region,
                "lag": spec.lag,
            }
            for spec in PUBLIC_RESOLVERS
        }
        return (
            [self.authoritative.address],
            {name: port.address for name, port in self.resolvers.items()},
            details,
        )

    async def first_query(self) -> None:
        """Return once a query (a datagram, a connection) is waiting at any port."""
        loop = asyncio.get_running_loop()
        arrived = loop.create_future()

        def knock() -> None:
            if not arrived.done():
                arrived.set_result(None)

        sockets = [s for port in self.ports for s in (port.udp, port.tcp)]
        for sock in sockets:
            loop.add_reader(sock.fileno(), knock)
        try:
            await arrived
        finally:  # the servers' transports read these sockets from now on
            for sock in sockets:
                loop.remove_reader(sock.fileno())


def bind_dns(host: str) -> BoundDns:
    """Bind every DNS server's sockets on `host` (no dnspython: that comes with serving)."""
    bound: list[Port] = []
    try:
        for _ in range(1 + len(PUBLIC_RESOLVERS)):
            bound.append(bind_port(host))
    except BaseException:
        for port in bound:
            port.close()
        raise
    resolvers = {spec.name: p for spec, p in zip(PUBLIC_RESOLVERS, bound[1:], strict=True)}
    return BoundDns(bound[0], resolvers)
