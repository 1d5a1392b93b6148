"""A quick way to paint and measure a DataTable's one-line Text cells.

DataTable renders each cell through Rich's whole layout path (a Styled Padding around the
cell, wrapped, cropped and padded by `Console.render_lines`): ~100 µs a cell, so a table
filling a tall terminal (~300 cells) holds the event loop 30-40 ms every time its rows
change (a filter key, a page of rows arriving). A Text on a one-line row that fits its
column needs none of that: its segments, padded to the width, with the same styles. This
does that and nothing more; anything else (a str, several lines, tabs, a cell wider than
its column, centred text, a row label, the header) is left to DataTable
(`render_text_cell` answers None). tests/test_text_cells.py checks that both paint the
same, cell by cell, so a Textual or Rich upgrade that changes DataTable's painting shows
there.

Measuring is the same story: DataTable measures every cell of every row added (Rich's
`__rich_measure__`, ~10 µs a cell) to widen its columns; a one-line Text's width is its
`cell_len`, which `widen_columns` reads instead (the same widths, tested).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

# DataTable._render_cell's parameters, as this was written against (Textual 8.2): if they
# differ, the override is not used and DataTable paints every cell itself.
_EXPECTED = ["self", "row_index", "column_index", "base_style", "width", "cursor", "hover"]
USABLE = list(inspect.signature(DataTable._render_cell).parameters) == _EXPECTED and hasattr(
    DataTable, "_get_styles_to_render_cell"
)

# DataTable._update_dimensions(new_rows): the measuring that widen_columns does instead.
WIDTHS_USABLE = list(inspect.signature(DataTable._update_dimensions).parameters) == [
    "self",
    "new_rows",
]

_PAD = Style()  # Padding's own style ("none"), which DataTable's cells are wrapped in


def render_text_cell(
    table: DataTable,
    row_index: int,
    column_index: int,
    base_style: Style,
    width: int,
    cursor: bool,
    hover: bool,
) -> list[list[Segment]] | None:
    """The cell's one line of segments as DataTable would paint it, or None: paint it
    the usual way."""
    if row_index < 0 or column_index < 0:  # the header, a row label
        return None
    row_key = table._row_locations.get_key(row_index)
    column_key = table._column_locations.get_key(column_index)
    if row_key is None or column_key is None:
        return None
    row = table.rows.get(row_key)
    if row is None or row.height != 1 or row.auto_height:
        return None
    cell = table._data[row_key].get(column_key)
    if type(cell) is not Text:
        return None
    if not cell:  # an empty Text is falsy: DataTable shows a plain empty one instead
        cell = Text()
    plain = cell.plain
    justify = cell.justify
    padding = table.cell_padding
    inner = width - 2 * padding
    # Tabs, line breaks and control characters take Rich's own path; so does a cell
    # wider than its column (DataTable crops it).
    if not plain.isprintable() or justify not in (None, "default", "left", "right"):
        return None
    excess = inner - cell.cell_len
    if excess < 0 or (justify == "right" and plain != plain.rstrip()):
        return None

    # As Text.wrap and Lines.justify leave it: "left" and "right" pad with the text's
    # own style, the default leaves the padding to render_lines (unstyled).
    text = Text(end="")
    if justify == "right" and excess:
        text.append(" " * excess, cell.style or None)
    text.append_text(cell)
    if justify == "left" and excess:
        text.append(" " * excess, cell.style or None)
    segments = list(text.render(table.app.console))
    if justify in (None, "default") and excess:
        segments.append(Segment(" " * excess))
    if padding:
        pad = Segment(" " * padding, _PAD)
        segments = [pad, *segments, pad]

    is_fixed = row_index < table.fixed_rows or column_index < table.fixed_columns
    component_style, post_style = table._get_styles_to_render_cell(
        False,
        False,
        is_fixed,
        hover,
        cursor,
        table.show_cursor,
        table._show_hover_cursor,
        table.cursor_foreground_priority == "css",
        table.cursor_background_priority == "css",
    )
    base_style += Style.from_meta({"row": row_index, "column": column_index})
    pre_style = base_style + component_style
    # Segment.apply_style(segments, pre_style, post_style), each distinct style combined
    # once (adding Styles is most of the cost here).
    combined: dict[int, Style] = {}
    line = []
    for text_, style, _ in segments:
        result = combined.get(id(style))
        if result is None:
            result = pre_style + style
            if post_style:
                result = result + post_style if result else post_style
            combined[id(style)] = result
        line.append(Segment(text_, result))
    return [line]


def widen_columns(table: DataTable, new_rows: Iterable[RowKey]) -> bool:
    """Widen the columns to fit these new rows' cells, as DataTable's measuring would:
    True when done, False (nothing changed) when a row has a label, an automatic height,
    or a cell other than a one-line Text: DataTable measures them then."""
    rows, data, columns = table.rows, table._data, table.ordered_columns
    widths = [column.content_width for column in columns]
    for row_key in new_rows:
        row = rows.get(row_key)
        if row is None:  # removed since it was added
            continue
        if row.label is not None or row.auto_height:
            return False
        cells = data[row_key]
        for index, column in enumerate(columns):
            cell = cells.get(column.key)
            if type(cell) is not Text or not cell.plain.isprintable():
                return False
            width = cell.cell_len
            if width > widths[index]:
                widths[index] = width
    for column, width in zip(columns, widths, strict=True):
        column.content_width = width
    return True
