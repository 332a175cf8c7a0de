"""Face detection + 478 landmarks with mediapipe 0.10.14's bundled models (legacy ``mp.solutions``
API: nothing is downloaded).

Two modes: ``"video"`` tracks the face from frame to frame (the mesh model alone, ~3-5 ms a frame
on a CPU core) and re-detects when the track is lost; ``"image"`` detects afresh in every frame
(for unrelated photos).

This is the one place in the package that makes mediapipe graphs: the live loop, the extraction,
the synth check and the canonical-face builder all use :class:`MediaPipeDetector`. Starting a graph
makes mediapipe's native code (TensorFlow Lite, absl) print several lines to the process's stderr;
:func:`native_stderr_silenced` keeps them off the console while the graphs start.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from ..errors import InputError
from .base import DetectedFace, box_of

log = logging.getLogger(__name__)

MODES = ("video", "image")


def _check_frame(frame: np.ndarray) -> np.ndarray:
    if not isinstance(frame, np.ndarray) or frame.ndim != 3 or frame.shape[2] != 3:
        shape = getattr(frame, "shape", type(frame).__name__)
        raise InputError(
            f"the detector takes a uint8 RGB (H, W, 3) array, got {shape}; read files with "
            "faceswap_kit.io.read_image or VideoReader"
        )
    if frame.dtype != np.uint8:
        raise InputError(
            f"the detector takes uint8 frames, got {frame.dtype}; convert tensors with "
            "faceswap_kit.io.tensor_to_image"
        )
    return np.ascontiguousarray(frame)


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to the null device for a block, then restore it.

    Native libraries write to fd 2 directly, past ``sys.stderr``; this is the only way to keep
    their start-up chatter quiet. Anything written to stderr by any thread during the block is
    lost, so keep the block short (graph start-up only).
    """
    try:
        sys.stderr.flush()
    except (AttributeError, ValueError):  # no stderr, or a closed one
        pass
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over union of two ``(x0, y0, x1, y1)`` boxes."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


# A serialised NormalizedLandmarkList whose landmarks carry exactly x, y, z is a run of 17-byte
# records: field 1 (tag 0x0a, length 15) holding x (0x0d), y (0x15), z (0x1d) as little-endian
# float32. Read that way it is ~15x faster than 478 protobuf attribute reads.
_RECORD = 17
_TAGS = {0: 0x0A, 1: 15, 2: 0x0D, 7: 0x15, 12: 0x1D}
_FLOAT_BYTES = np.r_[3:7, 8:12, 13:17]


def _landmark_array(landmarks) -> np.ndarray:
    """``(N, 3)`` float32 x, y, z of a mediapipe ``NormalizedLandmarkList`` (normalised units)."""
    count = len(landmarks.landmark)
    data = np.frombuffer(landmarks.SerializeToString(), dtype=np.uint8)
    if data.size == count * _RECORD:
        records = data.reshape(count, _RECORD)
        if all((records[:, column] == tag).all() for column, tag in _TAGS.items()):
            return records[:, _FLOAT_BYTES].copy().view("<f4").astype(np.float32).reshape(count, 3)
    return np.array([(p.x, p.y, p.z) for p in landmarks.landmark], dtype=np.float32)


class MediaPipeDetector:
    """mediapipe face mesh (478 points with irises) behind the :class:`Detector` protocol.

    Args:
        mode: ``"video"`` (tracking; consecutive frames of one clip) or ``"image"`` (static).
        max_faces: most faces returned per frame.
        min_confidence: detection threshold in [0, 1].
        score_every: in video mode, run the face detector for a confidence score every this many
            frames (the tracker itself reports none); in image mode it runs on every frame.
        irises: the refined mesh with 10 iris points (478 in all); False: mediapipe's plain
            468-point mesh model (what the synth check measures against).
        scores: run the face detector for confidence scores (False: every face scores
            ``min_confidence``; one graph instead of two).

    Faces come back sorted left to right, so an index picks the same person in a steady shot.
    The graphs start when the detector is made, quietly (mediapipe's native start-up log is
    silenced). Use it as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        mode: str = "video",
        max_faces: int = 1,
        min_confidence: float = 0.5,
        score_every: int = 30,
        *,
        irises: bool = True,
        scores: bool = True,
    ) -> None:
        if mode not in MODES:
            raise InputError(f"mode must be one of {MODES}, got {mode!r}")
        if max_faces < 1:
            raise InputError(f"max_faces must be >= 1, got {max_faces}")
        if not 0.0 <= min_confidence <= 1.0:
            raise InputError(f"min_confidence must be in [0, 1], got {min_confidence}")
        self.mode = mode
        self.max_faces = int(max_faces)
        self.min_confidence = float(min_confidence)
        self.score_every = max(1, int(score_every))
        self.irises = bool(irises)
        self.scores = bool(scores)
        self._mesh = None
        self._finder = None
        self._frames = 0
        self._scored_at: int | None = None
        self._scores: list[tuple[tuple[float, ...], float]] = []
        self._open()

    def _open(self) -> None:
        with warnings.catch_warnings(), native_stderr_silenced():
            warnings.simplefilter("ignore", UserWarning)  # protobuf deprecation chatter
            self._open_graphs()

    def _open_graphs(self) -> None:
        import mediapipe as mp

        self._mesh = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=self.mode == "image",
            max_num_faces=self.max_faces,
            refine_landmarks=self.irises,
            min_detection_confidence=self.min_confidence,
            min_tracking_confidence=0.5,
        )
        if self.scores:
            self._finder = mp.solutions.face_detection.FaceDetection(
                model_selection=1, min_detection_confidence=min(self.min_confidence, 0.3)
            )
        # the graphs' calculators start on mediapipe's threads and log as they do: one blank
        # frame through each waits for them (while stderr is still silenced); a frame without a
        # face leaves no track behind, so video mode still starts afresh
        blank = np.zeros((32, 32, 3), np.uint8)
        for graph in (self._mesh, self._finder):
            if graph is not None:
                graph.process(blank)

    def __call__(self, frame: np.ndarray) -> list[DetectedFace]:
        """Faces in ``frame`` (uint8 RGB ``(H, W, 3)``), left to right; empty when none."""
        frame = _check_frame(frame)
        if self._mesh is None:
            self._open()
        height, width = frame.shape[:2]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            result = self._mesh.process(frame)
        found = result.multi_face_landmarks or []
        due = self._scored_at is None or self._frames - self._scored_at >= self.score_every
        if found and self._finder is not None and (self.mode == "image" or due):
            self._scores = self._detection_scores(frame)
            self._scored_at = self._frames
        self._frames += 1
        faces = []
        scale = np.array([width, height, width], dtype=np.float32)
        for face in found:
            points = _landmark_array(face) * scale
            landmarks = points[:, :2] - 0.5  # normalised image -> pixel-centre coordinates
            box = box_of(landmarks)
            faces.append(
                DetectedFace(
                    landmarks=np.ascontiguousarray(landmarks),
                    box=box,
                    score=self._score_for(box),
                    depth=np.ascontiguousarray(points[:, 2]),
                )
            )
        faces.sort(key=lambda f: f.box[0])
        return faces

    def _detection_scores(self, frame: np.ndarray) -> list[tuple[tuple[float, ...], float]]:
        height, width = frame.shape[:2]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            result = self._finder.process(frame)
        scores = []
        for detection in result.detections or []:
            rel = detection.location_data.relative_bounding_box
            box = (
                rel.xmin * width,
                rel.ymin * height,
                (rel.xmin + rel.width) * width,
                (rel.ymin + rel.height) * height,
            )
            scores.append((box, float(detection.score[0])))
        return scores

    def _score_for(self, box: tuple[float, ...]) -> float:
        """The detector's confidence for the face in ``box``; when the detector missed a face
        the mesh still found, the mesh's own threshold (it passed that)."""
        best, best_overlap = self.min_confidence, 0.2
        for other, score in self._scores:
            overlap = _overlap(box, other)
            if overlap > best_overlap:
                best, best_overlap = score, overlap
        return best

    def reset(self) -> None:
        """Forget the track (the next frame is detected afresh)."""
        self.close()
        self._frames = 0
        self._scored_at = None
        self._scores = []

    def close(self) -> None:
        for graph in (self._mesh, self._finder):
            if graph is not None:
                graph.close()
        self._mesh = self._finder = None

    def __enter__(self) -> MediaPipeDetector:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:  # graphs hold native threads
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass
