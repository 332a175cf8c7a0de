"""Check generated people against mediapipe: does face mesh find them, and where it puts the points.

Used by ``benchmarks/bench_synth.py`` and the tests; it is also a small lesson in how a synthetic
ground truth is validated against an independent detector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import Identity, Scene
from .renderer import Render, render

OUTER_EYE_CORNERS = (33, 263)


def landmark_error(predicted: np.ndarray, truth: np.ndarray) -> float:
    """Mean point distance divided by the true outer-eye-corner distance (mediapipe 33, 263).

    >>> truth = np.zeros((468, 2)); truth[263, 0] = 100.0
    >>> round(landmark_error(truth + [3.0, 4.0], truth), 3)
    0.05
    """
    scale = np.linalg.norm(truth[OUTER_EYE_CORNERS[1]] - truth[OUTER_EYE_CORNERS[0]])
    return float(np.linalg.norm(predicted[:468] - truth[:468], axis=-1).mean() / scale)


class MeshDetector:
    """mediapipe face mesh (static images, one face) returning ``(468, 2)`` pixels or ``None``."""

    def __init__(self) -> None:
        import mediapipe as mp

        self._mesh = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=True,
            max_num_faces=1,
            refine_landmarks=False,
            min_detection_confidence=0.5,
        )

    def __call__(self, image: np.ndarray) -> np.ndarray | None:
        """Landmarks of the face in a uint8 RGB ``(H, W, 3)`` image, or ``None`` when none found."""
        result = self._mesh.process(np.ascontiguousarray(image))
        if not result.multi_face_landmarks:
            return None
        height, width = image.shape[:2]
        points = result.multi_face_landmarks[0].landmark
        return np.array([(p.x * width, p.y * height) for p in points[:468]])

    def close(self) -> None:
        self._mesh.close()

    def __enter__(self) -> MeshDetector:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def to_uint8(out: Render) -> np.ndarray:
    """A render's image as uint8 RGB ``(H, W, 3)``."""
    return (out.image[0].permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)


@dataclass(frozen=True)
class CheckResult:
    """Outcome of :func:`check_renders`: detection rate, per-render errors (NaN when missed)."""

    detected: float
    errors: np.ndarray
    seconds: np.ndarray

    @property
    def mean_error(self) -> float:
        return float(np.nanmean(self.errors)) if np.isfinite(self.errors).any() else float("nan")


def check_renders(
    count: int,
    size: int = 256,
    first_seed: int = 0,
    max_yaw: float = 40.0,
    max_pitch: float = 20.0,
    supersample: int = 1,
) -> CheckResult:
    """Render ``count`` random people/scenes and run mediapipe face mesh on each."""
    import time

    errors, seconds = [], []
    with MeshDetector() as detect:
        for k in range(count):
            seed = first_seed + k
            scene = Scene.random(seed, max_yaw=max_yaw, max_pitch=max_pitch)
            start = time.perf_counter()
            out = render(Identity.from_seed(seed), scene.expression, scene.pose, scene.lighting,
                         scene.background, size, supersample=supersample)  # fmt: skip
            seconds.append(time.perf_counter() - start)
            found = detect(to_uint8(out))
            truth = out.landmarks[0].numpy().astype(np.float64)
            errors.append(np.nan if found is None else landmark_error(found, truth))
    errors_array = np.asarray(errors)
    return CheckResult(float(np.isfinite(errors_array).mean()), errors_array, np.asarray(seconds))
