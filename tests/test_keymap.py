"""keymap.json: what in it does nothing is said once, what is valid still applies."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from textual.keys import Keys, _character_to_key

from screens.add_domain import AddDomainScreen
from tests.pilot import connected, sandbox_app, wait_for
from tui.app import OssCdnApp
from tui.keys import binding_ids, keymap_problems, usable_keymap, valid_key


def test_keys_textual_can_report_are_valid():
    for key in (
        "a",
        "A",
        "5",
        "/",
        "f5",
        "enter",
        "escape",
        "space",
        "slash",
        "question_mark",
        "full_stop",
        "ctrl+n",
        "ctrl+shift+up",
        "alt+f4",
        "shift+tab",
        "pageup",
        "ctrl+at",
    ):
        assert valid_key(key), key


def test_keys_no_terminal_sends_are_invalid():
    for key in (
        "",
        "ctrl+",
        "+a",
        "control+n",
        "F5",
        "Enter",
        "ctrl+ctrl+a",
        "ab",
        "enterr",
        "\x1b",
        "ctrl+nope",
        " ",
        "ctrl+/",
    ):
        assert not valid_key(key), repr(key)


@given(
    st.sampled_from(["ctrl", "shift", "alt", "meta", "super", "hyper"]),
    st.characters(min_codepoint=0x21, max_codepoint=0x7E),
)
def test_a_modifier_and_a_printable_character_is_a_key(modifier, char):
    assert valid_key(char)  # alone, Textual names it itself ("/" is "slash")
    assert valid_key(f"{modifier}+{_character_to_key(char)}")
    # Textual names the others ("ctrl+slash"), but for a few it sends as such ("ctrl+@").
    combined = f"{modifier}+{char}"
    assert valid_key(combined) == (char.isalnum() or combined in {k.value for k in Keys})


@given(st.text(alphabet=st.characters(categories=["Cc"]), min_size=1, max_size=5))
def test_control_characters_are_never_keys(text):
    assert not valid_key(text)


def test_binding_ids_know_every_screen():
    ids = binding_ids(OssCdnApp)
    assert {
        "quit",
        "help",
        "domains.add",
        "records.filter",
        "plan.apply",
        "verify.publish",
        "record.save",
        "board.check",
    } <= ids


def test_problems_name_unknown_ids_and_invalid_keys_in_one_list():
    known = {"domains.add", "domains.delete", "help"}
    keymap = {
        "domains.add": "n",
        "domains.nope": "x",
        "domain.adds": "y",
        "domains.delete": "ctrl+,F5",
        "help": 5,
    }
    problems = keymap_problems(keymap, known)
    assert problems == [
        "unknown binding ids: 'domain.adds', 'domains.nope'",
        "'domains.delete': invalid keys 'ctrl+', 'F5'",
        "'help': keys must be text like \"ctrl+n,f5\", not 5",
    ]
    assert keymap_problems({"domains.add": "n,f2"}, known) == []
    assert keymap_problems(["domains.add"], known) == [
        "not an object of binding ids and keys but list"
    ]
    # What can be used still is; an id nothing has is harmless.
    assert usable_keymap(keymap) == {"domains.add": "n", "domains.nope": "x", "domain.adds": "y"}


def test_what_the_file_holds_is_shown_escaped():
    [problem] = keymap_problems({"\x1b]0;title\x07": "a"}, set())
    assert "\x1b" not in problem and "\\x1b" in problem


async def test_a_keymap_with_mistakes_is_reported_once_and_the_rest_applies(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "oss-cdn").mkdir()
    (tmp_path / "oss-cdn" / "keymap.json").write_text(
        json.dumps({"domains.add": "n", "domains.nope": "x", "domains.zones": "ctrl+"})
    )
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)

        def keymap_notes():
            return [n.message for n in app._notifications if n.title == "Keymap"]

        [note] = await wait_for(pilot, keymap_notes, what="the keymap report")
        assert "unknown binding id: 'domains.nope'" in note
        assert "'domains.zones': invalid key 'ctrl+'" in note
        await pilot.press("n")  # the valid entry applies
        await wait_for(pilot, lambda: isinstance(app.screen, AddDomainScreen), what="add")
        await pilot.press("escape")
        await wait_for(
            pilot, lambda: not isinstance(app.screen, AddDomainScreen), what="back to the list"
        )
        assert len(keymap_notes()) == 1  # once, not on every screen or key
