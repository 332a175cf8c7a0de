"""Identity scores of a swap among generated people, by the independent judge.

The judge (:mod:`faceswap_kit.metrics.identity`, dlib's face recogniser) embeds each swapped frame
and compares it with reference embeddings of a small gallery: the person originally in the frame,
the intended person, and a few other generated people as distractors. Each reference is the mean
descriptor of a few renders of that person in their own random scenes (never the scored frames).

Reported per method (the model, the 2D warp, the unchanged frame, the ideal swap):

* ``id_retrieval``: share of frames whose nearest gallery person is the intended one (a frame
  where the judge finds no face counts as a miss);
* ``id_to_intended`` and ``id_to_original``: mean descriptor distance to each (below 0.6: the
  same person by dlib's convention);
* ``id_nearer_intended``: share of frames nearer to the intended person than to the original
  (the two-way verdict "the intended person, not the original"; a frame with no face found
  counts as a miss);
* ``id_found``: share of frames where the judge found a face.

A real swap has a high retrieval, a distance to the intended person below 0.6 and larger to the
original; the unchanged frame has retrieval 0 and stays near the original.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch import Tensor

from ..io import VideoReader
from ..metrics.identity import identity_embeddings, landmark_boxes
from ..synth import Identity, Scene, render
from ..train.synthfaces import scene_seed

REFERENCE_STREAM = 11
REFERENCE_VIEWS = 3
#: Generated people used as distractors in the gallery (below the crowd's seeds, above the
#: usual test seeds).
DISTRACTOR_SEEDS = tuple(range(900, 912))


@functools.lru_cache(maxsize=512)
def reference_embedding(seed: int, size: int = 256, views: int = REFERENCE_VIEWS) -> Tensor:
    """Mean judge descriptor ``(128,)`` of generated person ``seed`` over ``views`` random shots."""
    person = Identity.from_seed(seed)
    shots = []
    for index in range(views):
        scene = Scene.random(scene_seed(seed, index, REFERENCE_STREAM), max_yaw=20, max_pitch=10)
        shots.append(
            render(person, scene.expression, scene.pose, scene.lighting, scene.background, size)
        )
    images = torch.cat([shot.image for shot in shots])
    boxes = landmark_boxes(torch.cat([shot.landmarks for shot in shots]))
    embeddings = identity_embeddings(images, boxes)
    return embeddings.nanmean(0)


def identity_scores(
    frames: dict[str, Tensor],
    boxes: Tensor,
    original_seed: int,
    intended_seed: int,
    reference_size: int = 256,
    distractors: int = 8,
) -> dict[str, dict[str, float]]:
    """Judge each method's frames against the gallery (see the module docstring).

    Args:
        frames: method name -> ``(N,3,H,W)`` swapped frames in [0,1].
        boxes: ``(N,4)`` face boxes in those frames (the judge's fallback when its detector misses).
        original_seed, intended_seed: generated people originally in the frame and intended.
        reference_size: render size of the reference shots.
        distractors: other generated people in the gallery.

    Returns:
        method -> ``{"id_retrieval", "id_nearer_intended", "id_to_intended", "id_to_original",
        "id_found"}``.
    """
    others = [s for s in DISTRACTOR_SEEDS if s not in (original_seed, intended_seed)]
    gallery = [original_seed, intended_seed, *others[:distractors]]
    references = torch.stack([reference_embedding(s, reference_size) for s in gallery])
    results = {}
    for name, images in frames.items():
        embeddings = identity_embeddings(images, boxes.to(images.device)).cpu()
        found = ~torch.isnan(embeddings).any(1)
        distances = torch.cdist(embeddings.double(), references.double())  # (N, people)
        nearest = torch.where(found, distances.nan_to_num(float("inf")).argmin(1), -1)
        nearer = found & (distances[:, 1] < distances[:, 0])
        results[name] = {
            "id_retrieval": round(float((nearest == 1).double().mean()), 4),
            "id_nearer_intended": round(float(nearer.double().mean()), 4),
            "id_to_intended": _mean(distances[found, 1]),
            "id_to_original": _mean(distances[found, 0]),
            "id_found": round(float(found.double().mean()), 4),
        }
    return results


def _mean(values: Tensor) -> float | None:
    return round(float(values.mean()), 4) if len(values) else None


def judge_video(
    path,
    original_seed: int,
    intended_seed: int,
    halves: tuple[str, ...] = ("full",),
    every: int = 1,
    distractors: int = 8,
) -> dict[str, dict[str, float]]:
    """Judge the frames of a written video (what a viewer sees, after merging and colour transfer).

    Args:
        path: the video.
        original_seed, intended_seed: generated people originally in the clip, and intended.
        halves: which part of each frame to judge: ``"full"``, or ``"left"``/``"right"`` of a
            side-by-side video (``convert --side-by-side`` writes original | swapped).
        every: judge every ``every``-th frame.
        distractors: other generated people in the gallery.

    Returns:
        part -> the scores of :func:`identity_scores` plus ``"frames"`` judged.
    """
    parts: dict[str, list[np.ndarray]] = {half: [] for half in halves}
    for index, frame in enumerate(VideoReader(path)):
        if index % every:
            continue
        width = frame.shape[1] // 2
        for half in halves:
            crop = {"left": frame[:, :width], "right": frame[:, width:]}.get(half, frame)
            parts[half].append(np.ascontiguousarray(crop))
    results = {}
    for half, frames in parts.items():
        images = torch.from_numpy(np.stack(frames)).permute(0, 3, 1, 2).float() / 255
        no_boxes = torch.full((len(frames), 4), float("nan"))
        size = max(128, min(512, images.shape[-2]))
        scores = identity_scores(
            {half: images}, no_boxes, original_seed, intended_seed, size, distractors
        )
        results[half] = scores[half] | {"frames": len(frames)}
    return results
