"""The in-memory face set that training reads: aligned faces of one identity, as uint8 tensors that
can live on the training device."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from ..errors import DatasetError


@dataclass
class FaceSet:
    """Aligned faces of one identity.

    Attributes:
        images: ``(N, 3, S, S)`` uint8 RGB aligned faces.
        masks: ``(N, 1, S, S)`` uint8 face masks (255 inside the face, feathered edge).
        regions: ``(N, 1, S, S)`` uint8 masks of eyes, brows and mouth (for loss weighting).
        landmarks: ``(N, L, 2)`` float32 landmarks in aligned-crop pixels.
        face_type: the crop's face type, e.g. ``"whole_face"``.
        identity: the identity record of the dataset (name, synthetic, consent).
    """

    images: torch.Tensor
    masks: torch.Tensor
    regions: torch.Tensor
    landmarks: torch.Tensor
    face_type: str = "whole_face"
    identity: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n, c, h, w = self.images.shape if self.images.ndim == 4 else (0, 0, 0, 0)
        if self.images.ndim != 4 or c != 3 or h != w or self.images.dtype != torch.uint8:
            raise DatasetError(
                f"FaceSet.images must be (N, 3, S, S) uint8, got {tuple(self.images.shape)} "
                f"{self.images.dtype}"
            )
        if n == 0:
            raise DatasetError("the face set is empty; extract faces first (faceswap-kit extract)")
        for name in ("masks", "regions"):
            mask = getattr(self, name)
            if tuple(mask.shape) != (n, 1, h, w) or mask.dtype != torch.uint8:
                raise DatasetError(
                    f"FaceSet.{name} must be ({n}, 1, {h}, {w}) uint8, got "
                    f"{tuple(mask.shape)} {mask.dtype}"
                )

    @property
    def size(self) -> int:
        """Side of the square crops in pixels."""
        return int(self.images.shape[-1])

    def __len__(self) -> int:
        return int(self.images.shape[0])

    def to(self, device: torch.device | str) -> FaceSet:
        """The same face set with its tensors on ``device``."""
        return FaceSet(
            images=self.images.to(device),
            masks=self.masks.to(device),
            regions=self.regions.to(device),
            landmarks=self.landmarks.to(device),
            face_type=self.face_type,
            identity=dict(self.identity),
        )
