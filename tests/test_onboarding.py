"""The onboarding engine (tui/services/onboarding.py) against the sandbox, through the
real SDKs and sockets: every step's state from worlds left half-done (by the app or by
hand in the console), the next action for each, `act` moving one step on, and a second
`act` once done sending no write (the sandbox's call log proves it).

The minutes the cloud takes (going online, the resolvers' lag, applying a setting) are
skipped with `world.clock.advance`; every step is awaited, never slept on."""

from __future__ import annotations

import pytest

from tui.sandbox.world import cname_for
from tui.services.errors import ServiceError
from tui.services.facade import Services
from tui.services.models import Source
from tui.services.onboarding import Standing, State, StepName, summary_of
from tui.services.profile import sandbox_profile
from tui.services.writes import WRITE_ACTIONS

HZ = Source("oss", "demo-assets.oss-cn-hangzhou.aliyuncs.com", 80)
ROUNDS = 40  # acts allowed to reach `served`: far more than the eight steps take


@pytest.fixture
async def services(sandbox):
    services = Services(sandbox_profile(sandbox.info))
    yield services
    await services.close()


def writes(sandbox) -> list[str]:
    return [action for action in sandbox.calls.actions() if action in WRITE_ACTIONS]


def states(standing: Standing) -> dict[str, str]:
    return {s.name.value: s.state.value for s in standing.steps}


async def test_served_domain_every_step_done_with_evidence(services):
    standing = await services.onboarding.standing("img.example.com")
    assert standing.served and standing.next is None and standing.summary == "serving"
    assert set(states(standing).values()) == {"done"}
    record = standing.step(StepName.CNAME).evidence
    assert record.startswith("record ") and cname_for("img.example.com") in record
    propagated = standing.step(StepName.PROPAGATED).evidence
    agree, total = propagated.split()[0].split("/")
    assert agree == total and int(total) > 1
    assert "HTTP 200" in standing.step(StepName.SERVED).evidence
    assert standing.step(StepName.CACHE_UPDATE).evidence == "on"  # bound with it on
    assert standing.bucket == "demo-assets"
    assert (standing.done, standing.total) == (8, 8)


async def test_missing_domain_of_a_new_root_starts_with_ownership(services):
    standing = await services.onboarding.standing("img.newsite.net", bucket="demo-video")
    ownership = standing.step(StepName.OWNERSHIP)
    assert (ownership.state, ownership.action) == (State.TODO, "verify")
    assert "verification.newsite.net" in ownership.evidence
    assert standing.step(StepName.ADDED).action == "add"
    assert standing.next == ownership
    assert standing.summary == "0/8 · ownership to do"


async def test_missing_domain_of_a_verified_root_starts_with_adding(services):
    # example.com has domains in this account's CDN: CDN verified the root.
    standing = await services.onboarding.standing("new.example.com", bucket="demo-assets")
    ownership = standing.step(StepName.OWNERSHIP)
    assert ownership.state is State.DONE and ".example.com is in this account" in ownership.evidence
    assert (standing.next.name, standing.next.action) == (StepName.ADDED, "add")


async def test_txt_left_over_is_ownership_in_progress(services, sandbox):
    world = sandbox.world
    world.add_record("newsite.net", "verification", "TXT", world.verify_content("newsite.net"))
    standing = await services.onboarding.standing("img.newsite.net")
    ownership = standing.step(StepName.OWNERSHIP)
    assert ownership.state is State.IN_PROGRESS and ownership.action == "verify"
    assert "CDN not seeing it yet" in ownership.evidence


async def test_added_but_configuring_waits(services, sandbox):
    await services.cdn.add_domain("new.example.com", "web", [HZ], "domestic")
    standing = await services.onboarding.standing("new.example.com")
    online = standing.step(StepName.ONLINE)
    assert (online.state, online.action) == (State.IN_PROGRESS, "wait")
    assert standing.next == online
    assert states(standing)["ownership"] == states(standing)["added"] == "done"


async def test_online_without_cname_then_added_by_hand(services, sandbox):
    onboarding = services.onboarding
    standing = await onboarding.standing("static.example.com")
    cname = standing.step(StepName.CNAME)
    assert (cname.state, cname.action) == (State.TODO, "cname")
    assert standing.next == cname
    assert standing.step(StepName.PROPAGATED).state is State.TODO

    # Added by hand in the console: the engine reads it, with its record id.
    record = sandbox.world.add_record(
        "example.com", "static", "CNAME", cname_for("static.example.com")
    )
    standing = await onboarding.standing("static.example.com")
    cname = standing.step(StepName.CNAME)
    assert cname.state is State.DONE and f"record {record.record_id}" in cname.evidence
    assert standing.next.name is not StepName.CNAME


async def test_a_conflicting_record_fails_the_cname_step(services, sandbox):
    sandbox.world.add_record("example.com", "static", "A", "127.0.0.99")
    standing = await services.onboarding.standing("static.example.com")
    cname = standing.step(StepName.CNAME)
    assert cname.state is State.FAILED
    assert "A record (127.0.0.99)" in cname.evidence  # says what is in the way
    assert standing.next == cname
    # Acting refuses to guess: it says what blocks, and writes nothing.
    sandbox.calls.clear()
    with pytest.raises(ServiceError, match=r"127\.0\.0\.99"):
        await services.onboarding.act(standing)
    assert writes(sandbox) == []


async def test_stopped_domain_failed_online(services):
    standing = await services.onboarding.standing("old.example.com")
    online = standing.step(StepName.ONLINE)
    assert online.state is State.FAILED and "stopped" in online.evidence
    assert standing.next == online and not standing.served


async def test_private_bucket_needs_origin_auth(services, sandbox):
    sandbox.world.add_record("example.com", "video", "CNAME", cname_for("video.example.com"))
    sandbox.world.clock.advance(3600)  # online, and the resolvers caught up
    standing = await services.onboarding.standing("video.example.com")
    origin = standing.step(StepName.ORIGIN)
    assert (origin.state, origin.action) == (State.TODO, "origin_auth")
    assert "private" in origin.evidence
    assert standing.next == origin


async def test_dns_at_another_provider_is_read_from_its_servers(services):
    standing = await services.onboarding.standing("cdn.partner.org")
    cname = standing.step(StepName.CNAME)
    assert cname.state is State.DONE and "authoritative" in cname.evidence


async def test_empty_bucket_makes_served_not_applicable(services, sandbox):
    world = sandbox.world
    world.buckets["demo-assets"].objects.clear()
    standing = await services.onboarding.standing("img.example.com")
    served = standing.step(StepName.SERVED)
    assert served.state is State.NA and "empty" in served.evidence
    assert standing.total == 7 and standing.served


async def test_act_points_the_cname_then_sends_no_write_when_done(services, sandbox):
    onboarding = services.onboarding
    standing = await onboarding.standing("static.example.com")
    sandbox.calls.clear()
    standing = await onboarding.act(standing)
    assert writes(sandbox) == ["AddDomainRecord"]
    assert standing.step(StepName.CNAME).state is State.DONE
    # Already pointed: acting on a stale standing plans nothing and writes nothing.
    sandbox.calls.clear()
    again = await onboarding._point("static.example.com")
    assert again is None and writes(sandbox) == []


async def test_act_when_nothing_is_left_writes_nothing(services, sandbox):
    onboarding = services.onboarding
    standing = await onboarding.standing("img.example.com")
    sandbox.calls.clear()
    after = await onboarding.act(standing)
    assert after.served and writes(sandbox) == []


async def test_act_on_a_stopped_domain_writes_nothing(services, sandbox):
    standing = await services.onboarding.standing("old.example.com")
    sandbox.calls.clear()
    after = await services.onboarding.act(standing)
    assert writes(sandbox) == [] and after.next.name is StepName.ONLINE


async def onboard(services, sandbox, name: str, bucket: str) -> tuple[Standing, list[str]]:
    """Act until served; the path of (step, action) taken."""
    onboarding = services.onboarding
    standing = await onboarding.standing(name, bucket=bucket)
    path: list[str] = []
    for _ in range(ROUNDS):
        step = standing.next
        if step is None:
            return standing, path
        path.append(f"{step.name.value}:{step.action}")
        if step.action in ("wait", "propagation", None):
            sandbox.world.clock.advance(600)  # the cloud's minutes
        standing = await onboarding.act(standing, bucket=bucket, scope="overseas")
    raise AssertionError(f"{name} not served after {ROUNDS} acts: {path} {states(standing)}")


async def test_three_names_of_a_new_root_verify_once_and_are_served(services, sandbox):
    import asyncio

    world = sandbox.world
    world.zones["newsite.net"].icp_filed = True
    names = ["img.newsite.net", "static.newsite.net", "video.newsite.net"]
    sandbox.calls.clear()
    results = await asyncio.gather(*(onboard(services, sandbox, n, "demo-video") for n in names))
    for standing, path in results:
        assert standing.served, path
        assert "served" in standing.step(StepName.SERVED).evidence
    # One TXT record for the root, one verification (asked again only while CDN lags).
    txt = [p for p in sandbox.calls.of("AddDomainRecord") if p.get("Type") == "TXT"]
    assert len(txt) == 1 and txt[0]["RR"] == "verification"
    verified = {p["DomainName"] for p in sandbox.calls.of("VerifyDomainOwner")}
    assert len(verified) == 1
    assert sorted(p["DomainName"] for p in sandbox.calls.of("AddCdnDomain")) == names
    assert len(sandbox.calls.of("ListBuckets")) == 1  # the bucket's region, read once
    cnames = [p for p in sandbox.calls.of("AddDomainRecord") if p.get("Type") == "CNAME"]
    assert sorted(p["RR"] for p in cnames) == ["img", "static", "video"]

    # A second full run: nothing left, not one write.
    sandbox.calls.clear()
    for name in names:
        standing, path = await onboard(services, sandbox, name, "demo-video")
        assert standing.served and path == []
    assert writes(sandbox) == []


async def test_standings_reads_several(services):
    got = await services.onboarding.standings(["img.example.com", "old.example.com"])
    assert [s.domain for s in got] == ["img.example.com", "old.example.com"]
    assert [s.served for s in got] == [True, False]


async def test_summaries_batch_the_cname_check_and_are_cached(services, sandbox):
    domains = await services.cdn.list_domains()
    sandbox.calls.clear()
    first = await services.onboarding.summaries(domains)
    assert first["static.example.com"] == "3/8 · cname record to do"
    assert first["old.example.com"] == "2/8 · online failed"
    assert first["img.example.com"] == "4/8 · propagated to check"
    assert sandbox.calls.actions() == ["DescribeDomainCname"]  # one batch, no DNS
    sandbox.calls.clear()
    assert await services.onboarding.summaries(domains) == first
    assert sandbox.calls.actions() == []  # cached


def test_summary_of_is_total():
    assert summary_of("configuring", None) == "2/8 · online in progress"
    assert summary_of("online", False).endswith("cname record to do")
    assert summary_of("online", True).startswith("4/8")


async def test_dns_at_another_provider_ownership_by_hand(services, sandbox):
    world = sandbox.world
    world.add_zone("elsewhere.org", hosted_in_alidns=False)
    standing = await services.onboarding.standing("cdn.elsewhere.org", bucket="demo-assets")
    ownership = standing.step(StepName.OWNERSHIP)
    assert ownership.state is State.TODO and "DNS provider" in ownership.evidence
    # That zone is not the app's to write in: acting says where the TXT goes, and
    # writes nothing.
    sandbox.calls.clear()
    with pytest.raises(ServiceError, match="at its provider"):
        await services.onboarding.act(standing)
    assert writes(sandbox) == []

    # Published there by hand: in progress, and acting asks CDN to check it.
    world.add_record("elsewhere.org", "verification", "TXT", world.verify_content("elsewhere.org"))
    standing = await services.onboarding.standing("cdn.elsewhere.org", bucket="demo-assets")
    assert standing.step(StepName.OWNERSHIP).state is State.IN_PROGRESS
    standing = await services.onboarding.act(standing)
    assert standing.step(StepName.OWNERSHIP).state is State.DONE
    assert "AddDomainRecord" not in writes(sandbox)
    assert {p["DomainName"] for p in sandbox.calls.of("VerifyDomainOwner")} == {"cdn.elsewhere.org"}


async def test_a_wildcard_domain_is_read_under_the_api_spelling(services, sandbox):
    await services.cdn.add_domain("*.example.com", "web", [HZ], "domestic")
    sandbox.world.clock.advance(600)
    standing = await services.onboarding.standing("*.example.com")
    assert standing.step(StepName.ADDED).state is State.DONE
    assert standing.step(StepName.ONLINE).state is State.DONE
    # Its CNAME record is the wildcard's: the plan creates `*`.
    standing = await services.onboarding.act(standing)
    records = sandbox.calls.of("AddDomainRecord")
    assert [(r["RR"], r["Type"]) for r in records] == [("*", "CNAME")]
    assert standing.step(StepName.CNAME).state is State.DONE


async def test_read_only_acts_send_nothing(sandbox):
    from dataclasses import replace

    from tui.services.errors import ReadOnlyError

    profile = replace(sandbox_profile(sandbox.info), read_only=True)
    services = Services(profile)
    try:
        standing = await services.onboarding.standing("static.example.com")
        assert standing.next.action == "cname"
        sandbox.calls.clear()
        with pytest.raises(ReadOnlyError):
            await services.onboarding.act(standing)
        assert writes(sandbox) == []
    finally:
        await services.close()


async def test_a_cname_to_something_else_is_updated_in_one_act(services, sandbox):
    old = sandbox.world.add_record("example.com", "static", "CNAME", "old.cdn.example.net")
    standing = await services.onboarding.standing("static.example.com")
    cname = standing.step(StepName.CNAME)
    assert (cname.state, cname.action) == (State.TODO, "cname")
    assert "update static CNAME (now old.cdn.example.net)" in cname.evidence
    sandbox.calls.clear()
    standing = await services.onboarding.act(standing)
    assert writes(sandbox) == ["UpdateDomainRecord"]
    assert f"record {old.record_id}" in standing.step(StepName.CNAME).evidence


@pytest.fixture
def suffixes_unparsed(monkeypatch):
    """The Public Suffix List as a fresh process has it: not parsed yet."""
    from tui import rules

    monkeypatch.setattr(rules, "_public_suffixes", None)
    monkeypatch.setattr(rules, "public_suffixes_parsed_in", None)
    return rules


async def test_a_standing_parses_the_suffix_list_off_the_event_loop(services, suffixes_unparsed):
    import threading

    standing = await services.onboarding.standing("img.newsite.net", bucket="demo-video")
    # The root was named by the list: the TXT record is asked for newsite.net.
    assert "verification.newsite.net" in standing.step(StepName.OWNERSHIP).evidence
    parsed_in = suffixes_unparsed.public_suffixes_parsed_in
    assert parsed_in is not None and parsed_in != threading.current_thread().name


async def test_the_warm_up_parses_the_suffix_list(profile, suffixes_unparsed):
    import asyncio

    services = Services(profile)
    await asyncio.to_thread(services.warm_up)  # as the app runs it, in a worker thread
    assert suffixes_unparsed.public_suffixes_loaded()
    assert suffixes_unparsed.public_suffixes_parsed_in.startswith("asyncio")
    await services.close()
