"""Pictures of the extraction stage: landmarks, alignment steps, face types, masks, and a face set's
summary (pose scatter, sharpness histogram, sample grid). Each function returns a matplotlib
``Figure``; nothing here changes data.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch

from ..align import FACE_TYPES, canonical_landmarks, face_matrix, transform_points, warp_to_aligned
from ..dataset.curate import FaceTable, read_table
from ..detect.face_model import STABLE_POINTS
from ..io import image_to_tensor, read_image, tensor_to_image
from ..masks import face_mask, feather, region_masks


def _figure(columns: int, width: float = 3.2, height: float = 3.4):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, columns, figsize=(width * columns, height), squeeze=False)
    for ax in axes[0]:
        ax.axis("off")
    return fig, list(axes[0])


def face_grid(images: list[np.ndarray], columns: int = 8, gap: int = 2) -> np.ndarray:
    """Tile same-sized uint8 RGB images into one array (white gaps)."""
    if not images:
        return np.full((8, 8, 3), 255, np.uint8)
    height, width = images[0].shape[:2]
    rows = (len(images) + columns - 1) // columns
    grid = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap, 3), 255, np.uint8)
    for k, image in enumerate(images):
        r, c = divmod(k, columns)
        grid[r * (height + gap) : r * (height + gap) + height,
             c * (width + gap) : c * (width + gap) + width] = image  # fmt: skip
    return grid


def show_landmarks(frame: np.ndarray, faces: list, zoom: bool = True):
    """The frame with each face's box, 468 mesh points (grey), stable points (red) and irises."""
    fig, (ax,) = _figure(1, 6, 6)
    ax.imshow(frame)
    for face in faces:
        points = face.landmarks
        ax.scatter(points[:468, 0], points[:468, 1], s=1, c="#dddddd")
        stable = points[list(STABLE_POINTS)]
        ax.scatter(stable[:, 0], stable[:, 1], s=8, c="#e0301e", label="stable points")
        ax.scatter(points[468:, 0], points[468:, 1], s=4, c="#2b8cbe", label="irises")
        x0, y0, x1, y1 = face.box
        ax.plot([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0], c="#ffd23f", lw=1)
        ax.set_title(f"{len(faces)} face(s); score {face.score:.2f}, {face.size:.0f} px")
        if zoom and len(faces) == 1:
            pad = 0.25 * face.size
            ax.set_xlim(x0 - pad, x1 + pad)
            ax.set_ylim(y1 + pad, y0 - pad)
    if faces:
        ax.legend(loc="lower right", fontsize=8)
    return fig


def show_alignment(frame: np.ndarray, face, face_type: str = "whole_face", size: int = 256):
    """Three steps: landmarks in the frame -> the similarity fit -> the aligned crop with the
    canonical points on top (crosses) and the face's points (dots)."""
    landmarks = torch.from_numpy(face.landmarks)[None]
    matrix = face_matrix(landmarks, face_type, size)
    crop = warp_to_aligned(image_to_tensor(frame), matrix, size)
    aligned = transform_points(landmarks, matrix)[0].numpy()
    target = canonical_landmarks(face_type, size).numpy()
    corners = np.array([[0, 0], [size - 1, 0], [size - 1, size - 1], [0, size - 1], [0, 0]], float)
    inverse = torch.linalg.inv(torch.cat([matrix[0], torch.tensor([[0.0, 0, 1]])]))[:2]
    outline = corners @ inverse[:, :2].T.numpy() + inverse[:, 2].numpy()
    fig, axes = _figure(3)
    axes[0].imshow(frame)
    stable = face.landmarks[list(STABLE_POINTS)]
    axes[0].scatter(stable[:, 0], stable[:, 1], s=6, c="#e0301e")
    axes[0].set_title("1. stable landmarks")
    axes[1].imshow(frame)
    axes[1].plot(outline[:, 0], outline[:, 1], c="#ffd23f", lw=2)
    scale = float(torch.linalg.det(matrix[0, :, :2]).abs().sqrt())
    angle = float(torch.rad2deg(torch.atan2(matrix[0, 1, 0], matrix[0, 0, 0])))
    axes[1].set_title(f"2. similarity: scale {scale:.2f}, rotate {angle:.1f}°")
    axes[2].imshow(tensor_to_image(crop))
    index = list(STABLE_POINTS)
    axes[2].scatter(target[index, 0], target[index, 1], s=30, marker="+", c="#2b8cbe")
    axes[2].scatter(aligned[index, 0], aligned[index, 1], s=6, c="#e0301e")
    axes[2].set_title(f"3. aligned {face_type}, {size} px")
    fig.tight_layout()
    return fig


def show_face_types(frame: np.ndarray, face, size: int = 192):
    """The same face cropped as each face type."""
    landmarks = torch.from_numpy(face.landmarks)[None].expand(len(FACE_TYPES), -1, -1)
    matrices = torch.cat([face_matrix(landmarks[:1], t, size) for t in FACE_TYPES])
    crops = warp_to_aligned(image_to_tensor(frame), matrices, size)
    fig, axes = _figure(len(FACE_TYPES))
    for ax, face_type, crop in zip(axes, FACE_TYPES, crops, strict=True):
        ax.imshow(tensor_to_image(crop))
        ax.set_title(face_type)
    fig.tight_layout()
    return fig


def show_masks(crop: torch.Tensor, aligned: torch.Tensor, face_type: str = "whole_face",
               radius: float = 4.0):  # fmt: skip
    """Crop, hull mask, region masks and the feathered hull blended over the crop.

    Args:
        crop: ``(1, 3, S, S)`` aligned face. aligned: ``(1, N, 2)`` landmarks in crop pixels.
    """

    size = crop.shape[-1]
    hull = face_mask(aligned, size, face_type)
    regions = region_masks(aligned, size)
    soft = feather(hull, radius)
    fig, axes = _figure(4)
    axes[0].imshow(tensor_to_image(crop))
    axes[0].set_title("aligned crop")
    axes[1].imshow(hull[0, 0].cpu().numpy(), cmap="gray", vmin=0, vmax=1)
    axes[1].set_title(f"{face_type} hull")
    axes[2].imshow(regions[0, 0].cpu().numpy(), cmap="gray", vmin=0, vmax=1)
    axes[2].set_title("eyes, brows, mouth")
    shown = crop * (0.25 + 0.75 * soft)
    axes[3].imshow(tensor_to_image(shown))
    axes[3].set_title(f"feathered {radius:g} px")
    fig.tight_layout()
    return fig


def show_summary(path_or_table: Any, samples: int = 16, columns: int = 8):
    """A face set at a glance: yaw/pitch scatter (colour = sharpness), sharpness histogram, and a
    grid of faces sampled evenly through the set."""
    import matplotlib.pyplot as plt

    table = path_or_table if isinstance(path_or_table, FaceTable) else read_table(path_or_table)
    fig = plt.figure(figsize=(14, 4.2))
    grid = fig.add_gridspec(1, 3, width_ratios=[1, 1, 2])
    ax = fig.add_subplot(grid[0])
    points = ax.scatter(table.yaw, table.pitch, c=table.sharpness, s=12, cmap="viridis")
    fig.colorbar(points, ax=ax, label="sharpness")
    ax.set_xlabel("yaw (°, + = turned right)")
    ax.set_ylabel("pitch (°, + = looking down)")
    ax.set_title(f"pose of {len(table)} faces")
    ax.axhline(0, c="#cccccc", lw=0.5)
    ax.axvline(0, c="#cccccc", lw=0.5)
    ax = fig.add_subplot(grid[1])
    ax.hist(table.sharpness, bins=30, color="#2b8cbe")
    ax.set_xlabel("sharpness (Laplacian variance x1000)")
    ax.set_ylabel("faces")
    ax.set_title("focus")
    ax = fig.add_subplot(grid[2])
    ax.axis("off")
    picks = np.unique(np.linspace(0, len(table) - 1, min(samples, len(table))).round().astype(int))
    images = [read_image(table.image_path(table.ids[k])) for k in picks]
    ax.imshow(face_grid(images, columns=min(columns, len(images))))
    ax.set_title("sample faces")
    fig.tight_layout()
    return fig


def show_rejected(path: str | os.PathLike, rejected: dict[int, str], limit: int = 8):
    """The faces curation would drop, each titled with its reason."""

    table = read_table(path)
    items = list(rejected.items())[:limit]
    fig, axes = _figure(max(1, len(items)), 2.4, 2.8)
    for ax, (face_id, reason) in zip(axes, items, strict=False):
        ax.imshow(read_image(table.image_path(face_id)))
        ax.set_title(f"{face_id:06d}\n{reason[:28]}", fontsize=8)
    fig.tight_layout()
    return fig
