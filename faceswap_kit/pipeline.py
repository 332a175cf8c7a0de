"""The frame pipeline: one frame in, one swapped frame out. Used by video conversion, the live
runner (trained model and 2D warp alike) and the notebooks.

A chain of stage functions, each timed in milliseconds::

    detect_faces -> LandmarkSmoother -> align_faces -> Swapper.swap -> merge_faces -> paste

``detect`` finds the faces' landmarks (and smooths them over time), ``align`` cuts the region of
the frame around the faces (and, for a swapper that works on aligned crops, the crops and their
matrices), the *swapper* makes the new faces, ``merge`` blends them back and pastes the region
into a copy of the frame. Only the region around the faces is converted to a tensor and back.

A :class:`Swapper` is anything with ``face_type``, ``size``, ``stage`` and ``swap(faces)``: a
trained model (:class:`ModelSwapper`, what :class:`FrameSwapper` builds from a
:class:`~faceswap_kit.models.SwapModel`) or the classic 2D landmark warp
(:class:`faceswap_kit.warp2d.Warp2DSwapper`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor

from .align import crop_box, face_matrix, landmark_box, warp_to_aligned
from .detect import MediaPipeDetector
from .errors import InputError
from .frames import check_rgb_frame
from .io import image_to_tensor, tensor_to_image
from .merge import MergeConfig, MergeResult, merge_face_detailed
from .smoothing import OneEuroConfig, OneEuroFilter
from .swapper import AlignedFaces, SwappedFaces, Swapper
from .threads import LoadAwareThreads

log = logging.getLogger(__name__)

STAGES = ("detect", "align", "model", "merge")
DEFAULT_SMOOTHING = OneEuroConfig()
#: frame-space swappers: regions smaller than this many pixels a side are left alone
MIN_REGION = 8


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
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
        predicted: (B,3,S,S) raw prediction. mask: (B,1,S,S) predicted mask (a frame-space
            swapper: its (1,1,h,w) blend mask over ``box``).
        merge: the last face's :class:`~faceswap_kit.merge.MergeResult` (crop-region geometry).
        box: (x0, y0, x1, y1) the frame region that was worked on.
    """

    output: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)
    landmarks: Tensor | None = None
    matrix: Tensor | None = None
    aligned: Tensor | None = None
    predicted: Tensor | None = None
    mask: Tensor | None = None
    merge: MergeResult | None = None
    box: tuple[int, int, int, int] | None = None

    @property
    def faces(self) -> int:
        return 0 if self.landmarks is None else int(self.landmarks.shape[0])


# stages -------------------------------------------------------------------------------------------


def detect_faces(detector: Callable, frame: np.ndarray, max_faces: int = 1) -> Tensor | None:
    """The ``max_faces`` largest faces' landmarks, (B,N,2) float32 frame pixels, or None."""
    faces = sorted(detector(frame), key=lambda face: -_span(face.landmarks))[:max_faces]
    if not faces:
        return None
    return torch.from_numpy(np.stack([np.asarray(f.landmarks, np.float32) for f in faces]))


class LandmarkSmoother:
    """One-Euro smoothing of each face's landmarks over time; forgets the past when the number
    of faces or the frame size changes (a live quality step rescales the pixels)."""

    def __init__(self, config: OneEuroConfig | None = DEFAULT_SMOOTHING, fps: float = 30.0) -> None:
        self.config = config
        self.fps = float(fps)
        self._filters: list[OneEuroFilter] = []
        self._shape: tuple[int, ...] | None = None

    def reset(self) -> None:
        self._filters = []

    def __call__(self, landmarks: Tensor, frame_shape: tuple[int, ...] = ()) -> Tensor:
        if self.config is None:
            return landmarks
        if len(self._filters) != landmarks.shape[0] or frame_shape != self._shape:
            self._filters = [
                OneEuroFilter.from_config(self.config, self.fps) for _ in range(landmarks.shape[0])
            ]
            self._shape = frame_shape
        return torch.stack([f(points) for f, points in zip(self._filters, landmarks, strict=True)])


def align_faces(
    frame: np.ndarray,
    landmarks: Tensor,
    face_type: str | None,
    size: int,
    device: torch.device | str | None = None,
) -> tuple[AlignedFaces, Tensor | None] | None:
    """Cut the region around the faces and, for ``face_type``, the aligned crops.

    Args:
        frame: (H,W,3) uint8 RGB.
        landmarks: (B,N,2) frame pixels.
        face_type: the crops' face type, or None (frame-space swapper: region and landmarks only).
        size: crop side.

    Returns:
        ``(faces, matrix)`` with ``matrix`` (B,2,3) frame -> crop (None without ``face_type``),
        or None when a frame-space region is too small to work on.
    """
    height, width = frame.shape[:2]
    landmarks = landmarks.to(device, torch.float32)
    if face_type is None:
        box = landmark_box(landmarks, height, width)
        if box[2] - box[0] < MIN_REGION or box[3] - box[1] < MIN_REGION:
            return None
        matrix = None
    else:
        matrix = face_matrix(landmarks, face_type, size).float()
        box = crop_box(matrix, size, height, width)
    x0, y0, x1, y1 = box
    region = image_to_tensor(frame[y0:y1, x0:x1], device=landmarks.device)
    faces = AlignedFaces(region, box, landmarks)
    faces.landmarks = landmarks - faces.offset
    if matrix is not None:
        local = matrix.clone()
        local[..., 2] = matrix[..., 2] + matrix[..., :2] @ faces.offset  # region px -> crop px
        faces.matrix = local
        faces.aligned = warp_to_aligned(region, local, size)
    return faces, matrix


def merge_faces(
    faces: AlignedFaces, swapped: SwappedFaces, config: MergeConfig, face_type: str | None
) -> tuple[Tensor, MergeResult | None]:
    """Blend the swapped faces into the region, one after the other: (1,3,h,w) and the last
    face's :class:`MergeResult` (None for a frame-space swapper, whose region is finished)."""
    if swapped.in_region:
        return swapped.face, None
    merged, result = faces.region, None
    for i in range(faces.landmarks.shape[0]):
        result = merge_face_detailed(
            merged, swapped.face[i : i + 1], swapped.mask[i : i + 1], faces.matrix[i : i + 1],
            config, landmarks=faces.landmarks[i : i + 1], face_type=face_type or "whole_face",
        )  # fmt: skip
        merged = result.output
    return merged, result


def paste(frame: np.ndarray, region: Tensor, box: tuple[int, int, int, int]) -> np.ndarray:
    """A copy of ``frame`` with the (1,3,h,w) ``region`` written back at ``box``."""
    x0, y0, x1, y1 = box
    output = frame.copy()
    output[y0:y1, x0:x1] = tensor_to_image(region)
    return output


# swappers -----------------------------------------------------------------------------------------


def _model_device(model) -> torch.device:
    network = getattr(model, "network", model)
    parameters = getattr(network, "parameters", None)
    if callable(parameters):
        for p in parameters():
            return p.device
    return torch.device("cpu")


class ModelSwapper:
    """A trained model as a :class:`Swapper`: aligned crops -> predicted faces and masks.

    Args:
        model: an object with ``swap(aligned (B,3,S,S), direction) -> (face, mask)`` and
            ``config.resolution`` / ``config.face_type`` (a :class:`faceswap_kit.models.SwapModel`).
        direction: the model's swap direction (``"a_to_b"``: frames show A, output shows B).
        threads: a :class:`~faceswap_kit.threads.LoadAwareThreads` plan for the network on a
            CPU, or None to run on the caller's setting.
    """

    stage = "model"

    def __init__(
        self, model, direction: str = "a_to_b", threads: LoadAwareThreads | None = None
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
        self.direction = direction
        self.threads = threads

    def swap(self, faces: AlignedFaces) -> SwappedFaces:
        plan = self.threads
        on_cpu = faces.aligned.device.type == "cpu"
        with plan.network() if plan is not None and on_cpu else nullcontext():
            predicted, mask = self.model.swap(faces.aligned, self.direction)
        return SwappedFaces(predicted, mask)


# the chain ----------------------------------------------------------------------------------------


class FrameSwapper:
    """Detect, smooth, align, swap and merge the faces of uint8 RGB frames.

    Args:
        model: a trained model (see :class:`ModelSwapper`) or any :class:`Swapper` (e.g.
            :class:`faceswap_kit.warp2d.Warp2DSwapper`).
        detector: ``frame_uint8_rgb -> list`` of faces with ``.landmarks`` (N,2) pixels
            (the :class:`faceswap_kit.detect.Detector` protocol). Default: mediapipe, video mode.
        merge_config: :class:`MergeConfig` (default ``MergeConfig.default()``); may be replaced
            between frames (the live sliders do).
        direction: the model's swap direction (``"a_to_b"``: frames show A, output shows B).
        smoothing: One-Euro settings for the landmarks, or None for raw landmarks.
        fps: frame rate of the stream (for the smoothing filter).
        max_faces: most faces swapped per frame (largest first).
        device: where tensors go; default: the model's device.
        model_threads: the caller's choice of CPU threads: torch threads for the network alone
            (``"auto"``: every usable core), with the rest of the frame on one thread, both
            restored after each frame (:class:`~faceswap_kit.threads.LoadAwareThreads`). Small
            per-frame operations run best on one thread while the network gains from several:
            on 2 cores, 1 thread overall with 2 for the network measured fastest. None (default)
            leaves the threads as the caller set them.
        adapt_threads: with ``model_threads``, cap both counts by the cores other processes leave
            free (re-measured every 0.25 s): with one of two cores busy, a 2-thread network
            measured 10-50x slower frames than 1 thread.
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
        if model_threads != "auto" and model_threads is not None and int(model_threads) < 1:
            raise InputError(f"model_threads must be >= 1, 'auto' or None, got {model_threads}")
        self.threads = (
            None if model_threads is None else LoadAwareThreads(model_threads, adapt=adapt_threads)
        )
        self.model_threads = None if self.threads is None else self.threads.wanted_network
        if isinstance(model, Swapper):
            self.swapper = model
        else:
            self.swapper = ModelSwapper(model, direction, self.threads)
        self.model = getattr(self.swapper, "model", model)
        self.size = int(self.swapper.size)
        self.face_type = self.swapper.face_type
        self._detector = detector
        self.merge_config = merge_config or MergeConfig.default()
        self.smoother = LandmarkSmoother(smoothing, fps)
        self.max_faces = int(max_faces)
        self.device = torch.device(device) if device is not None else _model_device(self.model)

    @property
    def direction(self) -> str | None:
        return getattr(self.swapper, "direction", None)

    @property
    def smoothing(self) -> OneEuroConfig | None:
        return self.smoother.config

    @property
    def fps(self) -> float:
        return self.smoother.fps

    @property
    def detector(self) -> Callable:
        if self._detector is None:
            self._detector = MediaPipeDetector(mode="video", max_faces=self.max_faces)
        return self._detector

    def reset(self) -> None:
        """Forget tracking and smoothing state (between unrelated clips)."""
        self.smoother.reset()
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
            landmarks = detect_faces(self.detector, frame, self.max_faces)
            if landmarks is None:
                self.smoother.reset()
                return SwapResult(frame, timings)
            landmarks = self.smoother(landmarks, frame.shape)
        return self.swap_landmarks(frame, landmarks, timings)

    def swap_landmarks(
        self, frame: np.ndarray, landmarks: Tensor, timings: dict[str, float] | None = None
    ) -> SwapResult:
        """Swap the faces given by ``landmarks`` (B,N,2) frame pixels (no detection)."""
        check_rgb_frame(frame)
        timings = {} if timings is None else timings
        on_cpu = self.device.type == "cpu"
        with self.threads.frame() if self.threads is not None and on_cpu else nullcontext():
            return self._swap_landmarks(frame, landmarks, timings)

    def _swap_landmarks(
        self, frame: np.ndarray, landmarks: Tensor, timings: dict[str, float]
    ) -> SwapResult:
        with _timed(timings, "align"):
            landmarks = landmarks.to(self.device, torch.float32)
            aligned = align_faces(frame, landmarks, self.face_type, self.size, self.device)
        if aligned is None:
            return SwapResult(frame, timings, landmarks)
        faces, matrix = aligned
        with _timed(timings, self.swapper.stage):
            swapped = self.swapper.swap(faces)
        with _timed(timings, "merge"):
            merged, result = merge_faces(faces, swapped, self.merge_config, self.face_type)
            output = paste(frame, merged, faces.box)
        predicted = None if swapped.in_region else swapped.face
        return SwapResult(
            output, timings, landmarks, matrix, faces.aligned, predicted,
            swapped.mask, result, faces.box,
        )  # fmt: skip


def _span(landmarks) -> float:
    points = np.asarray(landmarks)
    return float(np.ptp(points[:, 0]) + np.ptp(points[:, 1]))
