"""The service layer's side of a private origin, against the sandbox through oss2 and the
CDN SDK: the bucket's ACL, the domain's l2_oss_key configuration, and the write that
switches it on (read-only wall, export text, a lost answer read back)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tui.services import writes
from tui.services.errors import ReadOnlyError
from tui.services.facade import Services
from tui.services.retry import RetryPolicy

FAST = RetryPolicy(base_delay=0.01, max_delay=0.02)


@pytest.fixture
def services(profile):
    return Services(profile, retry=FAST)


async def test_bucket_acl_reads_the_grant(services, sandbox):
    assert await services.oss.bucket_acl("demo-assets") == "public-read"
    bucket = services.oss.bucket_from_origin("demo-video.oss-cn-shanghai.aliyuncs.com")
    assert await services.oss.bucket_acl(bucket) == "private"
    sandbox.world.buckets["demo-video"].acl = "public-read-write"
    assert await services.oss.bucket_acl(bucket) == "public-read-write"


async def test_a_domain_without_the_setting_has_no_config(services):
    assert await services.cdn.domain_configs("video.example.com") == []
    assert await services.cdn.private_origin_config("video.example.com") is None


async def test_enable_private_origin_switches_it_on(services, sandbox):
    await services.cdn.enable_private_origin("static.example.com")
    config = await services.cdn.private_origin_config("static.example.com")
    assert config is not None
    assert config.arg("private_oss_auth") == "on"
    assert config.arg("private_oss_ram_unauthorized") == "off"
    assert config.status in ("configuring", "success")
    sent = [params for action, params in sandbox.calls if action == "BatchSetCdnDomainConfig"]
    assert sent == [
        {name: str(value) for name, value in writes.private_origin("static.example.com").params}
    ]


async def test_without_the_role_the_config_says_so(services, sandbox):
    sandbox.world.private_oss_role = False
    await services.cdn.enable_private_origin("static.example.com")
    config = await services.cdn.private_origin_config("static.example.com")
    assert config.arg("private_oss_ram_unauthorized") == "on"


async def test_read_only_refuses_it_and_sends_nothing(profile, sandbox):
    services = Services(replace(profile, read_only=True))
    with pytest.raises(ReadOnlyError) as caught:
        await services.cdn.enable_private_origin("video.example.com")
    assert "private OSS buckets" in str(caught.value)
    assert sandbox.calls == []
    assert sandbox.world.domains["video.example.com"].configs == []


async def test_a_lost_answer_is_read_back_as_done(services, sandbox):
    sandbox.faults.add("reset_after", "BatchSetCdnDomainConfig")
    await services.cdn.enable_private_origin("static.example.com")  # no error: it was done
    actions = sandbox.calls.actions()
    assert actions.count("BatchSetCdnDomainConfig") == 1
    assert actions[-1] == "DescribeCdnDomainConfigs"
    assert sandbox.world.domains["static.example.com"].configs[0]["FunctionArgs"] == {
        "private_oss_auth": "on"
    }


async def test_a_refused_write_is_the_api_error(services, sandbox):
    from tui.services.errors import CloudError

    with pytest.raises(CloudError) as caught:
        await services.cdn.enable_private_origin("nope.example.com")
    assert caught.value.code == "InvalidDomain.NotFound"
