"""Hostile text: what a TXT record, a domain's remarks or an API error could carry to
drive the user's terminal. Shared by the unit tests of tui.safe_text and the tests that
plant it in the sandbox and render every screen.

Each value is (name, raw text, a visible form `shown` must give, found where it is shown).
"""

from __future__ import annotations

ESC = "\x1b"

HOSTILE: list[tuple[str, str, str]] = [
    ("osc0-bel", "t1\x1b]0;pwned-title\x07", "t1\\x1b]0;pwned-title\\x07"),
    ("osc0-st", "t2\x1b]0;pwned-title\x1b\\", "t2\\x1b]0;pwned-title\\x1b\\"),
    ("osc8-link", "t3\x1b]8;;http://127.0.0.1/x\x1b\\link\x1b]8;;\x1b\\",
     "t3\\x1b]8;;http://127.0.0.1/x\\x1b\\link"),
    ("osc52-bel", "t4\x1b]52;c;cHduZWQ=\x07", "t4\\x1b]52;c;cHduZWQ=\\x07"),
    ("osc52-st", "t5\x1b]52;c;cHduZWQ=\x1b\\", "t5\\x1b]52;c;cHduZWQ=\\x1b\\"),
    ("csi-clear", "t6\x1b[2J\x1b[H", "t6\\x1b[2J\\x1b[H"),
    ("csi-colour", "t7\x1b[31mred\x1b[0m", "t7\\x1b[31mred\\x1b[0m"),
    ("dcs", "t8\x1bP+q544e\x1b\\", "t8\\x1bP+q544e\\x1b\\"),
    ("apc-pm", "t9\x1b_apc\x1b\\\x1b^pm\x1b\\", "t9\\x1b_apc\\x1b\\\\x1b^pm"),
    ("c0", "ta\x00b\x08c\rd\ne\tf", "ta\\x00b\\x08c\\rd\\ne\\tf"),
    ("c1-csi", "tb\x9b2J\x9d0;t\x9c", "tb\\x9b2J\\x9d0;t\\x9c"),
    ("rtl", "tc\u202emoc.elpmaxe", "tc<U+202E>moc.elpmaxe"),
    ("zero-width", "td\u200bz\u200dw\u2060j\ufeffb", "td<U+200B>z<U+200D>w<U+2060>j<U+FEFF>b"),
    ("long", "te\x1b]0;long\x07" + "L" * 3989, "te\\x1b]0;long\\x07LLLL"),
]
assert len(HOSTILE[-1][1]) == 4000

# Never in what the app writes to the terminal (Textual writes CSI itself, and OSC 52
# only when the user copies, which these tests do not): no OSC, DCS, APC, PM or SOS,
# and no 8-bit C1 control.
FORBIDDEN = ("\x1b]", "\x1bP", "\x1b_", "\x1b^", "\x1bX") + tuple(
    chr(c) for c in range(0x80, 0xA0))
# Nor any bidi or zero-width character planted here.
INVISIBLE = ("\u202e", "\u200b", "\u200d", "\u2060", "\ufeff")


def leaks(output: str) -> list[str]:
    """What of FORBIDDEN, INVISIBLE or a planted value's first unsafe character (right
    after the value's two-letter tag) reached `output`."""
    found = [repr(s) for s in FORBIDDEN + INVISIBLE if s in output]
    for name, raw, _ in HOSTILE:
        if raw[:3] in output:
            found.append(f"{name}: {raw[:3]!r}")
    return found
