"""Issue 2's "done when": an official SDK client pointed at `oss-cdn sandbox serve --json`
adds a CDN domain, lists it, adds a CNAME record that the authoritative DNS serves at
once, and is refused with a wrong secret."""

import http.client
import json
import os

import dns.message
import dns.query
import pytest
from alibabacloud_alidns20150109 import models as dns_models
from alibabacloud_alidns20150109.client import Client as DnsClient
from alibabacloud_cdn20180510 import models as cdn_models
from alibabacloud_cdn20180510.client import Client as CdnClient
from alibabacloud_tea_openapi.models import Config
from Tea.exceptions import TeaException

from tests.helpers import PROXY_VARS, served_sandbox

pytestmark = pytest.mark.slow  # a served sandbox process


@pytest.fixture
def served():
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    with served_sandbox(env) as (_, info):
        yield info


def config(info: dict, endpoint: str, secret: str | None = None) -> Config:
    return Config(
        access_key_id=info["access_key_id"],
        access_key_secret=secret or info["access_key_secret"],
        endpoint=info[endpoint].removeprefix("http://"),
        protocol="http",
        region_id="cn-hangzhou",
    )


def test_an_official_sdk_client_works_against_the_served_sandbox(served):
    assert set(served) >= {
        "cdn_endpoint",
        "dns_api_endpoint",
        "oss_endpoint",
        "edge",
        "access_key_id",
        "access_key_secret",
        "nameservers",
        "resolvers",
    }
    assert len(served["resolvers"]) >= 8
    # The CDN edge serves the seed's online domains, by Host, on its own port.
    edge_host, edge_port = served["edge"].rsplit(":", 1)
    connection = http.client.HTTPConnection(edge_host, int(edge_port), timeout=5)
    try:
        connection.request("GET", "/index.html", headers={"Host": "img.example.com"})
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, b"<h1>Hello from OSS</h1>\n")
        assert response.getheader("X-Cache", "").startswith("MISS")
    finally:
        connection.close()
    cdn = CdnClient(config(served, "cdn_endpoint"))
    sources = json.dumps(
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
    cdn.add_cdn_domain(
        cdn_models.AddCdnDomainRequest(
            domain_name="sdk.example.com", cdn_type="web", sources=sources, scope="overseas"
        )
    )
    listed = cdn.describe_user_domains(
        cdn_models.DescribeUserDomainsRequest(
            domain_name="sdk.example.com", domain_search_type="full_match"
        )
    ).body
    domain = listed.domains.page_data[0]
    assert domain.domain_name == "sdk.example.com" and domain.cname

    alidns = DnsClient(config(served, "dns_api_endpoint"))
    alidns.add_domain_record(
        dns_models.AddDomainRecordRequest(
            domain_name="example.com", rr="sdk", type="CNAME", value=domain.cname
        )
    )
    host, port = served["nameservers"][0].split(":")
    answer = dns.query.udp(
        dns.message.make_query("sdk.example.com", "CNAME"), host, port=int(port), timeout=2
    )
    assert [r.target.to_text() for rrset in answer.answer for r in rrset] == [domain.cname + "."]

    wrong = CdnClient(config(served, "cdn_endpoint", secret="not-the-secret"))
    with pytest.raises(TeaException) as refused:
        wrong.describe_user_domains(cdn_models.DescribeUserDomainsRequest())
    assert refused.value.code == "SignatureDoesNotMatch"
    assert served["access_key_secret"] not in str(refused.value)
