"""CDN's own view of DNS lags behind the authoritative servers (VerifyDomainOwner's
dnsCheck, DescribeDomainCname), in sandbox time. A sandbox at real speed, so "right
after publishing" stays right after on a loaded machine; the clock is jumped ahead."""

from __future__ import annotations

import dns.message
import dns.query
import dns.rdatatype
import pytest
from alibabacloud_alidns20150109 import models as dns_models
from alibabacloud_alidns20150109.client import Client as DnsClient
from alibabacloud_cdn20180510 import models as cdn_models
from alibabacloud_cdn20180510.client import Client as CdnClient
from alibabacloud_tea_openapi.exceptions import ClientException

from tests.helpers import sdk_config as config
from tui.sandbox.cdn_checks import CDN_LAG
from tui.sandbox.dns_answers import SOA_MINIMUM

# The tea SDKs send even loopback requests through HTTP_PROXY: conftest's no_proxy.
pytestmark = pytest.mark.usefixtures("no_proxy")


@pytest.fixture
def clients(realtime_sandbox) -> tuple[CdnClient, DnsClient]:
    info = realtime_sandbox.info
    return CdnClient(config(info, "cdn_endpoint")), DnsClient(config(info, "dns_api_endpoint"))


def authoritative_txt(box, name: str) -> list[str]:
    host, port = box.info["nameservers"][0].rsplit(":", 1)
    response = dns.query.udp(dns.message.make_query(name, "TXT"), host, port=int(port), timeout=3)
    return [b"".join(r.strings).decode() for rrset in response.answer for r in rrset]


def verify_code(cdn: CdnClient, name: str) -> str | None:
    try:
        cdn.verify_domain_owner(
            cdn_models.VerifyDomainOwnerRequest(domain_name=name, verify_type="dnsCheck")
        )
    except ClientException as error:
        return error.code
    return None


def test_dns_check_fails_right_after_publishing_and_passes_after_the_lag(realtime_sandbox, clients):
    cdn, alidns = clients
    world = realtime_sandbox.world
    content = world.verify_content("www.newsite.net")
    alidns.add_domain_record(
        dns_models.AddDomainRecordRequest(
            domain_name="newsite.net", rr="verification", type="TXT", value=content
        )
    )
    # The authoritative server serves it at once; CDN does not see it yet.
    assert authoritative_txt(realtime_sandbox, "verification.newsite.net.") == [content]
    assert verify_code(cdn, "www.newsite.net") == "DomainOwnerVerifyFail"
    # Past the lag, the "nothing there" CDN cached still holds (the SOA minimum)...
    world.clock.advance(CDN_LAG + 10)
    assert verify_code(cdn, "www.newsite.net") == "DomainOwnerVerifyFail"
    assert not world.is_verified("www.newsite.net")
    # ...and once it runs out, CDN sees the record.
    world.clock.advance(SOA_MINIMUM)
    assert verify_code(cdn, "www.newsite.net") is None
    assert world.is_verified("www.newsite.net")


def test_a_record_published_before_anyone_asked_is_seen_after_the_lag_alone(
    realtime_sandbox, clients
):
    cdn, _ = clients
    world = realtime_sandbox.world
    world.add_record("newsite.net", "verification", "TXT", world.verify_content("newsite.net"))
    world.clock.advance(CDN_LAG + 1)
    assert verify_code(cdn, "newsite.net") is None


def test_cname_detection_lags_behind_the_record(realtime_sandbox, clients):
    cdn, alidns = clients
    world = realtime_sandbox.world
    world.add_domain(
        "shop.example.com",
        "web",
        [
            {
                "content": "demo-assets.oss-cn-hangzhou.aliyuncs.com",
                "type": "oss",
                "port": 80,
                "priority": "20",
                "weight": "10",
            }
        ],
        "domestic",
        status="online",
    )

    def status() -> int:
        data = cdn.describe_domain_cname(
            cdn_models.DescribeDomainCnameRequest(domain_name="shop.example.com")
        ).body.cname_datas.data
        return data[0].status

    alidns.add_domain_record(
        dns_models.AddDomainRecordRequest(
            domain_name="example.com",
            rr="shop",
            type="CNAME",
            value="shop.example.com.w.kunlunsl.com",
        )
    )
    assert status() == 1
    world.clock.advance(CDN_LAG + 10)
    assert status() == 1  # the negative answer is still cached
    world.clock.advance(SOA_MINIMUM)
    assert status() == 0
