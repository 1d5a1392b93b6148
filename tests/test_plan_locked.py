"""The CNAME plan flags records locked in the Alibaba Cloud DNS console before applying
(Alidns refuses every change to them with Forbidden.RecordLocked), and lets a CNAME stand
at the apex beside NS."""

from __future__ import annotations

import dataclasses
import itertools

from hypothesis import given
from hypothesis import strategies as st

from tui.dns_plan import plan_cname
from tui.services.models import DnsRecord

TARGET = "img.example.com.w.kunlunsl.com"
_ids = itertools.count(1)


def rec(rr: str, type: str, value: str, *, locked: bool = False, status: str = "ENABLE"):
    record = DnsRecord(str(next(_ids)), "example.com", rr, type, value, 600, "default", status)
    return dataclasses.replace(record, locked=locked)


def test_a_locked_conflicting_record_blocks_even_with_replace():
    a = rec("img", "A", "1.2.3.4", locked=True)
    for replace in (False, True):
        plan = plan_cname("img.example.com", TARGET, "example.com", [a], replace=replace)
        assert not plan.ready
        (blocker,) = plan.blockers
        assert (blocker.code, blocker.record) == ("locked", a)
        assert "unlock it" in blocker.message
        assert all(step.record_id != a.record_id for step in plan.steps)


def test_a_locked_cname_pointing_elsewhere_is_not_updated():
    old = rec("img", "CNAME", "old.example.net", locked=True)
    plan = plan_cname("img.example.com", TARGET, "example.com", [old])
    assert [c.code for c in plan.blockers] == ["locked"]
    assert plan.steps == ()


def test_a_locked_cname_already_right_needs_nothing():
    right = rec("img", "CNAME", TARGET, locked=True)
    plan = plan_cname("img.example.com", TARGET, "example.com", [right])
    assert plan.nothing_to_do


def test_a_locked_shadow_stays_a_warning_when_shadows_are_removed():
    shadow = rec("www", "A", "1.2.3.4", locked=True)
    plan = plan_cname(
        "*.example.com",
        "x.example.com.w.kunlunsl.com",
        "example.com",
        [shadow],
        remove_shadows=True,
    )
    assert plan.ready
    assert [c.code for c in plan.warnings] == ["locked"]
    assert all(step.action != "delete" for step in plan.steps)


def test_a_cname_at_the_apex_may_stand_beside_ns():
    ns = rec("@", "NS", "ns1.elsewhere.example")
    plan = plan_cname("example.com", TARGET, "example.com", [ns])
    assert plan.ready
    assert [c.code for c in plan.warnings] == ["apex_neighbour"]


RECORD = st.builds(
    rec,
    rr=st.sampled_from(["@", "*", "img", "www"]),
    type=st.sampled_from(["A", "CNAME", "MX", "TXT"]),
    value=st.sampled_from(["1.2.3.4", TARGET, "old.example.net"]),
    locked=st.booleans(),
    status=st.sampled_from(["ENABLE", "DISABLE"]),
)


@given(
    st.lists(RECORD, max_size=8),
    st.sampled_from(["img.example.com", "example.com", "*.example.com"]),
    st.booleans(),
    st.booleans(),
)
def test_no_step_ever_touches_a_locked_record(records, domain, replace, remove_shadows):
    plan = plan_cname(
        domain, TARGET, "example.com", records, replace=replace, remove_shadows=remove_shadows
    )
    locked = {r.record_id for r in records if r.locked}
    assert not any(step.record_id in locked for step in plan.steps)
    # And a plan that would have needed one says so instead of being "ready".
    unlocked = [dataclasses.replace(r, locked=False) for r in records]
    free = plan_cname(
        domain, TARGET, "example.com", unlocked, replace=replace, remove_shadows=remove_shadows
    )
    skipped = [s for s in free.steps if s.record_id in locked and s.action != "delete"]
    if skipped:
        assert not plan.ready
