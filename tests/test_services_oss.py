"""The OSS service against the sandbox: real oss2 over loopback sockets, no mocks."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from tui.services.errors import (
    CloudError,
    NetworkError,
    NotApplied,
    ThrottledError,
)
from tui.services.facade import Services
from tui.services.models import Bucket
from tui.services.retry import RetryPolicy


@pytest.fixture
def services(profile):
    return Services(profile)


async def test_list_buckets_with_region_and_public_endpoint(services):
    buckets = {b.name: b for b in await services.oss.list_buckets()}
    assert set(buckets) == {"demo-assets", "demo-video", "demo-downloads"}
    assets = buckets["demo-assets"]
    assert assets.region == "oss-cn-hangzhou"
    assert assets.extranet_endpoint == "oss-cn-hangzhou.aliyuncs.com"
    assert assets.intranet_endpoint == "oss-cn-hangzhou-internal.aliyuncs.com"
    assert assets.public_host == "demo-assets.oss-cn-hangzhou.aliyuncs.com"
    assert assets.created.endswith("Z")
    assert buckets["demo-downloads"].region == "oss-ap-southeast-1"


async def test_list_buckets_follows_markers(services, sandbox):
    from tui.sandbox.world import SandboxBucket

    for i in range(1500):
        name = f"bulk-{i:04}"
        sandbox.world.buckets[name] = SandboxBucket(name, "oss-cn-beijing")
    sandbox.calls.clear()
    buckets = await services.oss.list_buckets()
    assert len({b.name for b in buckets}) == len(buckets) == 1503
    assert len(sandbox.calls) == 2


SHANGHAI = "demo-video.oss-cn-shanghai.aliyuncs.com"


async def test_bucket_info(services):
    info = await services.oss.bucket_info(services.oss.bucket_from_origin(SHANGHAI))
    assert info == Bucket(
        name="demo-video",
        region="oss-cn-shanghai",
        extranet_endpoint="oss-cn-shanghai.aliyuncs.com",
        intranet_endpoint="oss-cn-shanghai-internal.aliyuncs.com",
        created=info.created,
        storage_class="Standard",
    )
    assert info.created


async def test_bucket_cnames_report_auto_cdn_cache_update(services):
    [assets] = [b for b in await services.oss.list_buckets() if b.name == "demo-assets"]
    cnames = {c.domain: c for c in await services.oss.bucket_cnames(assets)}
    assert set(cnames) == {"img.example.com", "static.example.com"}
    assert cnames["img.example.com"].purge_cdn_cache is True
    assert cnames["static.example.com"].purge_cdn_cache is False
    assert cnames["img.example.com"].status == "Enabled"


async def test_put_object(services, sandbox):
    etag = await services.oss.put_object("demo-assets", "verification.html", "verify_abc")
    assert etag
    assert sandbox.world.buckets["demo-assets"].objects["verification.html"] == b"verify_abc"


async def test_a_missing_bucket(services):
    with pytest.raises(CloudError) as caught:
        await services.oss.bucket_info("no-such-bucket")
    error = caught.value
    assert error.code == "NoSuchBucket"
    assert error.status == 404
    assert error.service == "OSS"
    assert error.request_id
    assert not error.retryable


def test_real_accounts_call_the_bucket_region_endpoint(profile):
    from tui.services.oss import OssService
    from tui.services.profile import Profile

    real = Profile(name="dev", region="cn-hangzhou", access_key_id="AK", access_key_secret="S")
    oss = OssService(real)
    shanghai = Bucket("demo-video", "oss-cn-shanghai", "oss-cn-shanghai.aliyuncs.com")
    assert oss.endpoint_for(shanghai) == "https://oss-cn-shanghai.aliyuncs.com"
    assert oss.endpoint_for(Bucket("b", "oss-eu-west-1")) == "https://oss-eu-west-1.aliyuncs.com"
    assert oss.endpoint_for("by-name") == "https://oss-cn-hangzhou.aliyuncs.com"
    # The sandbox profile names its endpoint: everything goes there.
    assert OssService(profile).endpoint_for(shanghai) == profile.oss_url


def test_a_bucket_from_its_origin_host(profile):
    from tui.services.oss import OssService
    from tui.services.profile import Profile

    sg = OssService.bucket_from_origin("demo-downloads.oss-ap-southeast-1.aliyuncs.com")
    assert sg == Bucket(
        "demo-downloads", "oss-ap-southeast-1", extranet_endpoint="oss-ap-southeast-1.aliyuncs.com"
    )
    assert sg.public_host == "demo-downloads.oss-ap-southeast-1.aliyuncs.com"
    internal = OssService.bucket_from_origin("b1.oss-cn-beijing-internal.aliyuncs.com")
    assert (internal.name, internal.extranet_endpoint) == ("b1", "oss-cn-beijing.aliyuncs.com")
    with pytest.raises(ValueError):
        OssService.bucket_from_origin("www.example.com")
    # A real account calls the bucket's region, wherever the profile's region is.
    real = OssService(
        Profile(name="dev", region="cn-hangzhou", access_key_id="AK", access_key_secret="S")
    )
    assert real.endpoint_for(sg) == "https://oss-ap-southeast-1.aliyuncs.com"
    assert OssService(profile).endpoint_for(sg) == profile.oss_url


async def test_calls_for_an_origin_host_reach_the_sandbox(services, sandbox):
    bucket = services.oss.bucket_from_origin("demo-assets.oss-cn-hangzhou.aliyuncs.com")
    cnames = await services.oss.bucket_cnames(bucket)
    assert {c.domain for c in cnames} == {"img.example.com", "static.example.com"}
    await services.oss.put_object(bucket, "verification.html", "verify_abc")
    assert sandbox.world.buckets["demo-assets"].objects["verification.html"] == b"verify_abc"


# -- faults: oss2 blocks, so these also cover the thread hand-off -----------------------

FAST = RetryPolicy(base_delay=0.01, max_delay=0.02)


async def test_a_server_error_on_a_read_is_retried(services, sandbox):
    sandbox.faults.add("server_error", "GetBucketInfo")
    sandbox.calls.clear()
    assert (await services.oss.bucket_info("demo-assets")).name == "demo-assets"
    assert sandbox.calls.actions() == ["GetBucketInfo", "GetBucketInfo"]


async def test_throttling_that_lasts(profile, sandbox):
    sandbox.faults.add("throttle", "ListBuckets", count=None)
    with pytest.raises(ThrottledError) as caught:
        await Services(profile, retry=FAST).oss.list_buckets()
    error = caught.value
    assert (error.code, error.status, error.retryable) == ("TotalQpsLimitExceeded", 503, True)
    assert error.message == "Max total qps limit is exceeded."
    assert len(sandbox.calls.of("ListBuckets")) == FAST.max_attempts


async def test_put_object_of_the_same_content_is_sent_again(services, sandbox):
    # Uploading the same content twice leaves the same object: a failed try is repeated.
    sandbox.faults.add("unavailable", "PutObject")
    sandbox.calls.clear()
    etag = await services.oss.put_object("demo-assets", "verification.html", "verify_abc")
    assert sandbox.calls.actions() == ["PutObject", "PutObject"]
    assert sandbox.world.buckets["demo-assets"].objects["verification.html"] == b"verify_abc"
    assert etag.strip('"') == hashlib.md5(b"verify_abc").hexdigest().upper()


@pytest.mark.parametrize("action", ["ListBuckets", "ListCname", "PutObject"])
async def test_an_html_answer_is_a_bad_response(services, sandbox, action):
    # A gateway's page with status 200: it even parses as XML, so it is caught by its type.
    sandbox.faults.add("non_json", action, count=None)
    calls = {
        "ListBuckets": lambda: services.oss.list_buckets(),
        "ListCname": lambda: services.oss.bucket_cnames("demo-assets"),
        "PutObject": lambda: services.oss.put_object("demo-assets", "k", b"v"),
    }
    with pytest.raises(CloudError) as caught:
        await calls[action]()
    if action == "PutObject":
        # Not the API's answer: did the upload happen? Reading back says it did not.
        assert isinstance(caught.value, NotApplied)
        assert caught.value.lost.code == "BadResponse"
        assert sandbox.calls.actions()[-1] == "GetObject"
    else:
        assert (type(caught.value), caught.value.code) == (NetworkError, "BadResponse")
    assert len(sandbox.calls.of(action)) == 1


async def test_read_timeout_and_reset(profile, sandbox):
    services = Services(replace(profile, read_timeout_ms=300), retry=FAST)
    sandbox.faults.add("timeout", "GetBucketInfo", count=None, delay=2)
    with pytest.raises(NetworkError) as caught:
        await services.oss.bucket_info("demo-assets")
    assert caught.value.code == "ReadTimeout"
    sandbox.faults.add("reset", "ListCname", count=None)
    with pytest.raises(NetworkError) as caught:
        await services.oss.bucket_cnames("demo-assets")
    assert caught.value.code == "ConnectionLost"
    assert len(sandbox.calls.of("ListCname")) == FAST.max_attempts


async def test_list_objects_with_directories_and_pages(services, sandbox):
    bucket = sandbox.world.buckets["demo-assets"]
    for i in range(5):
        bucket.objects[f"css/site-{i}.css"] = b"body{}" * i
    bucket.objects["a b/ü&%.txt"] = b"odd name"  # names come back URL-encoded
    top = await services.oss.list_objects("demo-assets", delimiter="/")
    assert [o.key for o in top.objects] == ["index.html"]
    assert top.prefixes == ("a b/", "css/", "img/")
    assert top.next_token == ""
    [index] = top.objects
    assert index.size == len(bucket.objects["index.html"])
    assert index.etag == hashlib.md5(bucket.objects["index.html"]).hexdigest().upper()
    assert index.last_modified > 0

    keys, token, pages = [], "", 0
    while True:
        page = await services.oss.list_objects(
            "demo-assets", prefix="css/", token=token, max_keys=2
        )
        keys += [o.key for o in page.objects]
        pages += 1
        token = page.next_token
        if not token:
            break
    assert keys == [f"css/site-{i}.css" for i in range(5)]
    assert pages == 3
    odd = await services.oss.list_objects("demo-assets", prefix="a b/")
    assert [o.key for o in odd.objects] == ["a b/ü&%.txt"]


async def test_all_objects_reads_every_page(services, sandbox):
    bucket = sandbox.world.buckets["demo-downloads"]
    for i in range(2345):
        bucket.objects[f"builds/{i:05}.bin"] = b"x"
    sandbox.calls.clear()
    downloads = services.oss.bucket_from_origin("demo-downloads.oss-ap-southeast-1.aliyuncs.com")
    pages = [page async for page in services.oss.all_objects(downloads, prefix="builds/")]
    assert [len(p.objects) for p in pages] == [1000, 1000, 345]
    assert len({o.key for p in pages for o in p.objects}) == 2345
    assert sandbox.calls.actions() == ["ListObjectsV2"] * 3


async def test_head_object(services, sandbox):
    video = services.oss.bucket_from_origin(SHANGHAI)
    head = await services.oss.head_object(video, "clips/intro.mp4")
    data = sandbox.world.buckets["demo-video"].objects["clips/intro.mp4"]
    assert head.etag == hashlib.md5(data).hexdigest().upper()
    assert head.size == len(data)
    with pytest.raises(CloudError) as caught:
        await services.oss.head_object(video, "clips/missing.mp4")
    assert caught.value.code == "NoSuchKey"


async def test_bucket_cnames_answer_is_read_in_oss2s_thread(services, monkeypatch):
    # The XML of an answer is parsed and read beside the oss2 call, off the event loop
    # (a batch onboarding reads every bucket's CNAMEs: parsed on the loop, it stalled).
    import threading

    from tui.services import oss as oss_module

    read_in: list[str] = []
    real = oss_module._cnames

    def reading(root):
        read_in.append(threading.current_thread().name)
        return real(root)

    monkeypatch.setattr(oss_module, "_cnames", reading)
    assets = services.oss.bucket_from_origin("demo-assets.oss-cn-hangzhou.aliyuncs.com")
    cnames = await services.oss.bucket_cnames(assets)
    assert {c.domain for c in cnames} == {"img.example.com", "static.example.com"}
    assert read_in and threading.main_thread().name not in read_in
    assert read_in[0] != threading.current_thread().name  # not the loop's thread either
