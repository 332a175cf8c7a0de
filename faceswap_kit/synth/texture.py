"""Per-identity texture atlas: painted skin (brows, lips, lashes, freckles, stubble) and hair.

The atlas is ``(256, 512, 3)`` float32 RGB albedo: the left square is the face in frontal model
coordinates (see :func:`faceswap_kit.synth.head.face_uv`), the right square is hair strands.
Everything is drawn with a ``numpy`` PCG64 generator seeded by the identity, so it is identical
on every machine.
"""

from __future__ import annotations

import functools

import numpy as np

from .base_mesh import load_base_mesh
from .head import TEX, face_uv
from .params import Identity


def _noise(rng: np.random.Generator, cells: int, size: int = TEX) -> np.ndarray:
    """Smooth value noise in [-1, 1] of ``size x size`` from a ``cells x cells`` random grid."""
    import cv2

    grid = rng.uniform(-1, 1, (cells, cells)).astype(np.float32)
    return cv2.resize(grid, (size, size), interpolation=cv2.INTER_CUBIC)


def _uv(points_xy) -> np.ndarray:
    points = np.asarray(points_xy, dtype=np.float64).reshape(-1, 2)
    return face_uv(np.concatenate([points, np.zeros((len(points), 1))], 1))


def _blob(shape, centre_xy, radius: float) -> np.ndarray:
    """Gaussian blob in texture pixels around a model-space point (radius in model units)."""
    (u, v), r = _uv(centre_xy)[0], radius / 3.0 * TEX
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    return np.exp(-0.5 * (((xx - u) ** 2 + (yy - v) ** 2) / r**2)).astype(np.float32)


def _polygon_mask(points_xy: np.ndarray, blur: float) -> np.ndarray:
    import cv2

    mask = np.zeros((TEX, TEX), np.float32)
    pts = np.round(_uv(points_xy) * 4).astype(np.int32)
    cv2.fillPoly(mask, [pts], 1.0, lineType=cv2.LINE_AA, shift=2)
    return cv2.GaussianBlur(mask, (0, 0), blur) if blur > 0 else mask


@functools.lru_cache(maxsize=16)
def texture_atlas(identity: Identity) -> np.ndarray:
    """The albedo atlas of ``identity``: ``(256, 512, 3)`` float32 in [0, 1] (read-only)."""
    import cv2

    mesh = load_base_mesh()
    base = np.asarray(mesh.vertices)
    g = mesh.groups
    rng = np.random.Generator(np.random.PCG64(identity.seed * 7 + 12345))
    skin = np.asarray(identity.skin, np.float32)
    # Skin: broad tone variation, pores, redness on cheeks/nose, darker eye sockets.
    tone = 1 + 0.05 * _noise(rng, 6)[..., None] + 0.02 * _noise(rng, 24)[..., None]
    pores = cv2.GaussianBlur(rng.normal(0, 1, (TEX, TEX)).astype(np.float32), (0, 0), 0.7)
    face = skin * tone * (1 + 0.035 * pores[..., None])
    red = np.array([1.0, 0.80, 0.80], np.float32)
    blush = identity.blush * (
        _blob(face.shape, (0.45, 0.42), 0.2) + _blob(face.shape, (-0.45, 0.42), 0.2)
    )
    blush += 0.6 * identity.blush * _blob(face.shape, (0.0, 0.4), 0.1)
    face *= 1 + (red - 1) * 0.35 * blush[..., None]
    socket = sum(_blob(face.shape, (s * 0.36, -0.05), 0.13) for s in (-1, 1))
    face *= 1 - 0.12 * socket[..., None] * np.array([1.0, 1.05, 1.0], np.float32)
    # Wrinkles: nasolabial folds and faint forehead lines.
    lines = np.zeros((TEX, TEX), np.float32)
    for s in (-1, 1):
        pts = _uv([(s * 0.22, 0.47), (s * 0.30, 0.58), (s * 0.37, 0.72)]).astype(np.int32)
        cv2.polylines(lines, [pts], False, 1.0, 2, cv2.LINE_AA)
    for k in range(3):
        y = -0.42 - 0.09 * k
        pts = _uv([(x, y + 0.02 * np.sin(3 * x + k)) for x in np.linspace(-0.45, 0.45, 8)])
        cv2.polylines(lines, [pts.astype(np.int32)], False, 0.5 * identity.wrinkles, 1, cv2.LINE_AA)
    lines = cv2.GaussianBlur(lines, (0, 0), 1.2)
    face *= 1 - (0.10 + 0.15 * identity.wrinkles) * lines[..., None]
    # Freckles and stubble: dark speckles in their regions.
    if identity.freckles > 0.02:
        count = int(260 * identity.freckles)
        centres = rng.normal(0, 1, (count, 2)) * np.array([0.28, 0.12]) + np.array([0.0, 0.3])
        centres[:, 0] += np.sign(centres[:, 0]) * 0.1
        dots = np.zeros((TEX, TEX), np.float32)
        for (u, v), r in zip(_uv(centres), rng.uniform(0.6, 1.4, count), strict=True):
            cv2.circle(dots, (int(u * 4), int(v * 4)), int(r * 4), 1.0, -1, cv2.LINE_AA, shift=2)
        dots = cv2.GaussianBlur(dots, (0, 0), 0.6)
        face *= 1 - 0.2 * dots[..., None] * np.array([0.8, 1.0, 1.15], np.float32)
    if identity.stubble > 0.02:
        region = _polygon_mask(
            np.array([(-0.62, 0.5), (-0.3, 0.52), (0, 0.55), (0.3, 0.52), (0.62, 0.5), (0.7, 0.9),
                      (0.4, 1.35), (0.0, 1.45), (-0.4, 1.35), (-0.7, 0.9)]), 6.0)  # fmt: skip
        region *= 1 - _polygon_mask(base[g["lips_outer"], :2], 1.0)
        speck = (rng.uniform(0, 1, (TEX, TEX)) < 0.35).astype(np.float32)
        speck = cv2.GaussianBlur(speck, (0, 0), 0.4)
        amount = 0.45 * identity.stubble * region * (0.35 + 0.65 * speck)
        hair = np.asarray(identity.hair, np.float32) * 0.35 + 0.02
        face = face * (1 - amount[..., None]) + hair * amount[..., None]
    # Lips.
    lips = _polygon_mask(base[g["lips_outer"], :2], 1.0)
    lip_lines = 1 + 0.08 * cv2.GaussianBlur(
        rng.normal(0, 1, (TEX, TEX)).astype(np.float32), (0, 0), 0.8
    )
    lip_colour = np.asarray(identity.lips, np.float32) * lip_lines[..., None]
    face = face * (1 - lips[..., None]) + lip_colour * lips[..., None]
    # Lashes and lid lines: dark along the upper eye contour, lighter below.
    lash = np.zeros((TEX, TEX), np.float32)
    for side in ("left", "right"):
        loop = g[f"eye_{side}"]
        pts = base[loop]
        corners = [int(np.argmin(pts[:, 0])), int(np.argmax(pts[:, 0]))]
        line = np.interp(pts[:, 0], pts[corners, 0], pts[corners, 1])
        upper = pts[pts[:, 1] <= line + 1e-9]
        upper = upper[np.argsort(upper[:, 0])]
        lower = pts[pts[:, 1] >= line - 1e-9]
        lower = lower[np.argsort(lower[:, 0])]
        cv2.polylines(lash, [np.round(_uv(upper[:, :2]) * 4).astype(np.int32)], False, 1.0, 2,
                      cv2.LINE_AA, shift=2)  # fmt: skip
        cv2.polylines(lash, [np.round(_uv(lower[:, :2]) * 4).astype(np.int32)], False, 0.35, 1,
                      cv2.LINE_AA, shift=2)  # fmt: skip
        crease = upper[:, :2] + np.array([0.0, -0.07])
        cv2.polylines(lash, [np.round(_uv(crease) * 4).astype(np.int32)], False, 0.18, 1,
                      cv2.LINE_AA, shift=2)  # fmt: skip
    lash = cv2.GaussianBlur(lash, (0, 0), 0.5)
    face *= 1 - 0.75 * lash[..., None]
    # Nostrils.
    nostrils = sum(_blob(face.shape, (s * 0.085, 0.468), 0.022) for s in (-1, 1))
    face *= 1 - 0.7 * np.clip(nostrils * 1.5, 0, 1)[..., None]
    # Brows: filled shape between the brow paths, with strokes.
    brow_mask = np.zeros((TEX, TEX), np.float32)
    thickness = 0.02 + 0.03 * identity.brow_thickness
    for side in ("left", "right"):
        upper = base[g[f"brow_{side}_upper"], :2]
        lower = base[g[f"brow_{side}_lower"], :2]
        centre = (upper + lower) / 2
        order = np.argsort(np.abs(centre[:, 0]))
        centre = centre[order]
        taper = np.linspace(1.0, 0.45, len(centre))[:, None]
        top = centre + np.array([0.0, -thickness]) * taper
        bottom = centre + np.array([0.0, thickness * 0.8]) * taper
        outline = np.concatenate([top, bottom[::-1]])
        brow_mask = np.maximum(brow_mask, _polygon_mask(outline, 1.2))
    strokes = (rng.uniform(0, 1, (TEX, TEX)) < 0.5).astype(np.float32)
    strokes = cv2.GaussianBlur(strokes, (5, 1), 0) * 0.6 + 0.4
    brow_alpha = np.clip(brow_mask * strokes * 1.1, 0, 0.92)[..., None]
    face = face * (1 - brow_alpha) + np.asarray(identity.brow, np.float32) * brow_alpha
    # Hair strands: streaky noise stretched along v.
    strands = rng.normal(0, 1, (TEX, TEX)).astype(np.float32)
    strands = cv2.GaussianBlur(strands, (1, 31), 0, sigmaY=9) * 3.0
    strands = cv2.GaussianBlur(strands, (3, 1), 0)
    hair = np.asarray(identity.hair, np.float32) * (1 + 0.28 * np.clip(strands, -2, 2))[..., None]
    atlas = np.concatenate([face, hair], axis=1)
    atlas = np.clip(atlas, 0, 1).astype(np.float32)
    atlas.setflags(write=False)
    return atlas
