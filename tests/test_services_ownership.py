"""Ownership verification and the CNAME plan against the sandbox: the TXT record, the
authoritative servers that must serve it, and accounts that may not read Alidns."""

from __future__ import annotations

import dns.asyncresolver
import pytest

from tui.services.errors import CloudError
from tui.services.facade import Services
from tui.services.ownership import Challenge, OwnershipService
from tui.services.profile import Profile
from tui.services.propagation import AUTHORITATIVE, parse_address


@pytest.fixture
def services(profile):
    return Services(profile)


async def test_the_txt_record_is_published_once_and_seen_by_every_server(services, profile):
    ownership = services.ownership
    challenge = await ownership.challenge("cdn.newsite.net")
    assert (challenge.root, challenge.zone, challenge.txt_fqdn) == (
        "newsite.net",
        "newsite.net",
        "verification.newsite.net",
    )
    assert challenge.content.startswith("verify_")

    servers = await ownership.name_servers(challenge)
    assert [s.address for s in servers] == list(profile.nameservers)
    assert {s.kind for s in servers} == {AUTHORITATIVE}
    assert set((await ownership.txt_seen(challenge)).values()) == {False}

    assert await ownership.publish_txt(challenge) is True
    assert await ownership.publish_txt(challenge) is False  # never a duplicate
    assert await ownership.txt_seen(challenge) == {a: True for a in profile.nameservers}


async def test_a_failed_ns_lookup_finds_no_servers_instead_of_raising(profile):
    # A real account's lookup, through the sandbox's authoritative server (on loopback),
    # which refuses a zone it does not serve.
    resolver = dns.asyncresolver.Resolver(configure=False)
    host, port = parse_address(profile.nameservers[0])
    resolver.nameservers, resolver.port = [host], port
    real = Profile("default", "cn-hangzhou")
    ownership = OwnershipService(real, None, None, None, ns_resolver=resolver)
    challenge = Challenge("cdn.unknown-zone.org", "unknown-zone.org", "verify_0", None)
    assert await ownership.name_servers(challenge) == ()
    assert await ownership.txt_seen(challenge) == {}  # the screen says "none found"


# -- a RAM user without Alidns permission ----------------------------------------------


def deny_zones(sandbox, count: int | None = None) -> None:
    sandbox.faults.add(
        "http_error",
        "DescribeDomains",
        count=count,
        status=403,
        code="Forbidden.RAM",
        message="User not authorized to operate on the "
        "specified resource, or this API doesn't support RAM.",
    )


async def test_without_dns_permission_the_zone_is_unknown_and_the_denial_kept(services, sandbox):
    deny_zones(sandbox, count=None)
    zone, denied = await services.dns.find_zone("cdn.newsite.net")
    assert zone is None and denied is not None and denied.code == "Forbidden.RAM"
    challenge = await services.ownership.challenge("cdn.newsite.net")
    assert challenge.zone is None and challenge.content.startswith("verify_")
    assert challenge.zones_denied is not None
    setup = await services.cname_setup.prepare("img.example.com", "x.w.kunlunsl.com")
    assert (setup.zone, setup.plan) == (None, None) and setup.denied is not None
    sandbox.faults.clear()
    assert await services.dns.find_zone("cdn.newsite.net") == ("newsite.net", None)


async def test_other_dns_errors_still_surface(services, sandbox):
    sandbox.faults.add(
        "http_error", "DescribeDomains", status=400, code="InvalidParameter", message="bad page"
    )
    with pytest.raises(CloudError) as caught:
        await services.ownership.challenge("cdn.newsite.net")
    assert caught.value.code == "InvalidParameter"
