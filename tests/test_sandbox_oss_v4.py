"""OSS V4 signatures, the V1 retirement, virtual-hosted-style requests and user metadata:
the sandbox against real oss2 clients and hand-made requests over loopback, and the
V4 signing code against oss2's own signer."""

from __future__ import annotations

import http.client
import time
from dataclasses import replace

import oss2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.sandbox import signing
from tui.services.errors import CloudError
from tui.services.facade import Services
from tui.services.oss_client import oss_auth


def keys(sandbox) -> tuple[str, str]:
    return sandbox.info["access_key_id"], sandbox.info["access_key_secret"]


def oss_url(sandbox) -> str:
    return "http://" + sandbox.info["oss_endpoint"]


def refusal(call) -> oss2.exceptions.OssError:
    with pytest.raises(oss2.exceptions.OssError) as caught:
        call()
    return caught.value


def now_v4() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def send(sandbox, method: str, path: str, headers: dict[str, str], body: bytes = b""):
    """One raw HTTP request to the sandbox's OSS (http.client: no proxy, Host as given)."""
    host, port = sandbox.info["oss_endpoint"].rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


# -- V1: refused for the new account and its new buckets, taken by the older bucket --------


def test_a_v1_client_is_refused_on_a_new_bucket_and_for_the_account(sandbox):
    v1 = oss2.Auth(*keys(sandbox))
    on_bucket = refusal(lambda: oss2.Bucket(v1, oss_url(sandbox), "demo-video").get_bucket_info())
    assert (on_bucket.status, on_bucket.code, on_bucket.details["EC"]) == (
        403,
        "AccessDenied",
        "0002-00000080",
    )
    assert "V4" in on_bucket.message
    listing = refusal(lambda: oss2.Service(v1, oss_url(sandbox)).list_buckets())
    assert (listing.status, listing.details["EC"]) == (403, "0002-00000080")
    # Refused before anything is done: the upload did not land.
    refusal(lambda: oss2.Bucket(v1, oss_url(sandbox), "demo-video").put_object("v1.txt", b"x"))
    assert "v1.txt" not in sandbox.world.buckets["demo-video"].objects


def test_a_v1_client_is_still_accepted_on_the_older_bucket(sandbox):
    v1 = oss2.Auth(*keys(sandbox))
    assert sandbox.world.buckets["demo-assets"].accepts_v1
    bucket = oss2.Bucket(v1, oss_url(sandbox), "demo-assets")
    bucket.put_object("v1.txt", b"old client")
    assert bucket.get_object("v1.txt").read() == b"old client"
    # The same bucket once it stops taking V1 (a bucket made since 2025-09-01).
    sandbox.world.buckets["demo-assets"].accepts_v1 = False
    assert refusal(lambda: bucket.get_object("v1.txt")).details["EC"] == "0002-00000080"


# -- the app's client: V4 everywhere -------------------------------------------------------


async def test_the_apps_client_signs_v4_and_is_accepted_on_every_bucket(sandbox, profile):
    assert oss_auth(profile).auth_version() == "v4"
    services = Services(profile)
    buckets = await services.oss.list_buckets()
    assert {b.name for b in buckets} == {"demo-assets", "demo-video", "demo-downloads"}
    for bucket in buckets:  # three regions: each signed for its own
        assert (await services.oss.bucket_info(bucket)).name == bucket.name
        assert (await services.oss.list_objects(bucket)).objects
        assert await services.oss.bucket_acl(bucket) in ("private", "public-read")
    video = next(b for b in buckets if b.name == "demo-video")
    await services.oss.put_object(video, "verification.html", "verify_v4")
    assert sandbox.world.buckets["demo-video"].objects["verification.html"] == b"verify_v4"


async def test_the_app_signing_for_the_wrong_region_is_refused(profile):
    """A bare name is signed for the profile's region (cn-hangzhou): demo-video lives in
    cn-shanghai, and OSS refuses a V4 scope naming another region (EC 0002-00000228)."""
    services = Services(profile)
    with pytest.raises(CloudError) as caught:
        await services.oss.bucket_info("demo-video")
    assert caught.value.code == "InvalidArgument"
    assert "region" in caught.value.message


# -- V4 verified exactly -------------------------------------------------------------------


def test_a_wrong_region_in_the_scope_is_refused(sandbox):
    v4 = oss2.AuthV4(*keys(sandbox))
    wrong = refusal(
        lambda: oss2.Bucket(
            v4, oss_url(sandbox), "demo-video", region="cn-hangzhou"
        ).get_bucket_info()
    )
    assert (wrong.status, wrong.code, wrong.details["EC"]) == (
        400,
        "InvalidArgument",
        "0002-00000228",
    )
    # The endpoint's name ("oss-cn-shanghai") is not a region id.
    prefixed = refusal(
        lambda: oss2.Bucket(
            v4, oss_url(sandbox), "demo-video", region="oss-cn-shanghai"
        ).get_bucket_info()
    )
    assert prefixed.details["EC"] == "0002-00000228"
    right = oss2.Bucket(v4, oss_url(sandbox), "demo-video", region="cn-shanghai")
    assert right.get_bucket_info().name == "demo-video"


def test_a_tampered_v4_signature_is_refused_with_what_oss_signed(sandbox):
    ak, secret = keys(sandbox)
    headers = {"Host": sandbox.info["oss_endpoint"]}
    authorization = signing.oss4_authorization(
        ak, secret, "GET", "demo-video", "index.html", headers, "cn-shanghai", now_v4()
    )
    status, _, body = send(
        sandbox, "GET", "/demo-video/index.html", {**headers, "Authorization": authorization}
    )
    assert (status, body) == (200, b"<h1>Videos</h1>\n")

    last = authorization[-1]
    tampered = authorization[:-1] + ("0" if last != "0" else "1")
    status, answer_headers, body = send(
        sandbox, "GET", "/demo-video/index.html", {**headers, "Authorization": tampered}
    )
    assert status == 403 and answer_headers["x-oss-ec"] == "0002-00000201"
    assert b"<Code>SignatureDoesNotMatch</Code>" in body
    # The canonical request and string to sign, as the client should have built them.
    _, canonical, string_to_sign = signing.oss4_signature(
        "GET",
        "/demo-video/index.html",
        {},
        {k.lower(): v for k, v in headers.items()},
        (),
        headers["x-oss-date"],
        "cn-shanghai",
        secret,
    )
    assert f"<CanonicalRequest>{canonical}</CanonicalRequest>".encode() in body
    assert f"<StringToSign>{string_to_sign}</StringToSign>".encode() in body
    assert secret.encode() not in body


def test_a_signed_header_changed_after_signing_is_refused(sandbox):
    """x-oss-* headers are signed: one added in transit breaks the signature."""
    ak, secret = keys(sandbox)
    headers = {"Host": sandbox.info["oss_endpoint"], "x-oss-meta-a": "1"}
    authorization = signing.oss4_authorization(
        ak, secret, "PUT", "demo-video", "t.txt", headers, "cn-shanghai", now_v4()
    )
    headers["x-oss-meta-a"] = "2"
    status, _, body = send(
        sandbox, "PUT", "/demo-video/t.txt", {**headers, "Authorization": authorization}, b"x"
    )
    assert status == 403 and b"SignatureDoesNotMatch" in body
    assert "t.txt" not in sandbox.world.buckets["demo-video"].objects


def test_a_request_signed_with_a_clock_far_off_is_refused(sandbox):
    """A bastion host's drifting clock: more than 15 minutes off, OSS refuses."""
    headers = {"Host": sandbox.info["oss_endpoint"]}
    twenty_minutes_ago = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() - 1200))
    authorization = signing.oss4_authorization(
        *keys(sandbox),
        "GET",
        "demo-video",
        "index.html",
        headers,
        "cn-shanghai",
        twenty_minutes_ago,
    )
    status, answer, body = send(
        sandbox, "GET", "/demo-video/index.html", {**headers, "Authorization": authorization}
    )
    assert (status, answer["x-oss-ec"]) == (403, "0002-00000504")
    assert b"<Code>RequestTimeTooSkewed</Code>" in body
    assert f"<RequestTime>{twenty_minutes_ago}</RequestTime>".encode() in body


@pytest.mark.parametrize(
    "authorization",
    [
        "OSS4-HMAC-SHA256 Credential=AK/20250101/cn-hangzhou/oss/abc,Signature=00",
        "OSS4-HMAC-SHA256 Credential=AK/20250101/cn-hangzhou/oss/aliyun_v4_request,"
        "AdditionalHeaders=,Signature=00",
        "OSS4-HMAC-SHA256 Credential=AK/20250101/cn-hangzhou/oss/aliyun_v4_request",
    ],
)
def test_a_malformed_v4_authorization_is_refused(sandbox, authorization):
    headers = {"Host": sandbox.info["oss_endpoint"], "x-oss-date": now_v4()}
    status, _, body = send(sandbox, "GET", "/", {**headers, "Authorization": authorization})
    assert status == 400 and b"<Code>InvalidArgument</Code>" in body


@pytest.mark.parametrize("content_sha256", [None, "e3b0c44298fc1c149afbf4c8996fb924"])
def test_v4_takes_only_an_unsigned_payload(sandbox, content_sha256):
    """x-oss-content-sha256 must be UNSIGNED-PAYLOAD (OSS error page 0002-00000214)."""
    headers = {"Host": sandbox.info["oss_endpoint"]}
    authorization = signing.oss4_authorization(
        *keys(sandbox), "GET", "demo-video", "index.html", headers, "cn-shanghai", now_v4()
    )
    del headers["x-oss-content-sha256"]
    if content_sha256:
        headers["x-oss-content-sha256"] = content_sha256
    status, answer, _ = send(
        sandbox, "GET", "/demo-video/index.html", {**headers, "Authorization": authorization}
    )
    assert (status, answer["x-oss-ec"]) == (400, "0002-00000214")


# -- virtual-hosted-style ------------------------------------------------------------------


def test_a_virtual_hosted_style_request_reaches_its_bucket(sandbox):
    """`Host: <bucket>.oss-<region>.aliyuncs.com`, the key alone in the path, signed V4
    (the canonical URI still names the bucket)."""
    ak, secret = keys(sandbox)
    headers = {"Host": "demo-video.oss-cn-shanghai.aliyuncs.com"}
    authorization = signing.oss4_authorization(
        ak, secret, "GET", "demo-video", "clips/intro.mp4", headers, "cn-shanghai", now_v4()
    )
    status, _, body = send(
        sandbox, "GET", "/clips/intro.mp4", {**headers, "Authorization": authorization}
    )
    assert (status, body) == (200, sandbox.world.buckets["demo-video"].objects["clips/intro.mp4"])
    assert sandbox.calls.of("GetObject")[-1]["bucket"] == "demo-video"
    assert sandbox.calls.of("GetObject")[-1]["key"] == "clips/intro.mp4"

    # A listing at the bucket's root, with a query V4 signs too.
    headers = {"Host": "demo-video.oss-cn-shanghai.aliyuncs.com"}
    query = {"list-type": "2", "prefix": "clips/"}
    authorization = signing.oss4_authorization(
        ak, secret, "GET", "demo-video", "", headers, "cn-shanghai", now_v4(), query
    )
    status, _, body = send(
        sandbox, "GET", "/?list-type=2&prefix=clips%2F", {**headers, "Authorization": authorization}
    )
    assert status == 200 and b"<Key>clips/intro.mp4</Key>" in body

    # Anonymous, virtual-hosted: the public bucket serves, the private one refuses.
    status, _, body = send(
        sandbox, "GET", "/index.html", {"Host": "demo-assets.oss-cn-hangzhou.aliyuncs.com"}
    )
    assert (status, body) == (200, b"<h1>Hello from OSS</h1>\n")
    status, _, _ = send(
        sandbox, "GET", "/index.html", {"Host": "demo-video.oss-cn-shanghai.aliyuncs.com"}
    )
    assert status == 403


@pytest.fixture
def oss_as_a_proxy(sandbox, monkeypatch) -> str:
    """The sandbox's OSS address, set as the HTTP proxy: a client given a real endpoint
    (`http://oss-cn-shanghai.aliyuncs.com`) then sends its requests, virtual-hosted-style
    and unchanged, to the sandbox on loopback (a client of an HTTP proxy resolves and
    connects to nothing else)."""
    proxy = oss_url(sandbox)
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return proxy


def test_oss2_sends_virtual_hosted_style_and_the_sandbox_answers(sandbox, oss_as_a_proxy):
    bucket = oss2.Bucket(
        oss2.AuthV4(*keys(sandbox)),
        "http://oss-cn-shanghai.aliyuncs.com",
        "demo-video",
        region="cn-shanghai",
        proxies={"http": oss_as_a_proxy},
    )
    bucket.put_object("vh/a b.txt", b"x", headers={"x-oss-meta-k": "v"})
    assert sandbox.calls.of("PutObject")[-1] == {"bucket": "demo-video", "key": "vh/a b.txt"}
    assert bucket.get_object("vh/a b.txt").read() == b"x"
    assert bucket.head_object("vh/a b.txt").headers["x-oss-meta-k"] == "v"
    assert [o.key for o in bucket.list_objects_v2(prefix="vh/").object_list] == ["vh/a b.txt"]


async def test_the_apps_real_account_road_is_accepted(sandbox, profile, oss_as_a_proxy):
    """The service layer without the sandbox's endpoint, as on a real account: each call
    goes to the bucket's own region endpoint (virtual-hosted-style), signed V4 for that
    region."""
    real = replace(profile, oss_endpoint="", protocol="http", sandbox=False)
    services = Services(real)
    for origin in (
        "demo-video.oss-cn-shanghai.aliyuncs.com",
        "demo-downloads.oss-ap-southeast-1.aliyuncs.com",
        "demo-assets.oss-cn-hangzhou.aliyuncs.com",
    ):
        bucket = services.oss.bucket_from_origin(origin)
        assert services.oss.endpoint_for(bucket) == f"http://{origin.split('.', 1)[1]}"
        assert (await services.oss.bucket_info(bucket)).name == bucket.name
        assert (await services.oss.list_objects(bucket)).objects
    video = services.oss.bucket_from_origin("demo-video.oss-cn-shanghai.aliyuncs.com")
    await services.oss.put_object(video, "verification.html", "verify_real_road")
    assert sandbox.world.buckets["demo-video"].objects["verification.html"] == b"verify_real_road"
    head = await services.oss.head_object(video, "verification.html")
    assert head.size == len("verify_real_road")


def test_list_buckets_at_a_region_endpoint_is_signed_for_that_region(sandbox):
    for region, status in (("cn-shanghai", 200), ("cn-hangzhou", 400)):
        headers = {"Host": "oss-cn-shanghai.aliyuncs.com"}
        authorization = signing.oss4_authorization(
            *keys(sandbox), "GET", "", "", headers, region, now_v4()
        )
        answer, _, body = send(sandbox, "GET", "/", {**headers, "Authorization": authorization})
        assert answer == status
    assert b"<Name>demo-assets</Name>" not in body  # the refused one lists nothing


def test_a_virtual_hosted_request_for_an_unknown_bucket_answers_no_such_bucket(sandbox):
    status, _, body = send(
        sandbox, "GET", "/a.txt", {"Host": "no-such-bucket.oss-cn-hangzhou.aliyuncs.com"}
    )
    assert status == 404 and b"<Code>NoSuchBucket</Code>" in body


# -- user metadata -------------------------------------------------------------------------


def test_user_metadata_comes_back_on_head_and_get(sandbox):
    bucket = oss2.Bucket(
        oss2.AuthV4(*keys(sandbox)), oss_url(sandbox), "demo-video", region="cn-shanghai"
    )
    bucket.put_object(
        "meta.txt", b"m", headers={"x-oss-meta-Owner": "ops", "x-oss-meta-build": "42"}
    )
    head = bucket.head_object("meta.txt").headers
    got = bucket.get_object("meta.txt").headers
    for answer in (head, got):
        assert (answer["x-oss-meta-owner"], answer["x-oss-meta-build"]) == ("ops", "42")
    # A new PutObject replaces the metadata with its own (none here).
    bucket.put_object("meta.txt", b"n")
    assert "x-oss-meta-owner" not in bucket.head_object("meta.txt").headers


# -- the signing code against oss2's signer -------------------------------------------------

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    key=texts.filter(lambda k: not k.startswith("/")),
    query=st.dictionaries(texts, st.one_of(st.just(""), texts), max_size=3),
    meta=st.dictionaries(
        st.text(alphabet="abcdefghij-", min_size=1, max_size=6),
        st.text(alphabet="abcXYZ 0123;=,", min_size=1, max_size=8).map(str.strip).filter(bool),
        max_size=3,
    ),
    region=st.sampled_from(["cn-hangzhou", "ap-southeast-1", "cn-shanghai"]),
    method=st.sampled_from(["GET", "PUT", "HEAD", "DELETE"]),
)
def test_the_sandbox_computes_the_signature_oss2_sends(key, query, meta, region, method):
    auth = oss2.AuthV4("AKID", "secret")
    headers = {f"x-oss-meta-{name}": value for name, value in meta.items()}
    headers["Content-Type"] = "text/plain"
    request = oss2.http.Request(
        method,
        "http://127.0.0.1/bkt/" + key,
        params=dict(query),
        headers=headers,
        region=region,
        product="oss",
    )
    auth._sign_request(request, "bkt", key)
    parsed = signing.parse_oss4_authorization(request.headers["authorization"])
    assert parsed is not None and parsed.region == region
    expected, _, _ = signing.oss4_signature(
        method,
        signing.oss4_canonical_uri("bkt", key),
        query,
        {k.lower(): v for k, v in request.headers.items()},
        parsed.additional_headers,
        request.headers["x-oss-date"],
        region,
        "secret",
    )
    assert expected == parsed.signature
