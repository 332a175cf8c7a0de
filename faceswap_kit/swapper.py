"""What the frame pipeline's swap stage works with: the :class:`Swapper` protocol, the faces the
align stage hands it (:class:`AlignedFaces`) and what it gives back (:class:`SwappedFaces`).

Kept apart from :mod:`faceswap_kit.pipeline` so that swappers (a trained model, the 2D warp) can
be written without importing the pipeline that runs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import torch
from torch import Tensor


@dataclass
class AlignedFaces:
    """What the align stage hands to a swapper.

    Attributes:
        region: (1,3,h,w) float RGB, the part of the frame around the faces.
        box: (x0, y0, x1, y1) of the region in frame pixels.
        landmarks: (B,N,2) the faces' landmarks in region pixels.
        matrix: (B,2,3) region -> aligned-crop pixels, or None for a frame-space swapper.
        aligned: (B,3,S,S) aligned crops, or None for a frame-space swapper.
    """

    region: Tensor
    box: tuple[int, int, int, int]
    landmarks: Tensor
    matrix: Tensor | None = None
    aligned: Tensor | None = None

    @property
    def offset(self) -> Tensor:
        """(2,) the region's top-left corner in frame pixels."""
        return torch.tensor(self.box[:2], dtype=self.landmarks.dtype, device=self.landmarks.device)


@dataclass
class SwappedFaces:
    """What a swapper returns: ``face`` (B,3,S,S) and ``mask`` (B,1,S,S) in the aligned crop, or,
    with ``in_region``, the finished (1,3,h,w) region and its (1,1,h,w) blend mask."""

    face: Tensor
    mask: Tensor
    in_region: bool = False


@runtime_checkable
class Swapper(Protocol):
    """The swap stage.

    Attributes:
        face_type: the aligned crop it works on, or None to work on the frame region itself.
        size: side of that crop in pixels.
        stage: its name in the timings (``"model"``, ``"swap"``).
    """

    face_type: str | None
    size: int
    stage: str

    def swap(self, faces: AlignedFaces) -> SwappedFaces: ...
