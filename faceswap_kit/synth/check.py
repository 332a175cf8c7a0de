"""Check generated people against the two independent witnesses: mediapipe (does face mesh find
them, and where does it put the points?) and the identity judge (are different people judged
different?).

Used by ``benchmarks/bench_synth.py``, ``bench_identity.py``, ``bench_identity_frontier.py`` and the
tests; it is also a small lesson in how a synthetic ground truth is validated against detectors it
was never trained on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..detect import MediaPipeDetector
from ..io import tensor_to_image
from ..metrics import landmark_error
from .params import Background, Identity, Scene
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
    people: Callable[[int], Identity] = Identity.from_seed,
) -> CheckResult:
    """Render ``count`` random people/scenes and run mediapipe face mesh (static images, the plain
    468-point model) on each.

    ``people`` maps a seed to the person rendered in scene ``seed`` (default: that seed's person);
    experiments pass a variant of the generator, e.g. the same people with their shape scaled.
    """

    errors, seconds = [], []
    with MediaPipeDetector(mode="image", irises=False, scores=False) as detect:
        for k in range(count):
            seed = first_seed + k
            scene = Scene.random(seed, max_yaw=max_yaw, max_pitch=max_pitch)
            start = time.perf_counter()
            out = render(people(seed), scene.expression, scene.pose, scene.lighting,
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


@dataclass(frozen=True)
class DistinctResult:
    """Outcome of :func:`distinct_pairs`: one distance per pair of people, and how many of the
    frontal renders the judge's own face detector missed (those were embedded from a box around
    the rendered landmarks instead)."""

    distances: np.ndarray
    missed: int
    embeddings: torch.Tensor

    @property
    def share_different(self) -> float:
        """Share of pairs judged different people (distance above the judge's 0.6)."""
        from ..metrics.identity import SAME_PERSON_DISTANCE

        return float((self.distances > SAME_PERSON_DISTANCE).mean())


def distinct_pairs(
    seeds: Sequence[int],
    size: int = 256,
    people: Callable[[int], Identity] = Identity.from_seed,
) -> DistinctResult:
    """Embed a frontal render of each person (same light, plain background) with the identity
    judge (``pip install ".[eval]"``) and return the distance between every pair.

    >>> from faceswap_kit.metrics.identity import judge_available
    >>> result = distinct_pairs([1, 1, 2]) if judge_available() else None
    >>> result is None or bool(len(result.distances) == 3 and result.distances[0] < 1e-6)
    True
    """
    from ..metrics.identity import identity_embeddings, landmark_boxes

    embeddings, missed = [], 0
    for seed in seeds:
        shot = render(people(seed), size=size, background=Background())
        found = identity_embeddings(shot.image)
        if torch.isnan(found).any():
            missed += 1
            found = identity_embeddings(shot.image, landmark_boxes(shot.landmarks))
        embeddings.append(found[0])
    stacked = torch.stack(embeddings).double()
    upper = torch.triu_indices(len(seeds), len(seeds), 1)
    distances = torch.cdist(stacked, stacked)[upper[0], upper[1]].numpy()
    return DistinctResult(distances=distances, missed=missed, embeddings=stacked)
