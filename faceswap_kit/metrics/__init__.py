"""Swap quality metrics: masked PSNR/SSIM and landmark error against a ground truth
(:mod:`.image`), and identity through an independent face recogniser (:mod:`.identity`).

>>> import torch
>>> a = torch.full((1, 3, 16, 16), 0.5)
>>> round(float(masked_psnr(a, a + 0.1)), 2)
20.0
"""

from __future__ import annotations

from .identity import (
    SAME_PERSON_DISTANCE,
    IdentityJudge,
    identity_distance,
    identity_embeddings,
    judge_available,
    judge_status,
)
from .image import (
    LEFT_EYE_OUTER,
    RIGHT_EYE_OUTER,
    landmark_error,
    masked_psnr,
    masked_ssim,
    ssim_map,
)

__all__ = [
    "LEFT_EYE_OUTER",
    "RIGHT_EYE_OUTER",
    "SAME_PERSON_DISTANCE",
    "IdentityJudge",
    "identity_distance",
    "identity_embeddings",
    "judge_available",
    "judge_status",
    "landmark_error",
    "masked_psnr",
    "masked_ssim",
    "ssim_map",
]
