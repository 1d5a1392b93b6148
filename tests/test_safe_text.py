"""tui.safe_text: cloud and user text made safe to show (pure: unit and property tests)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.hostile import HOSTILE
from tui.rules import short
from tui.safe_text import ELLIPSIS, LIMIT, hidden, shown


def unsafe(char: str) -> bool:
    """The classes that must never come out, written out from their definitions (not
    from the module's own test) so the two can disagree."""
    code = ord(char)
    category = unicodedata.category(char)
    return (
        code < 0x20
        or 0x7F <= code <= 0x9F  # C0, DEL, C1
        or category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
        or (category == "Zs" and char != " ")
        or 0x202A <= code <= 0x202E
        or 0x2066 <= code <= 0x2069  # bidi
        or code in (0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x061C, 0x2060, 0xFEFF, 0x00AD)
        or code in (0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800)  # drawn as nothing
        or code in (0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F)
        or 0xE0000 <= code <= 0xE0FFF  # tags, VS17-256
    )


# -- the hostile corpus -----------------------------------------------------------------


@pytest.mark.parametrize("name,raw,visible", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_every_hostile_value_comes_out_visible_and_inert(name, raw, visible):
    out = shown(raw)
    assert out.startswith(visible)
    assert not any(unsafe(c) for c in out)
    assert "\x1b" not in out and "\x07" not in out


def test_the_escaped_forms():
    assert shown("\x1b]0;t\x1b\\") == "\\x1b]0;t\\x1b\\"
    assert shown("\x00\x07\x08\t\n\x0b\x0c\r\x7f") == "\\x00\\x07\\x08\\t\\n\\x0b\\x0c\\r\\x7f"
    assert shown("\x80\x9b\x9c\x9d\x9f") == "\\x80\\x9b\\x9c\\x9d\\x9f"
    assert shown("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c") == (
        "<U+202A><U+202B><U+202C><U+202D><U+202E><U+2066><U+2067><U+2068><U+2069>"
        "<U+200E><U+200F><U+061C>"
    )
    assert shown("a\u200bb\u200cc\u200dd\u2060e\ufefff\u00adg") == (
        "a<U+200B>b<U+200C>c<U+200D>d<U+2060>e<U+FEFF>f<U+00AD>g"
    )
    assert shown("v=spf1\u00a0-all") == "v=spf1<U+00A0>-all"  # looks like a space
    assert shown("x\u2028y\u2029z") == "x<U+2028>y<U+2029>z"
    assert shown("\ud800") == "<U+D800>"  # a lone surrogate cannot even be encoded
    assert shown("\U000e0041\U000e0100\u3164\u2800") == ("<U+E0041><U+E0100><U+3164><U+2800>")


def test_plain_text_of_every_script_is_unchanged():
    for text in (
        "img.example.com",
        "v=DMARC1; p=none",
        "例子.中国",
        "Ошибка: домен",
        "مرحبا",
        "❤️ emoji",
        "tab-less \\x1b literal backslash",
        "…",
        "",
    ):
        assert shown(text) == text


def test_multiline_keeps_line_feeds_only():
    assert shown("a\nb\r\nc\td", multiline=True) == "a\nb\\r\nc\\td"
    assert shown("a\nb") == "a\\nb"


def test_long_text_is_cut_with_an_ellipsis_between_escaped_forms():
    assert shown("x" * LIMIT) == "x" * LIMIT
    assert shown("x" * (LIMIT + 1)) == "x" * (LIMIT - 1) + ELLIPSIS
    assert shown("abcdef", 4) == "abc…"
    # "ab" + "\x1b" is 6 characters shown: the cut never leaves half an escape.
    assert shown("ab\x1bcd", 5) == "ab…"
    assert shown("ab\x1bcd", 7) == "ab\\x1b…"
    assert shown("ab\x1bcd", 8) == "ab\\x1bcd"
    assert shown("x" * 10_000, None) == "x" * 10_000
    with pytest.raises(ValueError):
        shown("x", 0)


def test_anything_is_shown_as_its_str():
    assert shown(ValueError("bad\x1b[2J")) == "bad\\x1b[2J"
    assert shown(42) == "42"


def test_hidden_names_each_unsafe_character_once():
    assert hidden("a\x1bb\u202ec\x1b") == ["\\x1b", "<U+202E>"]
    assert hidden("plain") == []


def test_short_is_the_same_wall():
    assert short("a\x1b]0;t\x07") == "a\\x1b]0;t\\x07"
    assert short("x" * 50) == "x" * 39 + "…"


# -- properties ---------------------------------------------------------------------------

ANY = st.text(st.characters(codec=None), max_size=200)
SAFE = st.text(st.characters(codec=None).filter(lambda c: not unsafe(c)), max_size=200)
LIMITS = st.one_of(st.none(), st.integers(1, 300))


@given(ANY, LIMITS, st.booleans())
@example("\x1b]52;c;cHduZWQ=\x07", 10, False)
@example("\x9b\u202e\ufe0f", None, True)
def test_nothing_unsafe_ever_comes_out(text, limit, multiline):
    out = shown(text, limit, multiline=multiline)
    assert not any(unsafe(c) for c in out if not (multiline and c == "\n"))
    if limit is not None:
        assert len(out) <= limit


@given(SAFE)
def test_safe_text_is_unchanged(text):
    assert shown(text, None) == text
    assert hidden(text) == []


@given(ANY, LIMITS, st.booleans())
def test_showing_twice_changes_nothing_more(text, limit, multiline):
    once = shown(text, limit, multiline=multiline)
    assert shown(once, limit, multiline=multiline) == once


@given(ANY)
def test_every_hidden_character_is_named_where_it_was(text):
    out = shown(text, None)
    assert bool(hidden(text)) == any(unsafe(c) for c in text)
    assert all(form in out for form in hidden(text))
    # Safe characters keep their order: the escaped forms only add to the text.
    kept = iter(out)
    assert all(c in kept for c in text if not unsafe(c))
