"""RAM denials and refused credentials, through the service layer and the app, against
the sandbox (real SDKs, real loopback): the missing action is named with the policy that
grants it, a denied zone listing is not "DNS hosted elsewhere", a wrong secret or an
expired token says so with the key masked and where it came from."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.pilot import messages, open_plan, sandbox_app, text_of, wait_for
from tui.explain import explain
from tui.services.errors import CloudError, is_access_denied, policy_statement, ram_action
from tui.services.facade import Services


async def refused(awaitable) -> CloudError:
    with pytest.raises(CloudError) as caught:
        await awaitable
    return caught.value


async def test_each_service_names_the_denied_action(sandbox, profile):
    sandbox.world.denied |= {"cdn:DescribeUserDomains", "alidns:DescribeDomains", "oss:ListBuckets"}
    services = Services(profile)
    try:
        cdn = await refused(services.cdn.list_domains())
        dns = await refused(services.dns.list_zones())
        oss = await refused(services.oss.list_buckets())
    finally:
        await services.close()
    assert [ram_action(e) for e in (cdn, dns, oss)] == [
        "cdn:DescribeUserDomains",
        "alidns:DescribeDomains",
        "oss:ListBuckets",
    ]
    assert all(is_access_denied(e) for e in (cdn, dns, oss))
    assert cdn.denied_action == "cdn:DescribeUserDomains"  # read from AccessDeniedDetail
    text = explain(cdn)
    assert "not granted cdn:DescribeUserDomains" in text
    policy = json.loads(text[text.index("{") : text.rindex("}") + 1])
    assert policy["Statement"][0]["Action"] == ["cdn:DescribeUserDomains"]
    assert policy["Statement"][0]["Effect"] == "Allow"


def test_policy_statement_is_a_ram_policy_document():
    document = json.loads(policy_statement("oss:GetObject", "cdn:AddCdnDomain", "oss:GetObject"))
    assert document == {
        "Version": "1",
        "Statement": [
            {"Effect": "Allow", "Action": ["cdn:AddCdnDomain", "oss:GetObject"], "Resource": "*"}
        ],
    }


async def test_a_wrong_secret_names_the_masked_key_and_its_source(sandbox, profile):
    wrong = dataclasses.replace(profile, access_key_secret="not-the-secret")
    services = Services(wrong)
    try:
        cdn = await refused(services.cdn.list_domains())
        oss = await refused(services.oss.list_buckets())
    finally:
        await services.close()
    key = profile.access_key_id
    for error in (cdn, oss):
        text = explain(error)
        assert "The AccessKey secret is wrong" in text
        assert f"{key[:4]}****{key[-4:]}" in text
        assert "the sandbox's own key pair" in text
        assert key not in text and "not-the-secret" not in text
        assert "oss-cdn doctor" in text


async def test_an_expired_sts_token_says_so(sandbox, profile):
    sts = sandbox.world.issue_sts(duration=600)
    temporary = dataclasses.replace(
        profile,
        access_key_id=sts.access_key_id,
        access_key_secret=sts.access_key_secret,
        security_token=sts.security_token,
        credential_source="an STS token from environment variables",
    )
    services = Services(temporary)
    try:
        assert await services.cdn.list_domains()
        sandbox.world.clock.advance(601)
        cdn = await refused(services.cdn.list_domains())
        oss = await refused(services.oss.list_buckets())
    finally:
        await services.close()
    for error in (cdn, oss):
        text = explain(error)
        assert "STS token" in text and "has expired" in text
        assert "STS.****" in text and "an STS token from environment variables" in text


async def test_a_denied_zone_listing_gives_no_plan_but_is_not_hosted_elsewhere(sandbox, profile):
    sandbox.world.denied.add("alidns:DescribeDomains")
    services = Services(profile)
    try:
        setup = await services.cname_setup.prepare("static.example.com", "x.w.kunlunsl.com")
    finally:
        await services.close()
    assert setup.plan is None
    assert ram_action(setup.denied) == "alidns:DescribeDomains"


async def test_the_plan_screen_names_the_missing_permission():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.sandbox is not None, timeout=30, what="the sandbox")
        app.sandbox.world.denied.add("alidns:DescribeDomains")
        plan_screen = await open_plan(pilot, "static.example.com")
        where = text_of(plan_screen.query_one("#where"))
        assert "refused to list this account's zones" in where
        assert "alidns:DescribeDomains" in where
        assert "not in a zone of this account" not in where
        cname = app.sandbox.world.domains["static.example.com"].cname
        assert cname in text_of(plan_screen.query_one("#plan"))


async def test_a_denied_listing_is_reported_with_its_policy():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.sandbox is not None, timeout=30, what="the sandbox")
        app.sandbox.world.denied.add("cdn:DescribeUserDomains")
        await wait_for(pilot, lambda: app.services is not None, timeout=30, what="services")
        await pilot.press("r")
        said = await wait_for(
            pilot,
            lambda: [m for m in messages(app) if "cdn:DescribeUserDomains" in m],
            timeout=30,
            what="the denial",
        )
        assert '"Action": [' in said[0] and '"Effect": "Allow"' in said[0]


async def test_a_denied_zone_listing_is_unknown_not_elsewhere_for_ownership(sandbox, profile):
    sandbox.world.denied.add("alidns:DescribeDomains")
    services = Services(profile)
    try:
        challenge = await services.ownership.challenge("cdn.newsite.net")
    finally:
        await services.close()
    assert challenge.zone is None
    assert ram_action(challenge.zones_denied) == "alidns:DescribeDomains"


async def test_the_verify_screen_names_the_missing_permission():
    from screens.verify import VerifyScreen

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.sandbox is not None, timeout=30, what="the sandbox")
        app.sandbox.world.denied.add("alidns:DescribeDomains")
        app.push_screen(VerifyScreen("cdn.newsite.net"))
        screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, VerifyScreen) and app.screen.challenge and app.screen,
            what="the challenge",
        )
        hint = " ".join(text_of(screen.query_one("#txt_hint")).split())
        assert "refused to list this account's zones" in hint
        assert "alidns:DescribeDomains" in hint
        assert "is not in this account's" not in hint
        await pilot.press("t")  # nowhere to create it: says why, sends nothing
        await wait_for(
            pilot, lambda: any("refused to list" in m for m in messages(app)), what="why not"
        )
        assert "AddDomainRecord" not in app.sandbox.calls.actions()
