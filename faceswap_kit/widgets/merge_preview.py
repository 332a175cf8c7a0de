"""An instant before/after preview of the merge settings on one frame (ipywidgets).

The model runs once; every slider change only re-runs the merge on the cached prediction, so the
preview follows the sliders at interactive speed. Shown in a notebook, the before/after picture is
an ordinary cell output redrawn in place (:mod:`.figures`), so the default state stays visible in
a notebook saved and opened without a kernel.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..errors import WidgetError
from ..io import image_to_tensor, tensor_to_image
from ..merge import BLEND_MODES, COLOR_MODES, MASK_MODES, MergeConfig, merge_face_detailed
from .figures import LivePicture


def _png(image: np.ndarray) -> bytes:
    import cv2

    ok, data = cv2.imencode(".png", np.ascontiguousarray(image[..., ::-1]))
    if not ok:  # pragma: no cover - encoding a valid uint8 image does not fail
        raise WidgetError("could not encode the preview image")
    return data.tobytes()


class MergePreview:
    """Sliders for every :class:`MergeConfig` field, with the original and the merge side by side.

    Args:
        frame: (H,W,3) uint8 RGB frame.
        result: a :class:`faceswap_kit.pipeline.SwapResult` of that frame (with a face).
        config: starting settings (default ``MergeConfig.default()``).
        width: display width in pixels of each of the two images.

    Display ``preview`` as the last line of a cell (controls, then a before | after picture that
    follows them); ``preview.widget`` holds controls and images in one widget, for layouts.
    ``preview.config`` is the current setting, ready for ``convert_video(..., config=preview.config)``.
    """

    def __init__(
        self, frame: np.ndarray, result: Any, config: MergeConfig | None = None, width: int = 320
    ) -> None:
        try:
            import ipywidgets as widgets
        except ImportError as exc:  # pragma: no cover - ipywidgets is a dependency
            raise WidgetError(
                "the merge preview needs ipywidgets (pip install ipywidgets)"
            ) from exc
        if getattr(result, "predicted", None) is None:
            raise WidgetError(
                "this frame has no swapped face to preview; pick a frame where a face was found"
            )

        self._to_uint8 = tensor_to_image
        self.frame = frame
        self._image = image_to_tensor(frame)
        self._result = result
        self.config = config or MergeConfig.default()
        c = self.config
        self.controls = {
            "color": widgets.Dropdown(options=COLOR_MODES, value=c.color, description="colour"),
            "mask": widgets.Dropdown(options=MASK_MODES, value=c.mask, description="mask"),
            "blend": widgets.Dropdown(options=BLEND_MODES, value=c.blend, description="blend"),
            "erode": widgets.IntSlider(value=c.erode, min=-20, max=40, description="erode"),
            "blur": widgets.IntSlider(value=c.blur, min=0, max=81, description="blur"),
            "opacity": widgets.FloatSlider(
                value=c.opacity, min=0, max=1, step=0.05, description="opacity"
            ),  # fmt: skip
            "sharpen": widgets.FloatSlider(
                value=c.sharpen, min=0, max=2, step=0.1, description="sharpen"
            ),  # fmt: skip
        }
        self.before = widgets.Image(format="png", width=width, value=_png(frame))
        self.after = widgets.Image(format="png", width=width)
        self.status = widgets.Label()
        self.picture = LivePicture()
        self.controls_box = widgets.HBox(
            [
                widgets.VBox(list(self.controls.values())[:3]),
                widgets.VBox(list(self.controls.values())[3:]),
            ]
        )
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        self.widget = widgets.VBox(
            [self.controls_box, widgets.HBox([self.before, self.after]), self.status]
        )
        self.update()

    def _changed(self, _change: dict) -> None:
        self.update()

    def update(self) -> np.ndarray:
        """Re-merge with the controls' values; returns the merged (H,W,3) uint8 frame."""

        values = {name: control.value for name, control in self.controls.items()}
        self.config = MergeConfig(**values)
        start = time.perf_counter()
        r = self._result
        merged = merge_face_detailed(
            self._image, r.predicted[:1], r.mask[:1], r.matrix[:1].float(), self.config,
            landmarks=r.landmarks[:1].float(),
        )  # fmt: skip
        output = self._to_uint8(merged.output)
        self.after.value = _png(output)
        self.merged = output
        if self.picture.handle is not None:  # shown in a notebook: redraw the picture in place
            self.picture.update(self.side_by_side_png())
        self.status.value = (
            f"merge: {(time.perf_counter() - start) * 1000:.1f} ms  |  {self.config}"
        )
        return output

    def side_by_side_png(self) -> bytes:
        """PNG of the frame (left) and its merge with the current settings (right)."""
        gap = np.full((self.frame.shape[0], 4, 3), 255, np.uint8)
        return _png(np.concatenate([self.frame, gap, self.merged], axis=1))

    def _ipython_display_(self) -> None:  # pragma: no cover - notebook display
        from IPython.display import display

        display(self.controls_box, self.status)
        self.picture.show(self.side_by_side_png())
