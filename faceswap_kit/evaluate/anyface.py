"""Scoring an any-face model on generated people it never saw.

The training crowd uses identity seeds from 1000 up (:data:`~faceswap_kit.train.crowd.
FIRST_CROWD_SEED`); the test people here are seeds below 1000 (the target person excluded), so
every score is on unseen faces. For each test person a random scene is rendered, and the model's
``a_to_b`` output is compared with the ideal swap (the target's inner face in the test person's
shot) inside the face mask — masked PSNR and SSIM, beside the 2D landmark warp of a still photo
of the target and the unchanged frame: :func:`faceswap_kit.evaluate.score_model` per person,
averaged.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from ..detect import MediaPipeDetector
from ..errors import InputError
from ..io import image_to_tensor, tensor_to_image
from ..metrics.identity import identity_embeddings
from ..models.swap_model import SwapModel
from ..pipeline import FrameSwapper
from ..train.crowd import FIRST_CROWD_SEED
from .judge import reference_embedding
from .score import score_model


def unseen_people(target_seed: int, people: int = 8, first_seed: int = 0) -> list[int]:
    """``people`` identity seeds below 1000, from ``first_seed`` up, skipping ``target_seed``.

    >>> unseen_people(2, 4)
    [0, 1, 3, 4]
    """
    seeds = [s for s in range(first_seed, FIRST_CROWD_SEED) if s != target_seed][:people]
    if len(seeds) < people:
        raise InputError(
            f"expected {people} test people below {FIRST_CROWD_SEED} from seed {first_seed}, "
            f"got {len(seeds)}; lower people or first_seed"
        )
    return seeds


def score_anyface(
    model: SwapModel,
    target_seed: int | None = None,
    people: int = 8,
    first_seed: int = 0,
    baselines: bool = True,
) -> dict[str, Any]:
    """Score ``model``'s ``a_to_b`` as an any-face swap to ``target_seed`` on unseen people.

    Args:
        model: an any-face model (its card's ``target_seed`` is used when not given).
        target_seed: the output person.
        people: test people (one random scene each).
        first_seed: first test seed (test seeds stay below 1000, outside the training crowd).
        baselines: also score the 2D warp and the unchanged frame.

    Returns:
        ``{"people", "test_seeds", "target_seed", "identity", "methods": {name: {"psnr",
        "ssim", "id_retrieval", ...}}}``, each number the mean over the test people (the
        retrieval: the share of test people judged to be the target).
    """
    if target_seed is None:
        target_seed = model.card.get("target_seed")
        if target_seed is None:
            raise InputError(
                "expected an any-face model (card.json with target_seed) or target_seed=, got "
                f"neither for {model.path}"
            )
    seeds = unseen_people(target_seed, people, first_seed)
    collected: dict[str, dict[str, list[float]]] = {}
    judged = None
    for seed in seeds:
        score = score_model(model, seed, target_seed, pairs=1, baselines=baselines)
        judged = score.get("identity")
        for method, values in score["methods"].items():
            for key, value in values.items():
                if value is not None:
                    collected.setdefault(method, {}).setdefault(key, []).append(value)
    methods = {
        method: {key: round(sum(v) / len(v), 4) for key, v in values.items()}
        for method, values in collected.items()
    }
    return {
        "people": len(seeds),
        "pairs": len(seeds),
        "test_seeds": [seeds[0], seeds[-1]],
        "target_seed": target_seed,
        "resolution": model.config.resolution,
        "identity": judged,
        "methods": methods,
    }


def anyface_scorer(target_seed: int, people: int = 8):
    """A ``scorer`` for :func:`faceswap_kit.train.pretrain`: scores each checkpoint on unseen
    people (the score history goes into the model card)."""

    def scorer(model: SwapModel) -> dict[str, Any]:
        return score_anyface(model, target_seed, people=people)

    return scorer


def anyface_on_frames(
    model: SwapModel, frames: Tensor | list[Tensor], target_seed: int | None = None
) -> dict[str, Any]:
    """Swap whole frames with an any-face model and let the independent judge say who they show.

    For each frame (anyone: a generated person, a portrait, a webcam still) the judge compares the
    swapped frame with the input frame's own face and with the target person's reference. The
    frames are unrelated pictures: faces are found in each on its own (no tracking across them).

    Args:
        model: an any-face model (``a_to_b`` draws the target person).
        frames: ``(N,3,H,W)`` RGB in [0,1], one face each; or a list of ``(1,3,H,W)`` frames of
            different sizes.
        target_seed: the output person (default: the model card's ``target_seed``).

    Returns:
        ``{"swapped", "target_seed", "to_target": [..], "to_input": [..], "judged_target": [..]}``;
        ``swapped`` is shaped like ``frames`` (a tensor or a list); the distances are ``None``
        where the judge found no face (and ``judged_target`` False).
    """
    if target_seed is None:
        target_seed = model.card.get("target_seed")
        if target_seed is None:
            raise InputError("expected an any-face model (card.json with target_seed), got none")
    pictures = [frame[None] if frame.ndim == 3 else frame for frame in frames]
    swapper = FrameSwapper(
        model, MediaPipeDetector(mode="image"), direction="a_to_b", smoothing=None
    )
    rows: dict[str, list] = {"swapped": [], "to_target": [], "to_input": [], "judged_target": []}
    for picture in pictures:
        swapped = image_to_tensor(swapper(tensor_to_image(picture[0]))[0]).to(picture.dtype)
        swapped = swapped if swapped.ndim == 4 else swapped[None]
        size = max(128, min(512, picture.shape[-1]))
        target = reference_embedding(int(target_seed), size).double()
        before = identity_embeddings(picture)[0].cpu().double()
        after = identity_embeddings(swapped)[0].cpu().double()
        to_target, to_input = float((after - target).norm()), float((after - before).norm())
        found = to_target == to_target and to_input == to_input  # not NaN
        rows["swapped"].append(swapped)
        rows["to_target"].append(round(to_target, 4) if found else None)
        rows["to_input"].append(round(to_input, 4) if found else None)
        rows["judged_target"].append(bool(found and to_target < to_input))
    if isinstance(frames, Tensor):
        rows["swapped"] = torch.cat(rows["swapped"])
    return {"target_seed": int(target_seed), **rows}
