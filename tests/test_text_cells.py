"""The quick painting of a table's Text cells (tui/widgets/text_cells.py) paints every
cell exactly as DataTable's own path does: same characters, same styles (the row and
column meta a click reads included), cursor and hover too. Any cell it cannot paint so
is left to DataTable."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tui.widgets import text_cells
from tui.widgets.paged_table import PagedTable

STYLES = ["", "green", "bold", "bright_black", "yellow on red", "dim italic", "underline"]
WORDS = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=14
) | st.sampled_from(["online", "● enabled", "例え.中国", "🙂 wide", "", " lead", "trail ", "a\tb"])


@st.composite
def cells(draw) -> Text:
    text = Text(draw(WORDS), style=draw(st.sampled_from(STYLES)))
    text.justify = draw(st.sampled_from([None, "default", "left", "right", "center"]))
    if text.plain and draw(st.booleans()):  # a span over part of it
        start = draw(st.integers(0, len(text.plain) - 1))
        end = draw(st.integers(start + 1, len(text.plain)))
        text.stylize(draw(st.sampled_from(STYLES[1:])), start, end)
    if draw(st.booleans()):
        text.append(draw(WORDS), style=draw(st.sampled_from(STYLES)))
    return text


class Table(App):
    def compose(self) -> ComposeResult:
        yield PagedTable(
            [("a", "A"), ("b", "B")], key=lambda item: item, cells=lambda item: (Text(item),) * 2
        )


def lines_of(lines: list[list[Segment]]) -> list[list[Segment]]:
    """Runs of one style merged: the same paint, however the segments are cut."""
    return [list(Segment.simplify(line)) for line in lines]


async def test_text_cells_paint_as_datatable_paints_them():
    assert text_cells.USABLE, "DataTable._render_cell changed: see text_cells.py"
    app = Table()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(PagedTable)
        table.fill(["one", "two", "three"])
        await pilot.pause()
        painted_quickly = 0

        @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(
            cell=cells(),
            row=st.integers(0, 2),
            column=st.integers(0, 1),
            spare=st.integers(0, 6),
            cursor=st.booleans(),
            hover=st.booleans(),
            zebra=st.booleans(),
        )
        def same_paint(cell, row, column, spare, cursor, hover, zebra):
            nonlocal painted_quickly
            row_key = table.ordered_rows[row].key
            column_key = table.ordered_columns[column].key
            table.update_cell(row_key, column_key, cell)
            width = cell.cell_len + 2 * table.cell_padding + spare
            style = table.rich_style + (
                table.get_component_rich_style("datatable--even-row") if zebra else table.rich_style
            )
            quick = text_cells.render_text_cell(table, row, column, style, width, cursor, hover)
            table._clear_caches()
            usual = DataTable._render_cell(table, row, column, style, width, cursor, hover)
            if quick is not None:
                painted_quickly += 1
                assert lines_of(quick) == lines_of(usual)

        same_paint()
        # Most cells take the quick path (the property would hold vacuously otherwise).
        assert painted_quickly > 100


async def test_cells_the_quick_path_cannot_paint_are_left_to_datatable():
    app = Table()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(PagedTable)
        table.fill(["one"])
        await pilot.pause()
        row_key = table.ordered_rows[0].key

        def quick(cell, width: int = 20):
            table.update_cell(row_key, "a", cell)
            return text_cells.render_text_cell(table, 0, 0, table.rich_style, width, False, False)

        assert quick(Text("fits")) is not None
        assert quick("a str: DataTable reads markup in it") is None
        assert quick(Text("two\nlines")) is None
        assert quick(Text("tab\there")) is None
        assert quick(Text("wider than its column"), width=8) is None
        assert quick(Text("centred", justify="center")) is None
        assert text_cells.render_text_cell(table, -1, 0, table.rich_style, 20, False, False) is None


async def test_columns_widen_to_the_same_widths_datatable_measures():
    assert text_cells.WIDTHS_USABLE, "DataTable._update_dimensions changed: see text_cells.py"
    app = Table()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(PagedTable)

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(st.lists(st.tuples(cells(), cells()), min_size=1, max_size=8))
        def same_widths(rows):
            table.clear()
            for column in table.ordered_columns:  # back to the labels' widths
                column.content_width = column.label.cell_len
            for n, row in enumerate(rows):
                table.add_row(*row, key=str(n))
            keys = list(table.rows)
            done = text_cells.widen_columns(table, keys)
            quick = [column.content_width for column in table.ordered_columns]
            for column in table.ordered_columns:
                column.content_width = column.label.cell_len
            DataTable._update_dimensions(table, keys)
            usual = [column.content_width for column in table.ordered_columns]
            printable = all(cell.plain.isprintable() for row in rows for cell in row)
            assert done == printable  # a tab or a line break: DataTable measures the rows
            if done:
                assert quick == usual

        same_widths()
        await pilot.pause()
