"""The delivery check's pure rules: reading the URL, finding the CDN domain, reading the
edge's headers, and the verdict on what the edge and the origin said."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.delivery_rules import (
    CDN_HEADERS,
    EdgeAnswer,
    FetchUrl,
    OriginObject,
    UrlError,
    Verdict,
    cache_state,
    candidate_domains,
    cdn_headers,
    covering_domain,
    first_object,
    fix_command,
    judge,
    normal_etag,
    object_url,
    oss_error_code,
    parse_url,
)

# -- parse_url ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "scheme", "host", "path", "port"),
    [
        ("http://img.example.com/logo.png", "http", "img.example.com", "/logo.png", None),
        ("https://IMG.Example.com./a/b.js", "https", "img.example.com", "/a/b.js", None),
        ("http://img.example.com", "http", "img.example.com", "/", None),
        ("http://img.example.com/", "http", "img.example.com", "/", None),
        ("img.example.com/x.css", "http", "img.example.com", "/x.css", None),
        ("http://img.example.com:8080/x", "http", "img.example.com", "/x", 8080),
        ("http://bücher.example.com/x", "http", "xn--bcher-kva.example.com", "/x", None),
    ],
)
def test_urls_are_read(text, scheme, host, path, port):
    url = parse_url(text)
    assert (url.scheme, url.host, url.path, url.port) == (scheme, host, path, port)


def test_the_domain_alone_is_the_root():
    assert parse_url("http://img.example.com").root
    assert parse_url("http://img.example.com/").root
    assert not parse_url("http://img.example.com/index.html").root


def test_the_key_is_the_path_decoded_without_its_slash_and_the_query_is_kept():
    url = parse_url("http://img.example.com/docs/a%20b.txt?v=2#top")
    assert url.key == "docs/a b.txt"
    assert url.target == "/docs/a%20b.txt?v=2"
    assert str(url) == "http://img.example.com/docs/a%20b.txt?v=2"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "give a URL"),
        ("ftp://img.example.com/x", "only http"),
        ("mailto:a@example.com", "only http"),
        ("http://user:pw@img.example.com/x", "user name"),
        ("http://127.0.0.1/x", "not an address"),
        ("http:///x", "no host"),
        ("http://localhost/x", "not a host name"),
        ("http://*.example.com/x", "not a host name"),
        ("http://img.example.com/a b", "spaces"),
        ("http://img.example.com:99999/x", "not a URL"),
        ("http://img.example.com/\x1b[31m", "control"),
    ],
)
def test_bad_urls_say_why(text, says):
    with pytest.raises(UrlError, match=says):
        parse_url(text)


# Hyphens in the 3rd and 4th places are for A-labels only (xn--..., RFC 5891 4.2.3.1):
# a name such as 00--0.aa is refused, rightly.
labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True).filter(
    lambda label: label[2:4] != "--"
)
paths = st.lists(
    st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="?#%/\\")
    ).filter(bool),
    max_size=4,
)


tlds = st.from_regex(r"[a-z]{2,6}", fullmatch=True)  # never all digits: not an address


@given(st.lists(labels, min_size=1, max_size=3), tlds, paths, st.sampled_from(["http", "https"]))
def test_a_url_read_and_written_again_reads_the_same(host_labels, tld, segments, scheme):
    host = ".".join([*host_labels, tld])
    path = "/" + "/".join(segments)
    url = parse_url(f"{scheme}://{host}{path}")
    assert (url.scheme, url.host) == (scheme, host)
    assert parse_url(str(url)) == url
    assert url.root == (path == "/")
    assert url.default_port == (443 if scheme == "https" else 80)


@given(st.text(max_size=60))
def test_any_text_is_read_or_refused_with_a_reason(text):
    try:
        url = parse_url(text)
    except UrlError as error:
        assert str(error)
    else:
        assert url.scheme in ("http", "https")
        assert url.path.startswith("/")
        assert "." in url.host and url.host == url.host.lower()


# -- the CDN domain of a host -------------------------------------------------------------


def test_the_exact_domain_wins_over_a_wildcard_one_level_above():
    domains = [".example.com", "img.example.com", "static.example.com"]
    assert covering_domain("img.example.com", domains) == "img.example.com"
    assert covering_domain("new.example.com", domains) == ".example.com"
    assert covering_domain("a.b.example.com", ["*.example.com", ".b.example.com"]) == (
        ".b.example.com"
    )
    # One level only: deeper names are not served by the wildcard.
    assert covering_domain("a.b.example.com", [".example.com"]) is None
    assert covering_domain("example.com", [".example.com"]) is None
    assert covering_domain("img.example.org", domains) is None


@given(st.lists(labels, min_size=2, max_size=4), st.lists(labels, min_size=2, max_size=4))
def test_a_wildcard_covers_exactly_the_names_one_level_below_it(name_labels, wild_labels):
    host, wildcard = ".".join(name_labels), "." + ".".join(wild_labels)
    found = covering_domain(host, [wildcard])
    assert (found == wildcard) == (host.split(".", 1)[1] == wildcard[1:])


def test_the_candidates_are_the_name_then_the_wildcard_above_it():
    assert candidate_domains("a.b.example.com") == ["a.b.example.com", ".b.example.com"]
    assert candidate_domains("img.example.com.cn") == ["img.example.com.cn", ".example.com.cn"]
    assert candidate_domains("example.com") == ["example.com"]
    assert candidate_domains("example.com.cn") == ["example.com.cn"]


@given(st.lists(labels, min_size=2, max_size=5))
def test_every_candidate_covers_the_name(name_labels):
    host = ".".join(name_labels)
    for candidate in candidate_domains(host):
        assert covering_domain(host, [candidate]) == candidate


# -- the edge's headers -------------------------------------------------------------------


def test_the_cache_state_is_the_first_word_of_x_cache():
    assert cache_state("HIT TCP_MEM_HIT dirn:-2:-2") == "HIT"
    assert cache_state("MISS TCP_MISS dirn:-2:-2") == "MISS"
    assert cache_state("") is None
    assert cache_state(None) is None
    assert cache_state("   ") is None
    assert cache_state("EXPIRED") is None


def test_only_the_cdn_headers_are_kept_canonically_spelled_in_order():
    kept = cdn_headers(
        [
            ("server", "Tengine"),
            ("x-cache", "MISS TCP_MISS"),
            ("Set-Cookie", "a=b"),
            ("Authorization", "secret"),
            ("etag", '"ABC"'),
            ("X-Cache", "HIT second"),
        ]
    )
    assert kept == (("X-Cache", "MISS TCP_MISS"), ("ETag", '"ABC"'), ("Server", "Tengine"))
    assert {name for name, _ in kept} <= set(CDN_HEADERS)


def test_etags_compare_without_quotes_weakness_or_case():
    assert normal_etag('"5d41402abc4b2a76b9719d911017c592"') == "5D41402ABC4B2A76B9719D911017C592"
    assert normal_etag('W/"abc"') == "ABC"
    assert normal_etag(None) == ""


def test_the_oss_error_code_is_read_from_its_xml():
    body = b"<?xml version='1.0'?><Error><Code>AccessDenied</Code><Message>x</Message></Error>"
    assert oss_error_code(body) == "AccessDenied"
    assert oss_error_code(b"<h1>Not Found</h1>") == ""


# -- judgement ----------------------------------------------------------------------------

URL = parse_url("http://img.example.com/img/logo.png")
ROOT = parse_url("http://img.example.com/")
ORIGIN = OriginObject(True, "ABC", 17, 1.0)


def edge(status=200, etag='"ABC"', length=17, x_cache="MISS TCP_MISS", code=""):
    headers = [("X-Cache", x_cache)] if x_cache else []
    if etag:
        headers.append(("ETag", etag))
    return EdgeAnswer(status, tuple(headers), length, "", code)


def test_the_same_object_is_served_and_says_where_from():
    verdict, text = judge(URL, "img.example.com", edge(), ORIGIN)
    assert verdict is Verdict.SERVED and "from the origin just now" in text
    verdict, text = judge(URL, "img.example.com", edge(x_cache="HIT TCP_MEM_HIT"), ORIGIN)
    assert verdict is Verdict.SERVED and "cache" in text


def test_another_etag_or_size_is_stale():
    assert judge(URL, "img.example.com", edge(etag='"OLD"'), ORIGIN)[0] is Verdict.STALE
    assert judge(URL, "img.example.com", edge(length=3), ORIGIN)[0] is Verdict.STALE
    gone = OriginObject(False)
    verdict, text = judge(URL, "img.example.com", edge(), gone)
    assert verdict is Verdict.STALE and "no longer holds" in text


def test_without_an_etag_the_body_md5_is_compared():
    answer = EdgeAnswer(200, (), 17, "ABC")
    assert judge(URL, "img.example.com", answer, ORIGIN)[0] is Verdict.SERVED
    answer = EdgeAnswer(200, (), 17, "DEF")
    assert judge(URL, "img.example.com", answer, ORIGIN)[0] is Verdict.STALE


def test_a_private_origin_is_denied_and_the_fix_is_named():
    verdict, text = judge(
        URL, ".example.com", edge(403, etag="", code="AccessDenied"), ORIGIN, bucket="demo-video"
    )
    assert verdict is Verdict.DENIED
    assert "demo-video" in text and "key o" in text
    assert fix_command(".example.com") in text
    assert "l2_oss_key" in text and "private_oss_auth" in text
    assert "*.example.com" in text  # the name as people write it
    assert "public" not in text.replace("Keep the bucket private", "")


def test_another_403_points_at_access_control():
    verdict, text = judge(URL, "img.example.com", edge(403, etag=""), None)
    assert verdict is Verdict.DENIED and "Referer" in text


def test_404_is_not_found_with_the_key():
    verdict, text = judge(URL, "img.example.com", edge(404, etag=""), OriginObject(False))
    assert verdict is Verdict.NOT_FOUND and "img/logo.png" in text


def test_a_404_for_an_object_the_origin_now_holds_is_stale():
    verdict, text = judge(URL, "img.example.com", edge(404, etag=""), ORIGIN)
    assert verdict is Verdict.STALE and "refresh" in text


@pytest.mark.parametrize("status", [403, 404])
def test_the_domain_alone_is_explained_with_an_object_to_try(status):
    verdict, text = judge(
        ROOT, "img.example.com", edge(status, code="AccessDenied"), None, example="http://x/y"
    )
    assert verdict is Verdict.NOT_FOUND
    assert "AccessDenied" in text and "no default page" in text and "http://x/y" in text
    verdict, text = judge(ROOT, "img.example.com", edge(status), None, example=None)
    assert "upload one" in text


def test_other_statuses_are_errors():
    verdict, text = judge(URL, "img.example.com", edge(502, etag=""), ORIGIN)
    assert verdict is Verdict.ERROR and "502" in text


@given(
    st.integers(100, 599),
    st.sampled_from(["", "AccessDenied", "NoSuchKey"]),
    st.booleans(),
    st.sampled_from(['"ABC"', '"DEF"', ""]),
)
def test_every_answer_gets_one_of_the_verdicts_and_an_explanation(status, code, root, etag):
    url = ROOT if root else URL
    verdict, text = judge(url, "img.example.com", edge(status, etag=etag, code=code), ORIGIN)
    assert text
    if 200 <= status < 300:
        assert verdict in (Verdict.SERVED, Verdict.STALE)
        assert (verdict is Verdict.SERVED) == (root or etag in ('"ABC"', ""))
    else:
        assert verdict is not Verdict.SERVED
        # The origin holds the object: a 404 for it is the edge's old answer.
        assert (verdict is Verdict.STALE) == (status == 404 and not root)


def test_the_first_object_skips_directory_markers():
    assert first_object(["img/", "img/logo.png"]) == "img/logo.png"
    assert first_object(["a/"]) is None
    url = parse_url("https://img.example.com/")
    assert object_url(url, "docs/a b.txt") == "https://img.example.com/docs/a%20b.txt"
    assert parse_url(object_url(url, "docs/a b.txt")).key == "docs/a b.txt"


def test_a_fetch_url_is_frozen():
    assert FetchUrl("http", "a.b", "/") == parse_url("http://a.b")
