"""The sandbox's CDN edge over real sockets: HTTP to the edge with a Host header (aiohttp),
DNS through the sandbox's authoritative server and lagging resolvers (dnspython), writes
through the service layer's official SDK clients. No mocks.

Cache tests run a slower sandbox (200x): an object unchanged for long is cached an hour
of sandbox time (18 real seconds), so "still the old copy" holds on a loaded machine,
and a refresh (330 sandbox seconds) completes in under two real seconds.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from xml.etree import ElementTree as ET

import aiohttp
import dns.asyncquery
import dns.message
import dns.rcode
import dns.rdatatype
import oss2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from multidict import CIMultiDict

from tui.sandbox.edge import MAX_TTL, MIN_TTL, default_ttl
from tui.sandbox.runner import Sandbox
from tui.sandbox.world import cache_target, cname_for, task_covers
from tui.services.errors import CloudError
from tui.services.facade import Services
from tui.services.profile import sandbox_profile

HZ = "demo-assets.oss-cn-hangzhou.aliyuncs.com"  # public-read
SH = "demo-video.oss-cn-shanghai.aliyuncs.com"  # private
CACHE_SPEED = 200.0


# The tea SDKs send even loopback requests through HTTP_PROXY: conftest's no_proxy.
pytestmark = pytest.mark.usefixtures("no_proxy")


@pytest.fixture
def slow_box():
    box = Sandbox(speed=CACHE_SPEED)
    box.start()
    try:
        yield box
    finally:
        box.stop()


def oss_origin(host: str) -> list[dict]:
    return [{"content": host, "type": "oss", "port": 80, "priority": "20", "weight": "10"}]


def origin_auth_on(world, domain) -> None:
    """Back-to-origin authentication for private OSS buckets, as BatchSetCdnDomainConfig
    leaves it (that API sets it over the wire; here it is set in the world)."""
    domain.configs.append(
        {
            "FunctionName": "l2_oss_key",
            "ConfigId": world.next_id(),
            "Status": "success",
            "FunctionArgs": {"private_oss_auth": "on"},
        }
    )


def etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest().upper()}"'


async def fetch(
    box: Sandbox, host: str, path: str, method: str = "GET", address: str | None = None
) -> tuple[int, CIMultiDict[str], bytes]:
    """One request to the edge (at `address`, default the sandbox's edge) for `host`."""
    address = address or box.info["edge"]
    timeout = aiohttp.ClientTimeout(total=10)
    async with (
        aiohttp.ClientSession(trust_env=False, timeout=timeout) as session,
        session.request(method, f"http://{address}{path}", headers={"Host": host}) as response,
    ):
        return response.status, CIMultiDict(response.headers), await response.read()


async def eventually(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def task_done(services: Services, task_id: str) -> None:
    async def complete():
        tasks = await services.cdn.refresh_tasks(task_id=task_id)
        return tasks and tasks[0].status == "Complete"

    await eventually(complete, what=f"task {task_id} to complete")


def error_xml(body: bytes) -> dict[str, str]:
    return {child.tag: child.text or "" for child in ET.fromstring(body)}


# -- serving ------------------------------------------------------------------------------


async def test_a_public_read_bucket_is_served_miss_then_hit(sandbox):
    body = sandbox.world.buckets["demo-assets"].objects["index.html"]
    status, first, data = await fetch(sandbox, "IMG.example.com:80", "/index.html")
    assert (status, data) == (200, body)
    assert first["X-Cache"] == "MISS TCP_MISS dirn:-2:-2"
    assert first["Server"] == "Tengine"
    assert "kunlun" in first["Via"] and first["Via"].endswith("M], kunlun1.cn0000[16,0]")
    assert first["ETag"] == etag(body)
    assert first["Content-Length"] == str(len(body))
    assert first["Content-Type"] == "text/html"
    assert first["Last-Modified"].endswith(" GMT")
    assert first["EagleId"] and first["Age"] == "0"
    # Written long ago: the default policy caches it the longest, an hour.
    assert first["X-Swift-CacheTime"] == "3600"

    status, second, data = await fetch(sandbox, "img.example.com", "/index.html")
    assert (status, data) == (200, body)
    assert second["X-Cache"] == "HIT TCP_MEM_HIT dirn:-2:-2"
    assert "H]" in second["Via"]
    assert second["X-Swift-SaveTime"] == first["X-Swift-SaveTime"]
    assert second["ETag"] == first["ETag"] and second["EagleId"] != first["EagleId"]
    assert int(second["Age"]) >= 0

    status, head, data = await fetch(sandbox, "img.example.com", "/img/logo.png", "HEAD")
    logo = sandbox.world.buckets["demo-assets"].objects["img/logo.png"]
    assert (status, data) == (200, b"")
    assert head["Content-Length"] == str(len(logo)) and head["Content-Type"] == "image/png"
    # The HEAD fetched the object whole: the GET after it is a HIT.
    status, _, data = await fetch(sandbox, "img.example.com", "/img/logo.png")
    assert (status, data) == (200, logo)


async def test_a_missing_object_passes_no_such_key_on(sandbox):
    status, headers, body = await fetch(sandbox, "img.example.com", "/nothing-here.png")
    assert status == 404 and headers["X-Cache"].startswith("MISS")
    assert error_xml(body)["Code"] == "NoSuchKey"
    assert headers["x-oss-ec"] == "0026-00000001"


async def test_a_private_bucket_answers_access_denied_until_origin_auth_is_on(sandbox):
    world = sandbox.world
    domain = world.add_domain("v.example.com", "web", oss_origin(SH), "domestic", status="online")
    status, headers, body = await fetch(sandbox, "v.example.com", "/index.html")
    assert status == 403 and headers["Server"] == "Tengine"
    answer = error_xml(body)
    assert answer["Code"] == "AccessDenied"
    assert answer["Message"] == "You have no right to access this object because of bucket acl."
    assert answer["EC"] == "0003-00000001"
    status, headers, body = await fetch(sandbox, "v.example.com", "/index.html", "HEAD")
    assert (status, body) == (403, b"")

    # Back-to-origin authentication on, but without the role CDN reads buckets with.
    origin_auth_on(world, domain)
    world.private_oss_role = False
    assert (await fetch(sandbox, "v.example.com", "/index.html"))[0] == 403
    world.private_oss_role = True
    status, headers, body = await fetch(sandbox, "v.example.com", "/index.html")
    assert (status, body) == (200, world.buckets["demo-video"].objects["index.html"])
    assert headers["X-Cache"].startswith("MISS")


async def test_anonymous_oss_reads_follow_the_bucket_acl(sandbox):
    """The OSS API itself: an unsigned GET of a public-read bucket's object is served; of a
    private bucket's, refused; a signed one still works."""
    base = f"http://{sandbox.info['oss_endpoint']}"
    async with aiohttp.ClientSession(trust_env=False) as session:
        async with session.get(f"{base}/demo-assets/index.html") as public:
            assert public.status == 200 and await public.read() == b"<h1>Hello from OSS</h1>\n"
        async with session.get(f"{base}/demo-video/index.html") as private:
            assert private.status == 403 and private.headers["x-oss-ec"] == "0003-00000001"
        async with session.get(f"{base}/no-such-bucket/x") as missing:
            assert missing.status == 404
            assert error_xml(await missing.read())["Code"] == "NoSuchBucket"
        async with session.get(f"{base}/") as listing:
            assert listing.status == 403
    sandbox.world.buckets["demo-video"].acl = "public-read"
    status, _, _ = await fetch(sandbox, "ignored", "/demo-video/index.html", address=base[7:])
    assert status == 200


async def test_domains_the_edge_does_not_serve(sandbox):
    world = sandbox.world
    world.configure_delay = 1e9  # stays configuring for this test
    world.add_domain("soon.example.com", "web", oss_origin(HZ), "domestic")
    world.add_domain(".partner.org", "web", oss_origin(HZ), "global", status="online")
    for host in (
        "unknown.example.org",
        "old.example.com",
        "soon.example.com",
        "a.shop.partner.org",
    ):
        status, headers, body = await fetch(sandbox, host, "/index.html")
        assert status == 403, host
        assert headers["X-Tengine-Bf-Error"] == "non-existent domain"
        assert headers["Server"] == "Tengine" and b"403 Forbidden" in body
        assert "X-Cache" not in headers
    # A wildcard domain serves exactly one level below it.
    status, _, body = await fetch(sandbox, "shop.partner.org", "/index.html")
    assert (status, body) == (200, b"<h1>Hello from OSS</h1>\n")
    # Stopping a domain takes it off the edge.
    world.domains["img.example.com"].status = "offline"
    assert (await fetch(sandbox, "img.example.com", "/index.html"))[0] == 403


async def test_the_bare_domain_answers_access_denied(sandbox):
    """No object path: OSS has no default page, so even a public-read origin answers
    AccessDenied (the procedure's warning); a private one does too, even with
    back-to-origin authentication on."""
    world = sandbox.world
    domain = world.add_domain("v.example.com", "web", oss_origin(SH), "domestic", status="online")
    origin_auth_on(world, domain)
    for host in ("img.example.com", "v.example.com"):
        status, headers, body = await fetch(sandbox, host, "/")
        assert status == 403 and headers["X-Cache"].startswith("MISS")
        assert error_xml(body)["Code"] == "AccessDenied"


# -- the cache in sandbox time ------------------------------------------------------------


async def test_a_completed_refresh_drops_the_copy(slow_box):
    services = Services(sandbox_profile(slow_box.info))
    old = slow_box.world.buckets["demo-assets"].objects["index.html"]
    assert (await fetch(slow_box, "static.example.com", "/index.html"))[2] == old
    assert (await fetch(slow_box, "static.example.com", "/img/logo.png"))[0] == 200
    new = b"<h1>Version 2</h1>\n"
    # static.example.com's binding has Auto CDN Cache Update off: the edge keeps its copy.
    await services.oss.put_object("demo-assets", "index.html", new)
    status, headers, body = await fetch(slow_box, "static.example.com", "/index.html")
    assert (status, body, headers["X-Cache"][:3]) == (200, old, "HIT")

    task = await services.cdn.refresh(["http://static.example.com/index.html"])
    # A refresh takes minutes: until it completes, the old copy is still served.
    assert (await fetch(slow_box, "static.example.com", "/index.html"))[2] == old
    await task_done(services, task)
    status, headers, body = await fetch(slow_box, "static.example.com", "/index.html")
    assert (status, body, headers["X-Cache"][:4]) == (200, new, "MISS")
    assert headers["ETag"] == etag(new)
    # Written a moment ago: the default policy keeps it only briefly.
    assert int(headers["X-Swift-CacheTime"]) < 60
    # The file refresh left the other object alone; a directory refresh takes it.
    _, headers, _ = await fetch(slow_box, "static.example.com", "/img/logo.png")
    assert headers["X-Cache"].startswith("HIT")
    task = await services.cdn.refresh(["http://static.example.com/img/"], object_type="Directory")
    await task_done(services, task)
    _, headers, _ = await fetch(slow_box, "static.example.com", "/img/logo.png")
    assert headers["X-Cache"].startswith("MISS")


async def test_a_completed_prefetch_warms_the_url(slow_box):
    services = Services(sandbox_profile(slow_box.info))
    task = await services.cdn.push(["http://static.example.com/img/logo.png"])
    await task_done(services, task)
    status, headers, body = await fetch(slow_box, "static.example.com", "/img/logo.png")
    assert (status, headers["X-Cache"]) == (200, "HIT TCP_MEM_HIT dirn:-2:-2")
    assert body == slow_box.world.buckets["demo-assets"].objects["img/logo.png"]
    # Saved when the prefetch completed, before this request.
    assert int(headers["Age"]) > 0
    # A URL nobody prefetched is still a MISS.
    _, headers, _ = await fetch(slow_box, "static.example.com", "/index.html")
    assert headers["X-Cache"].startswith("MISS")


async def test_auto_cdn_cache_update_purges_only_where_it_is_on(slow_box):
    services = Services(sandbox_profile(slow_box.info))
    world = slow_box.world
    old = world.buckets["demo-assets"].objects["index.html"]
    for host in ("img.example.com", "static.example.com"):
        assert (await fetch(slow_box, host, "/index.html"))[2] == old
        assert (await fetch(slow_box, host, "/img/logo.png"))[0] == 200
    before = (await services.cdn.refresh_quota()).url_remain
    new = b"<h1>Deployed</h1>\n"
    await services.oss.put_object("demo-assets", "index.html", new)
    # img.example.com's binding has it on: OSS submitted a refresh of that one URL.
    tasks = await services.cdn.refresh_tasks(domain="img.example.com", object_type="file")
    assert [t.object_path for t in tasks] == ["http://img.example.com/index.html"]
    assert (await services.cdn.refresh_quota()).url_remain == before - 1
    await task_done(services, tasks[0].task_id)
    status, headers, body = await fetch(slow_box, "img.example.com", "/index.html")
    assert (status, body, headers["X-Cache"][:4]) == (200, new, "MISS")
    # static.example.com's binding has it off: the old copy stays until its TTL.
    status, headers, body = await fetch(slow_box, "static.example.com", "/index.html")
    assert (status, body, headers["X-Cache"][:3]) == (200, old, "HIT")

    # A deletion is purged the same way.
    bucket = oss2.Bucket(
        oss2.AuthV4(slow_box.info["access_key_id"], slow_box.info["access_key_secret"]),
        f"http://{slow_box.info['oss_endpoint']}",
        "demo-assets",
        region="cn-hangzhou",
    )
    await asyncio.to_thread(bucket.delete_object, "img/logo.png")
    tasks = await services.cdn.refresh_tasks(domain="img.example.com", object_type="file")
    gone = [t for t in tasks if t.object_path == "http://img.example.com/img/logo.png"]
    assert len(gone) == 1
    await task_done(services, gone[0].task_id)
    assert (await fetch(slow_box, "img.example.com", "/img/logo.png"))[0] == 404
    assert (await fetch(slow_box, "static.example.com", "/img/logo.png"))[0] == 200


# -- quotas and per-request limits ---------------------------------------------------------


async def test_the_daily_quotas_are_enforced_with_the_real_errors(sandbox):
    services = Services(sandbox_profile(sandbox.info))
    sandbox.world.refresh_quotas.update({"Url": 2, "Preload": 1})
    urls = [f"http://img.example.com/{n}.png" for n in range(3)]
    with pytest.raises(CloudError) as refused:
        await services.cdn.refresh(urls)
    assert (refused.value.code, refused.value.status) == ("QuotaExceeded.Refresh", 400)
    assert "prescribed refresh limits" in refused.value.message
    await services.cdn.refresh(urls[:2])  # exactly what is left
    quota = await services.cdn.refresh_quota()
    assert (quota.url_quota, quota.url_remain) == (2, 0)
    with pytest.raises(CloudError) as refused:
        await services.cdn.refresh(urls[:1])
    assert refused.value.code == "QuotaExceeded.Refresh"

    await services.cdn.push(urls[:1])
    with pytest.raises(CloudError) as refused:
        await services.cdn.push(urls[1:2])
    assert (refused.value.code, refused.value.status) == ("QuotaExceeded.Preload", 400)
    # Refused requests spent nothing.
    assert len(sandbox.world.refresh_tasks) == 3


async def test_per_request_limits(sandbox):
    services = Services(sandbox_profile(sandbox.info))
    urls = [f"http://img.example.com/{n}.png" for n in range(1001)]
    with pytest.raises(CloudError) as refused:
        await services.cdn.refresh(urls)
    assert (refused.value.code, refused.value.status) == ("InvalidObjectPath.Size.Malformed", 400)
    dirs = [f"http://img.example.com/d{n}/" for n in range(101)]
    with pytest.raises(CloudError) as refused:
        await services.cdn.refresh(dirs, object_type="Directory")
    assert refused.value.code == "InvalidObjectPath.Size.Malformed"
    with pytest.raises(CloudError) as refused:
        await services.cdn.push(urls[:101])
    assert refused.value.code == "InvalidObjectPath.Size.Malformed"
    assert await services.cdn.refresh(urls[:1000])
    assert await services.cdn.refresh(dirs[:100], object_type="Directory")
    assert await services.cdn.push(urls[:100])
    assert not [t for t in sandbox.world.refresh_tasks if t["Status"] == "Failed"]


# -- DNS to the edge ----------------------------------------------------------------------


async def ask(address: str, name: str) -> dns.message.Message:
    host, port = address.rsplit(":", 1)
    return await dns.asyncquery.udp(
        dns.message.make_query(name, "A"), host, port=int(port), timeout=2
    )


def addresses(response: dns.message.Message) -> list[str]:
    return sorted(
        rd.to_text() for rrset in response.answer if rrset.rdtype == dns.rdatatype.A for rd in rrset
    )


async def test_cname_targets_resolve_to_the_edge_everywhere(sandbox):
    edge_host, edge_port = sandbox.info["edge"].rsplit(":", 1)
    # A long-standing domain: every resolver, however late, has it at the edge.
    for address in [*sandbox.info["nameservers"], *sandbox.info["resolvers"].values()]:
        assert addresses(await ask(address, "img.example.com")) == [edge_host]
    # And the chain ends where the edge answers: resolve, connect, serve.
    name = addresses(await ask(sandbox.info["resolvers"]["AliDNS"], "img.example.com"))[0]
    status, headers, _ = await fetch(
        sandbox, "img.example.com", "/index.html", address=f"{name}:{edge_port}"
    )
    assert status == 200 and headers["Server"] == "Tengine"

    # A new domain and its CNAME: the authoritative server at once, the slowest
    # resolver only after its lag.
    world = sandbox.world
    world.add_domain("new.example.com", "web", oss_origin(HZ), "domestic", status="online")
    world.add_record("example.com", "new", "CNAME", cname_for("new.example.com"))
    assert addresses(await ask(sandbox.info["nameservers"][0], "new.example.com")) == [edge_host]
    details = sandbox.info["resolver_details"]
    slowest = max(details, key=lambda n: details[n]["lag"])
    early = await ask(sandbox.info["resolvers"][slowest], "new.example.com")
    assert early.rcode() == dns.rcode.NXDOMAIN

    async def resolved():
        answer = await ask(sandbox.info["resolvers"][slowest], "new.example.com")
        return addresses(answer) == [edge_host]

    await eventually(resolved, what=f"{slowest} to see the new CNAME")


# -- where the edge is announced -------------------------------------------------------------


def test_the_profile_carries_the_edge(sandbox):
    assert sandbox.info["edge"].startswith("127.0.0.1:")
    assert sandbox_profile(sandbox.info).edge == sandbox.info["edge"]
    older = {k: v for k, v in sandbox.info.items() if k != "edge"}  # a record from before
    assert sandbox_profile(older).edge == ""


def test_the_serve_summary_names_the_edge(sandbox, capsys):
    from tui.sandbox.runner import _announce

    _announce(sandbox.info, 1000, False, None, None)
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "CDN edge" in line)
    assert sandbox.info["edge"] in line
    assert sandbox.info["access_key_secret"] not in out


# -- pure rules --------------------------------------------------------------------------------


@given(
    st.sampled_from(["a.png", "dir/index.html", "v.mp4", "x"]),
    st.floats(min_value=0, max_value=1e9),
    st.floats(min_value=0, max_value=1e9),
)
def test_the_default_ttl_is_ten_percent_of_the_age_within_bounds(path, age, more):
    now = 2e9
    ttl = default_ttl(path, now - age, now)
    assert MIN_TTL <= ttl <= MAX_TTL
    # (now - age) loses bits of age at this magnitude: compare what the edge saw.
    assert ttl == min(max(MIN_TTL, (now - (now - age)) * 0.1), MAX_TTL)
    assert default_ttl(path, now - age - more, now) >= ttl  # older: cached at least as long


@pytest.mark.parametrize("path", ["index.php", "a/b.JSP", "x.aspx", "go.do"])
def test_dynamic_files_are_not_cached(path):
    assert default_ttl(path, 0.0, 2e9) == 0


def test_which_tasks_cover_which_urls():
    def task(path: str, kind: str) -> dict:
        return {"ObjectPath": path, "ObjectType": kind}

    assert cache_target("HTTP://Img.Example.com/a/b.png?v=2") == ("img.example.com", "/a/b.png")
    assert cache_target("img.example.com") == ("img.example.com", "/")
    url = cache_target("http://img.example.com/a/b.png")
    assert task_covers(task("http://img.example.com/a/b.png", "file"), *url)
    assert task_covers(task("img.example.com/a/b.png", "file"), *url)
    assert not task_covers(task("http://img.example.com/a/c.png", "file"), *url)
    assert not task_covers(task("http://other.example.com/a/b.png", "file"), *url)
    assert task_covers(task("http://img.example.com/a/", "directory"), *url)
    assert task_covers(task("http://img.example.com/", "directory"), *url)
    assert not task_covers(task("http://img.example.com/ab/", "directory"), *url)
    assert task_covers(task(r"http://img.example.com/a/.*\.png", "regex"), *url)
    assert not task_covers(task(r"http://img.example.com/a/.*\.jpg", "regex"), *url)
    assert not task_covers(task("http://img.example.com/a/[", "regex"), *url)
