"""The sandbox's side of back-to-origin from a private bucket, through the raw SDKs:
GetBucketAcl / PutBucketAcl as oss2 sends them, and BatchSetCdnDomainConfig /
DescribeCdnDomainConfigs as the CDN SDK sends them, with the real shapes and errors."""

from __future__ import annotations

import json
import time

import oss2
import pytest
from alibabacloud_cdn20180510 import models as cdn_models
from alibabacloud_cdn20180510.client import Client as CdnClient
from alibabacloud_tea_openapi.exceptions import ClientException
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import sdk_config
from tui.sandbox import cdn_api
from tui.sandbox.cdn_api import parse_functions
from tui.sandbox.http_server import ApiError

# The tea SDKs send even loopback requests through HTTP_PROXY: conftest's no_proxy.
pytestmark = pytest.mark.usefixtures("no_proxy")


@pytest.fixture
def cdn(sandbox) -> CdnClient:
    return CdnClient(sdk_config(sandbox.info, "cdn_endpoint"))


@pytest.fixture
def oss_auth(sandbox) -> oss2.AuthV4:
    return oss2.AuthV4(sandbox.info["access_key_id"], sandbox.info["access_key_secret"])


def oss_url(sandbox) -> str:
    return "http://" + sandbox.info["oss_endpoint"]


PRIVATE_ON = json.dumps(
    [
        {
            "functionArgs": [{"argName": "private_oss_auth", "argValue": "on"}],
            "functionName": "l2_oss_key",
        }
    ]
)


def bucket(sandbox, auth, name: str) -> oss2.Bucket:
    """A V4 client of bucket `name`, signing for its region (cn-hangzhou for a name the
    world does not hold)."""
    held = sandbox.world.buckets.get(name)
    region = held.location.removeprefix("oss-") if held else "cn-hangzhou"
    return oss2.Bucket(auth, oss_url(sandbox), name, region=region)


def configs(client: CdnClient, domain: str, functions: str | None = "l2_oss_key") -> list:
    request = cdn_models.DescribeCdnDomainConfigsRequest(
        domain_name=domain, function_names=functions
    )
    return client.describe_cdn_domain_configs(request).body.domain_configs.domain_config


def batch_set(client: CdnClient, domains: str, functions: str = PRIVATE_ON):
    request = cdn_models.BatchSetCdnDomainConfigRequest(domain_names=domains, functions=functions)
    return client.batch_set_cdn_domain_config(request).body


def refused(call) -> ClientException:
    with pytest.raises(ClientException) as caught:
        call()
    return caught.value


def args_of(config) -> dict[str, str]:
    return {a.arg_name: a.arg_value for a in config.function_args.function_arg}


def wait_for_config(client: CdnClient, domain: str, status: str, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = configs(client, domain)
        if found and found[0].status == status:
            return found[0]
        time.sleep(0.02)
    raise AssertionError(f"the l2_oss_key configuration of {domain} never became {status}")


# -- OSS: GetBucketAcl, PutBucketAcl --------------------------------------------------------


def test_bucket_acls_of_the_seed_world(sandbox, oss_auth):
    assert bucket(sandbox, oss_auth, "demo-assets").get_bucket_acl().acl == "public-read"
    assert bucket(sandbox, oss_auth, "demo-video").get_bucket_acl().acl == "private"
    # GetBucketInfo's AccessControlList/Grant reports the same ACL.
    info = bucket(sandbox, oss_auth, "demo-assets").get_bucket_info()
    assert info.acl.grant == "public-read"
    assert bucket(sandbox, oss_auth, "demo-video").get_bucket_info().acl.grant == "private"


def test_put_bucket_acl_changes_what_get_reads(sandbox, oss_auth):
    video = bucket(sandbox, oss_auth, "demo-video")
    video.put_bucket_acl(oss2.BUCKET_ACL_PUBLIC_READ)
    assert video.get_bucket_acl().acl == "public-read"
    assert sandbox.world.buckets["demo-video"].acl == "public-read"
    video.put_bucket_acl(oss2.BUCKET_ACL_PRIVATE)
    assert video.get_bucket_acl().acl == "private"
    assert [a for a in sandbox.calls.actions() if "Acl" in a] == [
        "PutBucketAcl",
        "GetBucketAcl",
        "PutBucketAcl",
        "GetBucketAcl",
    ]


def test_put_bucket_acl_refuses_an_unknown_acl(sandbox, oss_auth):
    with pytest.raises(oss2.exceptions.ServerError) as caught:
        bucket(sandbox, oss_auth, "demo-video").put_bucket_acl("world-writable")
    assert (caught.value.status, caught.value.code) == (400, "InvalidArgument")
    assert sandbox.world.buckets["demo-video"].acl == "private"


def test_bucket_acl_of_a_missing_bucket(sandbox, oss_auth):
    with pytest.raises(oss2.exceptions.NoSuchBucket):
        bucket(sandbox, oss_auth, "no-such-bucket").get_bucket_acl()


def test_bucket_acl_is_signed(sandbox):
    wrong = oss2.AuthV4(sandbox.info["access_key_id"], "not-the-secret")
    with pytest.raises(oss2.exceptions.ServerError) as caught:
        bucket(sandbox, wrong, "demo-video").get_bucket_acl()
    assert caught.value.code == "SignatureDoesNotMatch"


# -- CDN: BatchSetCdnDomainConfig, DescribeCdnDomainConfigs ---------------------------------


def test_a_new_domain_has_no_private_origin_configuration(cdn):
    assert configs(cdn, "img.example.com") == []


def test_switching_on_private_origin_auth(sandbox, cdn):
    body = batch_set(cdn, "img.example.com")
    (model,) = body.domain_config_list.domain_config_model
    assert (model.domain_name, model.function_name) == ("img.example.com", "l2_oss_key")
    assert isinstance(model.config_id, int)
    first = configs(cdn, "img.example.com")[0]
    assert first.config_id == str(model.config_id)
    assert first.function_name == "l2_oss_key"
    assert args_of(first)["private_oss_auth"] == "on"
    done = wait_for_config(cdn, "img.example.com", "success")
    assert sandbox.world.domains["img.example.com"].private_origin_auth
    # Setting it again (off) keeps the configuration's id.
    batch_set(cdn, "img.example.com", PRIVATE_ON.replace('"on"', '"off"'))
    again = configs(cdn, "img.example.com")[0]
    assert again.config_id == done.config_id
    assert args_of(again)["private_oss_auth"] == "off"


def test_configuration_reads_configuring_before_success(sandbox, cdn, monkeypatch):
    monkeypatch.setattr(cdn_api, "CONFIG_SECONDS", 1e9)  # long enough to see it configuring
    batch_set(cdn, "img.example.com")
    assert configs(cdn, "img.example.com")[0].status == "configuring"
    assert not sandbox.world.domains["img.example.com"].private_origin_auth


def test_other_functions_are_filtered_out(cdn):
    batch_set(cdn, "img.example.com")
    assert configs(cdn, "img.example.com", "https_force") == []
    assert len(configs(cdn, "img.example.com", None)) == 1


def test_without_the_role_the_config_is_taken_but_reports_unauthorized(sandbox, cdn):
    sandbox.world.private_oss_role = False
    batch_set(cdn, "img.example.com")
    assert args_of(configs(cdn, "img.example.com")[0])["private_oss_ram_unauthorized"] == "on"
    sandbox.world.private_oss_role = True
    assert args_of(configs(cdn, "img.example.com")[0])["private_oss_ram_unauthorized"] == "off"


@pytest.mark.parametrize(
    ("domains", "functions", "code"),
    [
        ("img.example.com", "not json", "InvalidFunctions.Malformed"),
        ("img.example.com", "[]", "InvalidFunctions.Malformed"),
        ("img.example.com", '[{"functionName":"l2_oss_key"}]', "InvalidFunctions.Malformed"),
        (
            "img.example.com",
            '[{"functionName":"l2_oss_kee","functionArgs":[]}]',
            "InvalidFunctionName.NotSupported",
        ),
        ("img.example.com", PRIVATE_ON.replace('"on"', '"yes"'), "InvalidArgValue.Malformed"),
        (
            "img.example.com",
            '[{"functionName":"l2_oss_key","functionArgs":[]}]',
            "MissingParameter",
        ),
    ],
)
def test_batch_set_refusals(sandbox, cdn, domains, functions, code):
    error = refused(lambda: batch_set(cdn, domains, functions))
    assert (error.status_code, error.code) == (400, code)
    assert sandbox.world.domains["img.example.com"].configs == []


def test_batch_set_of_an_unknown_domain(sandbox, cdn):
    error = refused(lambda: batch_set(cdn, "img.example.com,nope.example.com"))
    assert (error.status_code, error.code) == (404, "InvalidDomain.NotFound")
    # Refused whole: the known domain of the batch was not changed either.
    assert sandbox.world.domains["img.example.com"].configs == []
    error = refused(lambda: configs(cdn, "nope.example.com"))
    assert error.code == "InvalidDomain.NotFound"


def test_batch_set_of_a_configuring_domain_is_busy(sandbox, cdn):
    video = sandbox.world.domains["video.example.com"]
    with sandbox.world.lock:  # it stays configuring
        video.status, video.pending = "configuring", []
    error = refused(lambda: batch_set(cdn, "video.example.com"))
    assert (error.status_code, error.code) == (403, "ServiceBusy")


# -- pure: the Functions parser -----------------------------------------------------------


@given(st.sampled_from(["on", "off"]), st.text(max_size=20))
def test_parse_functions_reads_the_documented_shape(value, parent):
    raw = json.dumps(
        [
            {
                "functionArgs": [{"argName": "private_oss_auth", "argValue": value}],
                "functionName": "l2_oss_key",
                "parentId": parent,
            }
        ]
    )
    assert parse_functions(raw) == [("l2_oss_key", {"private_oss_auth": value}, parent)]


@given(st.text(max_size=40))
def test_parse_functions_refuses_anything_else_with_an_api_error(raw):
    try:
        parsed = parse_functions(raw)
    except ApiError as error:
        assert error.status == 400
    else:  # only the documented shape gets through
        assert all(name == "l2_oss_key" for name, _, _ in parsed)
