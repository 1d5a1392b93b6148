"""Domain-name and OSS-origin rules (tui/rules.py): one case per rule, plus properties."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui import rules
from tui.rules import (
    _DOMAIN_RULES,
    OssEndpoint,
    api_name,
    check_domain,
    check_names,
    check_origin_host,
    display_name,
    domain_checklist,
    host_of,
    is_wildcard,
    known_names,
    parse_origin,
    root_domain,
)


def codes(name: str, **kwargs) -> set[str]:
    return {p.code for p in check_domain(name, **kwargs).problems}


def one_sentence(message: str) -> bool:
    """Ends with a full stop and has no sentence break inside."""
    return message.endswith(".") and not re.search(r"[.;:] [A-Z][a-z]", message.replace("…", ""))


# -- one row per rule: the name, what else is passed, exactly the problems expected ----------

RULE_CASES = [
    ("", {}, {"empty"}),
    ("   ", {}, {"empty"}),
    ("http://img.example.com", {}, {"url"}),
    ("img.example.com/a.png", {}, {"url"}),
    ("img.example.com:8080", {}, {"url"}),
    ("img example.com", {}, {"spaces"}),
    (" img.example.com ", {}, {"spaces"}),
    ("Img.Example.com", {}, {"uppercase"}),
    ("图片.example.com", {}, {"non_ascii"}),
    ("img_1.example.com", {}, {"characters"}),
    ("img!.example.com", {}, {"characters"}),
    ("a" * 60 + ".example.com", {}, {"length"}),
    ("*." + "例" * 32 + ".com", {}, {"non_ascii", "length"}),  # 38 characters, 102 bytes
    (".example.com", {}, {"empty_label"}),
    ("img..example.com", {}, {"empty_label"}),
    ("img.example.com.", {}, {"empty_label"}),
    ("a" * 64 + ".cn", {}, {"label_length"}),  # 67 characters: only the label is too long
    ("-img.example.com", {}, {"hyphen_edge"}),
    ("img-.example.com", {}, {"hyphen_edge"}),
    ("-.example.com", {}, {"hyphen_edge"}),  # a lone hyphen
    ("a--b.example.com", {}, {"double_hyphen"}),
    ("xn--zzzz.example.com", {}, {"punycode"}),
    ("a.*.example.com", {}, {"wildcard"}),
    ("*img.example.com", {}, {"wildcard"}),
    ("**.example.com", {}, {"wildcard"}),
    ("*", {}, {"wildcard"}),
    ("203.0.113.10", {}, {"ip_address"}),
    ("2001:db8::1", {}, {"ip_address"}),
    ("com", {}, {"public_suffix"}),
    ("com.cn", {}, {"public_suffix"}),
    ("*.com", {}, {"wildcard_suffix"}),
    ("*.com.cn", {}, {"wildcard_suffix"}),
    ("*.net.cn", {}, {"wildcard_suffix"}),
    ("img.example.com", {"existing": ["IMG.example.com"]}, {"exists"}),
    ("*.example.com", {"existing": [".example.com"]}, {"exists"}),
    ("*.Example.com", {"existing": ["*.example.com"]}, {"uppercase", "exists"}),
    ("img.example.com", {"origin": "img.example.com"}, {"origin_loop"}),
    ("img.example.com", {"origin": "img.example.com:443"}, {"origin_loop"}),
    ("img.example.com", {"origin": "https://IMG.example.com/bucket"}, {"origin_loop"}),
    ("*.example.com", {"origin": "bkt.example.com"}, {"origin_loop"}),
]


@pytest.mark.parametrize(("name", "kwargs", "expected"), RULE_CASES)
def test_each_rule(name, kwargs, expected):
    check = check_domain(name, **kwargs)
    assert {p.code for p in check.problems} == expected
    assert not check.ok
    assert all(one_sentence(p.message) for p in check.problems), [p.message for p in check.problems]


def test_every_rule_has_a_case():
    covered = set().union(*(expected for _, _, expected in RULE_CASES))
    assert covered == {rule.code for rule in _DOMAIN_RULES}


@pytest.mark.parametrize(
    "name",
    [
        "img.example.com",
        "example.com",
        "testcdn.example.com",
        "*.example.com",
        "*.shop.example.com",
        "img.shop.example.com.cn",
        "*.example.com.cn",
        "xn--fsqu00a.com",
        "img.xn--fsqu00a.xn--fiqs8s",
        "a-b-c.example.com",
        "0.example.com",
        "a" * 63 + ".cn",
        "a" * 55 + ".example.com",  # exactly 67 characters
    ],
)
def test_good_names_pass_every_rule(name):
    origin = "bkt.oss-cn-hangzhou.aliyuncs.com"
    check = check_domain(name, existing=["other.example.com"], origin=origin)
    assert check.ok and check.problems == ()
    assert check.fix is None
    assert all(item.passed is not False for item in check.checklist)


def test_api_name_of_a_wildcard_drops_the_asterisk():
    assert check_domain("*.example.com").api_name == ".example.com"
    assert check_domain("img.example.com").api_name == "img.example.com"
    assert api_name("*.example.com") == ".example.com"
    assert display_name(".example.com") == "*.example.com"
    assert display_name("img.example.com") == "img.example.com"


def test_a_wildcard_under_a_public_suffix_is_refused_but_under_a_domain_is_fine():
    assert "wildcard_suffix" in codes("*.com.cn")
    assert check_domain("*.example.com.cn").ok


def test_non_ascii_message_offers_punycode_and_mentions_icp():
    check = check_domain("图片.例子.com")
    (problem,) = check.problems
    assert "xn--wcsw84d.xn--fsqu00a.com" in problem.message
    assert "ICP" in problem.message
    assert check.fix is not None
    assert check.fix.value == "xn--wcsw84d.xn--fsqu00a.com"
    assert check.fix.label == "Use Punycode"
    assert check_domain(check.fix.value).ok


@pytest.mark.parametrize(
    ("name", "value", "label"),
    [
        ("Img.Example.COM", "img.example.com", "Use lowercase"),
        ("https://IMG.example.com/a.png", "img.example.com", "Use the host name"),
        ("img.example.com:8080", "img.example.com", "Use the host name"),
        ("  img.example.com ", "img.example.com", "Remove the spaces"),
        ("img.example.com.", "img.example.com", "Remove the trailing dot"),
        ("ＩＭＧ.例子.com", "img.xn--fsqu00a.com", "Use Punycode"),  # full-width letters too
    ],
)
def test_mechanical_fixes(name, value, label):
    check = check_domain(name)
    assert check.fix is not None
    assert (check.fix.value, check.fix.label) == (value, label)
    # Every problem the fix cures points at it, and the fixed name passes.
    assert all(p.fix == check.fix for p in check.problems)
    assert check_domain(check.fix.value).ok


def test_no_fix_is_offered_where_none_is_mechanical():
    for name in ("img_1.example.com", "img example.com", "*.com", "a--b.example.com"):
        check = check_domain(name)
        assert check.fix is None
        assert all(p.fix is None for p in check.problems)


def test_fix_is_only_attached_to_problems_it_cures():
    check = check_domain("IMG_1.example.com")
    by_code = {p.code: p for p in check.problems}
    assert by_code["uppercase"].fix is not None
    assert by_code["uppercase"].fix.value == "img_1.example.com"
    assert by_code["characters"].fix is None


def test_checklist_follows_the_rule_table_and_the_problems():
    items = domain_checklist("Img.example.com", existing=["x.example.com"])
    assert [i.code for i in items] == [rule.code for rule in _DOMAIN_RULES]
    failed = [i.code for i in items if i.passed is False]
    assert failed == ["uppercase"]
    origin = next(i for i in items if i.code == "origin_loop")
    assert origin.passed is None  # no origin given: not applicable yet
    assert all(i.label for i in items)


def test_checklist_while_typing_an_empty_name():
    items = domain_checklist("")
    assert {i.code: i.passed for i in items}["empty"] is False
    assert all(i.passed is None for i in items if i.code != "empty")


def test_checklist_rules_apply_by_kind_of_name():
    passed = {i.code: i.passed for i in domain_checklist("*.example.com")}
    assert passed["wildcard_suffix"] is True and passed["public_suffix"] is None
    passed = {i.code: i.passed for i in domain_checklist("img.example.com")}
    assert passed["public_suffix"] is True and passed["wildcard_suffix"] is None
    # An IP address is judged by the IP rule alone, not by the label rules.
    for address in ("2001:db8::1", "203.0.113.10"):
        passed = {i.code: i.passed for i in domain_checklist(address)}
        assert passed["ip_address"] is False
        assert passed["characters"] is None and passed["public_suffix"] is None


def test_nasty_input_gives_problems_not_exceptions():
    for name in ("\x00", "img\x00.example.com", "\ud800.com", "\udcff", "a\nb.com", "\u202e.com"):
        check = check_domain(name)
        assert not check.ok
        # Messages are printable: control characters and lone surrogates come escaped.
        assert all(p.message.isprintable() for p in check.problems), name


@pytest.mark.parametrize(
    "name", ["ab." * 400_000 + "com", "例." * 400_000 + "com"], ids=["ascii", "chinese"]
)
def test_a_huge_paste_is_judged_with_short_messages(name):
    check = check_domain(name)
    assert "length" in {p.code for p in check.problems}
    assert all(len(p.message) < 300 for p in check.problems)


# -- helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "root"),
    [
        ("img.shop.example.com.cn", "example.com.cn"),
        ("img.example.com", "example.com"),
        ("example.com", "example.com"),
        ("*.example.com", "example.com"),
        (".shop.example.com", "example.com"),
        ("IMG.Example.COM.", "example.com"),
        ("a.b.example.net.cn", "example.net.cn"),
        ("img.例子.中国", "xn--fsqu00a.xn--fiqs8s"),
        ("com.cn", "com.cn"),  # a bare suffix has no registrable part: it comes back
    ],
)
def test_root_domain(name, root):
    assert root_domain(name) == root


def test_only_icann_suffixes_count_as_top_level():
    # Private PSL entries (github.io, ...) are names a company owns and may accelerate.
    assert root_domain("img.foo.github.io") == "github.io"
    assert check_domain("*.github.io").ok
    assert "wildcard_suffix" in codes("*.co.uk")


def test_is_wildcard():
    assert is_wildcard("*.example.com") and is_wildcard(".example.com")
    assert not is_wildcard("example.com") and not is_wildcard(".") and not is_wildcard("*")


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("img.example.com", "img.example.com"),
        ("img.example.com:443", "img.example.com"),
        ("https://img.example.com:8443/a?b#c", "img.example.com"),
        ("[2001:db8::1]:80", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("  bkt.oss-cn-hangzhou.aliyuncs.com  ", "bkt.oss-cn-hangzhou.aliyuncs.com"),
    ],
)
def test_host_of(text, host):
    assert host_of(text) == host


# -- OSS origins ------------------------------------------------------------------------


def test_a_public_bucket_endpoint_is_a_good_origin():
    assert check_origin_host("demo-assets.oss-cn-hangzhou.aliyuncs.com") == []
    assert parse_origin("https://demo-assets.oss-cn-hangzhou.aliyuncs.com/") == OssEndpoint(
        "demo-assets", "cn-hangzhou"
    )


def test_the_internal_endpoint_is_refused_with_the_public_one_offered():
    (problem,) = check_origin_host("bkt.oss-cn-hangzhou-internal.aliyuncs.com")
    assert problem.code == "origin_internal"
    assert problem.fix is not None and problem.fix.value == "bkt.oss-cn-hangzhou.aliyuncs.com"
    endpoint = parse_origin("bkt.oss-ap-southeast-1-internal.aliyuncs.com")
    assert endpoint == OssEndpoint("bkt", "ap-southeast-1", internal=True)
    assert endpoint.public_host == "bkt.oss-ap-southeast-1.aliyuncs.com"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("", {"origin_empty"}),
        ("example.com", {"origin_not_oss"}),
        ("bkt.oss-cn-hangzhou.aliyuncs.com.evil.com", {"origin_not_oss"}),
        ("https://bkt.oss-cn-hangzhou.aliyuncs.com/", {"origin_url"}),
        ("Bkt.oss-cn-hangzhou.aliyuncs.com", {"origin_uppercase"}),
        ("ab.oss-cn-hangzhou.aliyuncs.com", {"bucket_name"}),  # too short
        ("-bkt.oss-cn-hangzhou.aliyuncs.com", {"bucket_name"}),
        ("bkt-.oss-cn-hangzhou.aliyuncs.com", {"bucket_name"}),
        ("b_kt.oss-cn-hangzhou.aliyuncs.com", {"bucket_name"}),
        ("b" * 40 + ".oss-cn-hangzhou.aliyuncs.com", {"origin_length"}),
    ],
)
def test_origin_rules(host, expected):
    problems = check_origin_host(host)
    assert {p.code for p in problems} == expected
    assert all(one_sentence(p.message) for p in problems)


# -- properties ---------------------------------------------------------------------------

LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True).filter(
    lambda label: "--" not in label
)
DOMAIN = st.lists(LABEL, min_size=1, max_size=3).map(lambda labels: ".".join(labels) + ".com")
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=120)  # surrogates included
NAMEISH = st.text(alphabet="abcXY09-._*:/ 例\x00\ud800", max_size=40)


@given(
    st.one_of(ANY_TEXT, NAMEISH),
    st.lists(st.one_of(ANY_TEXT, NAMEISH), max_size=3),
    st.one_of(st.none(), ANY_TEXT, NAMEISH),
)
def test_check_domain_never_raises_and_is_consistent(name, existing, origin):
    check = check_domain(name, existing=existing, origin=origin)
    assert check.ok == (check.problems == ())
    failed = {i.code for i in check.checklist if i.passed is False}
    assert {p.code for p in check.problems} == failed
    assert all(p.message for p in check.problems)
    if check.fix is not None:
        cured = {p.code for p in check.problems if p.fix is not None}
        assert cured and not cured & codes(check.fix.value, existing=existing, origin=origin)


@given(DOMAIN)
def test_wildcard_api_name_round_trips(domain):
    check = check_domain("*." + domain)
    assert check.api_name == "." + domain
    assert display_name(check.api_name) == "*." + domain
    assert root_domain(check.api_name) == root_domain("*." + domain)


@given(DOMAIN, st.data())
def test_lowercasing_fix_removes_the_uppercase_problem(domain, data):
    flags = data.draw(st.lists(st.booleans(), min_size=len(domain), max_size=len(domain)))
    shouted = "".join(c.upper() if up else c for c, up in zip(domain, flags, strict=False))
    check = check_domain(shouted)
    if shouted == domain:
        assert "uppercase" not in codes(shouted)
    else:
        assert check.fix is not None and check.fix.value == domain
        assert "uppercase" not in codes(check.fix.value)


HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@given(
    st.lists(st.text(HAN, min_size=1, max_size=5), min_size=1, max_size=2),
    st.sampled_from(["com", "cn", "中国"]),
)
def test_punycode_fix_is_ascii(labels, tld):
    check = check_domain(".".join([*labels, tld]))
    assert "non_ascii" in {p.code for p in check.problems}
    assert check.fix is not None and check.fix.value.isascii()
    assert "non_ascii" not in codes(check.fix.value)


@given(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=20))
def test_a_single_label_under_a_public_suffix_is_registrable(label):
    for suffix in ("com", "com.cn", "net.cn"):
        assert root_domain(f"img.{label}.{suffix}") == f"{label}.{suffix}"


# -- the account's names keyed once (known_names) ------------------------------------------

SPELLINGS = [
    lambda n: n,
    lambda n: n.upper(),
    lambda n: "*." + n,
    lambda n: "." + n,
    lambda n: n + ".",
    lambda n: " " + n,
]


@given(
    st.one_of(DOMAIN, NAMEISH),
    st.lists(st.one_of(DOMAIN, NAMEISH, ANY_TEXT), max_size=6),
    st.lists(st.sampled_from(range(len(SPELLINGS))), max_size=3),
    st.one_of(st.none(), DOMAIN),
)
def test_prebuilt_names_judge_exactly_as_the_list_does(name, others, spellings, origin):
    # The typed name among the account's names in some spellings: the "exists" rule fires.
    existing = [*others, *(SPELLINGS[i](name) for i in spellings)]
    known = known_names(existing)
    assert check_domain(name, existing=known, origin=origin) == check_domain(
        name, existing=existing, origin=origin
    )
    text = f"{name}, {', '.join(others[:2])}"
    assert check_names(text, existing=known, origin=origin) == check_names(
        text, existing=existing, origin=origin
    )


def test_known_names_are_keyed_once_and_reused():
    known = known_names(["Img.Example.com", "*.example.org"])
    assert known == {"img.example.com", ".example.org"}
    assert known_names(known) is known  # handed on as it is, never keyed again
    assert "exists" in codes("img.example.com", existing=known)
    assert "exists" in codes("*.example.org", existing=known)


# -- the public-suffix list, parsed once ---------------------------------------------------


def test_the_public_suffix_list_is_parsed_once_and_kept(monkeypatch):
    monkeypatch.setattr(rules, "_public_suffixes", None)
    loaded = rules.load_public_suffixes()
    assert rules._public_suffixes is loaded
    # The rules that need it (public suffix, wildcard suffix, root domain) use that one.
    assert "public_suffix" in codes("com.cn")
    assert "wildcard_suffix" in codes("*.com")
    assert root_domain("img.shop.example.com.cn") == "example.com.cn"
    assert rules._public_suffixes is loaded
    assert rules.load_public_suffixes() is loaded


def test_on_the_event_loop_the_suffix_rules_wait_for_the_list_not_the_loop(monkeypatch):
    monkeypatch.setattr(rules, "_public_suffixes", None)
    pending = check_domain("com.cn", wait_for_suffixes=False)
    assert rules._public_suffixes is None  # not parsed here
    assert {i.code: i.passed for i in pending.checklist}["public_suffix"] is None
    assert not rules.public_suffixes_loaded()
    rules.load_public_suffixes()
    assert "public_suffix" in {
        p.code for p in check_domain("com.cn", wait_for_suffixes=False).problems
    }
