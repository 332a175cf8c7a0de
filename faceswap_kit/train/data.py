"""The two face sets of a swap, held once on the training device as uint8, and the augmented
batches drawn from them (random warp, similarity jitter, flips, colour matching)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from ..dataset.faceset import FaceSet
from ..dataset.load import load_faceset
from ..errors import DatasetError
from .augment import match_color, warp_batch
from .config import TrainConfig

log = logging.getLogger(__name__)


def load_faceset_any(
    source: FaceSet | str | Path, device: torch.device | str | None = None
) -> FaceSet:
    """A :class:`FaceSet` from a FaceSet or a dataset folder (``faceswap-kit extract`` output)."""
    if isinstance(source, FaceSet):
        return source if device is None else source.to(device)
    path = Path(source)
    if not path.exists():
        raise DatasetError(
            f"dataset folder {path} does not exist; create it with 'faceswap-kit extract SRC {path}'"
        )
    faceset = load_faceset(path, device=device)
    if not faceset.identity.get("source"):
        faceset.identity.setdefault("source", str(path))
    return faceset


def resize_u8(images: torch.Tensor, size: int) -> torch.Tensor:
    """Area-resize ``(N, C, S, S)`` uint8 to ``size``, in chunks to bound memory."""
    if images.shape[-1] == size:
        return images
    chunks = []
    for chunk in images.split(256):
        resized = F.interpolate(chunk.float(), size=(size, size), mode="area")
        chunks.append(resized.round().clamp(0, 255).to(torch.uint8))
    return torch.cat(chunks)


@dataclass
class Batch:
    """One augmented training batch: ``warped_*`` go in, ``target_*`` come out.

    All images ``(B, 3, S, S)`` float in [0, 1]; masks and regions ``(B, 1, S, S)``.
    """

    warped_a: torch.Tensor
    target_a: torch.Tensor
    mask_a: torch.Tensor
    region_a: torch.Tensor
    warped_b: torch.Tensor
    target_b: torch.Tensor
    mask_b: torch.Tensor
    region_b: torch.Tensor

    def channels_last(self) -> Batch:
        """The batch with its network inputs in channels-last memory (faster convolutions on
        CUDA); the same tensors otherwise."""
        for name in ("warped_a", "warped_b"):
            value = getattr(self, name).contiguous(memory_format=torch.channels_last)
            setattr(self, name, value)
        return self


class FacePairData:
    """Both identities' faces on ``device`` as uint8, resized once to ``resolution``.

    Raises:
        DatasetError: empty sets, or A and B of different face types or crop sizes, or crops
            smaller than the model resolution.
    """

    def __init__(self, a: FaceSet, b: FaceSet, resolution: int, device: torch.device | str) -> None:
        if a.face_type != b.face_type:
            raise DatasetError(
                f"face sets differ in face type: A is {a.face_type!r}, B is {b.face_type!r}; "
                "extract both with the same --face-type"
            )
        if a.size != b.size:
            raise DatasetError(
                f"face sets differ in crop size: A is {a.size} px, B is {b.size} px; extract both "
                "with the same --size"
            )
        if a.size < resolution:
            raise DatasetError(
                f"faces are {a.size} px but the model is {resolution} px; extract at --size "
                f"{resolution} or more, or choose a smaller resolution"
            )
        self.device = torch.device(device)
        self.resolution = resolution
        self.face_type = a.face_type
        self.sides: dict[str, dict[str, torch.Tensor]] = {}
        self.identities: dict[str, dict[str, Any]] = {"a": dict(a.identity), "b": dict(b.identity)}
        for name, faceset in (("a", a), ("b", b)):
            self.sides[name] = {
                key: resize_u8(getattr(faceset, key), resolution).to(self.device)
                for key in ("images", "masks", "regions")
            }
        log.info(
            "training data on %s: %d faces of A, %d of B at %d px",
            self.device,
            len(a),
            len(b),
            resolution,
        )

    def count(self, side: str) -> int:
        return int(self.sides[side]["images"].shape[0])

    def faces(self, side: str, index: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Float images ``(B, 3, S, S)`` and stacked mask+region ``(B, 2, S, S)`` for ``index``."""
        data = self.sides[side]
        index = index.to(self.device)
        images = data["images"].index_select(0, index).float().div_(255)
        extras = (
            torch.cat(
                [data["masks"].index_select(0, index), data["regions"].index_select(0, index)],
                dim=1,
            )
            .float()
            .div_(255)
        )
        return images, extras

    def sample(self, batch_size: int, generator: torch.Generator, config: TrainConfig) -> Batch:
        """An augmented batch of ``batch_size`` faces per side (random numbers from ``generator``)."""
        index_a = torch.randint(self.count("a"), (batch_size,), generator=generator)
        index_b = torch.randint(self.count("b"), (batch_size,), generator=generator)
        images_a, extras_a = self.faces("a", index_a)
        images_b, extras_b = self.faces("b", index_b)
        if config.color_transfer > 0:
            # recolour a random share of each side with the other side's colours (only those)
            recolour = torch.rand(2, batch_size, generator=generator) < config.color_transfer
            for row, (images, extras, ref_images, ref_extras) in enumerate(
                ((images_a, extras_a, images_b, extras_b), (images_b, extras_b, images_a, extras_a))
            ):
                chosen = recolour[row].nonzero().flatten().to(self.device)
                if chosen.numel():
                    images[chosen] = match_color(
                        images[chosen],
                        extras[chosen, :1],
                        ref_images[chosen],
                        ref_extras[chosen, :1],
                    )
        warped, target, extras = warp_batch(
            torch.cat([images_a, images_b]),
            torch.cat([extras_a, extras_b]),
            generator,
            rotation=config.rotation,
            scale=config.scale,
            shift=config.shift,
            flip=config.flip,
            warp=config.warp,
        )
        n = batch_size
        return Batch(
            warped_a=warped[:n],
            target_a=target[:n],
            mask_a=extras[:n, :1],
            region_a=extras[:n, 1:],
            warped_b=warped[n:],
            target_b=target[n:],
            mask_b=extras[n:, :1],
            region_b=extras[n:, 1:],
        )

    def fixed(self, side: str, count: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``count`` evenly spaced, unaugmented faces and masks of one side (for previews)."""
        total = self.count(side)
        index = torch.linspace(0, total - 1, min(count, total)).round().long()
        images, extras = self.faces(side, index)
        return images, extras[:, :1]
