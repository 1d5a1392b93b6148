"""The sandbox refuses the way RAM, STS and the gateways do: denied actions, wrong
secrets, expired tokens, and the v2 signature in a POST's form body (pop-core's way).

Raw official SDKs over loopback, as in test_sandbox_api."""

from __future__ import annotations

import base64
import json
import time
import urllib.request
import uuid
from urllib.parse import urlencode

import oss2
import pytest
from alibabacloud_alidns20150109 import models as dns_models
from alibabacloud_alidns20150109.client import Client as DnsClient
from alibabacloud_cdn20180510 import models as cdn_models
from alibabacloud_cdn20180510.client import Client as CdnClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config

from tui.sandbox import signing

# The tea SDKs send even loopback requests through HTTP_PROXY: conftest's no_proxy.
pytestmark = pytest.mark.usefixtures("no_proxy")


def config(info: dict, **overrides) -> Config:
    values = {
        "access_key_id": info["access_key_id"],
        "access_key_secret": info["access_key_secret"],
        "endpoint": info["cdn_endpoint"],
        "protocol": "http",
        "region_id": "cn-hangzhou",
        "read_timeout": 3000,
        **overrides,
    }
    return Config(**values)


def list_domains(client: CdnClient):
    return client.describe_user_domains(cdn_models.DescribeUserDomainsRequest())


def list_zones(client: DnsClient):
    return client.describe_domains(dns_models.DescribeDomainsRequest())


def test_a_denied_cdn_action_answers_no_permission_with_its_detail(sandbox):
    sandbox.world.denied.add("cdn:DescribeUserDomains")
    with pytest.raises(ClientException) as caught:
        list_domains(CdnClient(config(sandbox.info)))
    error = caught.value
    assert (error.code, error.status_code) == ("NoPermission", 403)
    detail = error.data["AccessDeniedDetail"]
    assert detail["AuthAction"] == "cdn:DescribeUserDomains"
    assert detail["NoPermissionType"] == "ImplicitDeny"
    assert detail["AuthPrincipalOwnerId"] == sandbox.world.account_uid
    # Only that action: the others still answer.
    request = cdn_models.CheckCdnDomainExistRequest(domain_name="img.example.com")
    assert CdnClient(config(sandbox.info)).check_cdn_domain_exist(request).body.status


def test_a_denied_alidns_action_answers_forbidden_ram(sandbox):
    sandbox.world.denied.add("alidns:DescribeDomains")
    client = DnsClient(config(sandbox.info, endpoint=sandbox.info["dns_api_endpoint"]))
    with pytest.raises(ClientException) as caught:
        list_zones(client)
    assert caught.value.code == "Forbidden.RAM"
    assert caught.value.data["Message"].startswith("User not authorized to operate")
    assert caught.value.data["AccessDeniedDetail"]["AuthAction"] == "alidns:DescribeDomains"


def test_a_denied_oss_action_answers_access_denied_xml(sandbox):
    sandbox.world.denied.add("oss:ListBuckets")
    auth = oss2.AuthV4(sandbox.info["access_key_id"], sandbox.info["access_key_secret"])
    service = oss2.Service(auth, "http://" + sandbox.info["oss_endpoint"], region="cn-hangzhou")
    with pytest.raises(oss2.exceptions.AccessDenied) as caught:
        service.list_buckets()
    assert caught.value.status == 403
    assert caught.value.details["EC"] == "0003-00000001"
    # HeadObject is authorized as oss:GetObject: not denied here.
    bucket = oss2.Bucket(
        auth, "http://" + sandbox.info["oss_endpoint"], "demo-assets", region="cn-hangzhou"
    )
    assert bucket.object_exists("no-such-key") is False


def test_wrong_secret_and_unknown_key(sandbox):
    wrong = CdnClient(config(sandbox.info, access_key_secret="not-the-secret"))
    with pytest.raises(ClientException) as caught:
        list_domains(wrong)
    assert caught.value.code == "SignatureDoesNotMatch"
    unknown = CdnClient(config(sandbox.info, access_key_id="LTAI" + "x" * 20))
    with pytest.raises(ClientException) as caught:
        list_domains(unknown)
    assert (caught.value.code, caught.value.status_code) == ("InvalidAccessKeyId.NotFound", 404)


def test_an_issued_sts_token_works_until_it_expires(sandbox):
    sts = sandbox.world.issue_sts(duration=900)
    client = CdnClient(
        config(
            sandbox.info,
            access_key_id=sts.access_key_id,
            access_key_secret=sts.access_key_secret,
            security_token=sts.security_token,
        )
    )
    assert list_domains(client).body.total_count >= 1
    auth = oss2.StsAuth(
        sts.access_key_id, sts.access_key_secret, sts.security_token, auth_version="v4"
    )
    service = oss2.Service(auth, "http://" + sandbox.info["oss_endpoint"], region="cn-hangzhou")
    assert service.list_buckets().buckets
    sandbox.world.clock.advance(901)
    with pytest.raises(ClientException) as caught:
        list_domains(client)
    assert (caught.value.code, caught.value.status_code) == ("InvalidSecurityToken.Expired", 400)
    with pytest.raises(oss2.exceptions.ServerError) as expired:
        service.list_buckets()
    assert (expired.value.status, expired.value.code) == (403, "SecurityTokenExpired")


def test_an_sts_key_without_its_token_is_refused(sandbox):
    sts = sandbox.world.issue_sts()
    client = CdnClient(
        config(
            sandbox.info,
            access_key_id=sts.access_key_id,
            access_key_secret=sts.access_key_secret,
            security_token="forged",
        )
    )
    with pytest.raises(ClientException) as caught:
        list_domains(client)
    assert caught.value.code == "InvalidSecurityToken.MismatchWithAccessKey"


def pop_core_post(info: dict, params: dict, secret: str | None = None) -> tuple[int, dict]:
    """A v2 RPC call the way @alicloud/pop-core sends it: POST /, every parameter and
    the signature form-encoded in the body, nothing in the query."""
    values = {
        "Format": "JSON",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "AccessKeyId": info["access_key_id"],
        **params,
    }
    values["Signature"], _ = signing.rpc_signature(
        "POST", values, secret or info["access_key_secret"]
    )
    request = urllib.request.Request(
        f"http://{info['cdn_endpoint']}/",
        data=urlencode(values).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_v2_signature_in_a_post_form_body_is_accepted(sandbox):
    status, body = pop_core_post(
        sandbox.info, {"Action": "DescribeUserDomains", "Version": "2018-05-10"}
    )
    assert status == 200
    assert body["TotalCount"] >= 1
    status, body = pop_core_post(
        sandbox.info, {"Action": "DescribeDomains", "Version": "2015-01-09"}
    )
    assert status == 200 and body["Domains"]["Domain"]
    status, body = pop_core_post(
        sandbox.info,
        {"Action": "DescribeUserDomains", "Version": "2018-05-10"},
        secret="wrong",
    )
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")


def test_cname_at_the_apex_may_stand_beside_ns(sandbox):
    sandbox.world.add_zone("apex.example")
    sandbox.world.add_record("apex.example", "@", "NS", "ns1.elsewhere.example")
    client = DnsClient(config(sandbox.info, endpoint=sandbox.info["dns_api_endpoint"]))
    added = client.add_domain_record(
        dns_models.AddDomainRecordRequest(
            domain_name="apex.example", rr="@", type="CNAME", value="apex.example.w.kunlunsl.com"
        )
    )
    assert added.body.record_id


def test_throttling_may_come_as_429_without_retry_after(sandbox):
    sandbox.faults.add("throttle", "DescribeUserDomains", status=429)
    with pytest.raises(ClientException) as caught:
        list_domains(CdnClient(config(sandbox.info)))
    assert (caught.value.code, caught.value.status_code) == ("Throttling.User", 429)


def test_detail_encoded_message_is_base64(sandbox):
    sandbox.world.denied.add("cdn:DescribeUserDomains")
    with pytest.raises(ClientException) as caught:
        list_domains(CdnClient(config(sandbox.info)))
    encoded = caught.value.data["AccessDeniedDetail"]["EncodedDiagnosticMessage"]
    assert b"cdn:DescribeUserDomains" in base64.b64decode(encoded)
