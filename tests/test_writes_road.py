"""The write road against the sandbox: what a Write says is what is sent, read-only mode
sends nothing, and the CNAME plan's and the ownership proof's writes are the calls made."""

from __future__ import annotations

from dataclasses import replace

import pytest
from alibabacloud_cdn20180510 import models as cdn_sdk

from tui.sandbox.cdn_checks import CDN_LAG
from tui.services import writes
from tui.services.cname_setup import ApplyError
from tui.services.cname_setup import writes as plan_writes
from tui.services.errors import ReadOnlyError
from tui.services.facade import Services
from tui.services.models import Source
from tui.services.ownership import Challenge, publish_writes
from tui.services.writes import WRITE_ACTIONS

HZ = Source("oss", "demo-assets.oss-cn-hangzhou.aliyuncs.com")
ZONE = "example.com"


@pytest.fixture
def services(profile):
    return Services(profile)


def on_the_wire(write: writes.Write) -> dict[str, str]:
    # Query and form values are text on the wire; the SDK writes booleans as True/False.
    return {name: str(value) for name, value in write.params}


def sent_writes(sandbox) -> list[tuple[str, dict[str, str]]]:
    return [(action, params) for action, params in sandbox.calls if action in WRITE_ACTIONS]


async def record_at(services: Services, rr: str):
    [record] = await services.dns.records_at(ZONE, rr)
    return record


async def test_each_write_sends_exactly_the_params_of_its_write(services, sandbox):
    world = sandbox.world
    # Published a day ago: CDN's own resolvers, minutes behind, see it too.
    world.add_record(
        ZONE,
        "verification",
        "TXT",
        world.verify_content("www.example.com"),
        created_at=world.now() - 86400,
    )
    www = await record_at(services, "www")
    cdn, dns = services.cdn, services.dns
    url = "http://img.example.com/logo.png"
    cases = [
        (
            writes.add_domain("*.new.example.com", "web", [HZ], "overseas"),
            lambda: cdn.add_domain("*.new.example.com", "web", [HZ], "overseas"),
        ),
        (writes.stop_domain("img.example.com"), lambda: cdn.stop_domain("img.example.com")),
        (writes.start_domain("old.example.com"), lambda: cdn.start_domain("old.example.com")),
        (writes.delete_domain("cdn.partner.org"), lambda: cdn.delete_domain("cdn.partner.org")),
        (writes.verify_owner("www.example.com"), lambda: cdn.verify_owner("www.example.com")),
        (writes.refresh([url], "File", force=True), lambda: cdn.refresh([url], force=True)),
        (writes.push([url], area="domestic"), lambda: cdn.push([url], area="domestic")),
        (
            writes.private_origin("static.example.com"),
            lambda: cdn.enable_private_origin("static.example.com"),
        ),
        (
            writes.add_record(ZONE, "mail", "MX", "mx.example.net", ttl=900, priority=5),
            lambda: dns.add_record(ZONE, "mail", "MX", "mx.example.net", ttl=900, priority=5),
        ),
        (
            writes.update_record(www, value="127.0.0.77", ttl=1200),
            lambda: dns.update_record(www, value="127.0.0.77", ttl=1200),
        ),
        (writes.set_record_status(www, False), lambda: dns.set_record_status(www, False)),
        (writes.delete_record(www), lambda: dns.delete_record(www)),
    ]
    for write, send in cases:
        sandbox.calls.clear()
        await send()
        assert sent_writes(sandbox) == [(write.action, on_the_wire(write))], write.summary
    assert ".new.example.com" in world.domains  # the wildcard, spelled the API's way


async def test_the_upload_sends_the_content_of_its_write(services, sandbox):
    write = writes.put_object("demo-assets", "verification.html", "verify_0123")
    sandbox.calls.clear()
    await services.oss.put_object("demo-assets", "verification.html", "verify_0123")
    assert sent_writes(sandbox) == [
        ("PutObject", {"bucket": write.param("Bucket"), "key": write.param("Key")})
    ]
    stored = sandbox.world.buckets["demo-assets"].objects["verification.html"]
    assert stored.decode() == write.param("Content")


# -- read-only mode -----------------------------------------------------------------------


async def test_read_only_refuses_every_write_before_anything_is_sent(profile, sandbox):
    www = await record_at(Services(profile), "www")
    sandbox.calls.clear()
    services = Services(replace(profile, read_only=True))
    cdn, dns, oss = services.cdn, services.dns, services.oss
    url = "http://img.example.com/logo.png"
    cases = [
        (
            writes.add_domain("new.example.com", "web", [HZ]),
            lambda: cdn.add_domain("new.example.com", "web", [HZ]),
        ),
        (writes.start_domain("old.example.com"), lambda: cdn.start_domain("old.example.com")),
        (writes.stop_domain("img.example.com"), lambda: cdn.stop_domain("img.example.com")),
        (writes.delete_domain("img.example.com"), lambda: cdn.delete_domain("img.example.com")),
        (writes.verify_owner("www.example.com"), lambda: cdn.verify_owner("www.example.com")),
        (writes.refresh([url]), lambda: cdn.refresh([url])),
        (writes.push([url]), lambda: cdn.push([url])),
        (
            writes.private_origin("video.example.com"),
            lambda: cdn.enable_private_origin("video.example.com"),
        ),
        (
            writes.add_record(ZONE, "new", "A", "127.0.0.50"),
            lambda: dns.add_record(ZONE, "new", "A", "127.0.0.50"),
        ),
        (
            writes.update_record(www, value="127.0.0.77"),
            lambda: dns.update_record(www, value="127.0.0.77"),
        ),
        (writes.delete_record(www), lambda: dns.delete_record(www)),
        (writes.set_record_status(www, False), lambda: dns.set_record_status(www, False)),
        (
            writes.put_object("demo-assets", "verification.html", "verify_0"),
            lambda: oss.put_object("demo-assets", "verification.html", "verify_0"),
        ),
    ]
    for write, send in cases:
        with pytest.raises(ReadOnlyError) as caught:
            await send()
        assert str(caught.value) == f"read-only mode: {write.summary} was not sent"
    assert sandbox.calls == []  # not even a read-back: nothing left the process
    assert "new.example.com" not in sandbox.world.domains


async def test_read_only_flows_read_but_never_write(profile, sandbox):
    services = Services(replace(profile, read_only=True))
    challenge = await services.ownership.challenge("cdn.newsite.net")
    with pytest.raises(ReadOnlyError):
        await services.ownership.publish_txt(challenge)
    with pytest.raises(ReadOnlyError):
        await services.ownership.upload_file(challenge, "demo-assets")
    with pytest.raises(ReadOnlyError):
        await services.ownership.verify(challenge)
    setup = await services.cname_setup.prepare(
        "static.example.com", "static.example.com.w.kunlunsl.com"
    )
    assert plan_writes(setup)  # the plan can still be shown and exported
    with pytest.raises(ApplyError) as caught:
        await services.cname_setup.apply(setup)
    assert isinstance(caught.value.error, ReadOnlyError)
    assert sandbox.calls.actions()  # the reads went out
    assert not set(sandbox.calls.actions()) & WRITE_ACTIONS


async def test_the_wall_also_stands_in_the_lower_call_paths(profile, sandbox):
    # A future method that calls `call(..., write=True)` or OSS `_call(write=True)`
    # directly, without a Write, is refused all the same.
    services = Services(replace(profile, read_only=True))
    cdn = services.cdn
    with pytest.raises(ReadOnlyError) as caught:
        await cdn.call(
            "StopCdnDomain",
            cdn._client.stop_cdn_domain_with_options_async,
            cdn_sdk.StopCdnDomainRequest(domain_name="img.example.com"),
            write=True,
        )
    assert str(caught.value) == "read-only mode: CDN StopCdnDomain was not sent"
    bucket = services.oss._bucket("demo-assets")
    with pytest.raises(ReadOnlyError):
        await services.oss._call(
            "DeleteObject", bucket.endpoint, bucket.delete_object, "index.html", write=True
        )
    assert sandbox.calls == []
    assert "index.html" in sandbox.world.buckets["demo-assets"].objects


# -- the plan's writes and the ownership proof's ---------------------------------------------


@pytest.mark.parametrize("prepare", ["nothing", "a_record", "old_cname", "disabled_cname"])
async def test_a_plans_writes_are_the_calls_apply_sends(services, sandbox, prepare):
    world = sandbox.world
    name, cname = "fresh.example.com", "fresh.example.com.w.kunlunsl.com"
    if prepare == "a_record":
        world.add_record(ZONE, "fresh", "A", "127.0.0.60")
    elif prepare == "old_cname":
        world.add_record(ZONE, "fresh", "CNAME", "old.example.net")
    elif prepare == "disabled_cname":
        world.add_record(ZONE, "fresh", "CNAME", cname, enabled=False)
    setup = await services.cname_setup.prepare(name, cname, replace=True)
    planned = plan_writes(setup)
    assert len(planned) == len(setup.plan.steps) >= 1
    sandbox.calls.clear()
    await services.cname_setup.apply(setup)
    assert sent_writes(sandbox) == [(w.action, on_the_wire(w)) for w in planned]
    assert [
        (r.type, r.value, r.enabled) for r in world.current_records(ZONE) if r.rr == "fresh"
    ] == [("CNAME", cname, True)]


async def test_a_plans_writes_name_what_they_change(services, sandbox):
    sandbox.world.add_record(ZONE, "fresh", "A", "127.0.0.60")
    setup = await services.cname_setup.prepare(
        "fresh.example.com", "f.w.kunlunsl.com", replace=True
    )
    assert [w.summary for w in plan_writes(setup)] == [
        "Delete the A record fresh.example.com -> 127.0.0.60",
        "Add the CNAME record fresh.example.com -> f.w.kunlunsl.com (TTL 600)",
    ]


async def test_no_plan_in_this_account_has_no_writes(services):
    setup = await services.cname_setup.prepare("cdn.partner.org", "cdn.partner.org.w.x.com")
    assert setup.plan is None and plan_writes(setup) == []


async def test_the_ownership_proofs_writes_are_the_calls_made(services, sandbox):
    ownership = services.ownership
    challenge = await ownership.challenge("cdn.newsite.net")
    planned = publish_writes(challenge)
    assert [w.command() for w in planned] == [
        "aliyun alidns AddDomainRecord --DomainName newsite.net --RR verification --Type TXT "
        f"--Value {challenge.content} --TTL 600 --Line default",
        "aliyun cdn VerifyDomainOwner --DomainName cdn.newsite.net --VerifyType dnsCheck",
    ]
    sandbox.calls.clear()
    assert await ownership.publish_txt(challenge) is True
    sandbox.world.clock.advance(CDN_LAG + 1)  # CDN's resolvers, asked for the first time
    await ownership.verify(challenge)
    assert sent_writes(sandbox) == [(w.action, on_the_wire(w)) for w in planned]
    # Read again, the record is there: only the check is left to do.
    again = await ownership.challenge("cdn.newsite.net")
    assert again.txt_published
    assert [w.action for w in publish_writes(again)] == ["VerifyDomainOwner"]


def test_a_zone_elsewhere_leaves_only_the_check():
    challenge = Challenge("cdn.partner.org", "partner.org", "verify_0", None)
    assert [w.command() for w in publish_writes(challenge)] == [
        "aliyun cdn VerifyDomainOwner --DomainName cdn.partner.org --VerifyType dnsCheck"
    ]
    assert [w.param("VerifyType") for w in publish_writes(challenge, "fileCheck")] == ["fileCheck"]
