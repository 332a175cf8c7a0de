"""Swap processors for the live loop: ``process(frame_uint8_rgb) -> (frame_uint8_rgb, {stage: ms})``.

Both run the one frame pipeline (:class:`faceswap_kit.pipeline.FrameSwapper`: detect -> smooth ->
align -> swap -> merge, each stage timed); they differ only in the swapper:

* :class:`Warp2DProcessor` — the classic 2D landmark warp of one still face; no training needed.
* :class:`ModelProcessor` — a trained model.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

import numpy as np
import torch

from ..detect import MediaPipeDetector
from ..errors import InputError, NoFaceFoundError
from ..io import image_to_tensor
from ..merge import MergeConfig
from ..models import load_model
from ..pipeline import FrameSwapper
from ..smoothing import OneEuroConfig
from ..warp2d import MEDIAPIPE_POINTS, Warp2DSwapper
from . import hud
from .stats import timed

log = logging.getLogger(__name__)


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
            with MediaPipeDetector(mode="image", max_faces=1) as detect:
                faces = detect(source_image)
            if not faces:
                raise NoFaceFoundError(
                    f"no face found in the {source_image.shape[1]}x{source_image.shape[0]} source "
                    "image; use a frontal, well-lit face photo or a generated person"
                )
            source_landmarks = faces[0].landmarks
        points = np.asarray(source_landmarks, np.float32)[:MEDIAPIPE_POINTS]
        self.source_image = source_image
        self.source_landmarks = points
        self.warp = Warp2DSwapper(
            image_to_tensor(source_image), torch.from_numpy(points)[None],
            color_transfer=color_transfer, feather=feather, opacity=opacity,
        )  # fmt: skip
        if smoothing == "default":
            smoothing = OneEuroConfig.default()
        detector = detector or MediaPipeDetector(mode="video", max_faces=1)
        self.frames = FrameSwapper(self.warp, detector, smoothing=smoothing, fps=fps)
        self.show_landmarks = show_landmarks
        self.show_mask = show_mask
        self.face_found = False
        self.last_landmarks: np.ndarray | None = None

    @property
    def detector(self) -> Callable:
        return self.frames.detector

    color_transfer = property(
        lambda self: self.warp.color_transfer,
        lambda self, value: setattr(self.warp, "color_transfer", value),
    )
    feather = property(
        lambda self: self.warp.feather, lambda self, value: setattr(self.warp, "feather", value)
    )
    opacity = property(
        lambda self: self.warp.opacity, lambda self, value: setattr(self.warp, "opacity", value)
    )

    def __call__(self, frame: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
        result = self.frames.swap_frame(frame)
        self.face_found = result.faces > 0
        if not self.face_found:
            self.last_landmarks = None
            return result.output, result.timings
        self.last_landmarks = result.landmarks[0, :MEDIAPIPE_POINTS].cpu().numpy()
        output = result.output
        if result.box is not None and (self.show_mask or self.show_landmarks):
            with timed(result.timings, "merge"):
                x0, y0, x1, y1 = result.box
                if self.show_mask:
                    hud.draw_mask(output[y0:y1, x0:x1], result.mask[0, 0].cpu().numpy())
                if self.show_landmarks:
                    hud.draw_landmarks(output, self.last_landmarks)
        return output, result.timings


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

        model = load_model(path)
        if device is not None:
            model = model.to(device)
        if model_threads not in (None, "auto"):
            model_threads = max(1, min(int(model_threads), os.cpu_count() or 1))
        # the live runner chooses the threads: the network on model_threads, the rest of the
        # frame on one, both capped by the load (see faceswap_kit.threads)
        swapper = FrameSwapper(
            model, MediaPipeDetector(mode="video", max_faces=1),
            merge_config or MergeConfig.live(), model_threads=model_threads,
        )  # fmt: skip
        return cls(swapper)
