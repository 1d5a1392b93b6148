"""The refresh/prefetch rules: what a typed line means, and the URL of an OSS key."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.cache_rules import (
    PREFETCH,
    PREFETCH_URLS_PER_REQUEST,
    REFRESH,
    REFRESH_DIRS_PER_REQUEST,
    REFRESH_URLS_PER_REQUEST,
    batches,
    check,
    check_line,
    host_matches,
    object_key,
    object_url,
)

D = "img.example.com"


def problem(text: str, domain: str = D, mode: str = REFRESH) -> str:
    return check_line(text, domain, mode).problem


def test_a_file_and_a_directory_of_the_domain():
    file = check_line("http://img.example.com/img/logo.png", D)
    assert (file.ok, file.object_type, file.url) == (
        True,
        "File",
        "http://img.example.com/img/logo.png",
    )
    folder = check_line("HTTPS://IMG.example.com/img/", D)
    assert (folder.object_type, folder.url) == ("Directory", "https://img.example.com/img/")


def test_refused_lines_say_why():
    assert "http:// or https://" in problem("img.example.com/logo.png")
    assert "http:// or https://" in problem("ftp://img.example.com/logo.png")
    assert "is not img.example.com" in problem("http://static.example.com/logo.png")
    assert "is not img.example.com" in problem("http://img.example.com.evil.net/x")
    assert "no port" in problem("http://img.example.com:8080/x")
    assert "control characters" in problem("http://img.example.com/\x1b]52;c;x")
    assert "fragment" in problem("http://img.example.com/a#b")
    assert "no domain" in problem("http:///x")
    assert "1024" in problem("http://img.example.com/" + "a" * 1100)


def test_prefetch_takes_files_only():
    assert "files only" in problem("http://img.example.com/img/", mode=PREFETCH)
    assert problem("http://img.example.com/img/a.png", mode=PREFETCH) == ""


def test_a_wildcard_domain_matches_one_level_below_and_refreshes_directories_only():
    wild = ".example.com"
    assert host_matches("a.example.com", wild) and host_matches("a.example.com", "*.example.com")
    assert not host_matches("example.com", wild)
    assert not host_matches("a.b.example.com", wild)
    assert "cannot be refreshed by URL" in problem("http://a.example.com/x.png", wild)
    assert "no * in a URL" in problem("http://*.example.com/x/", wild)
    assert check_line("http://a.example.com/x/", wild).object_type == "Directory"
    assert "is not *.example.com" in problem("http://a.b.example.com/x/", wild)


def test_non_ascii_paths_are_sent_encoded():
    entry = check_line("http://img.example.com/图片/a b.png", D)
    assert entry.url == "http://img.example.com/%E5%9B%BE%E7%89%87/a%20b.png"
    assert entry.note == "sent URL-encoded"
    # An escape already there stays as typed.
    assert check_line("http://img.example.com/a%20b.png", D).url.endswith("/a%20b.png")


def test_duplicates_blank_lines_and_mixed_types():
    result = check(
        "http://img.example.com/a.png\n\nhttp://IMG.example.com/a.png\nhttp://img.example.com/d/",
        D,
        remaining={"File": 10, "Directory": 10},
    )
    assert [e.line for e in result.entries] == [1, 3, 4]
    assert result.entries[1].problem == "the same as line 1"
    assert result.object_type is None  # URLs and a directory: two requests
    assert not result.sendable
    assert "1 line to fix" in result.summary()


def test_quota_and_per_request_limits():
    lines = "\n".join(f"http://img.example.com/{i}.png" for i in range(5))
    fits = check(lines, D, remaining={"File": 5})
    assert fits.sendable and "5 URLs (up to 1000 a request; 5 left today)" in fits.summary()
    over = check(lines, D, remaining={"File": 3})
    assert over.over_quota() == {"File": 2} and not over.sendable
    assert "URLs over today's quota by 2" in over.summary()
    dirs = "\n".join(f"http://img.example.com/{i}/" for i in range(REFRESH_DIRS_PER_REQUEST + 1))
    too_many = check(dirs, D, remaining={"Directory": 1000})
    assert not too_many.sendable and "over the 100 a request" in too_many.summary()
    prefetch = check(lines, D, PREFETCH, remaining={"Preload": 4})
    assert prefetch.over_quota() == {"File": 1}


def test_object_url_of_a_wildcard_is_refused():
    try:
        object_url(".example.com", "a.png")
    except ValueError as error:
        assert "wildcard" in str(error)
    else:
        raise AssertionError("a wildcard domain has no one URL")


keys = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(
    lambda k: not k.startswith("/")
)


@given(keys)
def test_object_url_round_trips_and_is_a_valid_refresh_url(key):
    url = object_url(D, key)
    assert object_key(url) == key
    assert url.startswith("http://img.example.com/")
    # What the edge serves is what CDN is asked to refresh: taken as built.
    entry = check_line(url, D)
    assert (entry.problem, entry.url) == ("", url)
    assert entry.object_type == ("Directory" if key.endswith("/") else "File")


@given(
    st.lists(st.text(min_size=1, max_size=5), max_size=50),
    st.integers(1, 12),
    st.none() | st.integers(-3, 60),
)
def test_batches_keep_order_respect_limits_and_count_what_is_left(items, size, remaining):
    cut, left = batches(items, size, remaining)
    sent = [item for batch in cut for item in batch]
    assert sent == items[: len(sent)]
    assert all(0 < len(batch) <= size for batch in cut)
    assert len(sent) + left == len(items)
    if remaining is not None:
        assert len(sent) == max(0, min(remaining, len(items)))


@given(st.lists(st.sampled_from(["a.png", "b/c.js", "d/", "x y.css", "e/"]), max_size=30))
def test_check_counts_every_valid_line_once(paths):
    text = "\n".join(f"http://img.example.com/{p}" for p in paths)
    result = check(text, D)
    distinct = set(paths)
    assert len(result.valid) == len(distinct)
    assert len(result.problems) == len(paths) - len(distinct)
    assert result.count("Directory") == sum(1 for p in distinct if p.endswith("/"))


def test_the_documented_limits():
    assert (REFRESH_URLS_PER_REQUEST, REFRESH_DIRS_PER_REQUEST, PREFETCH_URLS_PER_REQUEST) == (
        1000,
        100,
        100,
    )


def test_since_accepts_spans_dates_and_the_last_refresh():
    from datetime import datetime, timezone

    from tui.cache_rules import parse_since

    assert parse_since("2h").ago == 7200
    assert parse_since(" 30m ").ago == 1800
    assert parse_since("1d").ago == 86400
    assert parse_since("1h30m").ago == 5400
    assert parse_since("since the last refresh").last_refresh
    assert parse_since("last").last_refresh
    utc = datetime(2026, 11, 29, 8, 0, tzinfo=timezone.utc).timestamp()
    assert parse_since("2026-11-29T08:00Z").at == utc
    assert parse_since("2026-11-29T10:00+02:00").at == utc
    assert parse_since("2026-11-29").at == datetime(2026, 11, 29).timestamp()  # local midnight
    for bad in ("", "yesterday", "2x", "0m", "h"):
        try:
            parse_since(bad)
        except ValueError as error:
            assert str(error)
        else:
            raise AssertionError(f"{bad!r} was accepted")


@given(st.integers(1, 10_000), st.sampled_from("smhdw"))
def test_any_span_is_its_seconds(n, unit):
    from tui.cache_rules import parse_since

    assert (
        parse_since(f"{n}{unit}").ago
        == n * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit]
    )
