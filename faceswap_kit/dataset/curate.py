"""Curation of a face set: filters (sharpness, pose, detector score), near-duplicate removal and
pose-balanced sampling. Rejected faces are moved to ``removed/`` inside the set (never deleted),
so a decision can be undone by moving the files back.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..errors import DatasetError, InputError
from ..io import read_image
from .format import FACES, MANIFEST, face_paths, read_json, read_manifest, write_json_atomic

REMOVED = "removed"


@dataclass
class FaceTable:
    """The metadata of a face set as columns (one row per face, in id order).

    Attributes:
        folder: the face set. ids: ``(N,)`` face ids. yaw, pitch, roll, sharpness, score:
        ``(N,)`` float arrays. sources: source key per face. frames: frame index per face.
    """

    folder: Path
    ids: np.ndarray
    yaw: np.ndarray
    pitch: np.ndarray
    roll: np.ndarray
    sharpness: np.ndarray
    score: np.ndarray
    sources: list[str] = field(default_factory=list)
    frames: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def image_path(self, face_id: int) -> Path:
        meta = read_json(self.folder / FACES / f"{int(face_id):06d}.json")
        return self.folder / FACES / meta["image"]


def read_table(path: str | os.PathLike) -> FaceTable:
    """Read every face's metadata (not the images) of a face set."""
    folder = Path(path)
    read_manifest(folder)
    rows = []
    for meta_path in face_paths(folder):
        meta = read_json(meta_path)
        pose = meta["pose"]
        rows.append(
            (int(meta_path.stem), pose["yaw"], pose["pitch"], pose["roll"], meta["sharpness"],
             meta["score"], meta["source"]["key"], meta["source"]["frame"])
        )  # fmt: skip
    if not rows:
        raise DatasetError(f"face set {str(folder)!r} is empty")
    columns = list(zip(*rows, strict=True))
    as_float = lambda k: np.asarray(columns[k], dtype=np.float32)  # noqa: E731
    return FaceTable(
        folder=folder,
        ids=np.asarray(columns[0], dtype=np.int64),
        yaw=as_float(1),
        pitch=as_float(2),
        roll=as_float(3),
        sharpness=as_float(4),
        score=as_float(5),
        sources=list(columns[6]),
        frames=np.asarray(columns[7], dtype=np.int64),
    )


def filter_faces(
    table: FaceTable,
    min_sharpness: float | None = None,
    max_yaw: float | None = None,
    max_pitch: float | None = None,
    min_score: float | None = None,
) -> dict[int, str]:
    """Faces that fail a filter: ``{id: reason}``. ``None`` switches a filter off."""
    rejected: dict[int, str] = {}
    for k, face_id in enumerate(table.ids):
        if min_sharpness is not None and table.sharpness[k] < min_sharpness:
            rejected[int(face_id)] = (
                f"blurry (sharpness {table.sharpness[k]:.1f} < {min_sharpness})"
            )
        elif max_yaw is not None and abs(table.yaw[k]) > max_yaw:
            rejected[int(face_id)] = f"turned (|yaw| {abs(table.yaw[k]):.0f} > {max_yaw})"
        elif max_pitch is not None and abs(table.pitch[k]) > max_pitch:
            rejected[int(face_id)] = f"tilted (|pitch| {abs(table.pitch[k]):.0f} > {max_pitch})"
        elif min_score is not None and table.score[k] < min_score:
            rejected[int(face_id)] = f"unsure detection (score {table.score[k]:.2f} < {min_score})"
    return rejected


def thumbnails(table: FaceTable, ids: np.ndarray, size: int = 16) -> torch.Tensor:
    """``(N, size*size)`` zero-mean unit-norm grey thumbnails of the faces (for comparisons)."""

    rows = []
    for face_id in ids:
        image = torch.from_numpy(np.array(read_image(table.image_path(face_id))))
        grey = image.float().mean(dim=2)[None, None] / 255
        small = torch.nn.functional.interpolate(grey, size=(size, size), mode="area").flatten()
        small = small - small.mean()
        rows.append(small / small.norm().clamp_min(1e-6))
    return torch.stack(rows) if rows else torch.zeros(0, size * size)


def near_duplicates(
    table: FaceTable, ids: np.ndarray | None = None, threshold: float = 0.005
) -> dict[int, str]:
    """Faces nearly identical to an earlier kept face (consecutive frames of a still head).

    Two faces are near-duplicates when the squared distance of their normalised 16 px grey
    thumbnails (unit vectors: 0 = identical, 2 = opposite) is below ``threshold``. At 0.005 a
    still head is folded into one face while a talking, turning one mostly stays. The sharper
    face is kept.

    Returns:
        ``{id: reason}`` of the faces to drop.
    """
    ids = table.ids if ids is None else np.asarray(ids)
    if len(ids) < 2:
        return {}
    position = {int(i): k for k, i in enumerate(table.ids)}
    order = sorted(ids, key=lambda i: -table.sharpness[position[int(i)]])  # sharpest first
    vectors = thumbnails(table, np.asarray(order))
    kept: list[int] = []
    dropped: dict[int, str] = {}
    for k, face_id in enumerate(order):
        if kept:
            distance = (vectors[kept] - vectors[k]).pow(2).sum(dim=1)
            nearest = int(distance.argmin())
            if float(distance[nearest]) < threshold:
                dropped[int(face_id)] = f"near-duplicate of {int(order[kept[nearest]]):06d}"
                continue
        kept.append(k)
    return dropped


def balance_pose(
    table: FaceTable,
    ids: np.ndarray | None = None,
    per_bin: int = 20,
    bin_degrees: float = 10.0,
) -> dict[int, str]:
    """Cap each yaw x pitch bin (centred on multiples of ``bin_degrees``) at ``per_bin`` faces, keeping the sharpest, so frontal faces
    (the common case) do not drown out the rarer turned ones.

    Returns:
        ``{id: reason}`` of the faces beyond the cap.
    """
    if per_bin < 1 or bin_degrees <= 0:
        raise InputError(f"per_bin >= 1 and bin_degrees > 0, got {per_bin}, {bin_degrees}")
    ids = table.ids if ids is None else np.asarray(ids)
    position = {int(i): k for k, i in enumerate(table.ids)}
    bins: dict[tuple[int, int], list[int]] = {}
    for face_id in ids:
        k = position[int(face_id)]
        key = (
            int(np.round(table.yaw[k] / bin_degrees)),
            int(np.round(table.pitch[k] / bin_degrees)),
        )
        bins.setdefault(key, []).append(int(face_id))
    dropped = {}
    for key, members in bins.items():
        members.sort(key=lambda i: -table.sharpness[position[i]])
        for face_id in members[per_bin:]:
            dropped[face_id] = (
                f"pose bin full (yaw ~{key[0] * bin_degrees:g}, pitch ~{key[1] * bin_degrees:g})"
            )
    return dropped


@dataclass
class CurationResult:
    """Which faces curation keeps, and why the others go."""

    kept: np.ndarray
    rejected: dict[int, str]

    def __str__(self) -> str:
        reasons: dict[str, int] = {}
        for reason in self.rejected.values():
            head = reason.split(" (")[0].split(" of ")[0].split(" yaw")[0]
            reasons[head] = reasons.get(head, 0) + 1
        parts = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
        return f"keep {len(self.kept)} faces, reject {len(self.rejected)}" + (
            f" ({parts})" if parts else ""
        )


def curate(
    path: str | os.PathLike,
    min_sharpness: float | None = None,
    max_yaw: float | None = None,
    max_pitch: float | None = None,
    min_score: float | None = None,
    duplicate_threshold: float | None = 0.005,
    per_bin: int | None = None,
    apply: bool = False,
) -> CurationResult:
    """Filter, de-duplicate and pose-balance a face set (in that order).

    Args:
        path: the face set.
        min_sharpness, max_yaw, max_pitch, min_score: filters (``None`` = off).
        duplicate_threshold: near-duplicate threshold (``None`` = off).
        per_bin: pose-balance cap per 10-degree yaw x pitch bin (``None`` = off).
        apply: move the rejected faces to ``removed/`` (otherwise only report).
    """
    table = read_table(path)
    rejected = filter_faces(table, min_sharpness, max_yaw, max_pitch, min_score)
    alive = np.array([i for i in table.ids if int(i) not in rejected], dtype=np.int64)
    if duplicate_threshold is not None:
        rejected.update(near_duplicates(table, alive, duplicate_threshold))
        alive = np.array([i for i in alive if int(i) not in rejected], dtype=np.int64)
    if per_bin is not None:
        rejected.update(balance_pose(table, alive, per_bin))
        alive = np.array([i for i in alive if int(i) not in rejected], dtype=np.int64)
    if apply and rejected:
        remove_faces(path, list(rejected))
    return CurationResult(kept=alive, rejected=rejected)


def remove_faces(path: str | os.PathLike, ids: list[int]) -> int:
    """Move faces (image + metadata) to ``removed/``; extraction will not redo them.

    Returns:
        How many faces were moved.
    """
    folder = Path(path)
    manifest = read_manifest(folder)
    target = folder / REMOVED
    target.mkdir(exist_ok=True)
    moved = 0
    for face_id in ids:
        meta_path = folder / FACES / f"{int(face_id):06d}.json"
        if not meta_path.is_file():
            continue
        meta = read_json(meta_path)
        image = folder / FACES / meta.get("image", "")
        if image.is_file():
            shutil.move(str(image), target / image.name)
        shutil.move(str(meta_path), target / meta_path.name)  # metadata last: the face is gone
        moved += 1
    manifest["faces"] = len(face_paths(folder))
    manifest["removed"] = len(list(target.glob("*.json")))
    write_json_atomic(folder / MANIFEST, manifest)
    return moved


def restore_faces(path: str | os.PathLike) -> int:
    """Move every face in ``removed/`` back into the set. Returns how many."""
    folder = Path(path)
    manifest = read_manifest(folder)
    target = folder / REMOVED
    restored = 0
    for meta_path in sorted(target.glob("*.json")) if target.is_dir() else []:
        meta = read_json(meta_path)
        image = target / meta.get("image", "")
        if image.is_file():
            shutil.move(str(image), folder / FACES / image.name)
        shutil.move(str(meta_path), folder / FACES / meta_path.name)
        restored += 1
    manifest["faces"] = len(face_paths(folder))
    manifest["removed"] = 0
    write_json_atomic(folder / MANIFEST, manifest)
    return restored
