"""Loading a face set from disk into a :class:`FaceSet` (uint8 tensors that can live on the
training device). Masks and region masks are computed from the aligned landmarks."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import torch

from ..errors import DatasetError, MediaError
from ..io import read_image
from ..masks import face_mask, feather, region_masks
from .faceset import FaceSet
from .format import FACES, face_paths, read_json, read_manifest

log = logging.getLogger(__name__)


def load_faceset(
    path: str | os.PathLike,
    device: torch.device | str | None = None,
    max_faces: int | None = None,
    feather_radius: float | None = None,
) -> FaceSet:
    """Read an extracted face set.

    Args:
        path: the face set folder (with ``manifest.json``).
        device: where the tensors go (default CPU).
        max_faces: read at most this many faces (the first ones by id).
        feather_radius: soften the face masks' edge by this many pixels (default ``size / 64``).

    Returns:
        A :class:`FaceSet`; faces whose files are damaged are skipped with a warning.

    Raises:
        DatasetError: not a face set, or no readable face in it.
    """

    folder = Path(path)
    manifest = read_manifest(folder)
    size, face_type = int(manifest["size"]), str(manifest["face_type"])
    images, landmarks = [], []
    for meta_path in face_paths(folder):
        if max_faces is not None and len(images) >= max_faces:
            break
        try:
            meta = read_json(meta_path)
            image = read_image(folder / FACES / meta["image"])
        except (DatasetError, MediaError, KeyError) as exc:
            log.warning("skipping damaged face %s: %s", meta_path.name, exc)
            continue
        if image.shape[:2] != (size, size):
            log.warning("skipping %s: %s px, the set is %d px", meta_path.name, image.shape, size)
            continue
        images.append(torch.from_numpy(np.array(image, copy=True)).permute(2, 0, 1))
        landmarks.append(torch.tensor(meta["landmarks_aligned"], dtype=torch.float32))
    if not images:
        raise DatasetError(
            f"face set {str(folder)!r} holds no readable faces; run `faceswap-kit extract` on it"
        )
    image_tensor = torch.stack(images).to(device)
    landmark_tensor = torch.stack(landmarks).to(device)
    radius = size / 64 if feather_radius is None else feather_radius
    masks, regions = [], []
    for start in range(0, len(images), 64):
        chunk = landmark_tensor[start : start + 64]
        masks.append(feather(face_mask(chunk, size, face_type), radius))
        regions.append(feather(region_masks(chunk, size), radius))
    to_uint8 = lambda m: (torch.cat(m) * 255 + 0.5).clamp(0, 255).to(torch.uint8)  # noqa: E731
    return FaceSet(
        images=image_tensor,
        masks=to_uint8(masks),
        regions=to_uint8(regions),
        landmarks=landmark_tensor,
        face_type=face_type,
        identity=dict(manifest.get("identity", {})),
    )
