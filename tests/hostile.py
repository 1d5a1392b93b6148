"""Hostile text: what a TXT record, a domain's remarks or an API error could carry to
drive the user's terminal. Shared by the unit tests of tui.safe_text and the tests that
plant it in the sandbox and render every screen.

Each value is (name, raw text, the visible form `shown` gives it). Each raw text starts
with a tag (‡ and a digit or letter) right before its first unsafe character: the tag
followed by that character in the terminal's stream would be the value drawn raw.
"""

from __future__ import annotations

import re

ESC = "\x1b"

HOSTILE: list[tuple[str, str, str]] = [
    ("osc0-bel", "‡1\x1b]0;pwned-title\x07", "‡1\\x1b]0;pwned-title\\x07"),
    ("osc0-st", "‡2\x1b]0;pwned-title\x1b\\", "‡2\\x1b]0;pwned-title\\x1b\\"),
    (
        "osc8-link",
        "‡3\x1b]8;;http://127.0.0.1/x\x1b\\link\x1b]8;;\x1b\\",
        "‡3\\x1b]8;;http://127.0.0.1/x\\x1b\\link",
    ),
    ("osc52-bel", "‡4\x1b]52;c;cHduZWQ=\x07", "‡4\\x1b]52;c;cHduZWQ=\\x07"),
    ("osc52-st", "‡5\x1b]52;c;cHduZWQ=\x1b\\", "‡5\\x1b]52;c;cHduZWQ=\\x1b\\"),
    ("csi-clear", "‡6\x1b[2J\x1b[H", "‡6\\x1b[2J\\x1b[H"),
    ("csi-colour", "‡7\x1b[31mred\x1b[0m", "‡7\\x1b[31mred\\x1b[0m"),
    ("dcs", "‡8\x1bP+q544e\x1b\\", "‡8\\x1bP+q544e\\x1b\\"),
    ("apc-pm", "‡9\x1b_apc\x1b\\\x1b^pm\x1b\\", "‡9\\x1b_apc\\x1b\\\\x1b^pm"),
    ("c0", "‡a\x00b\x08c\rd\ne\tf", "‡a\\x00b\\x08c\\rd\\ne\\tf"),
    ("c1-csi", "‡b\x9b2J\x9d0;t\x9c", "‡b\\x9b2J\\x9d0;t\\x9c"),
    ("rtl", "‡c\u202emoc.elpmaxe", "‡c<U+202E>moc.elpmaxe"),
    ("zero-width", "‡d\u200bz\u200dw\u2060j\ufeffb", "‡d<U+200B>z<U+200D>w<U+2060>j<U+FEFF>b"),
    ("long", "‡e\x1b]0;long\x07" + "L" * 3989, "‡e\\x1b]0;long\\x07LLLL"),
]
assert len(HOSTILE[-1][1]) == 4000

# Never in what the app writes to the terminal (Textual writes CSI itself, and OSC 52
# only when the user copies, which these tests do not): no OSC, DCS, APC, PM or SOS,
# and no 8-bit C1 control.
FORBIDDEN = ("\x1b]", "\x1bP", "\x1b_", "\x1b^", "\x1bX", *(chr(c) for c in range(0x80, 0xA0)))
# Textual's own OSC: the mouse pointer's shape (kitty's protocol), with a fixed word.
_TEXTUAL_OWN = re.compile(r"\x1b\]22;[a-z-]+\x07")
# Nor any bidi or zero-width character planted here.
INVISIBLE = ("\u202e", "\u200b", "\u200d", "\u2060", "\ufeff")


def leaks(output: str) -> list[str]:
    """What of FORBIDDEN, INVISIBLE or a planted value's start (its tag and the unsafe
    characters after it) reached `output`."""
    output = _TEXTUAL_OWN.sub("", output)
    found = [repr(s) for s in FORBIDDEN + INVISIBLE if s in output]
    for name, raw, _ in HOSTILE:
        if raw[:4] in output:
            found.append(f"{name}: {raw[:4]!r}")
    return found


# -- planting it in the sandbox's world -----------------------------------------------


def tag(n: int) -> str:
    """The host label of the n-th planted value: h0 .. h13."""
    return f"h{n}"


def plant(world) -> None:
    """Each hostile value as a CDN domain's CNAME and Description (h<n>.example.com,
    online), as the old value of a CNAME record at h<n> in example.com (so the CNAME plan
    shows it as an update) and as a TXT record at t<n> (shown in the records list and the
    record form); a zone whose edition and DNS servers are hostile too. Written straight
    into the world: the cloud keeps whatever its console or API once accepted."""
    hz = "demo-assets.oss-cn-hangzhou.aliyuncs.com"
    for n, (_, raw, _) in enumerate(HOSTILE):
        domain = world.add_domain(
            f"{tag(n)}.example.com",
            "web",
            [{"content": hz, "type": "oss", "port": 80, "priority": "20", "weight": "10"}],
            "domestic",
            status="online",
        )
        domain.cname = raw
        domain.description = raw
        world.add_record("example.com", tag(n), "CNAME", "old" + raw)
        world.add_record("example.com", tag(n), "TXT", raw)  # blocks the CNAME: a conflict
        world.add_record("example.com", f"t{n}", "TXT", raw)
    world.add_zone(
        "hostile.example.net",
        version_code=HOSTILE[0][1],
        dns_servers=(HOSTILE[11][1], HOSTILE[12][1]),
    )


# -- what the app writes to the terminal ------------------------------------------------

_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def capture(app) -> list[str]:
    """Have `app` (run with `run_test(headless=False)`) write what it would write to the
    terminal into the list returned. Textual's headless driver skips drawing altogether;
    this one draws and keeps every byte: the stream a real terminal would receive."""
    from textual.drivers.headless_driver import HeadlessDriver

    written: list[str] = []

    class Capturing(HeadlessDriver):
        @property
        def is_headless(self) -> bool:
            return False

        def write(self, data: str) -> None:
            written.append(data)

    app.driver_class = Capturing
    return written


def drawn(written: list[str]) -> str:
    """The captured stream without Textual's own CSI sequences (cursor moves, colours):
    the characters drawn, in the order written."""
    return _CSI.sub("", "".join(written))
