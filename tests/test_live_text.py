"""LiveText and MarkedLines (tui/widgets/live_text.py): text that follows every keystroke,
laid out again only when its height changes; marked lines with a hanging indent."""

from rich.text import Text
from textual.app import App, ComposeResult

from tests.pilot import text_of, wait_for
from tui.widgets.live_text import LiveText, MarkedLines


class Lines(App):
    CSS = "MarkedLines, LiveText { width: 24; }"

    def compose(self) -> ComposeResult:
        yield MarkedLines("", id="lines")
        yield LiveText("", id="note")


def shown_lines(app, widget) -> list[str]:
    """The widget's lines as painted on the screen."""
    region = widget.region
    strips = app.screen._compositor.render_strips()
    return [strips[y].text[region.x : region.right].rstrip() for y in region.line_range]


async def test_a_long_line_wraps_under_its_text_and_the_height_follows():
    app = Lines()
    async with app.run_test(size=(40, 12)) as pilot:
        lines = app.query_one(MarkedLines)
        lines.show_rows(
            [
                (Text("✗", style="red"), Text("Lowercase — use img.example.com now")),
                (Text("…"), Text("Available")),
            ],
            Text("✓ 15 rules pass"),
        )
        await wait_for(pilot, lambda: lines.size.height == 4)
        assert shown_lines(app, lines) == [
            "✗ Lowercase — use",
            "  img.example.com now",
            "… Available",
            "✓ 15 rules pass",
        ]
        # What a test or a copy reads: the lines unwrapped.
        assert text_of(lines).splitlines()[0] == "✗ Lowercase — use img.example.com now"
        lines.show_rows([(Text("✓"), Text("Available"))])
        await wait_for(pilot, lambda: lines.size.height == 1)
        assert shown_lines(app, lines) == ["✓ Available"]


async def test_text_of_the_same_height_is_repainted_without_a_layout():
    app = Lines()
    async with app.run_test(size=(40, 12)) as pilot:
        note = app.query_one("#note", LiveText)
        note.show("first")
        await wait_for(pilot, lambda: note.size.height == 1)
        layouts: list[object] = []
        app.screen.screen_layout_refresh_signal.subscribe(app.screen, layouts.append)
        note.show("second")
        await wait_for(pilot, lambda: shown_lines(app, note) == ["second"])
        assert layouts == []
        note.show("a third text, too long for one line")
        await wait_for(pilot, lambda: note.size.height == 2)
        assert layouts
        assert " ".join(shown_lines(app, note)) == "a third text, too long for one line"


async def test_rows_past_max_lines_fold_into_one_line_and_the_closing_line_stays():
    app = Lines()
    async with app.run_test(size=(40, 12)) as pilot:
        lines = app.query_one(MarkedLines)
        lines.show_rows(
            [
                (Text("✗"), Text("Lowercase — use img.example.com now")),  # two lines at 24
                (Text("✗"), Text("Stray dots")),
                (Text("…"), Text("Available")),
            ],
            Text("✓ 15 rules pass"),
        )
        await wait_for(pilot, lambda: lines.size.height == 5)
        assert lines.hidden_rows == 0
        lines.limit_lines(4)  # room for the first row, the "more" line, the closing line
        await wait_for(pilot, lambda: lines.size.height == 4)
        shown = shown_lines(app, lines)
        assert shown[:2] == ["✗ Lowercase — use", "  img.example.com now"]
        assert shown[2].startswith("… 2 more not") and shown[3] == "✓ 15 rules pass"
        assert lines.hidden_rows == 2
        # Everything stays in `content`, and with the limit lifted every row shows again.
        assert "Available" in lines.content.plain
        lines.limit_lines(None)
        await wait_for(pilot, lambda: lines.size.height == 5)
        assert lines.hidden_rows == 0 and "Available" in shown_lines(app, lines)[3]


async def test_min_lines_keep_the_height_as_lines_come_and_go_without_a_layout():
    app = Lines()
    async with app.run_test(size=(40, 12)) as pilot:
        lines = app.query_one(MarkedLines)
        lines.limit_lines(None, 3)
        lines.show_rows([(Text("✗"), Text("Stray dots"))], Text("✓ 15 rules pass"))
        await wait_for(pilot, lambda: lines.size.height == 3)
        assert shown_lines(app, lines) == ["✗ Stray dots", "✓ 15 rules pass", ""]
        layouts: list[object] = []
        app.screen.screen_layout_refresh_signal.subscribe(app.screen, layouts.append)
        lines.show_rows([], Text("✓ 16 rules pass"))  # a line goes: a blank one instead
        await wait_for(pilot, lambda: shown_lines(app, lines)[0] == "✓ 16 rules pass")
        lines.show_rows([(Text("✗"), Text("Stray dots")), (Text("…"), Text("Available"))])
        await wait_for(pilot, lambda: shown_lines(app, lines)[1] == "… Available")
        assert layouts == [] and lines.size.height == 3
        # More lines than the minimum: it grows, with a layout.
        lines.show_rows([(Text("✗"), Text(f"Rule {n}")) for n in range(5)])
        await wait_for(pilot, lambda: lines.size.height == 5)
        assert layouts
        # The minimum never goes past the maximum.
        lines.limit_lines(2, 3)
        assert lines.min_lines == 2
        await wait_for(pilot, lambda: lines.size.height == 2)


class FixedRow(App):
    CSS = "LiveText { width: 24; height: 1; }"  # a wrapped text is cut: no line more

    def compose(self) -> ComposeResult:
        yield LiveText("", id="note")


async def test_text_with_a_height_set_in_css_never_asks_for_a_layout():
    app = FixedRow()
    async with app.run_test(size=(40, 12)) as pilot:
        note = app.query_one(LiveText)
        await wait_for(pilot, lambda: note.size.height == 1)
        asked: list[bool] = []  # the layouts the widget asks for
        refresh = note.refresh

        def recorded(*args, **kwargs):
            asked.append(kwargs.get("layout", False))
            return refresh(*args, **kwargs)

        note.refresh = recorded
        note.show("a text, far too long for one line of this width")
        await wait_for(pilot, lambda: shown_lines(app, note)[0].startswith("a text"))
        note.show("")
        await wait_for(pilot, lambda: shown_lines(app, note) == [""])
        assert asked and not any(asked) and note.size.height == 1
