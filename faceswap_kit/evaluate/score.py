"""Score a swap model against the ideal swap of generated people.

For each pair a random scene is drawn; person A is rendered in it (the input frame) and so is the
ideal swap (B's inner face inside A's head, same pose, expression, light and background). The
model's ``a_to_b`` output is compared with the ideal inside the ideal's face mask, in the aligned
crop: masked PSNR and SSIM (:mod:`faceswap_kit.metrics`). Two baselines get the same treatment:
the unchanged frame, and the classic 2D landmark warp (:func:`faceswap_kit.warp2d.warp2d_swap`) of
a still, frontal photo of B. Optionally the landmark error of the swapped face (mediapipe on the
pasted-back frame) against the ideal's ground-truth landmarks.
"""

from __future__ import annotations

import logging
from typing import Any

import torch

from ..align import transform_points, warp_to_aligned, warp_to_source
from ..detect import MediaPipeDetector
from ..errors import MissingExtraError
from ..masks import face_mask
from ..metrics import landmark_error, masked_psnr, masked_ssim
from ..metrics.identity import judge_status, landmark_boxes
from ..models.swap_model import SwapModel
from ..synth import Identity, Scene, render, render_ideal_swap
from ..train.card import METHOD_LABELS, score_summary, score_table
from ..train.synthfaces import render_aligned, scene_seed
from ..warp2d import warp2d_swap
from .judge import identity_scores

log = logging.getLogger(__name__)
SCORE_STREAM = 7


def _paste(
    frame: torch.Tensor, face: torch.Tensor, mask: torch.Tensor, matrix: torch.Tensor
) -> torch.Tensor:
    """Alpha-blend aligned ``face`` back into ``frame`` with ``mask`` (both warped to the frame)."""
    height, width = frame.shape[-2:]
    face_src = warp_to_source(face, matrix, height, width)
    mask_src = warp_to_source(mask, matrix, height, width)
    return frame * (1 - mask_src) + face_src * mask_src


def _landmark_errors(frames: torch.Tensor, truth: torch.Tensor) -> float | None:
    """Mean normalised landmark error of mediapipe on ``frames`` vs ``truth`` (None if none found)."""
    detector = MediaPipeDetector(mode="image")
    errors = []
    for frame, true in zip(frames, truth, strict=True):
        image = (frame.permute(1, 2, 0).clamp(0, 1) * 255).round().to(torch.uint8).numpy()
        faces = detector(image)
        if not faces:
            continue
        found = torch.as_tensor(faces[0].landmarks[:468], dtype=torch.float32)[None]
        errors.append(float(landmark_error(found, true[None])))
    return round(sum(errors) / len(errors), 4) if errors else None


def score_model(
    model: SwapModel,
    seed_a: int,
    seed_b: int,
    pairs: int = 8,
    render_size: int | None = None,
    landmarks: bool = False,
    baselines: bool = True,
    identity: bool | None = None,
    direction: str = "a_to_b",
) -> dict[str, Any]:
    """Score ``model`` (trained on generated people ``seed_a`` and ``seed_b``) on ideal swaps.

    Args:
        model: the swap model (its ``direction`` must draw ``seed_b``'s face).
        seed_a, seed_b: the generated person in the frame, and the intended person.
        pairs: number of scenes.
        render_size: frame side (default ``2.5 * resolution``, at least 128).
        landmarks: also measure the pose and expression error: landmarks found by mediapipe in
            the pasted-back swap against the ideal swap's (slower).
        baselines: also score the unchanged frame and the 2D warp.
        identity: also judge identity with dlib's face recogniser (:mod:`faceswap_kit.evaluate.judge`); ``None``:
            when it is installed. The ideal swap is then judged too, as the best achievable.
        direction: which of the model's two directions to score (``"a_to_b"`` or ``"b_to_a"``):
            the one that draws ``seed_b``'s face into ``seed_a``'s frames.

    Returns:
        ``{"pairs", "resolution", "identity", "methods": {name: {"psnr", "ssim",
        "landmark_error", "id_retrieval", "id_to_intended", "id_to_original", "id_found"}}}``;
        ``identity`` says whether identity was judged and, if not, how to enable it.
    """
    size = model.config.resolution
    face_type = model.config.face_type
    render_size = render_size or max(128, int(size * 2.5))
    person_a, person_b = Identity.from_seed(seed_a), Identity.from_seed(seed_b)
    inputs, ideals = [], []
    for index in range(pairs):
        scene = Scene.random(scene_seed(seed_a, index, SCORE_STREAM), max_yaw=30, max_pitch=12)
        shot = (scene.expression, scene.pose, scene.lighting, scene.background, render_size)
        inputs.append(render(person_a, *shot))
        ideals.append(render_ideal_swap(person_b, person_a, *shot))
    aligned_in, _, matrix, frames = render_aligned(inputs, face_type, size)
    ideal_frames = torch.cat([r.image for r in ideals])
    ideal_landmarks = torch.cat([r.landmarks for r in ideals])
    ideal_aligned = warp_to_aligned(ideal_frames, matrix, size).clamp(0, 1)
    mask = face_mask(transform_points(ideal_landmarks, matrix), size, face_type)
    problem = judge_status()
    judged = (problem is None) if identity is None else bool(identity)
    if judged and problem is not None:
        raise MissingExtraError(problem)
    need_frames = landmarks or judged
    swapped, swapped_mask = model.swap(aligned_in, direction)
    results: dict[str, torch.Tensor] = {"model": swapped}
    pasted: dict[str, torch.Tensor] = {}
    if need_frames:
        pasted["model"] = _paste(frames, swapped, mask, matrix)
    if baselines:
        still = render(person_b, size=render_size)
        warped = warp2d_swap(
            frames, torch.cat([r.landmarks for r in inputs]), still.image, still.landmarks
        )
        results["warp2d"] = warp_to_aligned(warped, matrix, size).clamp(0, 1)
        results["unchanged"] = aligned_in
        if need_frames:
            pasted["warp2d"] = warped
            pasted["unchanged"] = frames
    methods: dict[str, dict[str, float]] = {}
    for name, aligned in results.items():
        methods[name] = {
            "psnr": round(float(masked_psnr(aligned, ideal_aligned, mask).mean()), 3),
            "ssim": round(float(masked_ssim(aligned, ideal_aligned, mask).mean()), 4),
        }
        if landmarks:
            error = _landmark_errors(pasted[name], ideal_landmarks)
            methods[name]["landmark_error"] = None if error is None else round(error, 4)
    if judged:
        judged_frames = dict(pasted) | {"ideal": ideal_frames}
        verdicts = identity_scores(
            judged_frames, landmark_boxes(ideal_landmarks), seed_a, seed_b, render_size
        )
        for name, values in verdicts.items():
            methods.setdefault(name, {}).update(values)
    return {
        "pairs": pairs,
        "resolution": size,
        "render_size": render_size,
        "identities": {"a": seed_a, "b": seed_b},
        "direction": direction,
        "identity": {"judge": "dlib face recogniser", "judged": True}
        if judged
        else {"judged": False, "how_to_enable": problem},
        "methods": methods,
    }


def synth_scorer(seed_a: int, seed_b: int, pairs: int = 8, landmarks: bool = False):
    """A ``scorer`` for :func:`faceswap_kit.train.train`: scores each checkpoint on ideal swaps."""

    def scorer(model: SwapModel) -> dict[str, Any]:
        return score_model(model, seed_a, seed_b, pairs=pairs, landmarks=landmarks)

    return scorer


def synthetic_seeds(identities: dict[str, dict[str, Any]]) -> tuple[int, int] | None:
    """``(seed_a, seed_b)`` when both identity records are generated people with seeds."""
    seeds = []
    for side in ("a", "b"):
        record = identities.get(side, {})
        if not record.get("synthetic") or record.get("kind") == "toy":
            return None
        seed = record.get("seed")
        name = str(record.get("name", ""))
        if not isinstance(seed, int) and name.startswith("synthetic-") and name[10:].isdigit():
            seed = int(name[10:])
        if not isinstance(seed, int):
            return None
        seeds.append(seed)
    return seeds[0], seeds[1]


__all__ = [
    "METHOD_LABELS",
    "score_model",
    "score_summary",
    "score_table",
    "synth_scorer",
    "synthetic_seeds",
]
