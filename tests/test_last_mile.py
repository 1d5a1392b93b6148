"""Issue 9's "done when", through the real SDKs and sockets: a new domain is served
through the sandbox's CDN edge; its private bucket answers `denied` until the app's
back-to-origin fix, then `served`; a changed object is `stale` until "refresh what
changed" completes, then served with the new ETag; with Auto CDN Cache Update on, a
change reaches the edge without a refresh.

The sandbox runs at real speed, so the edge's cache time holds while the test looks; the
minutes the cloud takes (going online, applying a setting, a refresh) are skipped with
`Clock.advance`, and every step is awaited, not slept on."""

from __future__ import annotations

import pytest

from tui.delivery_rules import Verdict
from tui.sandbox.cdn_api import CONFIG_SECONDS, REFRESH_SECONDS
from tui.sandbox.world import AUTO_REFRESH_SECONDS
from tui.services.delivery import DeliveryService
from tui.services.facade import Services
from tui.services.models import Source
from tui.services.oss import OssService
from tui.services.profile import sandbox_profile
from tui.services.propagation import AUTHORITATIVE, Target

NAME = "shop.example.com"
URL = f"http://{NAME}/clips/intro.mp4"
# The bucket is in cn-shanghai: the app's calls name it with its region (V4 signs for it).
VIDEO = OssService.bucket_from_origin("demo-video.oss-cn-shanghai.aliyuncs.com")


@pytest.fixture
async def services(realtime_sandbox):
    services = Services(sandbox_profile(realtime_sandbox.info))
    yield services
    await services.close()


async def test_from_a_new_domain_to_served_and_kept_fresh(services, realtime_sandbox):
    world = realtime_sandbox.world
    world.configure_delay = 30.0
    cdn, dns, oss = services.cdn, services.dns, services.oss
    # The authoritative server: what the simulated resolvers see once their lag has passed.
    host, port = realtime_sandbox.info["nameservers"][0].rsplit(":", 1)
    authority = Target("authoritative", host, int(port), kind=AUTHORITATIVE)
    delivery = DeliveryService(services.profile, cdn, oss, timeout=10)

    async def check():
        return await delivery.check(URL, resolver=authority)

    # A new domain on a private bucket (demo-video, as a new bucket is).
    origin = Source("oss", "demo-video.oss-cn-shanghai.aliyuncs.com", 80)
    await cdn.add_domain(NAME, "web", [origin], "overseas")
    assert (await check()).verdict is Verdict.OFFLINE  # configuring: not served yet
    world.clock.advance(world.configure_delay + 1)
    domain = await cdn.domain(NAME)
    assert domain.status == "online"
    await dns.add_record("example.com", "shop", "CNAME", domain.cname)

    denied = await check()
    assert (denied.verdict, denied.status) == (Verdict.DENIED, 403), denied.explanation
    assert "l2_oss_key" in denied.explanation or "back-to-origin" in denied.explanation

    # The fix the app offers (key o): back-to-origin authentication for private buckets.
    await cdn.enable_private_origin(NAME)
    world.clock.advance(CONFIG_SECONDS + 1)
    served = await check()
    assert (served.verdict, served.cache) == (Verdict.SERVED, "MISS"), served.explanation
    assert (await check()).cache == "HIT"

    # A deploy changes the object: the edge keeps its copy (no Auto CDN Cache Update).
    await oss.put_object(VIDEO, "clips/intro.mp4", "a new intro")
    stale = await check()
    assert stale.verdict is Verdict.STALE and stale.etag == served.etag != stale.origin_etag

    # Refresh what changed: exactly that object, then the refresh completes.
    changed = await services.freshness.changed(domain, ago=3600)
    assert [o.key for o in changed.objects] == ["clips/intro.mp4"]
    outcome = await services.freshness.refresh_changed(changed)
    assert (outcome.sent, outcome.left) == (1, 0)
    assert (await check()).verdict is Verdict.STALE  # Refreshing: not done yet
    world.clock.advance(REFRESH_SECONDS + 1)
    fresh = await check()
    assert (fresh.verdict, fresh.cache) == (Verdict.SERVED, "MISS")
    assert fresh.etag == fresh.origin_etag == stale.origin_etag

    # Auto CDN Cache Update on for the binding: the next change purges itself.
    with world.lock:
        world.buckets["demo-video"].cnames[NAME] = ("Enabled", True)
    await oss.put_object(VIDEO, "clips/intro.mp4", "the intro, once more")
    world.clock.advance(AUTO_REFRESH_SECONDS + 1)
    auto = await check()
    assert (auto.verdict, auto.cache) == (Verdict.SERVED, "MISS"), auto.explanation
    assert auto.etag == auto.origin_etag != fresh.etag
