"""Check generated people against mediapipe: does face mesh find them, and where it puts the points.

Used by ``benchmarks/bench_synth.py`` and the tests; it is also a small lesson in how a synthetic
ground truth is validated against an independent detector.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from ..detect import MediaPipeDetector
from ..io import tensor_to_image
from ..metrics import landmark_error
from .params import Identity, Scene
from .renderer import render


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
    """Render ``count`` random people/scenes and run mediapipe face mesh (static images, the plain
    468-point model) on each."""

    errors, seconds = [], []
    with MediaPipeDetector(mode="image", irises=False, scores=False) as detect:
        for k in range(count):
            seed = first_seed + k
            scene = Scene.random(seed, max_yaw=max_yaw, max_pitch=max_pitch)
            start = time.perf_counter()
            out = render(Identity.from_seed(seed), scene.expression, scene.pose, scene.lighting,
                         scene.background, size, supersample=supersample)  # fmt: skip
            seconds.append(time.perf_counter() - start)
            found = detect(tensor_to_image(out.image))
            if not found:
                errors.append(np.nan)
                continue
            # mediapipe's raw x * width (the detector's pixel centres + 0.5), as the figures in
            # docs/synth.md were measured
            raw = torch.from_numpy(found[0].landmarks[:468]) + 0.5
            pair = (raw, out.landmarks[0, :468])
            errors.append(float(landmark_error(*(p[None].double() for p in pair))[0]))
    errors_array = np.asarray(errors)
    return CheckResult(float(np.isfinite(errors_array).mean()), errors_array, np.asarray(seconds))
