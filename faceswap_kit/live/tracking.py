"""Face landmarks for the live loop: the package detector when present, else mediapipe face mesh.

The live loop only needs ``detector(frame_uint8_rgb) -> list`` of faces with a ``landmarks``
``(N, 2)`` float32 pixel array (the ``faceswap_kit.detect`` protocol). :func:`make_tracker` returns
``faceswap_kit.detect.MediaPipeDetector(mode="video")`` when that module exists, and otherwise this
module's small :class:`FaceMeshTracker` over mediapipe's legacy face-mesh solution (tracking mode,
~3 ms a frame on two CPU cores).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)


@dataclass
class TrackedFace:
    """One face: ``landmarks`` ``(478, 2)`` float32 pixels (468 mesh + 10 iris), ``box``, ``score``."""

    landmarks: np.ndarray
    box: tuple[float, float, float, float]
    score: float = 1.0


class FaceMeshTracker:
    """mediapipe face mesh in video (tracking) or image mode, returning ``list[TrackedFace]``."""

    def __init__(
        self, mode: str = "video", max_faces: int = 1, min_confidence: float = 0.5
    ) -> None:
        import mediapipe as mp

        self._mesh = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=(mode == "image"),
            max_num_faces=max_faces,
            refine_landmarks=True,
            min_detection_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )

    def __call__(self, frame: np.ndarray) -> list[TrackedFace]:
        height, width = frame.shape[:2]
        result = self._mesh.process(np.ascontiguousarray(frame))
        faces = []
        for face in result.multi_face_landmarks or ():
            points = np.array([(p.x * width, p.y * height) for p in face.landmark], np.float32)
            x0, y0 = points.min(0)
            x1, y1 = points.max(0)
            faces.append(TrackedFace(points, (float(x0), float(y0), float(x1), float(y1))))
        return faces

    def close(self) -> None:
        self._mesh.close()


def make_tracker(mode: str = "video"):
    """The best available face detector/tracker for ``mode`` ("video" tracks across frames)."""
    try:
        from ..detect import MediaPipeDetector  # the extraction stage's detector, when it exists
    except ImportError:
        return FaceMeshTracker(mode=mode)
    return MediaPipeDetector(mode=mode, max_faces=1)
