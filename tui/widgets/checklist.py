"""A domain's onboarding checklist: one row per step of the engine, its state as a mark
that reads without colour, its evidence, and the next step marked and under the cursor.

The rows come from `tui.services.onboarding.Standing` (computed from the cloud each time);
this widget only shows them. Enter on a row posts `DataTable.RowSelected`, which the
screen turns into the step's action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable

from tui.safe_text import shown

if TYPE_CHECKING:
    from tui.services.onboarding import Standing, Step

# Marks that read without colour (a monochrome bastion, a screen reader): the state's
# value is the key, so this module needs no import of the engine.
MARKS = {
    "done": ("✓", "green"),
    "in progress": ("…", "yellow"),
    "failed": ("✗", "bold red"),
    "to do": ("·", ""),
    "not applicable": ("–", "dim"),  # noqa: RUF001 (an en dash: the brief's mark)
}
NEXT = "▸"  # before the next step's mark; the row is bold as well


def state_mark(state: str) -> Text:
    mark, style = MARKS.get(state, ("?", ""))
    return Text(mark, style=style)


def step_cells(step: Step, is_next: bool, room: int = 0) -> tuple[Text, Text, Text]:
    """The row of a step; `room` (if given) is the width the evidence may take: longer
    evidence ends in "…" (the whole of it is in `oss-cdn status`)."""
    state = str(getattr(step.state, "value", step.state))
    name = str(getattr(step.name, "value", step.name))
    mark = Text(NEXT if is_next else " ", style="bold")
    mark.append_text(state_mark(state))
    label = Text(shown(name), style="bold" if is_next else "")
    evidence = Text(shown(step.evidence or state), style="" if is_next else "dim")
    if is_next and state not in ("in progress", "failed"):
        evidence = Text(shown(f"{state}: {step.evidence}" if step.evidence else state))
    if room > 0:
        evidence.truncate(room, overflow="ellipsis")
    return mark, label, evidence


class Checklist(DataTable[Text]):
    """The steps of one domain, the next one highlighted; no header, one line a step."""

    DEFAULT_CSS = """
    Checklist {
        height: auto;
        max-height: 10;
        margin: 0 0 1 0;
        overflow-x: hidden;
    }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", show_header=False, zebra_stripes=False)
        self.add_column("", key="mark", width=2)
        self.add_column("", key="step")
        self.add_column("", key="evidence")
        self.standing: Standing | None = None

    def show(self, standing: Standing) -> None:
        """List the standing's steps; the cursor goes to the next step (or stays put)."""
        first = self.standing is None
        at = self.cursor_row
        self.standing = standing
        upcoming = standing.next
        names = [str(getattr(step.name, "value", step.name)) for step in standing.steps]
        # What is left of the width once the mark and the longest name have theirs
        # (each column pads one cell on either side).
        width = self.size.width or self.app.size.width
        room = max(width - 2 - max(map(len, names), default=0) - 8, 12)
        self.clear()
        for step, name in zip(standing.steps, names, strict=True):
            self.add_row(*step_cells(step, step == upcoming, room), key=name)
        if upcoming is not None:
            self.move_cursor(row=list(standing.steps).index(upcoming))
        elif not first:
            self.move_cursor(row=min(at, max(self.row_count - 1, 0)))

    def on_resize(self) -> None:
        if self.standing is not None:
            self.show(self.standing)

    @property
    def selected(self) -> Step | None:
        if self.standing is None or not self.row_count:
            return None
        return self.standing.steps[self.cursor_row]
