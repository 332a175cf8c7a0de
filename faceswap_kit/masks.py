"""Masks from landmarks: the face hull of each face type, region masks (eyes, brows, mouth) for
loss weighting, and feathering. All batched on the landmarks' device.

The hulls are polygons through mesh landmarks in a fixed order (computed once on the canonical
face), filled by a scanline rule, so they follow pose and expression.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from .align import check_face_type
from .detect.face_model import load_face_model
from .errors import InputError

BROW_LINE = -0.28  # canonical y of the top of the brows: full/half hulls stop here
HEAD_GROWTH = (1.32, 1.08)  # head hull: outward growth above / below the mouth line


@lru_cache(maxsize=8)
def hull_indices(face_type: str) -> tuple[int, ...]:
    """Landmark indices of the face type's hull polygon, in order around the face.

    >>> len(hull_indices("whole_face"))
    36
    """
    model = load_face_model()
    oval = list(model.outlines["face_oval"])
    if face_type in ("whole_face", "head"):
        chosen = oval
    else:
        brows = list(model.outlines["left_brow"]) + list(model.outlines["right_brow"])
        chosen = [i for i in oval if model.points[i, 1] > BROW_LINE] + brows
    if face_type not in ("whole_face", "head"):
        chosen = [chosen[k] for k in _convex_hull(model.points[chosen, :2])]
    points = model.points[chosen, :2]
    angle = np.arctan2(points[:, 1] - 0.05, points[:, 0])
    return tuple(int(chosen[k]) for k in np.argsort(angle))


def _convex_hull(points: np.ndarray) -> list[int]:
    """Indices of the convex hull vertices of ``(K, 2)`` points (monotone chain)."""
    order = sorted(range(len(points)), key=lambda k: (points[k, 0], points[k, 1]))

    def turn(o: int, a: int, b: int) -> float:
        oa, ob = points[a] - points[o], points[b] - points[o]
        return float(oa[0] * ob[1] - oa[1] * ob[0])

    hull: list[int] = []
    for sequence in (order, order[::-1]):
        chain: list[int] = []
        for k in sequence:
            while len(chain) >= 2 and turn(chain[-2], chain[-1], k) <= 0:
                chain.pop()
            chain.append(k)
        hull.extend(chain[:-1])
    return hull


def fill_polygons(vertices: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Rasterise closed polygons (even-odd rule, pixel centres at integer coordinates).

    Args:
        vertices: ``(B, V, 2)`` polygon vertices in pixels.
        height, width: output size.

    Returns:
        ``(B, 1, height, width)`` float mask, 1 inside.

    >>> square = torch.tensor([[[1.0, 1.0], [4.0, 1.0], [4.0, 4.0], [1.0, 4.0]]])
    >>> int(fill_polygons(square, 6, 6).sum())
    9
    """
    dtype = vertices.dtype if vertices.dtype.is_floating_point else torch.float32
    start = vertices.to(dtype)
    end = torch.roll(start, -1, dims=1)
    rows = torch.arange(height, device=vertices.device, dtype=dtype)[None, :, None]  # (1, H, 1)
    y0, y1 = start[:, None, :, 1], end[:, None, :, 1]  # (B, 1, V)
    x0, x1 = start[:, None, :, 0], end[:, None, :, 0]
    crosses = (y0 > rows) != (y1 > rows)  # (B, H, V)
    slope = (x1 - x0) / torch.where(y1 == y0, torch.ones_like(y1), y1 - y0)
    x_cross = x0 + slope * (rows - y0)
    x_cross = torch.where(crosses, x_cross, torch.full_like(x_cross, float("inf")))
    x_cross, _ = torch.sort(x_cross, dim=-1)
    columns = torch.arange(width, device=vertices.device, dtype=dtype)
    columns = columns.expand(start.shape[0], height, width).contiguous()
    count = torch.searchsorted(x_cross.contiguous(), columns, right=True)  # crossings left of x
    return (count % 2 == 1).to(dtype)[:, None]


def _check(landmarks: torch.Tensor, size: int | tuple[int, int]) -> tuple[int, int]:
    if not isinstance(landmarks, torch.Tensor) or landmarks.ndim != 3 or landmarks.shape[1] < 468:
        shape = tuple(getattr(landmarks, "shape", ())) or type(landmarks).__name__
        raise InputError(f"landmarks must be a (B, >=468, 2) tensor of pixels, got {shape}")
    height, width = (size, size) if isinstance(size, int) else size
    if height < 1 or width < 1:
        raise InputError(f"mask size must be positive, got {size!r}")
    return int(height), int(width)


def face_mask(
    landmarks: torch.Tensor, size: int | tuple[int, int], face_type: str = "whole_face"
) -> torch.Tensor:
    """The face hull mask of a face type.

    ``half`` and ``full`` cover brows to chin; ``whole_face`` adds the forehead; ``head`` grows
    the outline outwards to take in hair (above the mouth) and a little jaw margin (below).

    Args:
        landmarks: ``(B, N, 2)`` pixels (mediapipe mesh order, N >= 468) in the mask's space.
        size: ``S`` or ``(H, W)`` of the mask.
        face_type: one of ``faceswap_kit.align.FACE_TYPES``.

    Returns:
        ``(B, 1, H, W)`` float mask in {0, 1} on the landmarks' device.
    """
    height, width = _check(landmarks, size)
    index = torch.tensor(hull_indices(check_face_type(face_type)), device=landmarks.device)
    polygon = landmarks[:, index].float()
    if face_type == "head":
        canonical_y = torch.tensor(load_face_model().points[list(index.cpu().tolist()), 1])
        growth = torch.where(canonical_y < 0.2, HEAD_GROWTH[0], HEAD_GROWTH[1])
        growth = growth.to(device=landmarks.device, dtype=polygon.dtype)[None, :, None]
        centre = polygon.mean(dim=1, keepdim=True)
        polygon = centre + (polygon - centre) * growth
    return fill_polygons(polygon, height, width)


REGION_GROWTH = {"eye": 1.35, "brow": 1.25, "lips_outer": 1.1}


def region_masks(landmarks: torch.Tensor, size: int | tuple[int, int]) -> torch.Tensor:
    """Eyes, brows and mouth, each grown a little around its centre, in one mask.

    Args:
        landmarks: ``(B, N, 2)`` pixels (mediapipe mesh order).
        size: ``S`` or ``(H, W)``.

    Returns:
        ``(B, 1, H, W)`` float mask in {0, 1}.
    """
    height, width = _check(landmarks, size)
    outlines = load_face_model().outlines
    masks = []
    for name in ("left_eye", "right_eye", "left_brow", "right_brow", "lips_outer"):
        growth = REGION_GROWTH[name.split("_", 1)[-1] if "lips" not in name else name]
        polygon = landmarks[:, list(outlines[name])].float()
        centre = polygon.mean(dim=1, keepdim=True)
        masks.append(fill_polygons(centre + (polygon - centre) * growth, height, width))
    return torch.stack(masks).amax(dim=0)


def feather(mask: torch.Tensor, radius: float) -> torch.Tensor:
    """Soften a mask's edge with a Gaussian blur of about ``radius`` pixels.

    >>> m = torch.zeros(1, 1, 9, 9); m[..., 3:6, 3:6] = 1
    >>> soft = feather(m, 2)
    >>> bool(0 < soft[0, 0, 4, 2] < 1), torch.equal(feather(m, 0), m)
    (True, True)
    """
    if radius < 0:
        raise InputError(f"feather radius must be >= 0 pixels, got {radius}")
    if radius == 0:
        return mask
    import kornia.filters

    sigma = max(radius / 2.0, 0.5)
    kernel = 2 * int(round(radius)) + 1
    return kornia.filters.gaussian_blur2d(
        mask, (kernel, kernel), (sigma, sigma), border_type="replicate"
    )
