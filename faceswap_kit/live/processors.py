"""Swap processors for the live loop: ``process(frame_uint8_rgb) -> (frame_uint8_rgb, {stage: ms})``.

* :class:`Warp2DProcessor` — the classic 2D landmark warp of one still face; no training needed.
* :class:`ModelProcessor` — a trained model through ``faceswap_kit.pipeline.FrameSwapper``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

import numpy as np
import torch

from ..errors import CheckpointError, InputError, NoFaceFoundError
from ..warp2d import MEDIAPIPE_POINTS, delaunay_triangles, warp2d_swap
from . import hud
from .stats import timed
from .tracking import make_tracker

log = logging.getLogger(__name__)


def _to_tensor(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(array, copy=True)).permute(2, 0, 1)[None].float() / 255.0


def _to_uint8(tensor: torch.Tensor) -> np.ndarray:
    return (tensor[0].clamp(0, 1) * 255.0 + 0.5).to(torch.uint8).permute(1, 2, 0).numpy()


class Warp2DProcessor:
    """Paste one still face onto the tracked face of every frame (``faceswap_kit.warp2d``).

    Args:
        source_image: ``(h, w, 3)`` uint8 RGB image of the face to paste.
        source_landmarks: its ``(N, 2)`` pixel landmarks (mediapipe topology); detected when None.
        detector: ``frame -> list of faces with .landmarks``; default: mediapipe tracking.
        color_transfer, feather, opacity: see :func:`faceswap_kit.warp2d.warp2d_swap`.
        show_landmarks: draw the tracked landmarks.
        show_mask: tint the blend mask.
        smoothing: ``faceswap_kit.smoothing.OneEuroConfig`` for the tracked landmarks (less
            jitter), ``"default"`` for its defaults, or None for raw landmarks.
        fps: nominal frame rate of the stream (for the smoothing filter).
    """

    def __init__(
        self,
        source_image: np.ndarray,
        source_landmarks: np.ndarray | None = None,
        detector: Callable | None = None,
        color_transfer: bool = True,
        feather: float = 0.06,
        opacity: float = 1.0,
        show_landmarks: bool = False,
        show_mask: bool = False,
        smoothing="default",
        fps: float = 30.0,
    ) -> None:
        if source_image.ndim != 3 or source_image.shape[2] != 3 or source_image.dtype != np.uint8:
            raise InputError(
                f"source_image must be (h, w, 3) uint8 RGB, got {source_image.shape} "
                f"{source_image.dtype}"
            )
        if source_landmarks is None:
            faces = make_tracker("image")(source_image)
            if not faces:
                raise NoFaceFoundError(
                    f"no face found in the {source_image.shape[1]}x{source_image.shape[0]} source "
                    "image; use a frontal, well-lit face photo or a generated person"
                )
            source_landmarks = faces[0].landmarks
        points = np.asarray(source_landmarks, np.float32)[:MEDIAPIPE_POINTS]
        self.source_image = source_image
        self.source_landmarks = points
        self._source = _to_tensor(source_image)
        self._source_points = torch.from_numpy(points)[None]
        self._triangles = delaunay_triangles(self._source_points[0])
        self.detector = detector or make_tracker("video")
        self.color_transfer = color_transfer
        self.feather = feather
        self.opacity = opacity
        self.show_landmarks = show_landmarks
        self.show_mask = show_mask
        self.face_found = False
        self.last_landmarks: np.ndarray | None = None
        self._filter = None
        self._last_shape: tuple[int, ...] | None = None
        if smoothing is not None:
            from ..smoothing import OneEuroConfig, OneEuroFilter

            config = OneEuroConfig.default() if smoothing == "default" else smoothing
            self._filter = OneEuroFilter.from_config(config, fps=fps)

    def __call__(self, frame: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
        timings: dict[str, float] = {}
        with timed(timings, "detect"):
            faces = self.detector(frame)
        self.face_found = bool(faces)
        if not faces:
            self.last_landmarks = None
            if self._filter is not None:
                self._filter.reset()
            return frame, timings
        landmarks = np.asarray(faces[0].landmarks, np.float32)[:MEDIAPIPE_POINTS]
        if self._filter is not None:
            if frame.shape != self._last_shape:  # a quality step changed the pixel scale
                self._filter.reset()
            self._last_shape = frame.shape
            with timed(timings, "detect"):
                landmarks = self._filter(torch.from_numpy(landmarks)).numpy()
        self.last_landmarks = landmarks
        height, width = frame.shape[:2]
        with timed(timings, "align"):
            # work on a crop around the face: converting the whole frame would cost more than the warp
            margin = 0.1 * float(landmarks[:, 0].max() - landmarks[:, 0].min()) + 4
            x0 = int(max(0, np.floor(landmarks[:, 0].min() - margin)))
            y0 = int(max(0, np.floor(landmarks[:, 1].min() - margin)))
            x1 = int(min(width, np.ceil(landmarks[:, 0].max() + margin)))
            y1 = int(min(height, np.ceil(landmarks[:, 1].max() + margin)))
            if x1 - x0 < 8 or y1 - y0 < 8:
                return frame, timings
            crop = _to_tensor(frame[y0:y1, x0:x1])
            crop_points = torch.from_numpy(landmarks - (x0, y0))[None]
        with timed(timings, "swap"):
            swapped, mask = warp2d_swap(
                crop,
                crop_points,
                self._source,
                self._source_points,
                triangles=self._triangles,
                color_transfer=self.color_transfer,
                feather=self.feather,
                opacity=self.opacity,
                return_mask=True,
            )
        with timed(timings, "merge"):
            output = frame.copy()
            output[y0:y1, x0:x1] = _to_uint8(swapped)
            if self.show_mask:
                hud.draw_mask(output[y0:y1, x0:x1], mask[0, 0].numpy())
            if self.show_landmarks:
                hud.draw_landmarks(output, landmarks)
        return output, timings


class ModelProcessor:
    """A trained model in the live loop, through ``faceswap_kit.pipeline.FrameSwapper``.

    Any object with ``__call__(frame_uint8_rgb) -> (frame_uint8_rgb, timings)`` works as
    ``swapper``; :meth:`from_directory` builds the package's own from a model folder.
    """

    def __init__(self, swapper: Callable[[np.ndarray], tuple[np.ndarray, dict]]) -> None:
        self.swapper = swapper

    def __call__(self, frame: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
        output, timings = self.swapper(frame)
        return output, dict(timings)

    @classmethod
    def from_directory(
        cls,
        path: str | os.PathLike,
        merge_config=None,
        device: torch.device | str | None = None,
        model_threads: int | str | None = "auto",
    ) -> ModelProcessor:
        """Load ``models/<name>`` (or a trained directory) and wrap it for the live loop (merge
        settings: ``MergeConfig.live()`` unless given; the network on ``model_threads`` CPU
        threads, ``"auto"``: every usable core, while the rest of the frame keeps the loop's
        setting; both capped by the cores other programs leave free, re-measured every 0.25 s:
        see :class:`~faceswap_kit.pipeline.FrameSwapper` and :mod:`faceswap_kit.threads`)."""
        try:
            from ..models import load_model
            from ..pipeline import FrameSwapper
        except ImportError as exc:
            raise CheckpointError(
                f"the model mode needs faceswap_kit.models and faceswap_kit.pipeline ({exc}); "
                "use the 2D warp mode until they are installed"
            ) from exc
        from ..merge import MergeConfig

        model = load_model(path)
        if device is not None:
            model = model.to(device)
        if model_threads not in (None, "auto"):
            model_threads = max(1, min(int(model_threads), os.cpu_count() or 1))
        swapper = FrameSwapper(
            model, make_tracker("video"), merge_config or MergeConfig.live(),
            model_threads=model_threads,
        )  # fmt: skip
        return cls(swapper)
