"""Batched alignment of detected faces and writing them as face-set entries."""

from __future__ import annotations

import io as _bytes_io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..align import face_matrix, invert_matrix, transform_points, warp_to_aligned
from ..detect import estimate_pose
from ..io.atomic import write_bytes_atomic
from ..masks import face_mask
from .format import FACE_FORMAT
from .quality import SHARPNESS_SIZE, sharpness


@dataclass
class FaceBatch:
    """Aligned faces of one batch. ``images`` are uint8 RGB ``(S, S, 3)`` arrays for the writer."""

    images: list[np.ndarray]
    matrices: torch.Tensor  # (B, 2, 3) source -> crop
    landmarks: torch.Tensor  # (B, 478, 2) source pixels
    aligned: torch.Tensor  # (B, 478, 2) crop pixels
    pose: torch.Tensor  # (B, 3) yaw pitch roll
    sharpness: torch.Tensor  # (B,)
    face_type: str
    size: int

    def __post_init__(self) -> None:
        # The JSON numbers of the whole batch, converted once: per face, and through nested
        # Python lists, they cost ~10x more (many small lists wake the garbage collector).
        # Rounding in float64 keeps the JSON short: "12.34", not float32's "12.34000015258789".
        def rounded(values: torch.Tensor, decimals: int) -> np.ndarray:
            return np.round(values.detach().cpu().double().numpy(), decimals)

        self._matrices = rounded(self.matrices, 6).tolist()
        self._pose = rounded(self.pose, 2).tolist()
        self._sharpness = rounded(self.sharpness, 3).tolist()
        self._points = {
            "landmarks_source": _points_json(rounded(self.landmarks, 2)),
            "landmarks_aligned": _points_json(rounded(self.aligned, 2)),
        }

    def metadata(self, k: int, item, index: int, shape, face) -> dict[str, Any]:
        """The JSON record of face ``k`` (see docs/dataset.md), without its two landmark arrays:
        :meth:`landmarks_json` has those, as JSON text (:func:`write_face` joins them)."""
        yaw, pitch, roll = self._pose[k]
        return {
            "format": FACE_FORMAT,
            "source": {
                "key": item.key,
                "kind": item.kind,
                "path": None if item.path is None else str(item.path),
                "frame": int(index),
                "width": int(shape[1]),
                "height": int(shape[0]),
            },
            "face_type": self.face_type,
            "size": self.size,
            "matrix": self._matrices[k],
            "pose": {"yaw": yaw, "pitch": pitch, "roll": roll},
            "sharpness": self._sharpness[k],
            "score": round(float(face.score), 4),
            "face_size": round(float(face.size), 1),
        }

    def landmarks_json(self, k: int) -> dict[str, str]:
        """``landmarks_source`` and ``landmarks_aligned`` of face ``k`` as JSON text."""
        return {key: texts[k] for key, texts in self._points.items()}


def _points_json(points: np.ndarray) -> list[str]:
    """``(B, N, 2)`` numbers -> per item the JSON text ``[[x,y],...]``, made from one flat list
    per item (no ``N`` small lists)."""
    texts = []
    for flat in points.reshape(points.shape[0], -1).tolist():
        numbers = iter(json.dumps(flat)[1:-1].split(", "))
        texts.append("[[" + "],[".join(map(",".join, zip(numbers, numbers, strict=True))) + "]]")
    return texts


def _regions(matrices: torch.Tensor, size: int, heights, widths) -> np.ndarray:
    """Integer source boxes ``(B, 4)`` x0, y0, x1, y1 that cover each crop (clipped to its
    frame of ``heights[b]`` x ``widths[b]``)."""

    corners = np.array([[0.0, 0.0], [size - 1.0, 0.0], [0.0, size - 1.0], [size - 1.0, size - 1.0]])
    inverse = invert_matrix(matrices.detach().cpu().double()).numpy()  # (B, 2, 3)
    source = corners @ inverse[:, :, :2].transpose(0, 2, 1) + inverse[:, None, :, 2]  # (B, 4, 2)
    limit = np.stack([np.asarray(widths), np.asarray(heights)], axis=1)
    low = np.clip(np.floor(source.min(axis=1)) - 2, 0, limit).astype(int)
    high = np.clip(np.ceil(source.max(axis=1)) + 3, 0, limit).astype(int)
    high = np.maximum(high, low + 1)
    return np.concatenate([low, high], axis=1)


def align_batch(
    pending: list[tuple], face_type: str, size: int, device: torch.device | str | None = None
) -> FaceBatch:
    """Align a batch of ``(item, frame_index, frame, DetectedFace)``: one warp for all faces.

    Only the part of each frame the crop covers is moved to the device and warped.
    """
    landmarks = torch.from_numpy(np.stack([face.landmarks for *_, face in pending])).to(device)
    matrices = face_matrix(landmarks, face_type, size)
    frames = [frame for _, _, frame, _ in pending]
    boxes = _regions(matrices, size, [f.shape[0] for f in frames], [f.shape[1] for f in frames])
    region_h = int((boxes[:, 3] - boxes[:, 1]).max())
    region_w = int((boxes[:, 2] - boxes[:, 0]).max())
    stacked = np.zeros((len(pending), region_h, region_w, 3), dtype=np.uint8)  # numpy: fast copies
    for k, (frame, (x0, y0, x1, y1)) in enumerate(zip(frames, boxes.tolist(), strict=True)):
        stacked[k, : y1 - y0, : x1 - x0] = frame[y0:y1, x0:x1]
    regions = torch.from_numpy(stacked).to(device).permute(0, 3, 1, 2).float() / 255.0
    offsets = torch.from_numpy(boxes[:, :2].astype(np.float64)).to(matrices)
    shifted = matrices.clone()
    shifted[:, :, 2] += (matrices[:, :, :2] @ offsets[:, :, None])[..., 0]
    crops = warp_to_aligned(regions, shifted, size)
    aligned = transform_points(landmarks, matrices)
    scale = SHARPNESS_SIZE / size  # the focus score is measured at 128 px
    mask = face_mask((aligned + 0.5) * scale - 0.5, SHARPNESS_SIZE, "full")
    scores = sharpness(crops, mask)
    pose = estimate_pose(landmarks)
    images = crops.mul(255).add_(0.5).clamp_(0, 255).to(torch.uint8).permute(0, 2, 3, 1).cpu()
    return FaceBatch(
        images=list(images.numpy()),
        matrices=matrices,
        landmarks=landmarks,
        aligned=aligned,
        pose=pose,
        sharpness=scores,
        face_type=face_type,
        size=size,
    )


def encode_image(image: np.ndarray, image_format: str) -> bytes:
    """PNG (fast lossless setting) or JPEG (quality 95) bytes of a uint8 RGB array."""
    from PIL import Image

    buffer = _bytes_io.BytesIO()
    if image_format == "png":
        Image.fromarray(image).save(buffer, format="PNG", compress_level=1)
    else:
        Image.fromarray(image).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def write_face(
    faces_dir: Path,
    name: str,
    image: np.ndarray,
    meta: dict[str, Any],
    image_format: str,
    raw: dict[str, str] | None = None,
) -> None:
    """Write one face: the image first, then its JSON (the JSON marks the face as done).

    ``raw`` holds more members of the record as ready JSON text (the landmark arrays, from
    :meth:`FaceBatch.landmarks_json`). Each file is written under a temporary name and renamed,
    so no half-written file ever has a final name. The data reach the disk at the extraction's
    next sync point (``os.sync`` at each checkpoint): one sync per checkpoint instead of two
    ``fsync`` calls per face, which measured ~8x faster on this machine's disk.
    """
    meta["image"] = f"{name}.{image_format}"
    write_bytes_atomic(faces_dir / meta["image"], encode_image(image, image_format), sync=False)
    text = json.dumps(meta, separators=(",", ":"))
    if raw:
        text = (
            text[:-1] + "".join(f",{json.dumps(key)}:{value}" for key, value in raw.items()) + "}"
        )
    write_bytes_atomic(faces_dir / f"{name}.json", (text + "\n").encode(), sync=False)
