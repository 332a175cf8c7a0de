"""What every face detector returns, and the protocol a detector backend follows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class DetectedFace:
    """One face found in a frame.

    Attributes:
        landmarks: ``(478, 2)`` float32 pixel coordinates (pixel ``(i, j)``'s centre is at
            ``x=j, y=i``, kornia's convention); points 0-467 follow mediapipe's face-mesh
            topology, 468-472 and 473-477 are the two irises (centre first).
        box: ``(x0, y0, x1, y1)`` pixel box around the landmarks.
        score: detection confidence in [0, 1].
        depth: ``(478,)`` float32 relative depth in pixels (larger = farther), or ``None``.
    """

    landmarks: np.ndarray
    box: tuple[float, float, float, float]
    score: float
    depth: np.ndarray | None = None

    @property
    def size(self) -> float:
        """Face size in pixels: the larger side of the box."""
        x0, y0, x1, y1 = self.box
        return float(max(x1 - x0, y1 - y0))


def box_of(landmarks: np.ndarray) -> tuple[float, float, float, float]:
    """``(x0, y0, x1, y1)`` of the mesh points (irises excluded)."""
    low = landmarks[:468].min(axis=0)
    high = landmarks[:468].max(axis=0)
    return float(low[0]), float(low[1]), float(high[0]), float(high[1])


@runtime_checkable
class Detector(Protocol):
    """A face detector + landmarker. Call it on a uint8 RGB ``(H, W, 3)`` frame.

    ``reset()`` forgets tracking state (call it between unrelated clips); ``close()`` frees it.
    """

    def __call__(self, frame: np.ndarray) -> list[DetectedFace]: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...
