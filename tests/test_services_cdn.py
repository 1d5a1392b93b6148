"""The CDN service against the sandbox: the real SDK over loopback sockets, no mocks."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.helpers import serve_root_through_cdn
from tui.sandbox.cdn_checks import CDN_LAG
from tui.sandbox.dns_answers import SOA_MINIMUM
from tui.services import cdn as cdn_module
from tui.services.errors import (
    CloudError,
    DomainInThisAccount,
    is_domain_not_found,
    is_record_locked,
    needs_owner_verification,
)
from tui.services.facade import Services
from tui.services.models import Source

HZ = "demo-assets.oss-cn-hangzhou.aliyuncs.com"


@pytest.fixture
def services(profile):
    return Services(profile)


def oss_source(content: str = HZ) -> list[dict]:
    return [{"content": content, "type": "oss", "port": 80, "priority": "20", "weight": "10"}]


async def wait_for_status(services: Services, name: str, status: str) -> None:
    for _ in range(100):
        if (await services.cdn.domain(name)).status == status:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} never became {status}")


async def test_list_domains_maps_every_field(services, sandbox):
    domains = {d.name: d for d in await services.cdn.list_domains()}
    assert set(domains) == set(sandbox.world.domains)
    static = domains["static.example.com"]
    assert static.status == "online"
    assert static.cname == "static.example.com.w.kunlunsl.com"
    assert (static.cdn_type, static.scope) == ("web", "global")
    assert static.sources == (Source("oss", HZ, 443, "20", "10"),)
    assert static.origin == HZ
    assert static.created.endswith("Z")
    assert domains["dl.example.com"].status == "check_failed"


async def test_list_domains_filters_by_status(services):
    online = await services.cdn.list_domains(status="online")
    assert sorted(d.name for d in online) == [
        "cdn.partner.org",
        "img.example.com",
        "static.example.com",
    ]


async def test_list_domains_reads_every_page(services, sandbox):
    for i in range(1200):
        sandbox.world.add_domain(
            f"bulk{i:04}.example.com", "web", oss_source(), "domestic", status="online"
        )
    sandbox.calls.clear()
    domains = await services.cdn.list_domains()
    assert len(domains) == 1206
    assert len({d.name for d in domains}) == 1206
    pages = sandbox.calls.of("DescribeUserDomains")
    assert sorted(int(p["PageNumber"]) for p in pages) == [1, 2, 3]
    assert {p["PageSize"] for p in pages} == {"500"}


async def test_pages_that_arrive_together_are_read_one_a_loop_iteration(
    services, sandbox, monkeypatch
):
    # Pages 2-6 are answered while the loop is busy (blocked, as by a long paint, from
    # when the five are asked until the sandbox has answered them all): when it is free,
    # all five are there to be read. Each takes milliseconds (500 domains): read in one
    # iteration of the loop, they would freeze the screen for all of them; each is read
    # in an iteration of its own.
    for i in range(2600):
        sandbox.world.add_domain(
            f"bulk{i:04}.example.com", "web", oss_source(), "domestic", status="online"
        )
    sandbox.faults.add("timeout", "DescribeUserDomains", delay=0)  # page 1
    held = [sandbox.faults.add("timeout", "DescribeUserDomains", delay=0.2) for _ in range(5)]
    iteration = 0

    async def count_iterations() -> None:
        nonlocal iteration
        while True:
            iteration += 1
            await asyncio.sleep(0)

    async def busy_while_answered() -> None:
        while len(sandbox.calls.of("DescribeUserDomains")) < 6:
            await asyncio.sleep(0.01)
        deadline = time.monotonic() + 60
        while any(f.outcome != "answered" for f in held) and time.monotonic() < deadline:
            time.sleep(0.01)  # the loop blocked on purpose
        time.sleep(0.1)  # each answer is written just after its outcome is set

    read_in: list[int] = []  # the iteration each page was read in
    read_page = cdn_module._domains_page

    def noted(answer):
        read_in.append(iteration)
        return read_page(answer)

    monkeypatch.setattr(cdn_module, "_domains_page", noted)
    tasks = [
        asyncio.ensure_future(count_iterations()),
        asyncio.ensure_future(busy_while_answered()),
    ]
    try:
        domains = await services.cdn.list_domains()
    finally:
        for task in tasks:
            task.cancel()
    assert [f.outcome for f in held] == ["answered"] * 5
    assert len(domains) == 2606 and len(read_in) == 6
    assert len(set(read_in)) == 6


async def test_quota_counts_domains_against_fifty(services, sandbox):
    quota = await services.cdn.quota()
    assert (quota.used, quota.limit, quota.remaining) == (6, 50, 44)
    assert services.cdn.domain_quota == sandbox.world.quota == 50


async def test_the_domain_count_is_remembered_until_an_add_or_delete(
    services, sandbox, monkeypatch
):
    from tui.services import cdn as cdn_module

    cdn = services.cdn
    sandbox.calls.clear()
    assert (await cdn.quota()).used == 6
    assert (await cdn.quota()).used == 6  # the add form asks at every pause in typing
    assert len(sandbox.calls.of("DescribeUserDomains")) == 1
    await cdn.add_domain("new.example.com", "web", [Source("oss", HZ)])
    assert (await cdn.quota()).used == 7
    await cdn.delete_domain("old.example.com")
    sandbox.world.domains.pop("old.example.com")  # gone at once, for the count
    assert (await cdn.quota()).used == 6
    assert len(sandbox.calls.of("DescribeUserDomains")) == 3
    # A full listing (the domain list's) renews the count; a filtered one does not.
    sandbox.world.add_domain("more.example.com", "web", oss_source(), "domestic")
    await cdn.list_domains(status="online")
    assert (await cdn.quota()).used == 6
    assert len(await cdn.list_domains()) == 7
    assert (await cdn.quota()).used == 7
    # And it is forgotten after a while.
    monkeypatch.setattr(cdn_module, "COUNT_TTL", 0.05)
    sandbox.world.domains.pop("more.example.com")
    await asyncio.sleep(0.1)
    assert (await cdn.quota()).used == 6


async def test_domain_detail(services):
    video = await services.cdn.domain("video.example.com")
    assert video.name == "video.example.com"
    assert video.cdn_type == "video"
    assert video.scope == "domestic"
    assert video.origin == "demo-video.oss-cn-shanghai.aliyuncs.com"


async def test_domain_detail_of_an_unknown_domain(services):
    with pytest.raises(CloudError) as caught:
        await services.cdn.domain("nope.example.com")
    error = caught.value
    assert error.code == "InvalidDomain.NotFound"
    assert error.status == 404
    assert error.message == "The domain provided does not exist in our records."
    assert error.request_id
    assert not error.retryable
    # What a screen asks instead of the code:
    assert is_domain_not_found(error)
    assert not needs_owner_verification(error) and not is_record_locked(error)


@pytest.mark.parametrize(
    "name, status",
    [
        ("fresh.example.com", "DomainNotExist"),
        ("img.example.com", "DomainExistCdnProduct"),
        ("taken.example.org", "DomainExistOtherUser"),
        ("live.example.org", "DomainExistLiveProduct"),
    ],
)
async def test_check_exists(services, name, status):
    existence = await services.cdn.check_exists(name)
    assert existence.status == status
    assert existence.available is (status == "DomainNotExist")


async def test_add_start_stop_delete_round_trip(services, sandbox):
    cdn = services.cdn
    await cdn.add_domain("assets.example.com", "web", [Source("oss", HZ, 443)], "overseas")
    added = sandbox.world.domains["assets.example.com"]
    assert (added.cdn_type, added.scope) == ("web", "overseas")
    assert added.sources == [
        {"content": HZ, "type": "oss", "port": 443, "priority": "20", "weight": "10"}
    ]
    listed = {d.name: d for d in await cdn.list_domains()}
    assert listed["assets.example.com"].status == "configuring"
    await wait_for_status(services, "assets.example.com", "online")

    await cdn.stop_domain("assets.example.com")
    await wait_for_status(services, "assets.example.com", "offline")
    await cdn.start_domain("assets.example.com")
    await wait_for_status(services, "assets.example.com", "online")
    await cdn.delete_domain("assets.example.com")
    for _ in range(100):
        if "assets.example.com" not in {d.name for d in await cdn.list_domains()}:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the domain was never deleted")


async def test_adding_a_domain_of_this_account_says_so(services, sandbox):
    sandbox.calls.clear()
    with pytest.raises(DomainInThisAccount) as caught:
        await services.cdn.add_domain("img.example.com", "web", [Source("oss", HZ)])
    assert caught.value.domain == "img.example.com"
    assert (caught.value.code, caught.value.status) == ("DomainAlreadyExist", 400)
    assert "already in this account" in str(caught.value)
    # Sent once, then read back: never a second AddCdnDomain.
    assert sandbox.calls.actions() == ["AddCdnDomain", "DescribeCdnDomainDetail"]


async def test_adding_a_domain_of_another_account_is_refused_as_cdn_says(services, sandbox):
    sandbox.calls.clear()
    with pytest.raises(CloudError) as caught:
        await services.cdn.add_domain("taken.example.org", "web", [Source("oss", HZ)])
    assert type(caught.value) is CloudError
    assert (caught.value.code, caught.value.status) == ("DomainAlreadyExist", 400)
    assert sandbox.calls.actions() == ["AddCdnDomain", "DescribeCdnDomainDetail"]


async def test_ownership_verification_by_dns(services, sandbox):
    content = await services.cdn.verify_content("www.newsite.net")
    assert content.startswith("verify_") and len(content) == 39
    with pytest.raises(CloudError) as caught:
        await services.cdn.verify_owner("www.newsite.net", "dnsCheck")
    assert caught.value.code == "DomainOwnerVerifyFail"
    assert "verification.newsite.net" in caught.value.message
    assert needs_owner_verification(caught.value)
    assert not is_domain_not_found(caught.value)

    await services.dns.add_record("newsite.net", "verification", "TXT", content)
    sandbox.world.clock.advance(CDN_LAG + SOA_MINIMUM)  # CDN's own resolvers lag behind
    assert await services.cdn.verify_owner("www.newsite.net", "dnsCheck") == content
    # newsite.net has no ICP filing: outside mainland China only.
    await services.cdn.add_domain("www.newsite.net", "web", [Source("oss", HZ)], "overseas")
    assert "www.newsite.net" in sandbox.world.domains


async def test_ownership_verification_by_file(services, sandbox):
    content = await services.cdn.verify_content("www.newsite.net")
    await services.oss.put_object("demo-assets", "verification.html", content)
    # In a bucket is not at http://newsite.net/verification.html (127.0.0.20 serves none).
    with pytest.raises(CloudError) as caught:
        await services.cdn.verify_owner("www.newsite.net", "fileCheck")
    assert caught.value.code == "InvalidFile"
    serve_root_through_cdn(sandbox.world, "newsite.net")  # now that bucket serves the root
    sandbox.world.clock.advance(CDN_LAG + SOA_MINIMUM)
    assert await services.cdn.verify_owner("www.newsite.net", "fileCheck") == content


async def test_cname_status_in_batches_of_thirty(services, sandbox):
    names = ["img.example.com", "static.example.com"] + [f"n{i}.example.com" for i in range(33)]
    sandbox.calls.clear()
    statuses = {s.domain: s for s in await services.cdn.cname_status(names)}
    assert len(statuses) == 35
    assert statuses["img.example.com"].in_place  # the seed has its CNAME record
    assert statuses["img.example.com"].cname == "img.example.com.w.kunlunsl.com"
    assert not statuses["static.example.com"].in_place
    batches = sandbox.calls.of("DescribeDomainCname")
    assert sorted(len(p["DomainName"].split(",")) for p in batches) == [5, 30]


async def test_refresh_push_and_their_tasks(services):
    cdn = services.cdn
    before = await cdn.refresh_quota()
    refresh_id = await cdn.refresh(
        ["http://img.example.com/index.html", "http://img.example.com/img/logo.png"]
    )
    assert len(refresh_id.split(",")) == 2
    dir_id = await cdn.refresh(["http://img.example.com/img/"], object_type="Directory")
    push_id = await cdn.push(["http://static.example.com/index.html"])

    tasks = {t.task_id: t for t in await cdn.refresh_tasks()}
    assert set(refresh_id.split(",")) | {dir_id, push_id} <= set(tasks)
    assert tasks[dir_id].object_type == "directory"
    assert tasks[dir_id].object_path == "http://img.example.com/img/"
    assert tasks[push_id].object_type == "preload"
    assert tasks[dir_id].status in ("Refreshing", "Complete")
    only = await cdn.refresh_tasks(task_id=dir_id)
    assert [t.task_id for t in only] == [dir_id]

    after = await cdn.refresh_quota()
    assert after.url_quota == before.url_quota == 10000
    assert after.url_remain == before.url_remain - 2
    assert after.dir_remain == before.dir_remain - 1
    assert after.preload_remain == before.preload_remain - 1
