"""The pure verdict: can the CDN edge read the domain's OSS origin?"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.services import origin_access as oa
from tui.services.models import DomainConfig


def l2(auth: str = "on", status: str = "success", unauthorized: str | None = "off"):
    args = [("private_oss_auth", auth)]
    if unauthorized is not None:
        args.append(("private_oss_ram_unauthorized", unauthorized))
    return DomainConfig("l2_oss_key", "1001", status, tuple(args))


def test_public_buckets_are_readable():
    for acl in ("public-read", "public-read-write"):
        verdict = oa.judge(acl, None)
        assert verdict.verdict == oa.READABLE and acl in verdict.reason
        assert not verdict.fixable


def test_private_without_the_setting_is_blocked_and_fixable():
    for config in (None, l2("off")):
        verdict = oa.judge("private", config)
        assert verdict.verdict == oa.BLOCKED and verdict.fixable
        assert "403" in verdict.reason and not verdict.role_missing


def test_private_with_the_setting_in_force_is_readable():
    verdict = oa.judge("private", l2())
    assert verdict.verdict == oa.READABLE and "signs" in verdict.reason


def test_private_with_the_setting_being_applied_is_configuring():
    for status in ("configuring", "testing"):
        verdict = oa.judge("private", l2(status=status))
        assert verdict.verdict == oa.CONFIGURING and status in verdict.reason


def test_without_the_role_the_setting_does_not_help():
    verdict = oa.judge("private", l2(unauthorized="on"))
    assert verdict.verdict == oa.BLOCKED and verdict.role_missing and not verdict.fixable
    assert oa.ROLE in verdict.reason
    assert "cdn.aliyuncs.com" in oa.ROLE_HELP and "Origin fetch from private OSS bucket" in (
        oa.ROLE_HELP
    )


def test_a_failed_setting_is_blocked_and_may_be_sent_again():
    verdict = oa.judge("private", l2(status="failed"))
    assert verdict.verdict == oa.BLOCKED and verdict.fixable


def test_unreadable_facts_say_why():
    verdict = oa.judge(None, None, acl_error="AccessDenied")
    assert verdict.verdict == oa.UNKNOWN and "AccessDenied" in verdict.reason
    verdict = oa.judge("private", None, config_error="Throttling.User")
    assert verdict.verdict == oa.UNKNOWN and "Throttling.User" in verdict.reason
    # The setting in force answers for the bucket whatever its ACL said.
    assert oa.judge(None, l2(), acl_error="timeout").verdict == oa.READABLE


def test_other_origins_are_not_applicable():
    assert oa.judge(None, None, oss_origin=False).verdict == oa.NOT_APPLICABLE


ACLS = st.one_of(
    st.none(),
    st.sampled_from(["private", "public-read", "public-read-write"]),
    st.text(max_size=12),
)
CONFIGS = st.one_of(
    st.none(),
    st.builds(
        l2,
        st.sampled_from(["on", "off", ""]),
        st.sampled_from(["success", "configuring", "testing", "failed"]),
        st.sampled_from(["on", "off", None]),
    ),
)


@given(ACLS, CONFIGS, st.booleans(), st.text(max_size=10), st.text(max_size=10))
def test_every_combination_has_one_verdict_in_words(acl, config, oss, acl_error, config_error):
    verdict = oa.judge(acl, config, oss_origin=oss, acl_error=acl_error, config_error=config_error)
    assert verdict.verdict in (
        oa.READABLE,
        oa.CONFIGURING,
        oa.BLOCKED,
        oa.UNKNOWN,
        oa.NOT_APPLICABLE,
    )
    assert verdict.reason
    # Only a blocked origin is offered the fix, and never when the role is what is missing.
    if verdict.fixable:
        assert verdict.verdict == oa.BLOCKED and not verdict.role_missing
    # A public bucket is readable whatever CDN's setting; a private one only when signed.
    if oss and acl in oa.PUBLIC_ACLS:
        assert verdict.verdict == oa.READABLE
    if oss and acl == "private" and verdict.verdict == oa.READABLE:
        assert config is not None and config.arg("private_oss_auth") == "on"
        assert config.status == "success" and config.arg("private_oss_ram_unauthorized") != "on"
    # Making the bucket public is never the advice.
    assert "public-read" not in verdict.reason or (acl or "") in oa.PUBLIC_ACLS
