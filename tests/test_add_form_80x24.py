"""The add form at 80x24 and without colour (issue 13, "The add form").

Every field that decides the add (name, region scope with its choice, origin, business
type, port) and the Add button stay on screen at 80x24 whatever the checklist says; the
chosen option of each choice reads differently from the others in text, not only in
colour (NO_COLOR); snapshots of the form empty, with a valid name, an invalid one, and
under NO_COLOR.
"""

from pathlib import Path

import pytest
from textual.widgets import Button, RadioButton, RadioSet

from screens.add_domain import AddDomainScreen, FormScroll
from tests.pilot import (
    connected,
    open_add_form,
    sandbox_app,
    snapshot_app,
    steady_cursors,
    text_of,
    type_text,
    wait_for,
)
from tui.widgets.radio import CHOSEN, NOT_CHOSEN, Radio

VALID = "assets.example.com"
INVALID = "http://Img..bad_name.com/x"  # four rules fail, each over two lines at 80
SEVERAL = "a.example.com, b..example.com, c_d.newsite.net, e.newsite.net, f!.x.com, g..y.com"
STATES = {"empty": "", "valid": VALID, "invalid": INVALID, "several": SEVERAL}


def screen_lines(app) -> list[str]:
    """The screen as painted, one string a line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def settled(pilot, screen: AddDomainScreen, text: str) -> None:
    """`text` typed, and the form done with it: the public-suffix rules checked (the
    warm-up thread's own check of the names), the cloud's checks answered when the names
    go that far, the button enabled for a valid name."""
    if text:
        await type_text(pilot, text)
    await wait_for(pilot, lambda: screen.query_one("#domain").value == text, what="typed")
    await wait_for(
        pilot,
        lambda: all(
            w.is_finished for w in pilot.app.workers if w.node is screen and w.group == "warm-up"
        ),
        what="the suffix rules",
    )
    if screen.names_check.ready:
        await wait_for(
            pilot,
            lambda: screen.cloud and all(p is not None for p, _ in screen.cloud.values()),
            what="the cloud checks",
        )
    if text == VALID:
        submit = screen.query_one("#submit", Button)
        await wait_for(pilot, lambda: not submit.disabled, what="submit enabled")
    await pilot.pause()


@pytest.mark.parametrize("state", STATES, ids=list(STATES))
async def test_every_field_and_the_add_button_are_in_view_at_80x24(state):
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add_form(pilot)
        await settled(pilot, screen, STATES[state])
        await wait_for(pilot, lambda: screen.query_one("#checklist").size.height, what="laid out")
        scroll = screen.query_one(FormScroll)
        # Nothing below the fold: the form does not scroll at all.
        assert scroll.max_scroll_y == 0, state
        chosen_scope = screen.query_one("#scope", RadioSet).pressed_button
        assert chosen_scope is not None and chosen_scope.name == "domestic"
        body = scroll.region  # between the header and the footer
        assert body.y >= 1 and body.bottom <= 23
        for widget in (
            screen.query_one("#domain"),
            screen.query_one("#checklist"),
            screen.query_one("#scope"),
            chosen_scope,
            screen.query_one("#scope_note"),
            screen.query_one("#origin"),
            screen.query_one("#cdn_type"),
            screen.query_one("#port"),
            screen.query_one("#submit"),
        ):
            region = widget.region
            assert region.height and body.contains_region(region), (state, widget, region)
        # What the user reads there: the default scope and its ICP note, the Add button.
        lines = screen_lines(app)
        assert any(f"{CHOSEN}▌ Mainland China only" in line for line in lines), lines
        assert any("ICP filing needed" in line for line in lines)
        assert any("Add domain" in line for line in lines[1:23])
        checklist = text_of(screen.query_one("#checklist"))
        if state == "valid":  # the passing rules fold into one line, the cloud's keep theirs
            assert "rules pass" in checklist and "Available in CDN" in checklist
            assert screen.query_one("#checklist").hidden_rows == 0
        if state in ("invalid", "several"):  # more than fits: folded into a "more" line
            shown = [line for line in lines if "more not shown" in line]
            assert len(shown) == 1, lines
            assert screen.query_one("#checklist").hidden_rows >= 1
        if state == "several":
            assert any("6 names: 2 ready, 4 with problems" in line for line in lines)


async def test_a_taller_terminal_shows_every_failing_rule():
    app = sandbox_app()
    async with app.run_test(size=(80, 40)) as pilot:
        screen = await open_add_form(pilot)
        await settled(pilot, screen, INVALID)
        checklist = screen.query_one("#checklist")
        await wait_for(pilot, lambda: checklist.size.height >= 5, what="laid out")
        assert checklist.max_lines is not None and checklist.max_lines > 8
        assert checklist.hidden_rows == 0
        assert not any("more not shown" in line for line in screen_lines(app))
        assert sum(line.lstrip().startswith("✗") for line in screen_lines(app)) == 4


async def test_the_chosen_option_of_every_choice_reads_differently_in_text():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_add_form(pilot)
        buttons = list(screen.query(RadioButton))
        assert buttons and all(isinstance(b, Radio) for b in buttons)
        for radio_set in screen.query(RadioSet):
            marks = {b.name: b.render().plain[:3] for b in radio_set.query(Radio)}
            chosen = radio_set.pressed_button
            assert chosen is not None
            assert CHOSEN in marks.pop(chosen.name)
            assert marks and all(NOT_CHOSEN in m and CHOSEN not in m for m in marks.values())
        # Choosing another scope moves the mark, on the screen as painted.
        overseas = next(b for b in screen.query("#scope Radio") if b.name == "overseas")
        await pilot.click(overseas)
        await wait_for(pilot, lambda: screen.scope == "overseas", what="overseas chosen")
        await pilot.pause()
        line = next(line for line in screen_lines(app) if "Outside mainland China" in line)
        assert f"{CHOSEN}▌ Outside mainland China" in line
        assert f"{NOT_CHOSEN}▌ Mainland China only" in line and f"{NOT_CHOSEN}▌ Global" in line


def test_every_screen_uses_the_radio_that_marks_its_choice_in_text():
    """A plain RadioButton anywhere in screens/ would show its choice by colour only."""
    screens = Path(__file__).parent.parent / "screens"
    plain = [
        path.name
        for path in screens.glob("*.py")
        if "RadioButton(" in path.read_text(encoding="utf-8")
    ]
    assert plain == []


# -- snapshots ---------------------------------------------------------------------------


def _form_in(state: str):
    async def run_before(pilot):
        await connected(pilot)
        screen = await open_add_form(pilot)
        await settled(pilot, screen, STATES[state])
        await steady_cursors(pilot)
        await pilot.pause(0.1)
        await pilot.wait_for_scheduled_animations()

    return run_before


@pytest.mark.parametrize("state", ["empty", "valid", "invalid"])
def test_the_add_form_at_80x24(snap_compare, state):
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=_form_in(state))


def test_the_add_form_at_80x24_without_colour(snap_compare, monkeypatch):
    """NO_COLOR=1 (read when the app starts): the chosen scope is still told apart."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = snapshot_app()
    assert app.no_color
    assert snap_compare(app, terminal_size=(80, 24), run_before=_form_in("valid"))
