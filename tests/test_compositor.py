"""The add form's cropped compositor: a change renders the widgets it shows, and the
terminal ends up with the same frame as a full render."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.widgets import compositor


class Counted(Static):
    renders = 0

    def render_lines(self, crop):
        self.renders += 1
        return super().render_lines(crop)


class Form(Screen):
    def __init__(self) -> None:
        super().__init__()
        self.cropped = compositor.install(self)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            for n in range(40):  # more than the screen holds: the container scrolls
                yield Counted(f"line {n}", id=f"w{n}")


class FormApp(App):
    def on_mount(self) -> None:
        self.push_screen(Form())


async def test_a_change_renders_only_the_widget_that_shows_it():
    app = FormApp()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.cropped
        widgets = list(screen.query(Counted))
        for widget in widgets:
            widget.renders = 0
        screen.query_one("#w3", Counted).update("changed")
        await pilot.pause()
        await pilot.pause()
        rendered = {w.id for w in widgets if w.renders}
        assert rendered == {"w3"}  # Textual's own compositor renders all ten on screen
        # What the terminal shows is the full render's frame.
        lines = [strip.text for strip in screen._compositor.render_strips()]
        assert lines[3].startswith("changed") and lines[4].startswith("line 4")


def test_textuals_own_compositor_stays_when_a_screen_has_another():
    screen = Screen()
    screen._compositor = compositor.CroppedCompositor()
    assert not compositor.install(screen)  # installed once, not twice
