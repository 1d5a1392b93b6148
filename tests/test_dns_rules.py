"""DNS record rules: validation (tui/dns_rules.py); RR derivation, conflicts and the CNAME
plan (tui/dns_plan.py)."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.dns_plan import (
    Plan,
    bind_line,
    exact_rr,
    find_zone,
    host_record,
    plan_cname,
    pointed_at,
    record_conflicts,
    wildcard_shadows,
)
from tui.dns_rules import (
    RECORD_TYPES,
    check_record,
    check_record_value,
    check_rr,
    check_ttl,
    edition_name,
    ttl_hint,
    ttl_range,
)
from tui.services.models import DnsRecord

_ids = itertools.count(1)


def rec(
    rr: str, type: str, value: str, *, line: str = "default", status: str = "ENABLE", ttl: int = 600
) -> DnsRecord:
    return DnsRecord(str(next(_ids)), "example.com", rr, type, value, ttl, line, status)


def codes(problems) -> set[str]:
    return {p.code for p in problems}


# -- host records (RR) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "rr", ["@", "*", "*.sub", "www", "img.shop", "_dmarc", "_acme-challenge.www", "a-1", "a" * 63]
)
def test_good_host_records(rr):
    assert check_rr(rr) == []


@pytest.mark.parametrize(
    ("rr", "expected"),
    [
        ("", {"rr_empty"}),
        ("www.", {"rr_empty_label"}),
        (".www", {"rr_empty_label"}),
        ("a..b", {"rr_empty_label"}),
        ("a.*", {"rr_wildcard"}),
        ("*x", {"rr_wildcard"}),
        ("*.*", {"rr_wildcard"}),
        ("w@w", {"rr_at"}),
        ("w w", {"rr_characters"}),
        ("图片", {"rr_characters"}),
        ("a" * 64, {"rr_label_length"}),
        (".".join(["a" * 60] * 5), {"rr_length"}),
    ],
)
def test_bad_host_records(rr, expected):
    assert codes(check_rr(rr)) == expected


def test_a_non_ascii_host_record_gets_its_punycode():
    (problem,) = check_rr("图片")
    assert problem.fix is not None and problem.fix.value == "xn--wcsw84d"


# -- values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type", "value", "priority"),
    [
        ("A", "203.0.113.10", None),
        ("a", "203.0.113.10", None),
        ("AAAA", "2001:db8::10", None),
        ("CNAME", "img.example.com.w.kunlunsl.com", None),
        ("CNAME", "img.example.com.w.kunlunsl.com.", None),
        ("CNAME", "s1._domainkey.example.net", None),
        ("NS", "dns9.hichina.com", None),
        ("MX", "mx1.example.com", 10),
        ("MX", "mx1.example.com", "50"),
        ("TXT", "v=spf1 include:spf.example.com -all", None),
        ("TXT", '"part one" "part two"', None),
        ("CAA", '0 issue "letsencrypt.org"', None),
        ("CAA", '128 iodef "mailto:sec@example.com"', None),
        ("SRV", "0 5 5060 sip.example.com", None),
        ("SRV", "0 0 0 .", None),
    ],
)
def test_good_values(type, value, priority):
    assert check_record_value(type, value, priority=priority) == []


@pytest.mark.parametrize(
    ("type", "value", "priority", "expected"),
    [
        ("A", "", None, {"value_empty"}),
        ("A", "203.0.113.300", None, {"value_address"}),
        ("A", "img.example.com", None, {"value_address"}),
        ("A", "2001:db8::10", None, {"value_address"}),
        ("AAAA", "203.0.113.10", None, {"value_address"}),
        ("CNAME", "203.0.113.10", None, {"value_ip"}),
        ("CNAME", "https://img.example.com/", None, {"value_url"}),
        ("CNAME", "例子.com", None, {"value_non_ascii"}),
        ("CNAME", "img..example.com", None, {"value_empty_label"}),
        ("CNAME", "img!.example.com", None, {"value_host"}),
        ("CNAME", "a" * 64 + ".com", None, {"value_host"}),
        ("CNAME", ".".join(["a" * 60] * 5), None, {"value_length"}),
        ("CNAME", "localhost", None, {"value_not_fqdn"}),
        ("NS", "203.0.113.10", None, {"value_ip"}),
        ("MX", "mx1.example.com", None, {"mx_priority_missing"}),
        ("MX", "mx1.example.com", 0, {"mx_priority"}),
        ("MX", "mx1.example.com", 51, {"mx_priority"}),
        ("MX", "mx1.example.com", "ten", {"mx_priority"}),
        ("MX", "203.0.113.10", 10, {"value_ip"}),
        ("TXT", "x" * 513, None, {"txt_length"}),
        ("TXT", 'v=spf1 "oops', None, {"txt_quotes"}),
        ("CAA", "issue letsencrypt.org", None, {"caa_format"}),
        ("CAA", "0 issue letsencrypt.org", None, {"caa_quotes"}),
        ("CAA", '300 issue "letsencrypt.org"', None, {"caa_flags"}),
        ("CAA", '0 issues "letsencrypt.org"', None, {"caa_tag"}),
        ("SRV", "0 5 sip.example.com", None, {"srv_format"}),
        ("SRV", "0 5 70000 sip.example.com", None, {"srv_format"}),
        ("SRV", "0 5 5060 203.0.113.10", None, {"value_ip"}),
        ("SPF", "v=spf1 -all", None, {"type_unsupported"}),
    ],
)
def test_bad_values(type, value, priority, expected):
    assert codes(check_record_value(type, value, priority=priority)) == expected


def test_a_cname_to_an_ip_suggests_the_right_record_type():
    (v4,) = check_record_value("CNAME", "203.0.113.10")
    (v6,) = check_record_value("CNAME", "2001:db8::1")
    assert "an A record" in v4.message and "an AAAA record" in v6.message


def test_fixable_values_carry_their_fix():
    (url,) = check_record_value("CNAME", "http://IMG.example.com.w.kunlunsl.com/")
    assert url.fix is not None and url.fix.value == "img.example.com.w.kunlunsl.com"
    (caa,) = check_record_value("CAA", "0 issue letsencrypt.org")
    assert caa.fix is not None and caa.fix.value == '0 issue "letsencrypt.org"'
    assert check_record_value("CAA", caa.fix.value) == []


def test_quote_and_tag_doubts_are_warnings_not_errors():
    assert [p.severity for p in check_record_value("TXT", 'say "hi')] == ["warning"]
    assert [p.severity for p in check_record_value("CAA", '0 contact "x"')] == ["warning"]


@pytest.mark.parametrize(
    ("ttl", "ok"),
    [
        (600, True),
        ("600", True),
        (86400, True),
        (599, False),
        (86401, False),
        ("ten", False),
        ("", False),
        (True, False),
        (1.5, False),
    ],
)
def test_ttl_for_the_free_edition(ttl, ok):
    problems = check_ttl(ttl)
    assert (problems == []) == ok
    if isinstance(ttl, int) and not isinstance(ttl, bool) and not ok:
        assert "free edition" in problems[0].message and "600" in problems[0].message


def test_ttl_for_a_paid_edition_names_its_own_range():
    assert check_ttl(60, min_ttl=1) == []
    (problem,) = check_ttl(0, min_ttl=1, max_ttl=86400)
    assert "1-86400" in problem.message and "free edition" not in problem.message


def test_ttl_range_follows_the_edition():
    assert ttl_range("mianfei") == (600, 86400)
    assert ttl_range("version_enterprise_basic") == (60, 86400)
    assert ttl_range("version_enterprise_advanced") == (1, 86400)
    assert ttl_range("") == (600, 86400)  # unknown: what every edition allows
    assert ttl_range("new_code") == (600, 86400)
    assert edition_name("mianfei") == "Free"
    assert edition_name("new_code") == "new_code"
    assert edition_name("") == "unknown"


def test_the_ttl_hint_names_the_edition_whose_range_it_is():
    assert (
        ttl_hint("version_enterprise_basic")
        == "seconds, 60-86400 on the Enterprise Standard edition"
    )
    assert ttl_hint("new_code") == "seconds, 600-86400 (what every edition allows)"
    # The edition's range is what check_ttl is given: a paid edition's low TTL passes.
    low, high = ttl_range("version_enterprise_advanced")
    assert check_ttl(1, min_ttl=low, max_ttl=high) == []
    assert check_ttl(1, min_ttl=600) != []


def test_check_record_combines_every_part():
    assert check_record("img", "CNAME", "img.example.com.w.kunlunsl.com", 600).ok
    check = check_record("a..b", "MX", "mx.example.com", 60, priority=99)
    assert codes(check.problems) == {"rr_empty_label", "mx_priority", "ttl_range"}
    assert not check.ok and check.errors == check.problems
    warned = check_record("@", "TXT", 'v=spf1 "x', "600")
    assert warned.ok and codes(warned.warnings) == {"txt_quotes"}


def test_messages_are_single_sentences():
    problems = [
        *check_rr(""),
        *check_rr("a..b"),
        *check_rr("a.*"),
        *check_rr("图"),
        *check_record_value("A", "x"),
        *check_record_value("CNAME", "1.2.3.4"),
        *check_record_value("MX", "mx.example.com"),
        *check_record_value("TXT", "x" * 600),
        *check_record_value("CAA", "x"),
        *check_record_value("SRV", "x"),
        *check_ttl(1),
    ]
    for problem in problems:
        assert problem.message.endswith("."), problem.message
        assert ". " not in problem.message.rstrip("."), problem.message


# -- zones and host records -------------------------------------------------------------


def test_find_zone_takes_the_longest_containing_zone():
    zones = ["example.com", "shop.example.com", "other.com", "ample.com"]
    assert find_zone("img.shop.example.com", zones) == "shop.example.com"
    assert find_zone("www.example.com", zones) == "example.com"
    assert find_zone("*.shop.example.com", zones) == "shop.example.com"
    assert find_zone(".example.com", zones) == "example.com"
    assert find_zone("Example.COM.", zones) == "example.com"
    assert find_zone("img.notexample.com", zones) is None
    assert find_zone("x.org", zones) is None


@pytest.mark.parametrize(
    ("domain", "zone", "rr"),
    [
        ("testcdn.example.com", "example.com", "testcdn"),
        ("www.example.com", "example.com", "www"),
        ("example.com", "example.com", "@"),
        ("*.example.com", "example.com", "*"),
        (".example.com", "example.com", "*"),
        ("*.shop.example.com", "example.com", "*.shop"),
        ("img.shop.example.com.cn", "example.com.cn", "img.shop"),
        ("img.shop.example.com.cn", None, "img.shop"),
        ("www.example.com", None, "www"),
        ("*.example.com.cn", None, "*"),
        ("img.shop.example.com", "shop.example.com", "img"),
        ("IMG.Example.com.", "example.com", "img"),
    ],
)
def test_host_record(domain, zone, rr):
    assert host_record(domain, zone) == rr


def test_host_record_refuses_a_domain_outside_the_zone():
    with pytest.raises(ValueError):
        host_record("img.example.org", "example.com")
    with pytest.raises(ValueError):
        host_record("img.notexample.com", "example.com")


RR_LABEL = st.from_regex(r"[a-z0-9_]([a-z0-9_-]{0,10}[a-z0-9])?", fullmatch=True)
ZONE = st.sampled_from(["example.com", "example.com.cn", "shop.example.net", "example.org.uk"])


@given(st.lists(RR_LABEL, min_size=1, max_size=3), ZONE)
def test_host_record_inverts_joining(labels, zone):
    rr = ".".join(labels)
    assert host_record(f"{rr}.{zone}", zone) == rr
    assert host_record(f"*.{rr}.{zone}", zone) == f"*.{rr}"


# -- conflicts ---------------------------------------------------------------------------


def test_exact_rr_filters_what_the_fuzzy_search_returns():
    www, www2, upper, deeper = (
        rec("www", "A", "1.1.1.1"),
        rec("www2", "A", "1.1.1.2"),
        rec("WWW", "TXT", "x"),
        rec("a.www", "A", "1.1.1.3"),
    )
    assert exact_rr([www, www2, upper, deeper], "www") == [www, upper]


def test_a_cname_conflicts_with_anything_at_its_host_and_line():
    a = rec("www", "A", "1.2.3.4")
    other_line = rec("www", "A", "1.2.3.5", line="telecom")
    elsewhere = rec("www2", "A", "1.2.3.6")
    (conflict,) = record_conflicts("www", "CNAME", [a, other_line, elsewhere])
    assert conflict.record is a
    assert (conflict.severity, conflict.code) == ("error", "cname_conflict")
    assert "an A record" in conflict.message


def test_a_cname_conflicts_with_another_cname():
    old = rec("img", "CNAME", "old.example.net")
    (conflict,) = record_conflicts("img", "CNAME", [old], value="new.example.net")
    assert conflict.record is old and conflict.severity == "error"


def test_anything_conflicts_with_an_existing_cname():
    cname = rec("img", "CNAME", "img.example.com.w.kunlunsl.com", status="disable")
    for kind in ("A", "TXT", "MX"):
        (conflict,) = record_conflicts("img", kind, [cname])
        assert conflict.record is cname and conflict.severity == "error"


def test_at_the_apex_a_cname_may_stand_beside_mx_and_txt_with_a_warning():
    mx, txt = rec("@", "MX", "mx1.example.com"), rec("@", "TXT", "v=spf1 -all")
    a = rec("@", "A", "1.2.3.4")
    found = {c.record.record_id: c for c in record_conflicts("@", "CNAME", [mx, txt, a])}
    assert (found[mx.record_id].severity, found[mx.record_id].code) == ("warning", "apex_neighbour")
    assert found[txt.record_id].severity == "warning"
    assert found[a.record_id].severity == "error"
    # The same rule the other way round: an MX beside an apex CNAME.
    (conflict,) = record_conflicts("@", "MX", [rec("@", "CNAME", "x.example.net")])
    assert conflict.severity == "warning"
    # Away from the apex an MX beside a CNAME is an error.
    (conflict,) = record_conflicts("mail", "MX", [rec("mail", "CNAME", "x.example.net")])
    assert conflict.severity == "error"


def test_same_rr_type_and_value_is_a_duplicate():
    cname = rec("img", "CNAME", "IMG.example.com.w.kunlunsl.com.")
    (conflict,) = record_conflicts("img", "CNAME", [cname], value="img.example.com.w.kunlunsl.com")
    assert conflict.code == "duplicate"
    (conflict,) = record_conflicts("www", "A", [rec("www", "A", "1.2.3.4")], value="1.2.3.4")
    assert conflict.code == "duplicate"
    assert record_conflicts("www", "A", [rec("www", "A", "1.2.3.4")], value="1.2.3.5") == []
    assert record_conflicts("t", "TXT", [rec("t", "TXT", "Abc")], value="abc") == []  # TXT is data


def test_ignore_id_leaves_out_the_record_being_updated():
    cname = rec("img", "CNAME", "old.example.net")
    found = record_conflicts(
        "img", "CNAME", [cname], value="new.example.net", ignore_id=cname.record_id
    )
    assert found == []


def test_wildcard_shadows_are_the_records_one_level_below():
    records = [
        www := rec("www", "A", "1.2.3.4"),
        img := rec("img", "TXT", "hello"),
        shop := rec("SHOP", "AAAA", "2001:db8::1"),
        rec("@", "A", "1.2.3.5"),
        rec("a.b", "A", "1.2.3.6"),
        rec("*", "CNAME", "x.example.net"),
        rec("_dmarc", "TXT", "v=DMARC1; p=none"),
        rec("off", "A", "1.2.3.7", status="Disable"),
        rec("cdn", "CNAME", "cdn.example.com.w.kunlunsl.com"),  # accelerated on its own
    ]
    assert wildcard_shadows("*", records) == [www, img, shop]
    inner = rec("www.sub", "A", "1.2.3.8")
    others = [rec("sub", "A", "1.2.3.9"), rec("a.www.sub", "A", "1.2.3.10"), rec("www", "A", "1")]
    assert wildcard_shadows("*.sub", [inner, *others]) == [inner]


# -- the CNAME plan ----------------------------------------------------------------------

TARGET = "img.example.com.w.kunlunsl.com"


def test_plan_creates_a_missing_cname():
    plan = plan_cname("img.example.com", TARGET, "example.com", [rec("www", "A", "1.2.3.4")])
    assert [s.describe() for s in plan.steps] == [f"create  img  CNAME  {TARGET}  TTL 600"]
    assert plan.ready and not plan.nothing_to_do and plan.rr == "img"


def test_plan_has_nothing_to_do_when_the_cname_is_in_place():
    records = [rec("img", "CNAME", TARGET.upper() + ".")]
    plan = plan_cname("img.example.com", TARGET, "example.com", records)
    assert plan.nothing_to_do and plan.steps == () and plan.blockers == ()


def test_plan_updates_a_cname_pointing_elsewhere():
    old = rec("img", "CNAME", "img.example.com.w.cdngslb.com")
    plan = plan_cname("img.example.com", TARGET, "example.com", [old])
    (step,) = plan.steps
    assert step.action == "update" and step.record_id == old.record_id
    assert step.describe() == f"update  img  CNAME  img.example.com.w.cdngslb.com -> {TARGET}"


def test_plan_enables_a_disabled_cname():
    off = rec("img", "CNAME", TARGET, status="disable")
    (step,) = plan_cname("img.example.com", TARGET, "example.com", [off]).steps
    assert (step.action, step.record_id) == ("enable", off.record_id)


def test_a_conflicting_record_blocks_the_plan_unless_replace_is_chosen():
    a = rec("www", "A", "1.2.3.4")
    cname = "www.example.com.w.kunlunsl.com"
    blocked = plan_cname("www.example.com", cname, "example.com", [a])
    assert not blocked.ready and [c.record for c in blocked.blockers] == [a]
    replaced = plan_cname("www.example.com", cname, "example.com", [a], replace=True)
    assert replaced.ready
    assert [s.describe() for s in replaced.steps] == [
        "delete  www  A  1.2.3.4",
        "create  www  CNAME  www.example.com.w.kunlunsl.com  TTL 600",
    ]


def test_apex_cname_beside_mx_is_a_warning_not_a_blocker():
    mx = rec("@", "MX", "mx1.example.com")
    plan = plan_cname("example.com", "example.com.w.kunlunsl.com", "example.com", [mx])
    assert plan.ready and [w.record for w in plan.warnings] == [mx]
    assert [s.action for s in plan.steps] == ["create"]


def test_wildcard_plan_warns_about_shadows_or_deletes_them():
    www = rec("www", "A", "1.2.3.4")
    cname = "all.example.com.w.kunlunsl.com"
    warned = plan_cname("*.example.com", cname, "example.com", [www])
    assert warned.rr == "*" and [w.code for w in warned.warnings] == ["shadow"]
    assert "www.example.com" in warned.warnings[0].message
    removed = plan_cname(".example.com", cname, "example.com", [www], remove_shadows=True)
    assert [s.describe() for s in removed.steps] == [
        "delete  www  A  1.2.3.4",
        f"create  *  CNAME  {cname}  TTL 600",
    ]


def test_pointed_at_finds_the_hosts_other_records_name_in_the_zone():
    mx = rec("@", "MX", "MX1.Example.com.")
    srv = rec("_sip._tcp", "SRV", "0 5 5060 sip.example.com")
    ns = rec("sub", "NS", "ns1.sub.example.com")
    alias = rec("blog", "CNAME", "www.example.com")
    apex = rec("go", "CNAME", "example.com")
    outside = [
        rec("@", "MX", "mx.example.net"),
        rec("cdn", "CNAME", "x.notexample.com"),
        rec("t", "TXT", "mx2.example.com"),
        rec("e", "MX", ""),
    ]
    found = pointed_at([mx, srv, ns, alias, apex, *outside], "Example.COM.")
    assert found == {"mx1": mx, "sip": srv, "ns1.sub": ns, "www": alias, "@": apex}


def test_a_wildcard_plan_never_deletes_a_host_another_record_points_at():
    mx = rec("@", "MX", "mx1.example.com")
    mx1 = rec("MX1", "A", "1.2.3.4")  # the mail server: shadows the wildcard, and stays
    www = rec("www", "A", "1.2.3.5")
    blog = rec("blog", "CNAME", "www.example.com.")
    sip = rec("sip", "A", "1.2.3.6")
    srv = rec("_sip._tcp", "SRV", "0 5 5060 SIP.example.com")
    records = [mx, mx1, www, blog, sip, srv]
    cname = "all.example.com.w.kunlunsl.com"
    removed = plan_cname("*.example.com", cname, "example.com", records, remove_shadows=True)
    assert [s.describe() for s in removed.steps] == [
        "delete  blog  CNAME  www.example.com.",
        f"create  *  CNAME  {cname}  TTL 600",
    ]
    kept = {w.record.rr: w for w in removed.warnings}
    assert set(kept) == {"MX1", "www", "sip"}
    assert {w.code for w in kept.values()} == {"shadow_kept"}
    assert "the MX record of example.com points at it" in kept["MX1"].message
    assert "the CNAME record of blog.example.com points at it" in kept["www"].message
    assert "the SRV record of _sip._tcp.example.com points at it" in kept["sip"].message
    # Without remove_shadows the kept ones are told apart from those w would delete.
    warned = plan_cname("*.example.com", cname, "example.com", records)
    assert {w.record.rr: w.code for w in warned.warnings} == {
        "MX1": "shadow_kept",
        "www": "shadow_kept",
        "sip": "shadow_kept",
        "blog": "shadow",
    }


def test_plan_uses_the_registrable_domain_when_no_zone_is_given():
    domain = "img.shop.example.com.cn"
    plan = plan_cname(domain, f"{domain}.w.kunlunsl.com", None, [], ttl=900)
    assert (plan.zone, plan.rr) == ("example.com.cn", "img.shop")
    assert plan.steps[0].ttl == 900


def test_plan_deletes_extra_cnames_at_the_host():
    right, extra = rec("img", "CNAME", TARGET), rec("img", "CNAME", "other.example.net")
    (step,) = plan_cname("img.example.com", TARGET, "example.com", [extra, right]).steps
    assert (step.action, step.record_id) == ("delete", extra.record_id)


def test_bind_line():
    assert bind_line("img.example.com", TARGET) == f"img.example.com. 600 IN CNAME {TARGET}."
    assert bind_line("*.example.com", "all.example.com.w.kunlunsl.com.", 300) == (
        "*.example.com. 300 IN CNAME all.example.com.w.kunlunsl.com."
    )
    assert bind_line(".example.com", "x.w.kunlunsl.com").startswith("*.example.com. 600 IN CNAME")


# -- plan idempotence -------------------------------------------------------------------


def apply(plan: Plan, records: list[DnsRecord]) -> list[DnsRecord]:
    """What Alidns ends up holding after the plan's steps, in order."""
    held = {r.record_id: r for r in records}
    for step in plan.steps:
        if step.action == "delete":
            del held[step.record_id]
        elif step.action == "update":
            held[step.record_id] = dataclasses.replace(
                held[step.record_id], value=step.value, ttl=step.ttl
            )
        elif step.action == "enable":
            held[step.record_id] = dataclasses.replace(held[step.record_id], status="ENABLE")
        else:
            new_id = f"new-{len(held)}-{step.rr}"
            held[new_id] = DnsRecord(
                new_id, plan.zone, step.rr, step.type, step.value, step.ttl, step.line
            )
    return list(held.values())


RECORD = st.builds(
    rec,
    rr=st.sampled_from(["@", "*", "img", "www", "a.b", "_dmarc"]),
    type=st.sampled_from(["A", "CNAME", "MX", "TXT", "cname"]),
    value=st.sampled_from(["1.2.3.4", TARGET, TARGET.upper() + ".", "old.example.net", "x"]),
    line=st.sampled_from(["default", "default", "telecom"]),
    status=st.sampled_from(["ENABLE", "enable", "DISABLE"]),
)


@given(
    st.lists(RECORD, max_size=8),
    st.sampled_from(["img.example.com", "example.com", "*.example.com"]),
    st.booleans(),
)
def test_applying_a_plan_then_planning_again_has_nothing_to_do(records, domain, remove_shadows):
    options = {"replace": True, "remove_shadows": remove_shadows}
    plan = plan_cname(domain, TARGET, "example.com", records, **options)
    assert plan.ready
    after = apply(plan, records)
    again = plan_cname(domain, TARGET, "example.com", after, **options)
    assert again.nothing_to_do, [s.describe() for s in again.steps]
    # One enabled CNAME to the target, alone at its host and line but for apex MX/TXT.
    here = [r for r in exact_rr(after, plan.rr) if r.line == "default"]
    allowed_beside = {"MX", "TXT"} if plan.rr == "@" else set()
    (cname,) = [r for r in here if r.type.upper() not in allowed_beside]
    assert cname.type.upper() == "CNAME" and cname.enabled
    assert cname.value.rstrip(".").lower() == TARGET


@given(st.lists(RECORD, max_size=8), st.sampled_from(["img.example.com", "*.example.com"]))
def test_a_plan_without_blockers_needs_no_replace(records, domain):
    plan = plan_cname(domain, TARGET, "example.com", records)
    if plan.ready:
        assert all(s.rr == plan.rr or s.action == "delete" for s in plan.steps)
        again = plan_cname(domain, TARGET, "example.com", apply(plan, records))
        assert again.nothing_to_do
    else:
        assert all(b.severity == "error" and b.record.rr.lower() == plan.rr for b in plan.blockers)


ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=80)  # surrogates included


@given(
    ANY_TEXT,
    st.sampled_from([*RECORD_TYPES, "cname", "SPF", ""]),
    ANY_TEXT,
    st.one_of(st.integers(), ANY_TEXT),
    st.one_of(st.none(), st.integers(), ANY_TEXT),
)
def test_record_checks_never_raise(rr, type, value, ttl, priority):
    check = check_record(rr, type, value, ttl, priority=priority)
    assert check.ok == (check.errors == ())
    assert all(p.message.endswith(".") for p in check.problems)
