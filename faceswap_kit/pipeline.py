"""``FrameSwapper``: one frame in, one swapped frame out. Used by video conversion AND the live runner.

Stages, each timed in milliseconds: ``detect`` (landmarks, smoothed over time), ``align`` (matrix
and aligned crop), ``model`` (predicted face and mask), ``merge`` (back into the frame). Only the
region of the frame around the face is converted to a tensor and back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor

from .errors import InputError
from .frames import check_rgb_frame
from .merge import MergeConfig, MergeResult, merge_face_detailed
from .smoothing import OneEuroConfig, OneEuroFilter
from .threads import LoadAwareThreads

log = logging.getLogger(__name__)

STAGES = ("detect", "align", "model", "merge")
DEFAULT_SMOOTHING = OneEuroConfig()


@contextmanager
def _timed(timings: dict[str, float], name: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + (time.perf_counter() - start) * 1000.0


@dataclass
class SwapResult:
    """Everything one frame went through (for previews and tests).

    Attributes:
        output: (H,W,3) uint8 RGB swapped frame (the input itself when no face was found).
        timings: milliseconds per stage.
        landmarks: (B,N,2) smoothed frame landmarks, or None when no face was found.
        matrix: (B,2,3) frame -> aligned crop. aligned: (B,3,S,S) crops fed to the model.
        predicted: (B,3,S,S) raw prediction. mask: (B,1,S,S) predicted mask.
        merge: the last face's :class:`~faceswap_kit.merge.MergeResult` (crop-region geometry).
    """

    output: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)
    landmarks: Tensor | None = None
    matrix: Tensor | None = None
    aligned: Tensor | None = None
    predicted: Tensor | None = None
    mask: Tensor | None = None
    merge: MergeResult | None = None

    @property
    def faces(self) -> int:
        return 0 if self.landmarks is None else int(self.landmarks.shape[0])


def _model_device(model) -> torch.device:
    network = getattr(model, "network", model)
    parameters = getattr(network, "parameters", None)
    if callable(parameters):
        for p in parameters():
            return p.device
    return torch.device("cpu")


def crop_box(matrix: Tensor, size: int, height: int, width: int) -> tuple[int, int, int, int]:
    """Frame box (x0, y0, x1, y1) holding every face's S x S crop, clipped to the frame."""
    linear, shift = matrix[..., :2].double(), matrix[..., 2:].double()
    inverse = torch.linalg.inv(linear)
    s = float(size - 1)
    corners = torch.tensor([[0.0, 0.0], [s, 0.0], [0.0, s], [s, s]], dtype=torch.float64)
    points = (corners.to(inverse.device)[None] - shift.transpose(1, 2)) @ inverse.transpose(1, 2)
    low, high = points.amin(dim=(0, 1)), points.amax(dim=(0, 1))
    x0 = int(min(max(np.floor(float(low[0])) - 2, 0), width - 1))
    y0 = int(min(max(np.floor(float(low[1])) - 2, 0), height - 1))
    x1 = int(max(min(np.ceil(float(high[0])) + 3, width), x0 + 1))
    y1 = int(max(min(np.ceil(float(high[1])) + 3, height), y0 + 1))
    return x0, y0, x1, y1


class FrameSwapper:
    """Detect, align, swap and merge the faces of uint8 RGB frames.

    Args:
        model: an object with ``swap(aligned (B,3,S,S), direction) -> (face, mask)`` and
            ``config.resolution`` / ``config.face_type`` (a :class:`faceswap_kit.models.SwapModel`).
        detector: ``frame_uint8_rgb -> list`` of faces with ``.landmarks`` (N,2) pixels
            (the :class:`faceswap_kit.detect.Detector` protocol). Default: mediapipe, video mode.
        merge_config: :class:`MergeConfig` (default ``MergeConfig.default()``); may be replaced
            between frames (the live sliders do).
        direction: the model's swap direction (``"a_to_b"``: frames show A, output shows B).
        smoothing: One-Euro settings for the landmarks, or None for raw landmarks.
        fps: frame rate of the stream (for the smoothing filter).
        max_faces: most faces swapped per frame (largest first).
        device: where tensors go; default: the model's device.
        model_threads: torch CPU threads for the network alone (restored after it), ``"auto"``
            for every usable core; the rest of the frame keeps the caller's setting. Small
            per-frame operations run best on one thread while the network gains from several:
            on 2 cores, 1 thread overall with 2 for the network measured fastest. None leaves
            the threads alone.
        adapt_threads: on CPU, cap both thread counts by the cores other processes leave free
            (:class:`faceswap_kit.threads.LoadAwareThreads`, re-measured every 0.25 s): with one
            of two cores busy, a 2-thread network measured 10-50x slower frames than 1 thread.
    """

    def __init__(
        self,
        model,
        detector: Callable | None = None,
        merge_config: MergeConfig | None = None,
        *,
        direction: str = "a_to_b",
        smoothing: OneEuroConfig | None = DEFAULT_SMOOTHING,
        fps: float = 30.0,
        max_faces: int = 1,
        device: torch.device | str | None = None,
        model_threads: int | str | None = None,
        adapt_threads: bool = True,
    ) -> None:
        config = getattr(model, "config", None)
        if not callable(getattr(model, "swap", None)) or config is None:
            raise InputError(
                f"model must have .swap(aligned) and .config (resolution, face_type), got "
                f"{type(model).__name__}; load one with faceswap_kit.models.load_model"
            )
        self.model = model
        self.size = int(config.resolution)
        self.face_type = str(config.face_type)
        self._detector = detector
        self.merge_config = merge_config or MergeConfig.default()
        self.direction = direction
        self.smoothing = smoothing
        self.fps = float(fps)
        self.max_faces = int(max_faces)
        self.device = torch.device(device) if device is not None else _model_device(model)
        self._filters: list[OneEuroFilter] = []
        if model_threads != "auto" and model_threads is not None and int(model_threads) < 1:
            raise InputError(f"model_threads must be >= 1, 'auto' or None, got {model_threads}")
        self.threads = LoadAwareThreads(model_threads, adapt=adapt_threads)
        self.model_threads = self.threads.wanted_network

    def _run_model(self, aligned: Tensor) -> tuple[Tensor, Tensor]:
        if self.device.type != "cpu":
            return self.model.swap(aligned, self.direction)
        with self.threads.network():
            return self.model.swap(aligned, self.direction)

    @property
    def detector(self) -> Callable:
        if self._detector is None:
            from .detect import MediaPipeDetector

            self._detector = MediaPipeDetector(mode="video", max_faces=self.max_faces)
        return self._detector

    def reset(self) -> None:
        """Forget tracking and smoothing state (between unrelated clips)."""
        self._filters = []
        reset = getattr(self._detector, "reset", None)
        if callable(reset):
            reset()

    def __call__(self, frame: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
        """Swap the faces of one uint8 RGB (H,W,3) frame: returns (frame, stage timings in ms)."""
        result = self.swap_frame(frame)
        return result.output, result.timings

    def swap_frame(self, frame: np.ndarray) -> SwapResult:
        """Like ``__call__`` but returns every intermediate as a :class:`SwapResult`."""
        check_rgb_frame(frame)
        timings: dict[str, float] = {}
        with _timed(timings, "detect"):
            faces = list(self.detector(frame))
            faces.sort(key=lambda f: -_span(f.landmarks))
            faces = faces[: self.max_faces]
            if not faces:
                self._filters = []
                return SwapResult(frame, timings)
            raw = torch.from_numpy(np.stack([np.asarray(f.landmarks, np.float32) for f in faces]))
            landmarks = self._smooth(raw)
        return self.swap_landmarks(frame, landmarks, timings)

    def _smooth(self, landmarks: Tensor) -> Tensor:
        if self.smoothing is None:
            return landmarks
        if len(self._filters) != landmarks.shape[0]:
            self._filters = [
                OneEuroFilter.from_config(self.smoothing, self.fps)
                for _ in range(landmarks.shape[0])
            ]
        return torch.stack([f(points) for f, points in zip(self._filters, landmarks, strict=True)])

    def swap_landmarks(
        self, frame: np.ndarray, landmarks: Tensor, timings: dict[str, float] | None = None
    ) -> SwapResult:
        """Swap the faces given by ``landmarks`` (B,N,2) frame pixels (no detection)."""

        check_rgb_frame(frame)
        timings = {} if timings is None else timings
        if self.device.type != "cpu":
            return self._swap_landmarks(frame, landmarks, timings)
        with self.threads.frame():
            return self._swap_landmarks(frame, landmarks, timings)

    def _swap_landmarks(
        self, frame: np.ndarray, landmarks: Tensor, timings: dict[str, float]
    ) -> SwapResult:
        from .align import face_matrix, warp_to_aligned

        height, width = frame.shape[:2]
        with _timed(timings, "align"):
            landmarks = landmarks.to(self.device, torch.float32)
            matrix = face_matrix(landmarks, self.face_type, self.size).float()
            x0, y0, x1, y1 = crop_box(matrix.cpu(), self.size, height, width)
            region = torch.from_numpy(np.ascontiguousarray(frame[y0:y1, x0:x1]))
            region = region.to(self.device).permute(2, 0, 1)[None].float() / 255.0
            offset = torch.tensor([x0, y0], dtype=matrix.dtype, device=matrix.device)
            local = matrix.clone()
            local[..., 2] = matrix[..., 2] + matrix[..., :2] @ offset  # region px -> crop px
            local_landmarks = landmarks - offset
            aligned = warp_to_aligned(region, local, self.size)
        with _timed(timings, "model"):
            predicted, mask = self._run_model(aligned)
        with _timed(timings, "merge"):
            merged = region
            result = None
            for i in range(landmarks.shape[0]):  # several faces: one after the other
                result = merge_face_detailed(
                    merged,
                    predicted[i : i + 1],
                    mask[i : i + 1],
                    local[i : i + 1],
                    self.merge_config,
                    landmarks=local_landmarks[i : i + 1],
                    face_type=self.face_type,
                )
                merged = result.output
            output = frame.copy()
            patch = (merged[0].clamp(0, 1) * 255.0 + 0.5).to(torch.uint8)
            output[y0:y1, x0:x1] = patch.permute(1, 2, 0).cpu().numpy()
        return SwapResult(output, timings, landmarks, matrix, aligned, predicted, mask, result)


def _span(landmarks) -> float:
    points = np.asarray(landmarks)
    return float(np.ptp(points[:, 0]) + np.ptp(points[:, 1]))
