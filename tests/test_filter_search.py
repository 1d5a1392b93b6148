"""The list filters as Searches (tui/listing.py): each item's text worked out once, a
filter text read once, and a text that narrows the one before looked for among the last
matches. Property tests against the filters as they were written before (every item's
text built and lowercased on every keystroke), which they must agree with exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.listing import (
    DOMAIN_SEARCH,
    RECORD_FIELDS,
    RECORD_SEARCH,
    SEARCHED_RECORD_FIELDS,
    filter_domains,
    filter_records,
    matches_every_word,
)
from tui.rules import display_name
from tui.services.models import CdnDomain, DnsRecord, Source

# -- the filters as they were (the reference) ----------------------------------------------


def domains_before(domains, text):
    if not text.strip():
        return list(domains)
    return [
        d
        for d in domains
        if matches_every_word(f"{display_name(d.name)} {d.cname} {d.origin} {d.status}", text)
    ]


def records_before(records, text):
    exact, loose = [], []
    for word in text.lower().split():
        field, colon, wanted = word.partition(":")
        if colon and field in RECORD_FIELDS:
            if wanted:
                exact.append((field, wanted))
        else:
            loose.append(word)
    if not exact and not loose:
        return list(records)
    words = " ".join(loose)
    return [
        r
        for r in records
        if all(RECORD_FIELDS[f](r).lower() == wanted for f, wanted in exact)
        and matches_every_word(" ".join(RECORD_FIELDS[f](r) for f in SEARCHED_RECORD_FIELDS), words)
    ]


# -- strategies ------------------------------------------------------------------------------

# U+0130 (capital I with a dot) lowercases to two characters: a key lowercased whole must
# still agree with the text lowercased word by word.
LETTERS = "abAB.-*1\u0130"
piece = st.text(alphabet=LETTERS, min_size=1, max_size=4)
STATUSES = ("online", "offline", "configuring", "stopping")


@st.composite
def domains(draw):
    name = draw(st.sampled_from(["", "."])) + ".".join(
        draw(st.lists(piece, min_size=1, max_size=3))
    )
    return CdnDomain(
        name=name,
        status=draw(st.sampled_from(STATUSES)),
        cname=f"{name}.w.kunlunsl.com",
        sources=(Source(type="oss", content=draw(piece) + ".oss-cn-hangzhou.aliyuncs.com"),),
    )


@st.composite
def records(draw):
    return DnsRecord(
        record_id=str(draw(st.integers(0, 10**6))),
        zone="example.com",
        rr=draw(st.sampled_from(["@", "*", "www", "img", "WWW2"])),
        type=draw(st.sampled_from(["A", "CNAME", "TXT", "MX"])),
        value=draw(piece),
        ttl=draw(st.sampled_from([600, 3600])),
        status=draw(st.sampled_from(["ENABLE", "DISABLE", "enable"])),
    )


words = st.sampled_from(
    ["a", "A", "b.", "kun", "online", "*.a", "oss", "1", "-", "\u0130", "i", "on", "line", "w.k"]
)
record_words = st.sampled_from(
    [
        "www",
        "W",
        "a",
        "cname",
        "type:a",
        "type:",
        "TYPE:CNAME",
        "rr:@",
        "status:disable",
        "ttl:600",
        "line:default",
        "value:",
        "x:y",
        "1",
    ]
)
texts = st.lists(words, max_size=3).map(" ".join)
record_texts = st.lists(record_words, max_size=3).map(" ".join)


# -- the same rows as before -------------------------------------------------------------------


@given(st.lists(domains(), max_size=30), texts)
def test_domains_match_as_before(listed, text):
    assert filter_domains(listed, text) == domains_before(listed, text)


@given(st.lists(records(), max_size=30), record_texts)
def test_records_match_as_before(listed, text):
    assert filter_records(listed, text) == records_before(listed, text)


def test_over_10000_domains_every_text_typed_gives_the_rows_it_gave_before():
    listed = [
        CdnDomain(
            name=f"{'.' if i % 97 == 0 else ''}d{i:05}.example{i % 7}.com",
            status=STATUSES[i % 4],
            cname=f"d{i:05}.example{i % 7}.com.w.kunlunsl.com",
            sources=(Source(type="oss", content=f"bkt{i % 13}.oss-cn-hangzhou.aliyuncs.com"),),
        )
        for i in range(10_000)
    ]
    typed = "d004 example3 online"
    for end in range(len(typed) + 1):  # every prefix, as typed key by key
        text = typed[:end]
        assert filter_domains(listed, text) == domains_before(listed, text)
    assert len(filter_domains(listed, "*.d00")) == len(domains_before(listed, "*.d00")) > 0


# -- narrowing: a text that narrows the one before finds its rows among that one's ----------


@given(st.lists(domains(), max_size=30), texts, texts)
def test_a_narrowing_domain_text_loses_no_row(listed, before, after):
    if DOMAIN_SEARCH.narrows(before, after):
        narrowed = DOMAIN_SEARCH.filter(DOMAIN_SEARCH.filter(listed, before), after)
        assert narrowed == DOMAIN_SEARCH.filter(listed, after)


@given(st.lists(records(), max_size=30), record_texts, record_texts)
def test_a_narrowing_record_text_loses_no_row(listed, before, after):
    if RECORD_SEARCH.narrows(before, after):
        narrowed = RECORD_SEARCH.filter(RECORD_SEARCH.filter(listed, before), after)
        assert narrowed == RECORD_SEARCH.filter(listed, after)


def test_typing_on_narrows_and_a_new_word_or_a_deleted_letter_does_not():
    assert DOMAIN_SEARCH.narrows("", "img")
    assert DOMAIN_SEARCH.narrows("img", "img.e")
    assert DOMAIN_SEARCH.narrows("img", "IMG online")
    assert not DOMAIN_SEARCH.narrows("img.e", "img")
    assert not DOMAIN_SEARCH.narrows("img off", "img")
    assert RECORD_SEARCH.narrows("www", "www type:a")
    assert RECORD_SEARCH.narrows("type:", "type:a")  # half typed: it narrowed nothing
    # type:a matches A only; type:aaaa matches AAAA only: not a narrowing.
    assert not RECORD_SEARCH.narrows("type:a", "type:aaaa")
