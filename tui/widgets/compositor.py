"""A screen compositor that renders, for a partial update, only the widgets it shows.

Textual's compositor picks the widgets to render for an update by their *clip* (the
region of the container they scroll in) meeting the updated area, not by the part of
them that is on screen. Inside a scrolling form every widget's clip is the whole form:
a key typed in one field renders all thirty widgets of the form again (each from its
line cache, but each still walks its styles, background and filters), several times
what the field and the line under it cost (issue 12: typing at bare-Input speed).
Here a widget is rendered when what it shows meets the updated area, and only its rows
in that area: the lines the compositor keeps anyway, so the frame is the same.

Private API of Textual (Compositor._get_renders, Screen._compositor): `install` keeps
Textual's own compositor when either is not the shape this was written against.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable

from textual._compositor import Compositor
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip


class CroppedCompositor(Compositor):
    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if crop is None:  # a full frame: every widget, as Textual does
            yield from super()._get_renders(crop)
            return
        top, bottom = crop.y, crop.bottom
        for widget, (region, clip) in self.visible_widgets.items():
            shown = region.intersection(clip)
            # Only the rows of the update: the screen and the form behind a field are
            # 24 lines, of which a key changes three.
            y = max(shown.y, top)
            height = min(shown.bottom, bottom) - y
            if not (shown.width and height > 0 and crop.overlaps(shown)):
                continue
            rows = Region(shown.x, y, shown.width, height)
            yield (
                region,
                rows,  # as the clip: the compositor places the strips from its top row
                widget.render_lines(
                    Region(rows.x - region.x, rows.y - region.y, rows.width, rows.height)
                ),
            )


def _expected_shape() -> bool:
    try:
        params = list(inspect.signature(Compositor._get_renders).parameters)
    except (AttributeError, TypeError, ValueError):
        return False
    return params == ["self", "crop"] and isinstance(
        getattr(Compositor, "visible_widgets", None), property
    )


_FITS = _expected_shape()


def install(screen: Screen) -> bool:
    """Give `screen` (not yet mounted) the cropped compositor; False when Textual's
    internals differ from what it was written against (Textual's own stays)."""
    if not (_FITS and type(getattr(screen, "_compositor", None)) is Compositor):
        return False
    screen._compositor = CroppedCompositor()
    return True
