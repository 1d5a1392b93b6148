"""The delivery check against the sandbox and its CDN edge: real DNS through the sandbox's
resolvers, real HTTP to the edge on loopback, real oss2 to the origin. No mocks. The
sandbox runs at real speed (conftest's realtime_sandbox: the edge's cache time holds)."""

from __future__ import annotations

import asyncio
import socket

import pytest

from tui.delivery_rules import Verdict, parse_url
from tui.services.delivery import Delivery, DeliveryError, DeliveryService
from tui.services.facade import Services
from tui.services.propagation import Target, parse_address

IMG = "http://img.example.com/img/logo.png"


@pytest.fixture
def box(realtime_sandbox):
    return realtime_sandbox


@pytest.fixture
async def services(box):
    from tui.services.profile import sandbox_profile

    services = Services(sandbox_profile(box.info))
    yield services
    await services.close()


@pytest.fixture
def delivery(services):
    return DeliveryService(services.profile, services.cdn, services.oss, timeout=10)


def make_online_with_record(box, name: str) -> None:
    """`name` online in CDN and its CNAME record in example.com, as of a day ago (so every
    simulated resolver sees it, whatever its lag)."""
    from tui.sandbox.world import cname_for

    world = box.world
    with world.lock:
        domain = world.domains[name]
        domain.status, domain.pending = "online", []
        world.add_record(
            "example.com",
            name.split(".")[0],
            "CNAME",
            cname_for(name),
            created_at=world.now() - 86400,
        )


async def test_served_through_the_edge_miss_then_hit(delivery, services, box):
    first = await delivery.check(IMG)
    assert first.verdict is Verdict.SERVED, first.explanation
    assert (first.status, first.cache) == (200, "MISS")
    origin = await services.oss.head_object("demo-assets", "img/logo.png")
    assert first.etag == first.origin_etag == origin.etag.upper()
    assert first.size == first.origin_size == origin.size
    # The evidence: the edge the DNS chain led to, and what the edge sent.
    assert first.edge == box.info["edge"]
    assert "img.example.com.w.kunlunsl.com" in first.chain
    headers = dict(first.headers)
    assert headers["Server"] == "Tengine"
    assert headers["X-Cache"].startswith("MISS TCP_MISS")
    assert {"Via", "EagleId", "Last-Modified", "Content-Length"} <= set(headers)
    assert first.domain == "img.example.com"

    second = await delivery.check(IMG)
    assert (second.verdict, second.cache) == (Verdict.SERVED, "HIT")
    assert dict(second.headers)["X-Cache"].startswith("HIT TCP_MEM_HIT")
    assert "cache" in second.explanation


async def test_a_missing_object_is_not_found(delivery):
    result = await delivery.check("http://img.example.com/img/nothing-here.png")
    assert (result.verdict, result.status) == (Verdict.NOT_FOUND, 404)
    assert "img/nothing-here.png" in result.explanation and "demo-assets" in result.explanation


async def test_the_domain_alone_is_explained_and_a_real_object_named(delivery, services):
    result = await delivery.check("http://img.example.com/")
    assert result.verdict is Verdict.NOT_FOUND  # never `denied` for the domain alone
    assert result.status == 403
    assert "no default page" in result.explanation
    # The object it names is one of the bucket's, and fetching it works.
    keys = {o.key for o in (await services.oss.list_objects("demo-assets")).objects}
    assert result.example and parse_url(result.example).key in keys
    assert result.example in result.explanation
    assert (await delivery.check(result.example)).verdict is Verdict.SERVED


async def test_a_name_without_its_cname_record_is_not_cdn(delivery):
    # static.example.com is online in CDN, but example.com has no record for it.
    result = await delivery.check("http://static.example.com/index.html")
    assert result.verdict is Verdict.NOT_CDN
    assert "static.example.com.w.kunlunsl.com" in result.explanation
    assert result.status is None and result.edge == ""


async def test_a_stopped_domain_is_offline(delivery):
    result = await delivery.check("http://old.example.com/index.html")
    assert result.verdict is Verdict.OFFLINE
    assert "StartCdnDomain" in result.explanation


async def test_a_private_bucket_is_denied_until_back_to_origin_auth_is_on(delivery, box):
    make_online_with_record(box, "video.example.com")
    url = "http://video.example.com/clips/intro.mp4"
    denied = await delivery.check(url)
    assert (denied.verdict, denied.status) == (Verdict.DENIED, 403)
    assert "demo-video" in denied.explanation and "private" in denied.explanation
    assert "key o" in denied.explanation
    assert "BatchSetCdnDomainConfig" in denied.explanation and "l2_oss_key" in denied.explanation
    assert denied.origin_etag  # the object is there: the edge may not read it

    # What the fix (helper B's write) leaves in the world: the edge signs, and serves.
    with box.world.lock:
        box.world.domains["video.example.com"].configs.append(
            {
                "FunctionName": "l2_oss_key",
                "ConfigId": "1",
                "Status": "success",
                "FunctionArgs": {"private_oss_auth": "on"},
            }
        )
    served = await delivery.check(url)
    assert served.verdict is Verdict.SERVED, served.explanation
    assert served.etag == served.origin_etag


async def test_a_changed_object_is_stale_until_the_edge_lets_go(delivery, services, box):
    # cdn.partner.org serves demo-assets without Auto CDN Cache Update: a change at the
    # origin stays unseen at the edge until its cache time ends or a refresh.
    url = "http://cdn.partner.org/index.html"
    assert (await delivery.check(url)).verdict is Verdict.SERVED
    assert (await delivery.check(url)).cache == "HIT"
    await services.oss.put_object("demo-assets", "index.html", "<h1>A new page</h1>\n")

    stale = await delivery.check(url)
    assert stale.verdict is Verdict.STALE, stale.explanation
    assert stale.cache == "HIT" and stale.etag != stale.origin_etag
    assert "refresh" in stale.explanation

    with box.world.lock:  # a completed refresh of the URL (helper A's task semantics)
        box.world.add_cache_task(url, "file", 0.0, status="Complete")
    fresh = await delivery.check(url)
    assert (fresh.verdict, fresh.cache) == (Verdict.SERVED, "MISS")
    assert fresh.etag == fresh.origin_etag == stale.origin_etag


async def test_a_wildcard_domain_serves_the_name_below_it(delivery, services, box):
    from tui.sandbox.world import cname_for

    with box.world.lock:
        box.world.add_domain(
            ".example.com",
            "web",
            [
                {
                    "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
                    "type": "oss",
                    "port": 80,
                    "priority": "20",
                    "weight": "10",
                }
            ],
            "domestic",
            status="online",
        )
        box.world.add_record(
            "example.com",
            "shop",
            "CNAME",
            cname_for(".example.com"),
            created_at=box.world.now() - 86400,
        )
    result = await delivery.check("http://shop.example.com/index.html")
    assert result.domain == ".example.com"
    assert result.verdict is Verdict.SERVED, result.explanation


async def test_a_host_on_no_cdn_domain_is_refused(delivery):
    with pytest.raises(DeliveryError, match="not a CDN domain of this account"):
        await delivery.check("http://nothing.example.org/a.png")


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_resolver_that_is_not_there_is_an_error_not_a_hang(delivery):
    gone = Target("Gone", "127.0.0.1", closed_port())
    result = await delivery.check(IMG, resolver=gone)
    assert result.verdict is Verdict.ERROR
    assert "Gone" in result.explanation


async def test_any_resolver_can_be_named(delivery, box):
    authoritative = Target("Authoritative", *parse_address(box.info["nameservers"][0]))
    result = await delivery.check(IMG, resolver=authoritative)
    assert (result.verdict, result.resolver) == (Verdict.SERVED, "Authoritative")


async def test_the_result_holds_no_secret_and_its_json_has_exactly_the_members(delivery, box):
    result = await delivery.check(IMG)
    data = result.to_json()
    assert set(data) == {
        "url",
        "verdict",
        "status",
        "cache",
        "headers",
        "edge",
        "etag",
        "origin_etag",
        "elapsed_ms",
        "explanation",
    }
    assert data["verdict"] == "served" and data["cache"] == "MISS"
    text = repr(result) + repr(data)
    assert box.info["access_key_secret"] not in text
    assert box.info["access_key_id"] not in text
    assert isinstance(result, Delivery)


async def test_with_auto_cdn_cache_update_a_change_reaches_the_edge_without_a_refresh():
    # img.example.com is bound to demo-assets with Auto CDN Cache Update on; cdn.partner.org
    # serves the same bucket without it. At 100x the edge's hour is 36 real seconds and
    # the automatic refresh (a minute of sandbox time) 0.6: the one is seen well within
    # the other.
    from tui.sandbox.runner import Sandbox
    from tui.services.profile import sandbox_profile

    box = Sandbox(speed=100.0)
    box.start()
    services = Services(sandbox_profile(box.info))
    try:
        delivery = DeliveryService(services.profile, services.cdn, services.oss, timeout=10)
        auto, manual = "http://img.example.com/index.html", "http://cdn.partner.org/index.html"
        assert (await delivery.check(auto)).verdict is Verdict.SERVED
        assert (await delivery.check(manual)).verdict is Verdict.SERVED
        new_etag = (
            await services.oss.put_object("demo-assets", "index.html", "<h1>v2</h1>\n")
        ).upper()

        deadline = asyncio.get_running_loop().time() + 20
        while True:
            result = await delivery.check(auto)
            if result.verdict is Verdict.SERVED:
                break
            assert result.verdict is Verdict.STALE  # until OSS's refresh completes
            assert asyncio.get_running_loop().time() < deadline, "no automatic refresh"
            await asyncio.sleep(0.1)
        assert result.etag == new_etag and result.cache == "MISS"
        kept = await delivery.check(manual)
        assert kept.verdict is Verdict.STALE and kept.cache == "HIT"
        assert kept.origin_etag == new_etag != kept.etag
    finally:
        await services.close()
        box.stop()
