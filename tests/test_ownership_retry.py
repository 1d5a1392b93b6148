"""Proving ownership when CDN lags: the app asks VerifyDomainOwner again by itself for a
bounded time, and the file method fetches the URL CDN will fetch before asking CDN."""

from __future__ import annotations

import pytest

from tests.helpers import serve_root_through_cdn
from tui.sandbox.cdn_checks import CDN_LAG
from tui.sandbox.dns_answers import SOA_MINIMUM
from tui.services.facade import Services
from tui.services.ownership import CHECK_REFUSALS, VerifyProgress, file_url

# Slow enough that CDN's two-minute lag lasts 1.2 real seconds (a check right after
# publishing is refused even on a loaded machine), fast enough that polls are 0.5 s apart.
SLOWER = 100.0


@pytest.fixture
def slow_sandbox():
    from tui.sandbox.runner import Sandbox

    box = Sandbox(speed=SLOWER)
    box.start()
    try:
        yield box
    finally:
        box.stop()


async def test_verify_until_asks_again_after_a_refusal_and_passes_once_cdn_sees_the_record(
    slow_sandbox,
):
    from tui.services.profile import sandbox_profile

    world = slow_sandbox.world
    ownership = Services(sandbox_profile(slow_sandbox.info)).ownership
    challenge = await ownership.challenge("cdn.newsite.net")
    assert await ownership.publish_txt(challenge) is True
    assert all((await ownership.txt_seen(challenge)).values())  # served at the source
    seen: list[VerifyProgress] = []

    def progress(report: VerifyProgress) -> None:
        seen.append(report)
        if len(seen) == 1:  # skip the minutes CDN's resolver takes to notice
            world.clock.advance(CDN_LAG + SOA_MINIMUM)

    assert await ownership.verify_until(challenge, progress=progress) is True
    assert world.is_verified("cdn.newsite.net")
    assert [p.code for p in seen] == ["DomainOwnerVerifyFail"]
    assert seen[0].attempt == 1 and 0 < seen[0].left <= 600 and seen[0].next_in > 0
    assert "verification.newsite.net" in seen[0].message
    assert slow_sandbox.calls.actions().count("VerifyDomainOwner") == 2


async def test_verify_until_gives_up_after_its_bound_with_the_last_answer(sandbox, profile):
    ownership = Services(profile).ownership
    challenge = await ownership.challenge("cdn.newsite.net")  # no TXT record, ever
    seen: list[VerifyProgress] = []
    assert await ownership.verify_until(challenge, progress=seen.append, bound=120) is False
    assert len(seen) >= 2 and {p.code for p in seen} == {"DomainOwnerVerifyFail"}
    assert [p.attempt for p in seen] == list(range(1, len(seen) + 1))
    lefts = [p.left for p in seen]
    assert lefts == sorted(lefts, reverse=True) and lefts[-1] == 0 and lefts[0] > 0
    assert seen[-1].next_in == 0
    assert sandbox.calls.actions().count("VerifyDomainOwner") == len(seen)
    assert not sandbox.world.is_verified("cdn.newsite.net")


async def test_verify_until_raises_what_waiting_cannot_fix(sandbox, profile):
    from tui.services.errors import CloudError

    sandbox.faults.add("http_error", "VerifyDomainOwner", status=400, code="InvalidParameter")
    ownership = Services(profile).ownership
    challenge = await ownership.challenge("cdn.newsite.net")
    with pytest.raises(CloudError) as raised:
        await ownership.verify_until(challenge)
    assert raised.value.code == "InvalidParameter" not in CHECK_REFUSALS
    assert sandbox.calls.actions().count("VerifyDomainOwner") == 1


async def test_the_file_check_fetches_the_url_cdn_will_fetch(sandbox, profile):
    world = sandbox.world
    ownership = Services(profile).ownership
    challenge = await ownership.challenge("cdn.newsite.net")
    assert file_url(challenge) == "http://newsite.net/verification.html"
    # The root points at 127.0.0.20: nothing serves it, and no bucket of ours does.
    assert await ownership.file_host(challenge) is None
    check = await ownership.file_served(challenge)
    assert not check.ok and "127.0.0.20" in check.detail

    serve_root_through_cdn(world, "newsite.net")  # newsite.net now served from demo-assets
    world.clock.advance(SOA_MINIMUM + CDN_LAG)  # resolvers forget the old address
    host = await ownership.file_host(challenge)
    assert host is not None and (host.bucket, host.public) == ("demo-assets", True)
    check = await ownership.file_served(challenge)
    assert not check.ok and "HTTP 404" in check.detail  # not uploaded yet

    await ownership.upload_file(challenge, ownership.oss.bucket_from_origin(host.origin))
    check = await ownership.file_served(challenge)
    assert check.ok, check.detail
    assert await ownership.verify_until(challenge, "fileCheck") is True
    assert world.is_verified("cdn.newsite.net")


async def test_a_private_bucket_behind_the_root_is_no_place_for_the_file(sandbox, profile):
    world = sandbox.world
    serve_root_through_cdn(world, "newsite.net")
    world.buckets["demo-assets"].acl = "private"
    ownership = Services(profile).ownership
    challenge = await ownership.challenge("cdn.newsite.net")
    host = await ownership.file_host(challenge)
    assert host is not None and (host.bucket, host.public) == ("demo-assets", False)
    await ownership.upload_file(challenge, ownership.oss.bucket_from_origin(host.origin))
    world.clock.advance(SOA_MINIMUM + CDN_LAG)
    check = await ownership.file_served(challenge)
    assert not check.ok and "HTTP 403" in check.detail
