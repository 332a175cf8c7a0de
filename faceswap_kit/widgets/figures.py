"""A picture with controls that survives without a kernel.

A figure drawn inside an ipywidgets ``Output`` (``interact``) lives only in the widget: open the
notebook without a running kernel (on GitHub, nbviewer, a saved HTML copy) and it is gone. Here
the controls are a widget but the picture is an ordinary cell output (a PNG with a display id),
redrawn *in place* when a control changes. The picture of the default state is therefore saved
with the notebook, and with a kernel it follows the controls as ``interact`` would.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import WidgetError


def figure_png(figure: Any, dpi: float | str = "figure") -> bytes:
    """PNG bytes of a matplotlib ``Figure``; the figure is closed (so pyplot does not show it
    a second time at the end of the cell)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def image_png(image: Any) -> bytes:
    """PNG bytes of an ``(H, W, 3)`` uint8 RGB array."""
    import cv2

    ok, data = cv2.imencode(".png", np.ascontiguousarray(np.asarray(image)[..., ::-1]))
    if not ok:  # pragma: no cover - encoding a valid uint8 image does not fail
        raise WidgetError("could not encode the picture as PNG")
    return data.tobytes()


class LivePicture:
    """A PNG cell output that can be replaced later (``IPython.display`` display id).

    ``show(png)`` displays it once; ``update(png)`` replaces it wherever it is shown.
    """

    def __init__(self) -> None:
        self.handle: Any = None
        self.png: bytes | None = None

    def show(self, png: bytes) -> None:
        from IPython.display import Image, display

        self.png = png
        self.handle = display(Image(data=png, format="png"), display_id=True)

    def update(self, png: bytes) -> None:
        from IPython.display import Image

        self.png = png
        if self.handle is not None:
            self.handle.update(Image(data=png, format="png"))


class FigureControls:
    """Controls above a picture that ``draw(**values)`` makes; the picture is redrawn on change.

    Args:
        draw: called with one keyword per control (its current value); returns a matplotlib
            ``Figure`` or an ``(H, W, 3)`` uint8 array.
        **controls: ipywidgets value widgets (``IntSlider``, ``Dropdown``...), by keyword.

    Show it as the last expression of a cell (or ``display(...)``). ``redraws`` counts the
    pictures drawn (the first included).
    """

    def __init__(self, draw: Callable[..., Any], **controls: Any) -> None:
        if not controls:
            raise WidgetError("FigureControls needs at least one control, e.g. frame=IntSlider()")
        self.draw = draw
        self.controls = controls
        self.picture = LivePicture()
        self.redraws = 0
        for control in controls.values():
            control.observe(self._changed, names="value")

    @property
    def values(self) -> dict[str, Any]:
        """The controls' current values, by keyword."""
        return {name: control.value for name, control in self.controls.items()}

    def render(self) -> bytes:
        """Draw the picture for the current values; PNG bytes."""
        drawn = self.draw(**self.values)
        self.redraws += 1
        return image_png(drawn) if hasattr(drawn, "shape") else figure_png(drawn)

    def _changed(self, _change: dict) -> None:
        self.picture.update(self.render())

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a notebook front end
        import ipywidgets as widgets
        from IPython.display import display

        display(widgets.HBox(list(self.controls.values())))
        self.picture.show(self.render())


def interact_figure(draw: Callable[..., Any], **controls: Any) -> FigureControls:
    """Like ``ipywidgets.interact``, but the picture stays in the saved notebook.

    >>> import numpy as np, ipywidgets
    >>> shown = interact_figure(lambda level: np.full((4, 4, 3), level, np.uint8),
    ...                         level=ipywidgets.IntSlider(10, 0, 255))
    >>> shown.render()[:4]
    b'\\x89PNG'
    """
    return FigureControls(draw, **controls)
