"""What a real account has and the seed world hid: its domain quota (DescribeCdnUserQuota),
ICP filings per root, CDN not activated, real-name verification missing, domains in review
hidden from the listing, and a detail that lags an add. The sandbox through the official
SDK first, then the service layer; no mocks."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace

import pytest
from alibabacloud_cdn20180510 import models as cdn_models
from alibabacloud_cdn20180510.client import Client as CdnClient
from alibabacloud_tea_openapi.exceptions import ClientException

from tests.helpers import sdk_config
from tui.services import cdn as cdn_module
from tui.services.errors import CloudError
from tui.services.facade import Services
from tui.services.models import Source
from tui.services.retry import RetryPolicy

HZ = "demo-assets.oss-cn-hangzhou.aliyuncs.com"
SOURCES = json.dumps([{"content": HZ, "type": "oss", "port": 80, "priority": "20"}])
FAST = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)


# The tea SDKs send even loopback requests through HTTP_PROXY: conftest's no_proxy.
pytestmark = pytest.mark.usefixtures("no_proxy")


@pytest.fixture
def cdn(sandbox) -> CdnClient:
    return CdnClient(sdk_config(sandbox.info, "cdn_endpoint"))


def add(cdn: CdnClient, name: str, scope: str | None = None):
    return cdn.add_cdn_domain(
        cdn_models.AddCdnDomainRequest(
            domain_name=name, cdn_type="web", sources=SOURCES, scope=scope
        )
    )


def refused(call) -> ClientException:
    with pytest.raises(ClientException) as caught:
        call()
    return caught.value


def fill_to(sandbox, count: int) -> None:
    """Domains of the account's own up to `count` (online, under example.com)."""
    world = sandbox.world
    source = [{"content": HZ, "type": "oss", "port": 80, "priority": "20", "weight": "10"}]
    for i in range(count - len(world.domains)):
        world.add_domain(f"fill{i}.example.com", "web", source, "domestic", status="online")


def listed_names(cdn: CdnClient, **params) -> set[str]:
    request = cdn_models.DescribeUserDomainsRequest(page_size=500, **params)
    body = cdn.describe_user_domains(request).body
    return {d.domain_name for d in body.domains.page_data}


# -- the sandbox, through the SDK ---------------------------------------------------------


def test_describe_cdn_user_quota_answers_the_real_shape(sandbox, cdn):
    body = cdn.describe_cdn_user_quota(cdn_models.DescribeCdnUserQuotaRequest()).body
    assert body.request_id
    assert body.domain_quota == 50  # a default account's, as a whole number
    assert (body.refresh_url_quota, body.refresh_dir_quota, body.preload_quota) == (
        10000,
        100,
        1000,
    )
    assert body.refresh_url_remain == 10000 and body.block_quota == body.block_remain == 100
    sandbox.world.quota = 120  # raised in Quota Center
    body = cdn.describe_cdn_user_quota(cdn_models.DescribeCdnUserQuotaRequest()).body
    assert body.domain_quota == 120


def test_past_the_quota_add_is_refused_and_a_raised_quota_lets_the_51st_in(sandbox, cdn):
    fill_to(sandbox, 50)
    error = refused(lambda: add(cdn, "one-more.example.com"))
    assert (error.code, error.status_code) == ("DomainOverLimit", 403)
    assert "The Number of Domain is over the limit" in error.message
    sandbox.world.quota = 60
    add(cdn, "one-more.example.com")
    assert len(sandbox.world.domains) == 51


@pytest.mark.parametrize("scope", [None, "domestic", "global"])
def test_a_root_without_an_icp_filing_is_refused_on_mainland_scopes(sandbox, cdn, scope):
    world = sandbox.world
    world.mark_verified("www.newsite.net")  # ownership proven: the filing is what is missing
    assert not world.zones["newsite.net"].icp_filed
    error = refused(lambda: add(cdn, "www.newsite.net", scope))
    assert (error.code, error.status_code) == ("DomainNotRegistration", 404)
    assert "The Domain name is not registered" in error.message
    assert "www.newsite.net" not in world.domains


def test_overseas_needs_no_filing_and_roots_outside_the_world_have_none(sandbox, cdn):
    world = sandbox.world
    world.mark_verified("www.newsite.net")
    add(cdn, "www.newsite.net", "overseas")
    assert world.domains["www.newsite.net"].scope == "overseas"
    world.verified_roots.add("elsewhere.org")  # proven by file, DNS hosted anywhere
    assert refused(lambda: add(cdn, "img.elsewhere.org")).code == "DomainNotRegistration"
    add(cdn, "img.elsewhere.org", "overseas")
    # The filed roots of the seed: example.com, example.com.cn, partner.org.
    assert all(world.icp_filed(n) for n in ("a.example.com", "b.example.com.cn", "partner.org"))


def test_an_account_without_real_name_verification_cannot_serve_mainland_china(sandbox, cdn):
    sandbox.world.real_name_verified = False
    error = refused(lambda: add(cdn, "shop.example.com", "global"))
    assert (error.code, error.status_code) == ("NotInternationRealIdentity", 400)
    add(cdn, "shop.example.com", "overseas")


def test_an_account_without_cdn_activated_is_refused_everything(sandbox, cdn):
    sandbox.world.cdn_activated = False
    for call in (
        lambda: cdn.describe_user_domains(cdn_models.DescribeUserDomainsRequest()),
        lambda: cdn.describe_cdn_user_quota(cdn_models.DescribeCdnUserQuotaRequest()),
        lambda: add(cdn, "shop.example.com"),
    ):
        error = refused(call)
        assert (error.code, error.status_code) == ("CdnServiceNotFound", 403)
    assert "shop.example.com" not in sandbox.world.domains


def test_domains_in_review_are_listed_only_with_check_domain_show(sandbox, cdn):
    world = sandbox.world
    world.domains["video.example.com"].status = "checking"
    world.domains["video.example.com"].pending.clear()
    world.domains["img.example.com"].status = "configure_failed"
    hidden = {"dl.example.com", "video.example.com", "img.example.com"}
    assert not hidden & listed_names(cdn)
    assert not hidden & listed_names(cdn, check_domain_show=False)
    assert hidden <= listed_names(cdn, check_domain_show=True)
    assert listed_names(cdn, domain_status="check_failed") == {"dl.example.com"}


def test_the_detail_lags_an_add_for_a_few_sandbox_seconds(sandbox, cdn):
    world = sandbox.world
    world.detail_lag = 600.0  # long enough to see at the tests' speed
    add(cdn, "new.example.com")
    request = cdn_models.DescribeCdnDomainDetailRequest(domain_name="new.example.com")
    error = refused(lambda: cdn.describe_cdn_domain_detail(request))
    assert (error.code, error.status_code) == ("InvalidDomain.NotFound", 404)
    # The listing has it already.
    assert "new.example.com" in listed_names(cdn, domain_name="new.example.com")
    world.clock.advance(600.0)
    model = cdn.describe_cdn_domain_detail(request).body.get_domain_detail_model
    assert model.domain_name == "new.example.com"


# -- the service layer ----------------------------------------------------------------------


async def test_the_quota_is_read_from_describe_cdn_user_quota(sandbox, profile):
    sandbox.world.quota = 80
    services = Services(profile)
    quota = await services.cdn.quota()
    assert (quota.used, quota.limit, quota.remaining) == (6, 80, 74)
    assert services.cdn.domain_quota == 80
    await services.cdn.quota()  # kept for a while: the add form asks at every pause
    assert len(sandbox.calls.of("DescribeCdnUserQuota")) == 1


async def test_with_a_raised_quota_the_service_adds_the_51st_domain(sandbox, profile):
    fill_to(sandbox, 50)
    services = Services(profile)
    assert (await services.cdn.quota()).full
    with pytest.raises(CloudError) as caught:
        await services.cdn.add_domain("one-more.example.com", "web", [Source("oss", HZ)])
    assert caught.value.code == "DomainOverLimit"

    sandbox.world.quota = 100
    services = Services(profile)  # a new session reads the raised quota
    quota = await services.cdn.quota()
    assert (quota.used, quota.limit, quota.full) == (50, 100, False)
    await services.cdn.add_domain("one-more.example.com", "web", [Source("oss", HZ)])
    assert (await services.cdn.quota()).used == 51


async def test_the_listing_asks_for_domains_in_review(sandbox, profile):
    services = Services(profile)
    names = {d.name for d in await services.cdn.list_domains()}
    assert "dl.example.com" in names  # check_failed: hidden without CheckDomainShow
    # The SDK renders the bool as "True"; the API parses it without regard to case.
    sent = sandbox.calls.of("DescribeUserDomains")
    assert sent and all(p.get("CheckDomainShow", "").lower() == "true" for p in sent)


async def test_a_domain_just_added_is_read_again_not_taken_for_deleted(
    sandbox, profile, monkeypatch
):
    # At speed 5 the grace is 12 real seconds (room for a loaded machine), the reads
    # 0.4 s apart.
    services = Services(replace(profile, sandbox_speed=5.0))
    sandbox.world.detail_lag = 1e9  # the detail will not be there yet
    await services.cdn.add_domain("new.example.com", "web", [Source("oss", HZ)])
    sandbox.calls.clear()
    read = asyncio.ensure_future(services.cdn.domain("new.example.com"))
    deadline = time.monotonic() + 20
    while len(sandbox.calls.of("DescribeCdnDomainDetail")) < 2:  # asked again, not raised
        assert not read.done(), read.result()
        assert time.monotonic() < deadline, "the detail was not read again"
        await asyncio.sleep(0.02)
    sandbox.world.domains["new.example.com"].detail_from = 0.0  # now it is
    domain = await asyncio.wait_for(read, 20)
    # (Read, not taken for deleted: configuring, or online if the sandbox got that far.)
    assert (domain.name, domain.status in ("configuring", "online")) == ("new.example.com", True)


async def test_not_found_is_believed_for_a_domain_not_just_added_and_after_the_grace(
    sandbox, profile, monkeypatch
):
    services = Services(replace(profile, sandbox_speed=20.0))
    assert await services.cdn.find("never.example.com") is None
    assert len(sandbox.calls.of("DescribeCdnDomainDetail")) == 1  # at once
    monkeypatch.setattr(cdn_module, "ADDED_GRACE", 10.0)  # half a real second at speed 20
    sandbox.world.detail_lag = 1e9
    await services.cdn.add_domain("new.example.com", "web", [Source("oss", HZ)])
    assert await services.cdn.find("new.example.com") is None


async def test_a_lost_add_is_read_back_from_the_listing_not_the_lagging_detail(sandbox, profile):
    sandbox.world.detail_lag = 1e9
    sandbox.faults.add("reset_after", "AddCdnDomain")
    services = Services(profile, retry=FAST)
    await services.cdn.add_domain("lost.example.com", "web", [Source("oss", HZ)])  # no error
    assert "lost.example.com" in sandbox.world.domains
    read_back = sandbox.calls.of("DescribeUserDomains")[-1]
    assert (read_back["DomainName"], read_back["DomainSearchType"]) == (
        "lost.example.com",
        "full_match",
    )
