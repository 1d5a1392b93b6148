"""Text from outside made safe to show: the one wall between cloud or user text and the
terminal.

Rich strips only BEL, BS, VT, FF and CR from text and Textual passes ESC through, so a
TXT record value or an API error holding `ESC ] 52 ; c ; ... ESC \\` would write the
user's clipboard, `ESC ] 0 ; ...` retitle the window, and a right-to-left override turn
`moc.elpmaxe` into what it is not. Every widget, notification and line of command output
that shows such text passes it through `shown` first.

What is made visible, never interpreted:
- C0 controls (NUL..US, LF and TAB included), DEL and the C1 controls U+0080..U+009F
  (the 8-bit CSI, OSC, DCS, ST of some terminals): as `\\x1b`, `\\x9b`, with the familiar
  `\\t`, `\\n`, `\\r` for tab, line feed and carriage return;
- every other character Python does not call printable: format characters (bidi
  embeddings, overrides, isolates and marks, zero-width space / joiners, word joiner,
  BOM, soft hyphen, tag characters), line and paragraph separators, spaces other than
  the ASCII space (a no-break space breaks an SPF record while looking like a space),
  private-use, surrogate and unassigned code points: as `<U+202E>`;
- the characters Unicode lists as default-ignorable that Python calls printable (Hangul
  fillers, the combining grapheme joiner, Mongolian and ideographic variation
  selectors...) and the blank Braille pattern: they draw as nothing, so hide text too.
The emoji presentation selectors U+FE00..U+FE0F are kept: they follow a visible
character and only choose how it is drawn.

Escaped forms are plain ASCII, so they draw on every terminal font. The result holds
nothing of the classes above, text without them comes back unchanged, and `shown` of a
result is that result (the cap included).

Standard library only: the command line, the screens and the pure rules all use it.
"""

from __future__ import annotations

import re

LIMIT = 4000  # characters, where a line or a short paragraph is expected
ELLIPSIS = "…"

# Printable to Python, yet drawn as nothing (Unicode's Default_Ignorable_Code_Point,
# less the presentation selectors U+FE00..U+FE0F), plus the blank Braille pattern.
_INVISIBLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u2800\u3164\uffa0\U000e0100-\U000e01ef]"
)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _safe(char: str) -> bool:
    return char.isprintable() and not _INVISIBLE.match(char)


def _escaped(char: str) -> str:
    """The visible form of one unsafe character."""
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return _NAMED.get(char) or f"\\x{code:02x}"
    return f"<U+{code:04X}>"


def shown(text: object, limit: int | None = LIMIT, *, multiline: bool = False) -> str:
    """`text` as it may be shown: every control, bidi or invisible character replaced by
    its visible form, then cut to at most `limit` characters with an ellipsis (None: not
    cut; an input box needs the whole value). `multiline` keeps line feeds (only them) as
    line breaks, for a body that spans lines: a widget splits lines itself, so no LF
    byte reaches the terminal from it. Anything not a str is shown as str() of it."""
    text = text if isinstance(text, str) else str(text)
    if text.isprintable() and not _INVISIBLE.search(text):
        pieces: str | list[str] = text  # the common case, at C speed
    else:
        pieces = [c if _safe(c) or (multiline and c == "\n") else _escaped(c) for c in text]
    if limit is None:
        return "".join(pieces)
    if limit < 1:
        raise ValueError("limit must be at least 1 (or None)")
    total = len(pieces) if isinstance(pieces, str) else sum(map(len, pieces))
    if total <= limit:
        return "".join(pieces)
    # Cut between escaped forms, never inside one: `\x1` would read as something else.
    kept, used = [], 0
    for piece in pieces:
        if used + len(piece) > limit - 1:
            break
        kept.append(piece)
        used += len(piece)
    return "".join(kept) + ELLIPSIS


def hidden(text: str) -> list[str]:
    """The visible forms of the unsafe characters in `text`, each once, in order of first
    appearance: ["\\x1b", "<U+202E>"]. Empty when `text` is shown as it is."""
    found: dict[str, None] = {}
    if not (text.isprintable() and not _INVISIBLE.search(text)):
        for char in text:
            if not _safe(char):
                found.setdefault(_escaped(char))
    return list(found)
