"""Errors, retries, timeouts and the SDK traps, against the sandbox's injected faults.

Everything goes through the real SDKs over loopback sockets; the only doubles are the
faults the sandbox itself injects.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.services.errors import (
    CloudError,
    NetworkError,
    NotApplied,
    ServerSideError,
    ThrottledError,
)
from tui.services.facade import Services
from tui.services.models import Source
from tui.services.retry import RetryPolicy

FAST = RetryPolicy(base_delay=0.01, max_delay=0.02)
HZ = Source("oss", "demo-assets.oss-cn-hangzhou.aliyuncs.com")


@pytest.fixture
def services(profile):
    return Services(profile)


@pytest.fixture
def fast(profile):
    """Services that retry without waiting long: for faults that never stop."""
    return Services(profile, retry=FAST)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assert_no_secret(error: Exception, profile) -> None:
    for text in (str(error), repr(error), error.args and str(error.args)):
        assert profile.access_key_secret not in text


# -- the retry policy and the classification, on their own ------------------------------


@given(st.integers(min_value=1, max_value=50), st.floats(min_value=0, max_value=1))
def test_backoff_grows_then_stays_under_the_cap(retry, rand):
    policy = RetryPolicy()
    delay = policy.backoff(retry, rand=lambda: rand)
    step = min(policy.max_delay, policy.base_delay * 2 ** (retry - 1))
    assert step / 2 <= delay <= step <= policy.max_delay


def test_retry_decisions():
    policy = RetryPolicy(max_attempts=3, max_retry_after=10)
    busy = ServerSideError("InternalError", "x", status=500, retryable=True)
    assert policy.delay_after(busy, 1) is not None
    assert policy.delay_after(busy, 3) is None  # attempts used up
    assert policy.delay_after(CloudError("InvalidParameter", "x", status=400), 1) is None
    throttled = ThrottledError("Throttling.User", "x", retryable=True, retry_after=2.5)
    assert policy.delay_after(throttled, 1) == 2.5
    too_long = ThrottledError("Throttling.User", "x", retryable=True, retry_after=60)
    assert policy.delay_after(too_long, 1) is None


@pytest.mark.parametrize(
    "code, status, throttled, expected",
    [
        ("Throttling.User", 400, False, ThrottledError),
        ("Whatever", 400, True, ThrottledError),
        ("TooManyRequests", 429, False, ThrottledError),
        ("InternalError", 500, False, ServerSideError),
        ("ServiceUnavailable", 503, False, ServerSideError),
        ("ServiceBusy", 403, False, ServerSideError),
        ("DomainAlreadyExist", 400, False, CloudError),
        ("InvalidDomain.NotFound", 404, False, CloudError),
    ],
)
def test_error_classes(code, status, throttled, expected):
    from tui.services.mapping import error_class

    assert error_class(code, status, throttled) is expected


@pytest.mark.parametrize(
    "endpoint, loopback",
    [
        ("127.0.0.1:8080", True),
        ("http://127.0.0.1:8080", True),
        ("127.255.0.9", True),
        ("localhost:1", True),
        ("http://[::1]:80", True),
        ("cdn.aliyuncs.com", False),
        ("https://oss-cn-hangzhou.aliyuncs.com", False),
        ("10.0.0.1:80", False),
        ("128.0.0.1", False),
    ],
)
def test_loopback_endpoints(endpoint, loopback):
    from tui.services.clients import is_loopback

    assert is_loopback(endpoint) is loopback


# -- answers from the service -----------------------------------------------------------


async def test_throttled_read_waits_retry_after_then_succeeds(services, sandbox):
    sandbox.faults.add("throttle", "DescribeUserDomains", retry_after_ms=400)
    sandbox.calls.clear()
    start = time.monotonic()
    domains = await services.cdn.list_domains()
    assert time.monotonic() - start >= 0.4
    assert len(domains) == 6
    assert sandbox.calls.actions() == ["DescribeUserDomains", "DescribeUserDomains"]


async def test_a_throttled_write_waits_retry_after_then_is_sent_again(services, sandbox):
    # Flow control refuses a call before it acts: sending it again adds nothing twice.
    sandbox.faults.add("throttle", "AddCdnDomain", retry_after_ms=700)
    sandbox.calls.clear()
    start = time.monotonic()
    await services.cdn.add_domain("new.example.com", "web", [HZ])
    assert time.monotonic() - start >= 0.7
    assert sandbox.calls.actions() == ["AddCdnDomain", "AddCdnDomain"]
    assert "new.example.com" in sandbox.world.domains


async def test_a_lasting_throttle_on_a_write_is_reported(fast, sandbox, profile):
    # The real shape: HTTP 400 Throttling.User without x-acs-retry-after.
    sandbox.faults.add("throttle", "AddDomainRecord", count=None)
    sandbox.calls.clear()
    with pytest.raises(ThrottledError) as caught:
        await fast.dns.add_record("example.com", "new", "A", "127.0.0.50")
    error = caught.value
    assert (error.code, error.status, error.retry_after) == ("Throttling.User", 400, None)
    assert error.message == "Request was denied due to user flow control."
    assert error.retryable and error.request_id
    assert (error.service, error.action) == ("DNS", "AddDomainRecord")
    assert sandbox.calls.actions() == ["AddDomainRecord"] * FAST.max_attempts
    assert_no_secret(error, profile)


async def test_a_long_retry_after_is_not_slept_through(services, sandbox):
    sandbox.faults.add("throttle", "DescribeDomains", retry_after_ms=120_000)
    sandbox.calls.clear()
    start = time.monotonic()
    with pytest.raises(ThrottledError) as caught:
        await services.dns.list_zones()
    assert caught.value.retry_after == 120
    assert time.monotonic() - start < 5
    assert len(sandbox.calls) == 1


async def test_a_server_error_on_a_read_is_retried(services, sandbox):
    sandbox.faults.add("server_error", "DescribeDomainRecords")
    sandbox.calls.clear()
    records = await services.dns.records("example.com")
    assert len(records) == 8
    assert sandbox.calls.actions() == ["DescribeDomainRecords"] * 2


async def test_a_lasting_server_error_is_raised_after_the_last_attempt(fast, sandbox, profile):
    sandbox.faults.add("server_error", "DescribeCdnDomainDetail", count=None)
    sandbox.calls.clear()
    with pytest.raises(ServerSideError) as caught:
        await fast.cdn.domain("img.example.com")
    error = caught.value
    assert (error.code, error.status, error.retryable) == ("InternalError", 500, True)
    assert error.message.startswith("The request processing has failed")
    assert "code: 500" not in error.message  # the service's words, not the SDK's
    assert error.request_id in str(error)
    assert len(sandbox.calls) == FAST.max_attempts
    assert_no_secret(error, profile)


async def test_service_unavailable(fast, sandbox):
    sandbox.faults.add("unavailable", "CheckCdnDomainExist", count=None)
    with pytest.raises(ServerSideError) as caught:
        await fast.cdn.check_exists("x.example.com")
    assert (caught.value.code, caught.value.status) == ("ServiceUnavailable", 503)
    assert len(sandbox.calls.of("CheckCdnDomainExist")) == FAST.max_attempts


async def test_a_client_error_keeps_the_services_own_message(services, sandbox):
    sandbox.faults.add(
        "http_error",
        "DescribeRefreshQuota",
        status=403,
        code="Forbidden.RAM",
        message="User not authorized to operate on the specified resource.",
    )
    sandbox.calls.clear()
    with pytest.raises(CloudError) as caught:
        await services.cdn.refresh_quota()
    error = caught.value
    assert type(error) is CloudError
    assert (error.code, error.status, error.retryable) == ("Forbidden.RAM", 403, False)
    assert error.message == "User not authorized to operate on the specified resource."
    assert str(error) == (
        f"CDN DescribeRefreshQuota: Forbidden.RAM: User not authorized to "
        f"operate on the specified resource. (RequestId {error.request_id})"
    )
    assert len(sandbox.calls) == 1


async def test_a_write_refused_by_a_server_error_is_read_back_never_sent_twice(services, sandbox):
    sandbox.faults.add("server_error", "AddCdnDomain")
    sandbox.faults.add("unavailable", "AddDomainRecord")
    sandbox.calls.clear()
    with pytest.raises(NotApplied) as added:
        await services.cdn.add_domain("new.example.com", "web", [HZ])
    with pytest.raises(NotApplied) as recorded:
        await services.dns.add_record("example.com", "new", "A", "127.0.0.50")
    assert sandbox.calls.actions() == [
        "AddCdnDomain",
        "DescribeUserDomains",
        "AddDomainRecord",
        "DescribeSubDomainRecords",
    ]
    assert "new.example.com" not in sandbox.world.domains
    assert (added.value.lost.code, recorded.value.lost.code) == (
        "InternalError",
        "ServiceUnavailable",
    )
    assert str(added.value).startswith("Add new.example.com to CDN: web, origin ")
    assert str(recorded.value) == (
        "Add the A record new.example.com -> 127.0.0.50 (TTL 600): not done. DNS answered "
        "ServiceUnavailable (HTTP 503), which can come after the change was made, and reading "
        "back shows nothing changed: you can try again."
    )
    assert recorded.value.request_id == recorded.value.lost.request_id != ""


# -- no usable answer -------------------------------------------------------------------


async def test_read_timeout_once_then_the_retry_succeeds(profile, sandbox):
    services = Services(replace(profile, read_timeout_ms=300), retry=FAST)
    sandbox.faults.add("timeout", "DescribeUserDomains", delay=3)
    sandbox.calls.clear()
    start = time.monotonic()
    assert len(await services.cdn.list_domains()) == 6
    assert 0.3 <= time.monotonic() - start < 2.5
    assert len(sandbox.calls) == 2


async def test_read_timeout_that_lasts(profile, sandbox):
    services = Services(replace(profile, read_timeout_ms=300), retry=FAST)
    sandbox.faults.add("timeout", "DescribeDomainInfo", count=None, delay=3)
    start = time.monotonic()
    with pytest.raises(NetworkError) as caught:
        await services.dns.zone("example.com")
    assert caught.value.code == "ReadTimeout"
    assert caught.value.retryable
    assert time.monotonic() - start >= 0.3 * FAST.max_attempts
    assert_no_secret(caught.value, profile)


@pytest.mark.parametrize("timeout", [TimeoutError(), asyncio.TimeoutError()])
def test_both_timeout_classes_are_a_read_timeout(timeout):
    # On Python 3.10 asyncio.TimeoutError (aiohttp's read timeout) is not TimeoutError.
    from tui.services.mapping import from_tea

    error = from_tea(timeout, service="CDN", action="DescribeUserDomains", endpoint="127.0.0.1:1")
    assert (type(error), error.code, error.retryable) == (NetworkError, "ReadTimeout", True)


async def test_a_write_that_timed_out_is_not_sent_again(profile, sandbox):
    services = Services(replace(profile, read_timeout_ms=300))
    www = next(r for r in sandbox.world.current_records("example.com") if r.rr == "www")
    fault = sandbox.faults.add("timeout", "DeleteDomainRecord", delay=3)
    sandbox.calls.clear()
    with pytest.raises(NotApplied) as caught:
        await services.dns.delete_record(www.record_id)
    assert caught.value.lost.code == "ReadTimeout"
    assert sandbox.calls.actions() == ["DeleteDomainRecord", "DescribeDomainRecordInfo"]
    # The held request was dropped when the client gave up: it never acts later.
    for _ in range(200):
        if fault.outcome:
            break
        await asyncio.sleep(0.01)
    assert fault.outcome == "abandoned"
    assert sandbox.world.find_record(www.record_id) is not None


async def test_connection_refused(profile):
    port = closed_port()
    nowhere = replace(
        profile, cdn_endpoint=f"127.0.0.1:{port}", oss_endpoint=f"http://127.0.0.1:{port}"
    )
    services = Services(nowhere, retry=FAST)
    with pytest.raises(NetworkError) as caught:
        await services.cdn.list_domains()
    assert caught.value.code == "ConnectionFailed"
    assert f"127.0.0.1:{port}" in caught.value.message
    with pytest.raises(NetworkError) as caught:
        await services.oss.list_buckets()
    assert caught.value.code == "ConnectionFailed"
    assert_no_secret(caught.value, profile)


async def test_connection_reset(fast, sandbox):
    sandbox.faults.add("reset", "DescribeDomains", count=None)
    with pytest.raises(NetworkError) as caught:
        await fast.dns.list_zones()
    assert caught.value.code == "ConnectionLost"
    assert len(sandbox.calls.of("DescribeDomains")) == FAST.max_attempts


async def test_a_reset_read_is_retried(services, sandbox):
    sandbox.faults.add("reset", "DescribeSubDomainRecords")
    records = await services.dns.sub_domain_records("www.example.com")
    assert [r.value for r in records] == ["127.0.0.11"]


async def test_a_body_that_is_not_json(services, sandbox, profile):
    sandbox.faults.add("non_json", "DescribeVerifyContent", count=None)
    sandbox.calls.clear()
    with pytest.raises(NetworkError) as caught:
        await services.cdn.verify_content("www.newsite.net")
    assert caught.value.code == "BadResponse"
    assert not caught.value.retryable
    assert len(sandbox.calls) == 1
    assert_no_secret(caught.value, profile)


# -- credentials the sandbox refuses ----------------------------------------------------


async def test_a_wrong_secret_is_refused(profile):
    wrong = replace(profile, access_key_secret="not-the-secret-" + "x" * 15)
    services = Services(wrong)
    with pytest.raises(CloudError) as caught:
        await services.cdn.list_domains()
    assert (caught.value.code, caught.value.status) == ("SignatureDoesNotMatch", 400)
    assert_no_secret(caught.value, wrong)
    assert_no_secret(caught.value, profile)
    with pytest.raises(CloudError) as caught:
        await services.oss.list_buckets()
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.status == 403
    assert_no_secret(caught.value, wrong)


async def test_an_unknown_key_is_refused(profile):
    services = Services(replace(profile, access_key_id="FAKE5tUnknownKey00000"))
    with pytest.raises(CloudError) as caught:
        await services.dns.list_zones()
    assert (caught.value.code, caught.value.status) == ("InvalidAccessKeyId.NotFound", 404)
    with pytest.raises(CloudError) as caught:
        await services.oss.list_buckets()
    assert caught.value.code == "InvalidAccessKeyId"
    assert_no_secret(caught.value, profile)


def test_the_profile_never_shows_its_secret(profile):
    assert profile.access_key_secret and profile.access_key_secret not in repr(profile)
    assert profile.access_key_id not in repr(profile)


# -- the SDK traps ----------------------------------------------------------------------


async def test_a_proxy_in_the_environment_does_not_take_loopback_traffic(
    services, sandbox, monkeypatch
):
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert len(await services.cdn.list_domains()) == 6
    assert len(await services.dns.list_zones()) == 3
    assert len(await services.oss.list_buckets()) == 3


def test_the_proxy_is_hidden_from_darabonba_only_during_loopback_calls(monkeypatch):
    import darabonba.core

    from tui.services.clients import cdn_client, direct_connection
    from tui.services.profile import Profile

    # Constructing a client applies the correction.
    cdn_client(Profile(name="p", region="cn-hangzhou", access_key_id="a", access_key_secret="b"))
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    assert darabonba.core.os.environ.get("HTTP_PROXY") == "http://127.0.0.1:9"
    with direct_connection(True):
        assert darabonba.core.os.environ.get("HTTP_PROXY") is None
        assert "HTTP_PROXY" not in dict(darabonba.core.os.environ)
    with direct_connection(False):
        assert darabonba.core.os.environ.get("HTTP_PROXY") == "http://127.0.0.1:9"
    assert os.environ["HTTP_PROXY"] == "http://127.0.0.1:9"  # the real environment is untouched


@pytest.mark.slow  # a fresh interpreter
def test_sdk_loggers_drop_everything():
    """With DEBUG=sdk darabonba logs headers, Authorization included, to stderr."""
    code = (
        "import logging, darabonba.core\n"
        "from tui.services.clients import cdn_client\n"
        "from tui.services.profile import Profile\n"
        "darabonba.core.logger.debug('before: authorization A')\n"
        "cdn_client(Profile(name='p', region='cn-hangzhou', access_key_id='a',"
        " access_key_secret='b'))\n"
        "darabonba.core.logger.debug('after: authorization B')\n"
        "logging.getLogger('oss2.http').warning('after: authorization C')\n"
        "logging.getLogger('credentials').warning('after: credentials D')\n"
    )
    err = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBUG": "sdk"},
        check=True,
    ).stderr
    assert "before: authorization A" in err  # the trap is real
    assert "after" not in err


@pytest.mark.slow  # a fresh interpreter
def test_importing_the_facade_leaves_the_sdks_out():
    code = (
        "import sys\n"
        "from tui.services.facade import Services\n"
        "from tui.services.profile import Profile\n"
        "s = Services(Profile(name='p', region='cn-hangzhou', access_key_id='a',"
        " access_key_secret='b'))\n"
        "heavy = ('alibabacloud', 'oss2', 'aiohttp', 'darabonba', 'Tea')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(heavy)}))\n"
        "s.cdn\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(heavy)}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "[]"
    assert "alibabacloud_cdn20180510" in out[1] and "darabonba" in out[1]
