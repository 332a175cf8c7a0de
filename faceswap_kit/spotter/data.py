"""Real and swapped face crops of generated people, for training and testing the spotter.

For every "real" person (a seed of ``faceswap_kit.synth``) a short clip is rendered; its frames are
the real footage. Fakes are made of the same frames the ways the kit teaches: the 2D landmark warp
of another generated person's photo (at several feathers), and swaps with bundled models. Every
frame is then cut to a square around its face (the landmark hull plus a margin, so the seam is
inside) and resized. Train and test sets must use disjoint seeds: the point is people never seen.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

from ..errors import InputError

#: the kinds of fakes :func:`make_crops` can make; models are named ``"model:<bundled name>"``
FAKE_KINDS = ("2D warp", "model:synth-4-7-df-tiny", "model:anyface-lite")
FEATHERS = (0.0, 0.04, 0.08, 0.15)
DONOR_OFFSET = 50_000  # the pasted person of seed s is seed s + DONOR_OFFSET (also unseen)
RECORDED = -1  # the ``people`` entry of crops from a recording of yourself


@dataclass
class CropSet:
    """Face crops with labels.

    Attributes:
        crops: ``(N,3,S,S)`` float RGB in [0, 1].
        labels: ``(N,)`` 1.0 for a swap, 0.0 for real.
        kinds: ``N`` names: ``"real"`` or one of :data:`FAKE_KINDS` (a warp with its feather).
        people: ``(N,)`` the real person's seed (the identity a test must not have seen).
    """

    crops: Tensor
    labels: Tensor
    kinds: list[str]
    people: Tensor

    def __len__(self) -> int:
        return len(self.kinds)

    def subset(self, keep: Tensor) -> CropSet:
        index = torch.nonzero(keep, as_tuple=True)[0]
        return CropSet(
            self.crops[index],
            self.labels[index],
            [self.kinds[i] for i in index.tolist()],
            self.people[index],
        )

    @staticmethod
    def join(sets: Sequence[CropSet]) -> CropSet:
        return CropSet(
            torch.cat([s.crops for s in sets]),
            torch.cat([s.labels for s in sets]),
            [k for s in sets for k in s.kinds],
            torch.cat([s.people for s in sets]),
        )


def face_crop_boxes(masks: Tensor, margin: float = 0.2) -> Tensor:
    """Square boxes ``(B,4)`` (x0, y0, x1, y1) around each mask, grown by ``margin`` per side."""
    boxes = []
    for mask in masks:
        ys, xs = torch.nonzero(mask[0] > 0.5, as_tuple=True)
        if len(ys) == 0:
            raise InputError("expected a face mask with at least one pixel over 0.5, got none")
        cx, cy = (xs.min() + xs.max()).item() / 2, (ys.min() + ys.max()).item() / 2
        half = (1 + 2 * margin) * max(xs.max() - xs.min(), ys.max() - ys.min()).item() / 2
        boxes.append([cx - half, cy - half, cx + half, cy + half])
    return torch.tensor(boxes, dtype=masks.dtype)


def cut_crops(frames: Tensor, boxes: Tensor, size: int) -> Tensor:
    """``(B,3,size,size)`` crops of ``frames`` inside ``boxes`` (edges replicated), by area."""
    out = []
    height, width = frames.shape[-2:]
    for frame, (x0, y0, x1, y1) in zip(frames, boxes.round().long().tolist(), strict=True):
        pad = max(0, -x0, -y0, x1 - width, y1 - height)
        padded = F.pad(frame[None], (pad, pad, pad, pad), mode="replicate") if pad else frame[None]
        crop = padded[..., y0 + pad : y1 + pad, x0 + pad : x1 + pad]
        out.append(F.interpolate(crop, size=(size, size), mode="area"))
    return torch.cat(out)


def _model_swaps(model, frames: Tensor) -> Tensor:
    """Swap each frame of one clip with a loaded bundled model (a fresh tracker per clip)."""
    from ..io import image_to_tensor, tensor_to_image
    from ..pipeline import FrameSwapper

    direction = "a_to_b" if model.card.get("target_seed") is not None else "b_to_a"
    swapper = FrameSwapper(model, direction=direction, model_threads=1)
    swapped = [image_to_tensor(swapper(tensor_to_image(f))[0]).to(frames.dtype) for f in frames]
    return torch.cat([s if s.ndim == 4 else s[None] for s in swapped])


def make_crops(
    seeds: Sequence[int],
    frames: int = 4,
    size: int = 192,
    crop: int = 64,
    kinds: Sequence[str] = FAKE_KINDS,
    generator: torch.Generator | None = None,
    feathers: Sequence[float] = FEATHERS,
) -> CropSet:
    """Real and swapped face crops of the generated people ``seeds``.

    Args:
        seeds: the real people (generated; give train and test disjoint seeds).
        frames: frames per person's clip; each frame gives one real crop and one crop per kind.
        size: rendered frame side (pixels). crop: crop side (pixels).
        kinds: which fakes to make (see :data:`FAKE_KINDS`).
        generator: draws the warp's feather per frame.
        feathers: the 2D warp's feathers to draw from (fractions of the face's width).

    Returns:
        A :class:`CropSet` of ``len(seeds) * frames * (1 + len(kinds))`` crops.
    """
    from ..masks import face_mask
    from ..synth import Identity, render, render_clip
    from ..warp2d import warp2d_swap

    unknown = [k for k in kinds if k != "2D warp" and not k.startswith("model:")]
    if unknown or not seeds:
        raise InputError(
            f"expected seeds and kinds from {FAKE_KINDS}, got {list(seeds)}, {unknown}"
        )
    from ..models import load_model

    models = {k: load_model(k.split(":", 1)[1]) for k in kinds if k.startswith("model:")}
    sets = []
    for seed in seeds:
        clip = list(render_clip(int(seed), frames, size=size))
        real = torch.cat([r.image for r in clip])  # (T, 3, H, W)
        landmarks = torch.cat([r.landmarks for r in clip])  # (T, 468, 2)
        boxes = face_crop_boxes(face_mask(landmarks, size))
        parts = {"real": real}
        for kind in kinds:
            if kind == "2D warp":
                donor = render(Identity.from_seed(int(seed) + DONOR_OFFSET), size=size)
                pick = torch.randint(len(feathers), (frames,), generator=generator).tolist()
                for index in sorted(set(pick)):
                    feather = float(feathers[index])
                    chosen = [i for i, p in enumerate(pick) if p == index]
                    warped = warp2d_swap(
                        real[chosen], landmarks[chosen], donor.image, donor.landmarks,
                        feather=feather,
                    )  # fmt: skip
                    parts[f"2D warp, feather {feather:.2f}"] = (warped, chosen)
            else:
                parts[kind] = _model_swaps(models[kind], real)
        for name, value in parts.items():
            images, chosen = value if isinstance(value, tuple) else (value, list(range(frames)))
            count = len(chosen)
            sets.append(
                CropSet(
                    cut_crops(images, boxes[chosen], crop),
                    torch.full((count,), 0.0 if name == "real" else 1.0),
                    [name] * count,
                    torch.full((count,), int(seed)),
                )
            )
    return CropSet.join(sets)


def recording_crops(
    folder: str | os.PathLike,
    frames: int = 8,
    crop: int = 64,
    kinds: Sequence[str] = FAKE_KINDS,
    donor_seed: int = DONOR_OFFSET,
    feather: float = 0.06,
) -> CropSet:
    """Real and swapped face crops of a recording of yourself (live ``record_dataset``).

    The folder is what notebook 04's ``app.record_dataset(folder, consent=True)`` writes:
    ``frames/*.jpg`` and ``consent.json``. Without that consent record nothing is read. Up to
    ``frames`` frames, spread over the recording, each give one real crop (its ``people`` entry is
    :data:`RECORDED`) and one crop per kind of fake: the 2D warp of generated person
    ``donor_seed`` and swaps with bundled models. Frames where no face is found are skipped.

    Raises:
        InputError: no consent record, no frames, or no face in any of them.
    """
    from ..detect import MediaPipeDetector
    from ..io import image_to_tensor, read_image
    from ..masks import face_mask
    from ..synth import Identity, render
    from ..warp2d import warp2d_swap

    folder = Path(folder)
    if not (folder / "consent.json").is_file():
        raise InputError(
            f"{str(folder)!r} has no consent.json: record yourself with the live app's "
            "record_dataset(folder, consent=True) (notebook 04) before using the recording here"
        )
    paths = sorted((folder / "frames").glob("*.jpg"))
    if not paths:
        raise InputError(f"{str(folder / 'frames')!r} holds no .jpg frames; record some first")
    step = max(1, len(paths) // max(1, int(frames)))
    images, points = [], []
    with MediaPipeDetector(mode="image") as detect:
        for path in paths[::step][:frames]:
            image = read_image(path)
            found = detect(image)
            if found:
                images.append(image_to_tensor(image)[0])
                points.append(torch.from_numpy(found[0].landmarks[:468].copy()))
    if not images:
        raise InputError(f"no face found in the frames of {str(folder)!r}; face the camera")
    if len({tuple(i.shape) for i in images}) > 1:
        raise InputError(f"the frames of {str(folder)!r} differ in size; record them in one go")
    real, landmarks = torch.stack(images), torch.stack(points)
    boxes = face_crop_boxes(face_mask(landmarks, tuple(real.shape[-2:])))
    parts = {"real": real}
    for kind in kinds:
        if kind == "2D warp":
            donor = render(Identity.from_seed(int(donor_seed)), size=256)
            warped = warp2d_swap(real, landmarks, donor.image, donor.landmarks, feather=feather)
            parts[f"2D warp, feather {feather:.2f}"] = warped
        elif kind.startswith("model:"):
            from ..models import load_model

            parts[kind] = _model_swaps(load_model(kind.split(":", 1)[1]), real)
        else:
            raise InputError(f"unknown kind of fake {kind!r}; expected one of {FAKE_KINDS}")
    count = len(real)
    return CropSet.join(
        [
            CropSet(
                cut_crops(images, boxes, crop),
                torch.full((count,), 0.0 if name == "real" else 1.0),
                [name] * count,
                torch.full((count,), RECORDED),
            )
            for name, images in parts.items()
        ]
    )
