"""The sandbox's HTTP APIs, spoken to by the raw official SDKs over loopback.

These tests use the SDK clients directly (not the service layer) to prove the sandbox
speaks the real wire protocol: signatures, JSON/XML shapes, error codes, faults.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import oss2
import pytest
from alibabacloud_alidns20150109 import models as dns_models
from alibabacloud_alidns20150109.client import Client as DnsClient
from alibabacloud_cdn20180510 import models as cdn_models
from alibabacloud_cdn20180510.client import Client as CdnClient
from alibabacloud_tea_openapi.exceptions import (
    ClientException,
    ServerException,
    ThrottlingException,
)
from alibabacloud_tea_openapi.models import Config
from darabonba.exceptions import UnretryableException
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import PROXY_VARS, serve_root_through_cdn
from tui.sandbox import signing
from tui.sandbox.cdn_api import valid_domain_name
from tui.sandbox.cdn_checks import CDN_LAG
from tui.sandbox.dns_answers import SOA_MINIMUM
from tui.sandbox.edge import MAX_TTL

OSS_SOURCE = json.dumps(
    [
        {
            "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
            "type": "oss",
            "port": 80,
            "priority": "20",
            "weight": "10",
        }
    ]
)


# The tea SDKs send even loopback requests through HTTP_PROXY: conftest's no_proxy.
pytestmark = pytest.mark.usefixtures("no_proxy")


def config(info: dict, endpoint: str, **overrides) -> Config:
    values = {
        "access_key_id": info["access_key_id"],
        "access_key_secret": info["access_key_secret"],
        "endpoint": info[endpoint],
        "protocol": "http",
        "region_id": "cn-hangzhou",
        "read_timeout": 3000,
        **overrides,
    }
    return Config(**values)


@pytest.fixture
def cdn(sandbox) -> CdnClient:
    return CdnClient(config(sandbox.info, "cdn_endpoint"))


@pytest.fixture
def dns(sandbox) -> DnsClient:
    return DnsClient(config(sandbox.info, "dns_api_endpoint"))


# The seed's buckets the tests below use are in cn-hangzhou: the region V4 signs for.
HZ = "cn-hangzhou"


@pytest.fixture
def oss_auth(sandbox) -> oss2.AuthV4:
    """What the app signs with: V4 (the sandbox's account refuses V1, as OSS does for
    accounts created since 2025-03-01; tests/test_sandbox_oss_v4.py covers V1)."""
    return oss2.AuthV4(sandbox.info["access_key_id"], sandbox.info["access_key_secret"])


def oss_url(sandbox) -> str:
    return "http://" + sandbox.info["oss_endpoint"]


def detail(cdn: CdnClient, name: str, seconds: float = 10.0):
    """The domain's detail, read again while it answers InvalidDomain.NotFound (for a
    few sandbox seconds after AddCdnDomain it does, as the real API can), as a client
    should (see test_the_detail_lags_an_add_for_a_few_sandbox_seconds)."""
    request = cdn_models.DescribeCdnDomainDetailRequest(domain_name=name)
    deadline = time.monotonic() + seconds
    while True:
        try:
            return cdn.describe_cdn_domain_detail(request).body.get_domain_detail_model
        except ClientException as error:
            if error.code != "InvalidDomain.NotFound" or time.monotonic() > deadline:
                raise
        time.sleep(0.02)


def wait_for_status(cdn: CdnClient, name: str, status: str, seconds: float = 5.0) -> list[str]:
    """Poll the domain until it reaches `status`; returns every status seen on the way."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        current = detail(cdn, name).domain_status
        if not seen or seen[-1] != current:
            seen.append(current)
        if current == status:
            return seen
        time.sleep(0.02)
    raise AssertionError(f"{name} never became {status}; saw {seen}")


def add_domain(
    cdn: CdnClient,
    name: str,
    sources: str = OSS_SOURCE,
    cdn_type: str = "web",
    scope: str | None = None,
):
    request = cdn_models.AddCdnDomainRequest(
        domain_name=name, cdn_type=cdn_type, sources=sources, scope=scope
    )
    return cdn.add_cdn_domain(request)


def cdn_error(call) -> ClientException:
    with pytest.raises(ClientException) as caught:
        call()
    return caught.value


# -- CDN domains ---------------------------------------------------------------------------


def test_added_domain_is_listed_and_comes_online(cdn):
    answer = add_domain(cdn, "new.example.com")
    assert answer.body.request_id

    listed = cdn.describe_user_domains(
        cdn_models.DescribeUserDomainsRequest(
            domain_name="new.example.com", domain_search_type="full_match"
        )
    ).body
    assert listed.total_count == 1
    row = listed.domains.page_data[0]
    assert row.cname == "new.example.com.w.kunlunsl.com"
    assert row.cdn_type == "web" and row.coverage == "domestic"
    assert time.strptime(row.gmt_created, "%Y-%m-%dT%H:%M:%SZ")
    assert row.sources.source[0].content == "demo-assets.oss-cn-hangzhou.aliyuncs.com"
    assert row.sources.source[0].port == 80

    assert wait_for_status(cdn, "new.example.com", "online") == ["configuring", "online"]
    model = detail(cdn, "new.example.com")
    assert model.source_models.source_model[0].type == "oss"


def test_wildcard_domain_keeps_its_leading_dot(cdn):
    add_domain(cdn, ".example.com")
    model = detail(cdn, ".example.com")
    assert model.domain_name == ".example.com"
    assert model.cname == "all.example.com.w.kunlunsl.com"


def test_async_client_speaks_the_same_protocol(sandbox, cdn):
    import asyncio

    async def run():
        await cdn.add_cdn_domain_async(
            cdn_models.AddCdnDomainRequest(
                domain_name="async.example.com", cdn_type="web", sources=OSS_SOURCE
            )
        )
        return await cdn.describe_user_domains_async(
            cdn_models.DescribeUserDomainsRequest(domain_name="async")
        )

    assert [d.domain_name for d in asyncio.run(run()).body.domains.page_data] == [
        "async.example.com"
    ]


@pytest.mark.parametrize(
    "name, sources, code",
    [
        ("Upper.example.com", OSS_SOURCE, "InvalidDomainName.Malformed"),
        ("*.example.com", OSS_SOURCE, "InvalidDomainName.Malformed"),
        ("a--b.example.com", OSS_SOURCE, "InvalidDomainName.Malformed"),
        ("ok.example.com", "not json", "InvalidSources.Malformed"),
        ("ok.example.com", OSS_SOURCE.replace("80", "8080"), "InvalidSources.Malformed"),
        ("ok.example.com", OSS_SOURCE.replace('"oss"', '"ftp"'), "InvalidSources.Malformed"),
        (
            "ok.example.com",
            json.dumps([{"content": "ok.example.com", "type": "domain"}]),
            "InvalidSources.Malformed",
        ),
        ("img.example.com", OSS_SOURCE, "DomainAlreadyExist"),
        ("taken.example.org", OSS_SOURCE, "DomainAlreadyExist"),
        ("www.newsite.net", OSS_SOURCE, "DomainOwnerVerifyFail"),
    ],
)
def test_add_domain_refusals(cdn, name, sources, code):
    err = cdn_error(lambda: add_domain(cdn, name, sources))
    assert err.code == code
    assert err.status_code == 400
    assert err.data["Message"] and err.data["HostId"] == "cdn.aliyuncs.com"


def test_add_domain_needs_its_parameters(cdn):
    err = cdn_error(
        lambda: cdn.add_cdn_domain(
            cdn_models.AddCdnDomainRequest(domain_name="x.example.com", cdn_type="web")
        )
    )
    assert (err.code, err.status_code) == ("MissingParameter", 400)
    assert "Sources" in err.data["Message"]


def test_add_domain_over_quota(sandbox, cdn):
    sandbox.world.quota = len(sandbox.world.domains)
    err = cdn_error(lambda: add_domain(cdn, "one-more.example.com"))
    assert (err.code, err.status_code) == ("DomainOverLimit", 403)


def test_dns_ownership_verification_unlocks_a_new_root(sandbox, cdn, dns):
    err = cdn_error(
        lambda: cdn.verify_domain_owner(
            cdn_models.VerifyDomainOwnerRequest(
                domain_name="www.newsite.net", verify_type="dnsCheck"
            )
        )
    )
    assert err.code == "DomainOwnerVerifyFail"
    assert "verification.newsite.net" in err.data["Message"]

    content = cdn.describe_verify_content(
        cdn_models.DescribeVerifyContentRequest(domain_name="www.newsite.net")
    ).body.content
    assert content.startswith("verify_")
    dns.add_domain_record(
        dns_models.AddDomainRecordRequest(
            domain_name="newsite.net", rr="verification", type="TXT", value=content
        )
    )
    # CDN's own resolver sees it once its lag and the negative answer it cached pass.
    sandbox.world.clock.advance(CDN_LAG + SOA_MINIMUM)
    verified = cdn.verify_domain_owner(
        cdn_models.VerifyDomainOwnerRequest(domain_name="www.newsite.net", verify_type="dnsCheck")
    )
    assert verified.body.content == content
    assert sandbox.world.zones["newsite.net"].verified_for_cdn

    add_domain(cdn, "www.newsite.net", scope="overseas")  # newsite.net has no ICP filing
    assert detail(cdn, "www.newsite.net").domain_status == "configuring"


def test_file_verification_fetches_the_file_from_where_the_root_points(sandbox, cdn, oss_auth):
    """CDN fetches http://<root>/verification.html: a file in a bucket is not that URL."""
    request = cdn_models.VerifyDomainOwnerRequest(
        domain_name="newsite.net", verify_type="fileCheck"
    )
    content = cdn.describe_verify_content(
        cdn_models.DescribeVerifyContentRequest(domain_name="newsite.net")
    ).body.content
    bucket = oss2.Bucket(oss_auth, oss_url(sandbox), "demo-assets", region=HZ)
    bucket.put_object("verification.html", content.encode())
    # newsite.net points at 127.0.0.20, where no web server of the sandbox listens.
    assert cdn_error(lambda: cdn.verify_domain_owner(request)).code == "InvalidFile"
    assert not sandbox.world.is_verified("cdn.newsite.net")

    world = sandbox.world
    serve_root_through_cdn(world, "newsite.net")
    bucket.put_object("verification.html", b"verify_wrong")
    world.clock.advance(CDN_LAG + SOA_MINIMUM)  # CDN's resolver forgets 127.0.0.20
    err = cdn_error(lambda: cdn.verify_domain_owner(request))
    assert (err.code, err.status_code) == ("VerifyError", 400)

    bucket.put_object("verification.html", content.encode())
    world.clock.advance(MAX_TTL)  # the edge's copy of the wrong file expires
    cdn.verify_domain_owner(request)
    assert world.is_verified("cdn.newsite.net")


def test_file_verification_of_a_root_hosted_elsewhere_lets_its_names_in(sandbox, cdn, oss_auth):
    """DNS hosted anywhere: the root is not in this account's Alidns, yet its proof counts."""
    assert cdn_error(lambda: add_domain(cdn, "img.unknown-site.org")).code == (
        "DomainOwnerVerifyFail"
    )
    content = cdn.describe_verify_content(
        cdn_models.DescribeVerifyContentRequest(domain_name="img.unknown-site.org")
    ).body.content
    request = cdn_models.VerifyDomainOwnerRequest(
        domain_name="img.unknown-site.org", verify_type="fileCheck"
    )
    # No DNS at all for the root: nothing to fetch from.
    assert cdn_error(lambda: cdn.verify_domain_owner(request)).code == "InvalidFile"
    serve_root_through_cdn(sandbox.world, "unknown-site.org")
    bucket = oss2.Bucket(oss_auth, oss_url(sandbox), "demo-assets", region=HZ)
    bucket.put_object("verification.html", content.encode())
    sandbox.world.clock.advance(CDN_LAG + SOA_MINIMUM)
    cdn.verify_domain_owner(request)
    # A root outside the sandbox's zones has no ICP filing: outside mainland China only.
    add_domain(cdn, "img.unknown-site.org", scope="overseas")
    add_domain(cdn, "static.unknown-site.org", scope="overseas")  # the whole root
    assert detail(cdn, "img.unknown-site.org").domain_status == "configuring"
    assert not sandbox.world.is_verified("img.other-site.org")


def test_check_domain_exist(cdn):
    def status(name):
        return cdn.check_cdn_domain_exist(
            cdn_models.CheckCdnDomainExistRequest(domain_name=name)
        ).body.status

    assert status("img.example.com") == "DomainExistCdnProduct"
    assert status("live.example.org") == "DomainExistLiveProduct"
    assert status("free.example.com") == "DomainNotExist"


def test_stop_start_delete_pass_through_short_states(cdn):
    cdn.stop_cdn_domain(cdn_models.StopCdnDomainRequest(domain_name="img.example.com"))
    assert wait_for_status(cdn, "img.example.com", "offline") == ["stopping", "offline"]

    cdn.start_cdn_domain(cdn_models.StartCdnDomainRequest(domain_name="img.example.com"))
    assert wait_for_status(cdn, "img.example.com", "online") == ["configuring", "online"]

    cdn.delete_cdn_domain(cdn_models.DeleteCdnDomainRequest(domain_name="img.example.com"))
    busy = cdn_error(
        lambda: cdn.stop_cdn_domain(cdn_models.StopCdnDomainRequest(domain_name="img.example.com"))
    )
    assert (busy.code, busy.status_code) == ("ServiceBusy", 403)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            detail(cdn, "img.example.com")
        except ClientException as gone:
            assert (gone.code, gone.status_code) == ("InvalidDomain.NotFound", 404)
            break
        time.sleep(0.02)
    else:
        raise AssertionError("the deleted domain never went away")


def test_failed_domain_cannot_be_started(cdn):
    err = cdn_error(
        lambda: cdn.start_cdn_domain(cdn_models.StartCdnDomainRequest(domain_name="dl.example.com"))
    )
    assert err.code == "IllegalOperationDomain"


def test_listing_pages_through_a_thousand_domains(sandbox, cdn):
    world = sandbox.world
    sources = json.loads(OSS_SOURCE)
    for n in range(1200):
        world.add_domain(
            f"bulk{n:04d}.example.net", "download", sources, "overseas", status="online"
        )
    seen = []
    for page in (1, 2, 3):
        body = cdn.describe_user_domains(
            cdn_models.DescribeUserDomainsRequest(
                page_number=page,
                page_size=500,
                cdn_type="download",
                domain_name=".example.net",
                domain_search_type="suf_match",
            )
        ).body
        assert body.total_count == 1200 and body.page_size == 500
        seen += [d.domain_name for d in body.domains.page_data]
    assert len(seen) == len(set(seen)) == 1200

    too_big = cdn_error(
        lambda: cdn.describe_user_domains(cdn_models.DescribeUserDomainsRequest(page_size=501))
    )
    assert too_big.code == "InvalidPageSize.ValueNotSupported"


@pytest.mark.parametrize(
    "search, needle, expected",
    [
        ("fuzzy_match", "atic", ["static.example.com"]),
        ("pre_match", "cdn.", ["cdn.partner.org"]),
        ("suf_match", "partner.org", ["cdn.partner.org"]),
        ("full_match", "example.com", []),
    ],
)
def test_domain_search_types(cdn, search, needle, expected):
    body = cdn.describe_user_domains(
        cdn_models.DescribeUserDomainsRequest(domain_name=needle, domain_search_type=search)
    ).body
    assert [d.domain_name for d in body.domains.page_data] == expected


def test_cname_status_follows_dns(sandbox, cdn, dns):
    add_domain(cdn, "shop.example.com")
    names = "shop.example.com,img.example.com"

    def statuses():
        data = cdn.describe_domain_cname(
            cdn_models.DescribeDomainCnameRequest(domain_name=names)
        ).body.cname_datas.data
        return {d.domain: d.status for d in data}

    assert statuses() == {"shop.example.com": 1, "img.example.com": 0}
    added = dns.add_domain_record(
        dns_models.AddDomainRecordRequest(
            domain_name="example.com",
            rr="shop",
            type="CNAME",
            value="shop.example.com.w.kunlunsl.com",
        )
    )
    assert added.body.record_id
    sandbox.world.clock.advance(CDN_LAG + SOA_MINIMUM)  # CDN's resolver lags, caches "none"
    assert statuses() == {"shop.example.com": 0, "img.example.com": 0}


def test_refresh_tasks_progress_and_use_quota(sandbox, cdn):
    quota = cdn.describe_refresh_quota(cdn_models.DescribeRefreshQuotaRequest()).body
    assert (quota.url_quota, quota.url_remain) == ("10000", "10000")

    answer = cdn.refresh_object_caches(
        cdn_models.RefreshObjectCachesRequest(
            object_path="http://img.example.com/a.png\nhttp://img.example.com/b.png",
            object_type="File",
        )
    )
    ids = answer.body.refresh_task_id.split(",")
    assert len(ids) == 2
    # The paths travel in a form-encoded body; the sandbox read them from there.
    assert "img.example.com/b.png" in sandbox.calls.of("RefreshObjectCaches")[0]["ObjectPath"]
    push = cdn.push_object_cache(
        cdn_models.PushObjectCacheRequest(object_path="img.example.com/index.html")
    )
    assert push.body.push_task_id

    def tasks():
        return cdn.describe_refresh_tasks(
            cdn_models.DescribeRefreshTasksRequest(task_id=ids[0])
        ).body.tasks.cdntask

    assert [(t.status, t.object_type) for t in tasks()] == [("Refreshing", "file")]
    deadline = time.monotonic() + 5
    while tasks()[0].status != "Complete":
        assert time.monotonic() < deadline, "the refresh never completed"
        time.sleep(0.02)
    assert tasks()[0].process == "100%"
    quota = cdn.describe_refresh_quota(cdn_models.DescribeRefreshQuotaRequest()).body
    assert (quota.url_remain, quota.preload_remain) == ("9998", "999")


def test_refresh_of_a_foreign_domain_is_refused(cdn):
    err = cdn_error(
        lambda: cdn.refresh_object_caches(
            cdn_models.RefreshObjectCachesRequest(object_path="http://not-mine.example.org/a.png")
        )
    )
    assert (err.code, err.status_code) == ("InvalidDomain.NotFound", 404)


# -- Alidns -----------------------------------------------------------------------------


def records(dns: DnsClient, zone: str, **filters):
    request = dns_models.DescribeDomainRecordsRequest(domain_name=zone, **filters)
    return dns.describe_domain_records(request).body


def test_cname_record_is_added_listed_and_kept_in_history(sandbox, dns):
    before = sandbox.world.now()
    answer = dns.add_domain_record(
        dns_models.AddDomainRecordRequest(
            domain_name="example.com",
            rr="cdn",
            type="CNAME",
            value="cdn.example.com.w.kunlunsl.com",
            ttl=600,
        )
    )
    record_id = answer.body.record_id
    assert isinstance(record_id, str)

    body = records(dns, "example.com", rrkey_word="cdn", type_key_word="CNAME")
    assert body.total_count == 1
    row = body.domain_records.record[0]
    assert (row.record_id, row.rr, row.type, row.value, row.ttl, row.line, row.status) == (
        record_id,
        "cdn",
        "CNAME",
        "cdn.example.com.w.kunlunsl.com",
        600,
        "default",
        "ENABLE",
    )
    assert row.domain_name == "example.com" and row.locked is False

    world = sandbox.world
    assert not any(r.record_id == record_id for r in world.records_at(before))
    assert any(r.record_id == record_id for r in world.records_at())


def test_rr_keyword_is_fuzzy_like_the_real_api(dns):
    body = records(dns, "example.com", rrkey_word="www")
    assert sorted(r.rr for r in body.domain_records.record) == ["www", "www2"]


def test_record_pages(sandbox, dns):
    for n in range(30):
        sandbox.world.add_record("example.com.cn", f"h{n:02d}", "A", f"127.0.1.{n}")
    first = records(dns, "example.com.cn", page_size=20)
    second = records(dns, "example.com.cn", page_number=2, page_size=20)
    assert first.total_count == 31
    names = [r.rr for r in first.domain_records.record + second.domain_records.record]
    assert len(set(names)) == 31


@pytest.mark.parametrize(
    "zone, rr, type_, value, ttl, code",
    [
        ("example.com", "www", "A", "127.0.0.11", 600, "DomainRecordDuplicate"),
        ("example.com", "www", "CNAME", "x.w.kunlunsl.com", 600, "DomainRecordConflict"),
        ("example.com", "fast", "A", "127.0.0.9", 60, "InvalidTTL"),
        ("example.com", "fast", "A", "127.0.0.9", 300, "QuotaExceeded.TTL"),
        ("example.com", "bad", "A", "not-an-ip", 600, "SubDomainInvalid.Value"),
        ("nowhere.example", "www", "A", "127.0.0.9", 600, "InvalidDomainName.NoExist"),
        ("partner.org", "www", "A", "127.0.0.9", 600, "InvalidDomainName.NoExist"),
    ],
)
def test_add_record_refusals(dns, zone, rr, type_, value, ttl, code):
    with pytest.raises(ClientException) as caught:
        dns.add_domain_record(
            dns_models.AddDomainRecordRequest(
                domain_name=zone, rr=rr, type=type_, value=value, ttl=ttl
            )
        )
    assert (caught.value.code, caught.value.status_code) == (code, 400)


def test_cname_at_the_apex_may_stand_beside_mx_but_not_a(sandbox, dns):
    sandbox.world.add_zone("fresh.example")
    sandbox.world.add_record("fresh.example", "@", "MX", "mx.fresh.example", priority=10)

    def add_apex(type_, value):
        return dns.add_domain_record(
            dns_models.AddDomainRecordRequest(
                domain_name="fresh.example", rr="@", type=type_, value=value
            )
        )

    assert add_apex("CNAME", "fresh.example.w.kunlunsl.com").body.record_id
    with pytest.raises(ClientException) as caught:
        add_apex("A", "127.0.0.50")
    assert caught.value.code == "DomainRecordConflict"


def test_update_delete_and_status(sandbox, dns):
    www = records(dns, "example.com", rrkey_word="www", type_key_word="A")
    record = next(r for r in www.domain_records.record if r.rr == "www")

    def update(value):
        return dns.update_domain_record(
            dns_models.UpdateDomainRecordRequest(
                record_id=record.record_id, rr="www", type="A", value=value, ttl=600
            )
        )

    with pytest.raises(ClientException) as same:
        update("127.0.0.11")
    assert same.value.code == "DomainRecordDuplicate"
    assert update("127.0.0.99").body.record_id == record.record_id

    status = dns.set_domain_record_status(
        dns_models.SetDomainRecordStatusRequest(record_id=record.record_id, status="Disable")
    )
    assert status.body.status == "Disable"
    row = records(dns, "example.com", rrkey_word="www", status="DISABLE").domain_records.record
    assert [(r.value, r.status) for r in row] == [("127.0.0.99", "DISABLE")]
    assert not any(r.record_id == record.record_id for r in sandbox.world.records_at())

    dns.delete_domain_record(dns_models.DeleteDomainRecordRequest(record_id=record.record_id))
    with pytest.raises(ClientException) as gone:
        dns.delete_domain_record(dns_models.DeleteDomainRecordRequest(record_id=record.record_id))
    assert gone.value.code == "DomainRecordNotBelongToUser"


def test_locked_record_cannot_change(dns):
    locked = records(dns, "example.com", rrkey_word="_dmarc").domain_records.record[0]
    assert locked.locked is True
    with pytest.raises(ClientException) as caught:
        dns.delete_domain_record(dns_models.DeleteDomainRecordRequest(record_id=locked.record_id))
    assert caught.value.code == "Forbidden.RecordLocked"


def test_zones_are_those_hosted_in_alidns(dns):
    body = dns.describe_domains(dns_models.DescribeDomainsRequest()).body
    names = [d.domain_name for d in body.domains.domain]
    assert names == ["example.com", "example.com.cn", "newsite.net"]
    assert body.domains.domain[0].dns_servers.dns_server == [
        "dns9.hichina.com",
        "dns10.hichina.com",
    ]
    assert body.domains.domain[0].record_count == 8

    info = dns.describe_domain_info(
        dns_models.DescribeDomainInfoRequest(domain_name="newsite.net")
    ).body
    assert info.version_code == "mianfei" and info.min_ttl == 600
    with pytest.raises(ClientException) as too_big:
        dns.describe_domains(dns_models.DescribeDomainsRequest(page_size=101))
    assert too_big.value.status_code == 400


def test_sub_domain_records_and_main_domain(dns):
    body = dns.describe_sub_domain_records(
        dns_models.DescribeSubDomainRecordsRequest(sub_domain="example.com")
    ).body
    assert sorted(r.type for r in body.domain_records.record) == ["A", "MX", "TXT"]
    main = dns.get_main_domain_name(
        dns_models.GetMainDomainNameRequest(input_string="cdn.shop.example.com.cn")
    ).body
    assert (main.domain_name, main.rr, main.domain_level) == ("example.com.cn", "cdn.shop", 3)


# -- signatures ---------------------------------------------------------------------------


def test_wrong_secret_is_signature_does_not_match(sandbox):
    client = CdnClient(config(sandbox.info, "cdn_endpoint", access_key_secret="wrong"))
    err = cdn_error(lambda: client.describe_user_domains(cdn_models.DescribeUserDomainsRequest()))
    assert (err.code, err.status_code) == ("SignatureDoesNotMatch", 400)
    assert set(err.data) >= {"Code", "Message", "RequestId", "HostId", "Recommend"}
    assert "wrong" not in json.dumps(err.data)


def test_unknown_key_is_not_found(sandbox):
    client = DnsClient(config(sandbox.info, "dns_api_endpoint", access_key_id="LTAInobody"))
    with pytest.raises(ClientException) as caught:
        client.describe_domains(dns_models.DescribeDomainsRequest())
    assert (caught.value.code, caught.value.status_code) == ("InvalidAccessKeyId.NotFound", 404)


def test_v2_signatures_are_accepted_and_checked(sandbox):
    cdn = CdnClient(config(sandbox.info, "cdn_endpoint", signature_algorithm="v2"))
    # RefreshObjectCaches signs its form body too.
    assert cdn.refresh_object_caches(
        cdn_models.RefreshObjectCachesRequest(object_path="http://img.example.com/a b.png")
    ).body.refresh_task_id
    dns = DnsClient(config(sandbox.info, "dns_api_endpoint", signature_algorithm="v2"))
    assert dns.describe_domains(dns_models.DescribeDomainsRequest()).body.total_count == 3

    wrong = DnsClient(
        config(
            sandbox.info, "dns_api_endpoint", signature_algorithm="v2", access_key_secret="wrong"
        )
    )
    with pytest.raises(ClientException) as caught:
        wrong.describe_domains(dns_models.DescribeDomainsRequest())
    assert caught.value.code == "SignatureDoesNotMatch"
    assert "string to sign is:POST&%2F&" in caught.value.data["Message"]


_query_values = st.dictionaries(
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=8),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    max_size=5,
)


@given(_query_values)
def test_acs3_signature_matches_the_sdk(query):
    from alibabacloud_tea_openapi.utils import Utils
    from darabonba.request import DaraRequest

    request = DaraRequest()
    request.method, request.pathname, request.query = "POST", "/", query
    request.headers = {
        "host": "127.0.0.1:1",
        "x-acs-action": "A",
        "x-acs-date": "d",
        "x-acs-content-sha256": "e3b0",
    }
    payload = hashlib.sha256(b"").hexdigest()
    expected = Utils.get_authorization(request, signing.ACS3, payload, "ak", "secret")
    auth = signing.parse_acs3_authorization(expected)
    ours, _ = signing.acs3_signature(
        "POST", "/", query, request.headers, auth.signed_headers, b"", "secret"
    )
    assert ours == auth.signature


@given(_query_values)
def test_rpc_signature_matches_the_sdk(params):
    from alibabacloud_tea_openapi.utils import Utils

    assert signing.rpc_signature("POST", params, "s3cret")[0] == Utils.get_rpcsignature(
        params, "POST", "s3cret"
    )


# -- OSS ----------------------------------------------------------------------------------


def test_oss_buckets_cnames_and_objects(sandbox, oss_auth):
    service = oss2.Service(oss_auth, oss_url(sandbox), region=HZ)
    listed = service.list_buckets()
    assert [b.name for b in listed.buckets] == ["demo-assets", "demo-downloads", "demo-video"]
    assert listed.buckets[0].extranet_endpoint == "oss-cn-hangzhou.aliyuncs.com"
    assert listed.buckets[0].location == "oss-cn-hangzhou"
    assert listed.buckets[0].creation_date > 0
    page = service.list_buckets(max_keys=2)
    assert page.is_truncated and page.next_marker == "demo-downloads"

    bucket = oss2.Bucket(oss_auth, oss_url(sandbox), "demo-assets", region=HZ)
    info = bucket.get_bucket_info()
    assert (info.name, info.intranet_endpoint) == (
        "demo-assets",
        "oss-cn-hangzhou-internal.aliyuncs.com",
    )
    cnames = {c.domain: c.is_purge_cdn_cache for c in bucket.list_bucket_cname().cname}
    assert cnames == {"img.example.com": "true", "static.example.com": "false"}

    before = sandbox.world.now()
    bucket.put_object("dir/verification.html", b"verify_abc")
    assert sandbox.world.buckets["demo-assets"].objects["dir/verification.html"] == b"verify_abc"
    assert bucket.get_object("dir/verification.html").read() == b"verify_abc"
    head = bucket.head_object("dir/verification.html")
    assert head.content_length == 10 and head.last_modified >= int(before)
    bucket.delete_object("dir/verification.html")
    with pytest.raises(oss2.exceptions.NoSuchKey) as missing:
        bucket.get_object("dir/verification.html")
    assert missing.value.request_id
    assert sandbox.calls.actions()[-6:] == [
        "ListCname",
        "PutObject",
        "GetObject",
        "HeadObject",
        "DeleteObject",
        "GetObject",
    ]


def test_oss_list_objects_v2_as_oss2_reads_it(sandbox, oss_auth):
    """oss2's own parser and iterator read the sandbox's ListObjectsV2 (URL-encoded names,
    CommonPrefixes, continuation tokens)."""
    bucket = oss2.Bucket(oss_auth, oss_url(sandbox), "demo-assets", region=HZ)
    objects = sandbox.world.buckets["demo-assets"].objects
    for i in range(7):
        objects[f"docs/{i}/page é.html"] = b"<p>"
    top = bucket.list_objects_v2(delimiter="/")
    assert [o.key for o in top.object_list] == ["index.html"]
    assert top.prefix_list == ["docs/", "img/"] and not top.is_truncated
    keys = [o.key for o in oss2.ObjectIteratorV2(bucket, prefix="docs/", max_keys=3)]
    assert keys == sorted(f"docs/{i}/page é.html" for i in range(7))
    dirs = [o.key for o in oss2.ObjectIteratorV2(bucket, prefix="docs/", delimiter="/", max_keys=2)]
    assert dirs == [f"docs/{i}/" for i in range(7)]
    with pytest.raises(oss2.exceptions.ServerError) as bad:
        bucket.list_objects_v2(max_keys=1001)
    assert bad.value.code == "InvalidArgument"


def test_oss_errors(sandbox, oss_auth):
    with pytest.raises(oss2.exceptions.NoSuchBucket) as no_bucket:
        oss2.Bucket(oss_auth, oss_url(sandbox), "nope", region=HZ).get_bucket_info()
    assert no_bucket.value.status == 404

    wrong = oss2.AuthV4(sandbox.info["access_key_id"], "wrong")
    with pytest.raises(oss2.exceptions.SignatureDoesNotMatch):
        oss2.Service(wrong, oss_url(sandbox), region=HZ).list_buckets()

    nobody = oss2.AuthV4("LTAInobody", "secret")
    with pytest.raises(oss2.exceptions.ServerError) as unknown:
        oss2.Service(nobody, oss_url(sandbox), region=HZ).list_buckets()
    assert (unknown.value.status, unknown.value.code) == (403, "InvalidAccessKeyId")


# -- faults -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, params, exception, code, status",
    [
        ("throttle", {"retry_after_ms": 1500}, ThrottlingException, "Throttling.User", 400),
        ("server_error", {}, ServerException, "InternalError", 500),
        ("unavailable", {}, ServerException, "ServiceUnavailable", 503),
        (
            "http_error",
            {"status": 403, "code": "Forbidden.RAM", "message": "no"},
            ClientException,
            "Forbidden.RAM",
            403,
        ),
    ],
)
def test_error_faults(sandbox, cdn, kind, params, exception, code, status):
    sandbox.faults.add(kind, "DescribeUserDomains", **params)
    with pytest.raises(exception) as caught:
        cdn.describe_user_domains(cdn_models.DescribeUserDomainsRequest())
    assert (caught.value.code, caught.value.status_code) == (code, status)
    if kind == "throttle":
        assert caught.value.retry_after == 1500
    # Used up: the next call goes through.
    assert cdn.describe_user_domains(cdn_models.DescribeUserDomainsRequest()).body.total_count


@pytest.mark.parametrize(
    "kind, params",
    [
        ("timeout", {"delay": 2}),
        ("reset", {}),
        ("non_json", {}),
    ],
)
def test_transport_faults_are_unretryable(sandbox, kind, params):
    client = CdnClient(config(sandbox.info, "cdn_endpoint", read_timeout=300))
    sandbox.faults.add(kind, **params)
    started = time.monotonic()
    with pytest.raises(UnretryableException):
        client.describe_user_domains(cdn_models.DescribeUserDomainsRequest())
    assert time.monotonic() - started < 1.5
    assert len(sandbox.faults) == 0


def test_throttling_comes_the_real_way_without_retry_after(sandbox, cdn):
    # HTTP 400 Throttling.User, no x-acs-retry-after: the SDK's ClientException.
    sandbox.faults.add("throttle", "DescribeUserDomains")
    with pytest.raises(ClientException) as caught:
        cdn.describe_user_domains(cdn_models.DescribeUserDomainsRequest())
    assert type(caught.value) is ClientException
    assert (caught.value.code, caught.value.status_code) == ("Throttling.User", 400)
    sandbox.faults.add("throttle", "DescribeUserDomains", status=429)
    with pytest.raises(ClientException) as caught:
        cdn.describe_user_domains(cdn_models.DescribeUserDomainsRequest())
    assert caught.value.status_code == 429


def wait_for_outcome(fault, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while not fault.outcome and time.monotonic() < deadline:
        time.sleep(0.01)
    return fault.outcome


@pytest.mark.parametrize(
    "kind, params, outcome, applied",
    [
        # The cloud acts, and the client never hears so.
        ("reset_after", {}, "reset", True),
        ("timeout_after", {"delay": 2}, "abandoned", True),
        # The request is lost before the cloud acts: a held request whose client left is
        # dropped, so it never acts later.
        ("reset", {}, "reset", False),
        ("timeout", {"delay": 2}, "abandoned", False),
    ],
)
def test_a_lost_answer_was_applied_or_not_by_its_kind(sandbox, kind, params, outcome, applied):
    client = DnsClient(config(sandbox.info, "dns_api_endpoint", read_timeout=300))
    fault = sandbox.faults.add(kind, "AddDomainRecord", **params)
    with pytest.raises(UnretryableException):
        client.add_domain_record(
            dns_models.AddDomainRecordRequest(
                domain_name="example.com", rr="lost", type="A", value="127.0.0.77"
            )
        )
    assert wait_for_outcome(fault) == outcome
    added = [r for r in sandbox.world.current_records("example.com") if r.rr == "lost"]
    assert [(r.type, r.value) for r in added] == ([("A", "127.0.0.77")] if applied else [])


def test_oss_apply_then_lose_the_answer(sandbox, oss_auth):
    fault = sandbox.faults.add("reset_after", "PutObject")
    bucket = oss2.Bucket(oss_auth, oss_url(sandbox), "demo-assets", region=HZ)
    with pytest.raises(oss2.exceptions.RequestError):
        bucket.put_object("lost.txt", b"kept")
    assert fault.outcome == "reset"
    assert sandbox.world.buckets["demo-assets"].objects["lost.txt"] == b"kept"


def test_a_record_read_by_its_id(sandbox, dns):
    www = next(r for r in sandbox.world.current_records("example.com") if r.rr == "www")
    body = dns.describe_domain_record_info(
        dns_models.DescribeDomainRecordInfoRequest(record_id=www.record_id)
    ).body
    assert (
        body.record_id,
        body.domain_name,
        body.rr,
        body.type,
        body.value,
        body.ttl,
        body.line,
        body.status,
    ) == (www.record_id, "example.com", "www", "A", "127.0.0.11", 600, "default", "ENABLE")
    sandbox.world.delete_record(www.record_id)
    with pytest.raises(ClientException) as caught:
        dns.describe_domain_record_info(
            dns_models.DescribeDomainRecordInfoRequest(record_id=www.record_id)
        )
    assert (caught.value.code, caught.value.status_code) == ("DomainRecordNotBelongToUser", 400)


def test_faults_match_actions_and_counts(sandbox, cdn, dns):
    sandbox.faults.add("server_error", "DescribeDomains", count=2)
    assert cdn.describe_user_domains(cdn_models.DescribeUserDomainsRequest()).body.total_count
    for _ in range(2):
        with pytest.raises(ServerException):
            dns.describe_domains(dns_models.DescribeDomainsRequest())
    assert dns.describe_domains(dns_models.DescribeDomainsRequest()).body.total_count == 3

    sandbox.faults.add("unavailable", count=None)
    sandbox.faults.clear()
    assert dns.describe_domains(dns_models.DescribeDomainsRequest()).body.total_count == 3


def test_oss_faults(sandbox, oss_auth):
    sandbox.faults.add("throttle", "ListBuckets")
    with pytest.raises(oss2.exceptions.ServerError) as caught:
        oss2.Service(oss_auth, oss_url(sandbox), region=HZ).list_buckets()
    assert caught.value.status == 503 and caught.value.request_id


def test_calls_record_actions_and_params(sandbox, cdn):
    assert sandbox.calls == []
    for page in (1, 2):
        cdn.describe_user_domains(cdn_models.DescribeUserDomainsRequest(page_number=page))
    assert sandbox.calls == [
        ("DescribeUserDomains", {"PageNumber": "1"}),
        ("DescribeUserDomains", {"PageNumber": "2"}),
    ]


# -- the runner ---------------------------------------------------------------------------


def test_runner_reports_every_endpoint(sandbox):
    info = sandbox.info
    for key in ("cdn_endpoint", "dns_api_endpoint", "oss_endpoint"):
        assert info[key].startswith("127.0.0.1:")
    assert info["nameservers"] and all(ns.startswith("127.0.0.1:") for ns in info["nameservers"])
    assert set(info["resolvers"]) == set(info["resolver_details"])
    assert info["speed"] == 1000


def test_stopped_sandbox_refuses_connections(sandbox):
    client = CdnClient(config(sandbox.info, "cdn_endpoint", connect_timeout=300))
    sandbox.stop()
    with pytest.raises(UnretryableException):
        client.describe_user_domains(cdn_models.DescribeUserDomainsRequest())


@pytest.mark.slow  # a served sandbox process
def test_serve_prints_json_then_stops_on_sigterm():
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    code = "from tui.sandbox.runner import main_serve; raise SystemExit(main_serve(1000, True))"
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        info = json.loads(process.stdout.readline())
        client = CdnClient(config(info, "cdn_endpoint"))
        body = client.describe_user_domains(cdn_models.DescribeUserDomainsRequest()).body
        assert body.total_count == 5  # dl.example.com (check_failed) needs CheckDomainShow
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.stdout.close()


# -- pure rules ----------------------------------------------------------------------------

_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?", fullmatch=True).filter(
    lambda label: "--" not in label
)


@given(
    st.lists(_label, min_size=1, max_size=3), st.sampled_from(["com", "net", "cn"]), st.booleans()
)
def test_valid_domain_names(labels, tld, wildcard):
    name = ".".join([*labels, tld])  # at most 3 * 16 + 3 characters: within the limit
    assert valid_domain_name(("." if wildcard else "") + name)
    assert not valid_domain_name(name.upper())
    assert not valid_domain_name("-" + name)
    assert not valid_domain_name(name.replace(".", "..", 1))


@pytest.mark.parametrize("name", ["xn--fiqs8s.example.com", "a.example.com.cn", ".example.com"])
def test_domain_names_the_cdn_accepts(name):
    assert valid_domain_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "example",
        "*.example.com",
        "a_b.example.com",
        "a..example.com",
        "a" * 64 + ".com",
        "127.0.0.1",
        "a-.example.com",
    ],
)
def test_domain_names_the_cdn_refuses(name):
    assert not valid_domain_name(name)
