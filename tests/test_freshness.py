"""Keeping the edge fresh against the sandbox: refresh and prefetch read back when their
answer is lost, and "refresh what changed" (every page of the origin, batches within the
per-request limit and the day's quota, "since the last refresh")."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tui.cache_rules import object_url
from tui.services.errors import NotApplied, ReadOnlyError
from tui.services.facade import Services
from tui.services.freshness import NothingToRefresh, cloud_time
from tui.services.retry import RetryPolicy

FAST = RetryPolicy(base_delay=0.01, max_delay=0.02)
DOMAIN = "img.example.com"  # online, origin demo-assets
DAY = 86400.0


@pytest.fixture
def services(profile):
    return Services(profile, retry=FAST)


def write_objects(sandbox, keys, age: float, bucket: str = "demo-assets") -> None:
    """Objects written `age` sandbox seconds ago (straight into the world: set-up)."""
    b = sandbox.world.buckets[bucket]
    when = sandbox.world.now() - age
    for key in keys:
        b.objects[key] = f"content of {key}".encode()
        b.written[key] = when


def refresh_calls(sandbox) -> list[list[str]]:
    return [p["ObjectPath"].split("\n") for p in sandbox.calls.of("RefreshObjectCaches")]


def tasks_of(sandbox, url: str) -> list[dict]:
    return [t for t in sandbox.world.refresh_tasks if t["ObjectPath"] == url]


# -- refresh and prefetch: the write road --------------------------------------------------


@pytest.mark.parametrize("kind", ["refresh", "push"])
async def test_a_lost_answer_is_read_back_from_the_tasks_made_since_the_send(
    services, sandbox, kind
):
    url = f"http://{DOMAIN}/index.html"
    # An older task of the same URL must not count as this send's.
    await (services.cdn.refresh([url]) if kind == "refresh" else services.cdn.push([url]))
    older = {t["TaskId"] for t in tasks_of(sandbox, url)}
    action = "RefreshObjectCaches" if kind == "refresh" else "PushObjectCache"
    sandbox.faults.add("reset_after", action)

    send = services.cdn.refresh if kind == "refresh" else services.cdn.push
    task_ids = await send([url, f"http://{DOMAIN}/img/logo.png"])

    made = {t["TaskId"] for t in sandbox.world.refresh_tasks} - older
    assert set(task_ids.split(",")) == made and len(made) == 2
    assert len(sandbox.calls.of(action)) == 2  # the first one and the lost one: not resent


async def test_a_refresh_that_did_not_happen_says_so(services, sandbox):
    url = f"http://{DOMAIN}/index.html"
    before = len(sandbox.world.refresh_tasks)
    # A gateway's 503 after the request left: maybe applied; the read-back says not.
    sandbox.faults.add("unavailable", "RefreshObjectCaches", count=None)
    with pytest.raises(NotApplied) as raised:
        await services.cdn.refresh([url])
    assert "nothing changed" in str(raised.value)
    assert len(sandbox.world.refresh_tasks) == before


async def test_read_only_sends_neither_the_refresh_nor_its_read_back(profile, sandbox):
    services = Services(replace(profile, read_only=True), retry=FAST)
    with pytest.raises(ReadOnlyError):
        await services.cdn.refresh([f"http://{DOMAIN}/index.html"])
    with pytest.raises(ReadOnlyError):
        await services.cdn.push([f"http://{DOMAIN}/index.html"])
    assert not {"RefreshObjectCaches", "PushObjectCache"} & set(sandbox.calls.actions())


# -- refresh what changed -------------------------------------------------------------------


async def test_what_changed_is_exactly_the_modified_objects_across_pages(services, sandbox):
    # 1,100 old objects: ListObjectsV2 answers 1,000 a page, so the new ones are spread
    # over two pages (keys sort: "a-..." on the first, "z-..." on the second).
    write_objects(sandbox, [f"m/old-{i:04d}.css" for i in range(1100)], age=10 * DAY)
    new = ["a-new.css", "z-new/deep name.js", "z-新.png"]
    write_objects(sandbox, new, age=0)
    domain = await services.cdn.domain(DOMAIN)
    pages: list[int] = []

    changed = await services.freshness.changed(
        domain, since=sandbox.world.now() - DAY, on_page=pages.append
    )

    assert sorted(o.key for o in changed.objects) == sorted(new)
    assert changed.scanned == len(sandbox.world.buckets["demo-assets"].objects)
    assert len(pages) == 2 and len(sandbox.calls.of("ListObjectsV2")) == 2
    assert set(changed.urls) == {object_url(DOMAIN, k) for k in new}
    assert f"http://{DOMAIN}/z-new/deep%20name.js" in changed.urls

    seen = []
    outcome = await services.freshness.refresh_changed(changed, seen.append)
    assert (outcome.sent, outcome.left) == (3, 0)
    assert sorted(refresh_calls(sandbox)[0]) == sorted(changed.urls)
    assert [p.sent for p in seen] == [3]
    assert {t["TaskId"] for t in sandbox.world.refresh_tasks} >= set(outcome.task_ids)


async def test_many_changes_go_in_batches_of_the_per_request_limit(services, sandbox):
    write_objects(sandbox, [f"build/{i:04d}.js" for i in range(1250)], age=60)
    domain = await services.cdn.domain(DOMAIN)
    changed = await services.freshness.changed(domain, ago=3600)
    assert len(changed.objects) == 1250

    seen = []
    outcome = await services.freshness.refresh_changed(changed, seen.append)

    assert [len(b) for b in refresh_calls(sandbox)] == [1000, 250]
    assert {u for b in refresh_calls(sandbox) for u in b} == set(changed.urls)
    assert [(p.batch, p.batches, p.sent) for p in seen] == [(1, 2, 1000), (2, 2, 1250)]
    assert (outcome.sent, outcome.left) == (1250, 0)


async def test_it_stops_before_the_days_quota_runs_out_and_says_how_many_were_left(
    services, sandbox
):
    sandbox.world.refresh_quotas["Url"] = 5  # five URL refreshes left today
    write_objects(sandbox, [f"deploy/{i:02d}.html" for i in range(12)], age=10)
    domain = await services.cdn.domain(DOMAIN)
    changed = await services.freshness.changed(domain, ago=3600)

    outcome = await services.freshness.refresh_changed(changed)

    assert (outcome.sent, outcome.left, outcome.remaining) == (5, 7, 5)
    assert [len(b) for b in refresh_calls(sandbox)] == [5]
    assert "7 not sent" in outcome.message()
    assert (await services.cdn.refresh_quota()).url_remain == 0


async def test_since_the_last_refresh_is_the_domains_newest_refresh(services, sandbox):
    assert await services.freshness.last_refresh(DOMAIN) is None
    write_objects(sandbox, ["before.css"], age=2 * DAY)
    await services.cdn.refresh([f"http://{DOMAIN}/before.css"])
    task = tasks_of(sandbox, f"http://{DOMAIN}/before.css")[0]
    last = await services.freshness.last_refresh(DOMAIN)
    assert last == cloud_time(task["CreationTime"])
    # A directory refresh later still is "the last refresh".
    await services.cdn.refresh([f"http://{DOMAIN}/img/"], "Directory")
    later = await services.freshness.last_refresh(DOMAIN)
    assert later is not None and later >= last

    write_objects(sandbox, ["after.css"], age=-5)  # written after that refresh
    changed = await services.freshness.changed(await services.cdn.domain(DOMAIN), since=later)
    assert [o.key for o in changed.objects] == ["after.css"]


async def test_a_domain_without_an_oss_origin_or_a_wildcard_has_nothing_to_refresh(services):
    domain = await services.cdn.domain(DOMAIN)
    wildcard = replace(domain, name=".example.com")
    with pytest.raises(NothingToRefresh, match="wildcard"):
        await services.freshness.changed(wildcard, ago=60)
    other = replace(domain, sources=(replace(domain.sources[0], content="origin.example.net"),))
    with pytest.raises(NothingToRefresh, match="not an OSS bucket"):
        await services.freshness.changed(other, ago=60)


async def test_a_refresh_is_sent_even_when_its_baseline_cannot_be_read(services, sandbox):
    # The read before the send (what "since the send" is measured from) fails: the
    # refresh still goes; only a lost answer could then not be read back.
    sandbox.faults.add(
        "http_error",
        "DescribeRefreshTasks",
        count=None,
        status=400,
        code="InvalidDomain.NotFound",
        message="no such domain",
    )
    url = f"http://{DOMAIN}/index.html"
    task_ids = await services.cdn.refresh([url])
    assert task_ids.split(",") == [t["TaskId"] for t in tasks_of(sandbox, url)]
    assert sandbox.calls.actions()[-1] == "RefreshObjectCaches"
