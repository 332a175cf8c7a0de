"""Per-identity texture atlas: painted skin (brows, lips, lashes, freckles, stubble) and hair.

The atlas is ``(256, 512, 3)`` float64 RGB albedo: the left square is the face in frontal model
coordinates (see :func:`faceswap_kit.synth.head.face_uv`), the right square is hair strands.
Everything is drawn with a ``numpy`` PCG64 generator seeded by the identity, so it is identical
on every machine.
"""

from __future__ import annotations

import functools

import numpy as np

from .base_mesh import load_base_mesh
from .head import TEX, face_uv
from .imageops import blur_axis, draw_mask, gaussian_blur, resize_linear
from .params import Identity


def _noise(rng: np.random.Generator, cells: int, size: int = TEX) -> np.ndarray:
    """Smooth value noise in about [-1, 1] of ``size x size`` from a ``cells x cells`` grid."""
    grid = rng.uniform(-1, 1, (cells, cells))
    return gaussian_blur(resize_linear(grid, size, size), 0.35 * size / cells)


def _uv(points_xy) -> np.ndarray:
    points = np.asarray(points_xy, dtype=np.float64).reshape(-1, 2)
    return face_uv(np.concatenate([points, np.zeros((len(points), 1))], 1))


def _blob(shape, centre_xy, radius: float) -> np.ndarray:
    """Gaussian blob in texture pixels around a model-space point (radius in model units)."""
    (u, v), r = _uv(centre_xy)[0], radius / 3.0 * TEX
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    return np.exp(-0.5 * (((xx - u) ** 2 + (yy - v) ** 2) / r**2))


def _polygon_mask(points_xy: np.ndarray, blur: float) -> np.ndarray:
    import cv2

    pts = np.round(_uv(points_xy) * 4).astype(np.int32)
    mask = draw_mask(lambda c: cv2.fillPoly(c, [pts], 255, lineType=cv2.LINE_AA, shift=2), TEX, TEX)
    return gaussian_blur(mask, blur) if blur > 0 else mask


def _lines(paths, thickness: int, blur: float) -> np.ndarray:
    """Anti-aliased polylines through model-space points, drawn in texture pixels."""
    import cv2

    def draw(canvas):
        for path in paths:
            pts = np.round(_uv(path) * 4).astype(np.int32)
            cv2.polylines(canvas, [pts], False, 255, thickness, cv2.LINE_AA, shift=2)

    return gaussian_blur(draw_mask(draw, TEX, TEX), blur)


@functools.lru_cache(maxsize=16)
def texture_atlas(identity: Identity) -> np.ndarray:
    """The albedo atlas of ``identity``: ``(256, 512, 3)`` float64 in [0, 1] (read-only)."""
    import cv2

    mesh = load_base_mesh()
    base = np.asarray(mesh.vertices)
    g = mesh.groups
    rng = np.random.Generator(np.random.PCG64(identity.seed * 7 + 12345))
    skin = np.asarray(identity.skin)
    # Skin: broad tone variation, pores, redness on cheeks/nose, darker eye sockets.
    tone = 1 + 0.05 * _noise(rng, 6)[..., None] + 0.02 * _noise(rng, 24)[..., None]
    pores = gaussian_blur(rng.normal(0, 1, (TEX, TEX)), 0.7)
    face = skin * tone * (1 + 0.035 * pores[..., None])
    red = np.array([1.0, 0.80, 0.80])
    blush = identity.blush * (
        _blob(face.shape, (0.45, 0.42), 0.2) + _blob(face.shape, (-0.45, 0.42), 0.2)
    )
    blush += 0.6 * identity.blush * _blob(face.shape, (0.0, 0.4), 0.1)
    face *= 1 + (red - 1) * 0.35 * blush[..., None]
    socket = sum(_blob(face.shape, (s * 0.36, -0.05), 0.13) for s in (-1, 1))
    face *= 1 - 0.12 * socket[..., None] * np.array([1.0, 1.05, 1.0])
    # Wrinkles: nasolabial folds and faint forehead lines.
    folds = [[(s * 0.22, 0.47), (s * 0.30, 0.58), (s * 0.37, 0.72)] for s in (-1, 1)]
    forehead = [
        [(x, -0.42 - 0.09 * k + 0.02 * np.sin(3 * x + k)) for x in np.linspace(-0.45, 0.45, 8)]
        for k in range(3)
    ]
    lines = _lines(folds, 2, 1.2) + 0.5 * identity.wrinkles * _lines(forehead, 1, 1.2)
    face *= 1 - (0.10 + 0.15 * identity.wrinkles) * lines[..., None]
    aged = float(np.clip((identity.age - 30) / 50, 0, 1))
    if aged > 0:
        crows = [
            [(s * 0.56, -0.02 + d), (s * 0.66, -0.05 + 1.6 * d), (s * 0.73, -0.08 + 2.2 * d)]
            for s in (-1, 1)
            for d in (-0.04, 0.0, 0.04)
        ]
        bags = [[(s * x, 0.1 + 0.08 * (1 - ((x - 0.35) / 0.2) ** 2)) for x in np.linspace(0.17, 0.53, 7)]
                for s in (-1, 1)]  # fmt: skip
        age_lines = _lines(crows, 1, 0.9) + 1.2 * _lines(bags, 2, 1.5)
        face *= 1 - 0.22 * aged * np.clip(age_lines, 0, 1)[..., None]
        spots = gaussian_blur((rng.uniform(0, 1, (TEX, TEX)) < 0.004 * aged).astype(float), 1.3)
        face *= 1 - 0.9 * np.clip(spots * 6, 0, 1)[..., None] * np.array([0.25, 0.32, 0.4])
    # Freckles and stubble: dark speckles in their regions.
    if identity.freckles > 0.02:
        count = int(260 * identity.freckles)
        centres = rng.normal(0, 1, (count, 2)) * np.array([0.28, 0.12]) + np.array([0.0, 0.3])
        centres[:, 0] += np.sign(centres[:, 0]) * 0.1
        radii = rng.uniform(0.4, 0.9, count)
        uvs = _uv(centres)

        def draw(canvas):
            for (u, v), r in zip(uvs, radii, strict=True):
                cv2.circle(
                    canvas, (int(u * 4), int(v * 4)), int(r * 4), 255, -1, cv2.LINE_AA, shift=2
                )

        dots = gaussian_blur(draw_mask(draw, TEX, TEX), 0.6)
        face *= 1 - 0.2 * dots[..., None] * np.array([0.8, 1.0, 1.15])
    if identity.stubble > 0.02:
        region = _polygon_mask(
            np.array([(-0.62, 0.5), (-0.3, 0.52), (0, 0.55), (0.3, 0.52), (0.62, 0.5), (0.7, 0.9),
                      (0.4, 1.35), (0.0, 1.45), (-0.4, 1.35), (-0.7, 0.9)]), 6.0)  # fmt: skip
        region *= 1 - _polygon_mask(base[g["lips_outer"], :2], 1.0)
        speck = gaussian_blur((rng.uniform(0, 1, (TEX, TEX)) < 0.35).astype(np.float64), 0.4)
        amount = 0.45 * identity.stubble * region * (0.35 + 0.65 * speck)
        hair = np.asarray(identity.hair) * 0.35 + 0.02
        face = face * (1 - amount[..., None]) + hair * amount[..., None]
    if identity.beard_style not in ("none", "stubble") and identity.beard > 0:
        face = _facial_hair(face, identity, rng, base, g)
    # Lips.
    lips = _polygon_mask(base[g["lips_outer"], :2], 1.0)
    lip_lines = 1 + 0.08 * gaussian_blur(rng.normal(0, 1, (TEX, TEX)), 0.8)
    lip_tone = np.asarray(identity.lips)
    if identity.lipstick > 0:
        lipstick = np.array([0.62, 0.12, 0.2]) * (0.6 + 0.4 * np.asarray(identity.skin).mean())
        lip_tone = lip_tone * (1 - 0.7 * identity.lipstick) + lipstick * 0.7 * identity.lipstick
    lip_colour = lip_tone * lip_lines[..., None]
    face = face * (1 - lips[..., None]) + lip_colour * lips[..., None]
    # The parting line between the lips and a slightly darker lip border.
    inner = base[g["lips_inner"], :2]
    parting = _lines([np.concatenate([inner, inner[:1]])], 2, 0.6)
    face *= 1 - 0.45 * np.clip(parting, 0, 1)[..., None]
    border = _lines(
        [np.concatenate([base[g["lips_outer"], :2], base[g["lips_outer"][:1], :2]])], 1, 0.8
    )
    face *= 1 - 0.08 * np.clip(border, 0, 1)[..., None]
    # Lashes and lid lines: dark along the upper eye contour, lighter below.
    uppers, lowers, creases = [], [], []
    for side in ("left", "right"):
        loop = g[f"eye_{side}"]
        pts = base[loop]
        corners = [int(np.argmin(pts[:, 0])), int(np.argmax(pts[:, 0]))]
        line = np.interp(pts[:, 0], pts[corners, 0], pts[corners, 1])
        upper = pts[pts[:, 1] <= line + 1e-9]
        upper = upper[np.argsort(upper[:, 0])]
        lower = pts[pts[:, 1] >= line - 1e-9]
        lower = lower[np.argsort(lower[:, 0])]
        uppers.append(upper[:, :2])
        lowers.append(lower[:, :2])
        creases.append(upper[:, :2] + np.array([0.0, -0.07]))
    liner = 1 + identity.eyeliner
    lash = liner * _lines(uppers, 2 + int(round(identity.eyeliner * 2)), 0.5)
    lash += 0.35 * liner * _lines(lowers, 1, 0.5) + 0.18 * _lines(creases, 1, 0.5)
    lash = np.clip(lash, 0, 1)
    face *= 1 - 0.75 * lash[..., None]
    # Nostrils.
    nostrils = sum(_blob(face.shape, (s * 0.085, 0.468), 0.022) for s in (-1, 1))
    face *= 1 - 0.7 * np.clip(nostrils * 1.5, 0, 1)[..., None]
    # Brows: filled shape between the brow paths, with strokes.
    brow_mask = np.zeros((TEX, TEX))
    thickness = 0.015 + 0.04 * identity.brow_thickness
    for side in ("left", "right"):
        upper = base[g[f"brow_{side}_upper"], :2]
        lower = base[g[f"brow_{side}_lower"], :2]
        centre = (upper + lower) / 2
        order = np.argsort(np.abs(centre[:, 0]))
        centre = centre[order]
        # Shape: arch (a bump in the middle), tilt (the outer end up or down).
        along = np.linspace(0.0, 1.0, len(centre))
        centre = centre + np.stack(
            [np.zeros_like(along),
             -0.07 * (identity.brow_arch - 0.4) * np.sin(np.pi * along) ** 1.5
             - 0.06 * identity.brow_tilt * along**2], 1)  # fmt: skip
        taper = np.linspace(1.0, 0.45 - 0.25 * identity.brow_arch, len(centre))[:, None]
        top = centre + np.array([0.0, -thickness]) * taper
        bottom = centre + np.array([0.0, thickness * 0.8]) * taper
        outline = np.concatenate([top, bottom[::-1]])
        brow_mask = np.maximum(brow_mask, _polygon_mask(outline, 1.2))
    strokes = (rng.uniform(0, 1, (TEX, TEX)) < 0.5).astype(np.float64)
    strokes = blur_axis(strokes, 1.1, axis=1, radius=2) * 0.6 + 0.4
    brow_alpha = np.clip(brow_mask * strokes * 1.1, 0, 0.92)[..., None]
    face = face * (1 - brow_alpha) + np.asarray(identity.brow) * brow_alpha
    # Hair strands: streaky noise stretched along v.
    strands = blur_axis(rng.normal(0, 1, (TEX, TEX)), 9.0, axis=0, radius=15) * 3.0
    strands = blur_axis(strands, 0.8, axis=1, radius=1)
    hair = np.asarray(identity.hair) * (1 + 0.28 * np.clip(strands, -2, 2))[..., None]
    atlas = np.concatenate([face, hair], axis=1)
    atlas = np.clip(atlas, 0, 1)
    atlas.setflags(write=False)
    return atlas


#: Regions of facial hair in frontal model coordinates (x, y), per beard style.
_MOUSTACHE = [(-0.36, 0.66), (-0.2, 0.57), (0.0, 0.56), (0.2, 0.57), (0.36, 0.66), (0.3, 0.69),
              (0.0, 0.63), (-0.3, 0.69)]  # fmt: skip
_GOATEE = [(-0.3, 0.8), (-0.12, 0.86), (0.12, 0.86), (0.3, 0.8), (0.32, 1.05), (0.15, 1.25),
           (-0.15, 1.25), (-0.32, 1.05)]  # fmt: skip
_FULL = [(-0.74, 0.25), (-0.64, 0.5), (-0.4, 0.62), (0.0, 0.6), (0.4, 0.62), (0.64, 0.5),
         (0.74, 0.25), (0.78, 0.7), (0.55, 1.15), (0.0, 1.4), (-0.55, 1.15), (-0.78, 0.7)]  # fmt: skip


def _facial_hair(face: np.ndarray, identity: Identity, rng, base, groups) -> np.ndarray:
    """Paint a moustache, goatee or full beard as dense, streaky hair in the beard colour."""
    regions = {
        "moustache": [_MOUSTACHE],
        "goatee": [_MOUSTACHE, _GOATEE],
        "full": [_FULL, _MOUSTACHE],
    }[identity.beard_style]
    region = np.zeros((TEX, TEX))
    for polygon in regions:
        region = np.maximum(region, _polygon_mask(np.asarray(polygon), 3.0))
    region *= 1 - _polygon_mask(base[groups["lips_outer"], :2], 1.5)
    strands = blur_axis(rng.normal(0, 1, (TEX, TEX)), 2.5, axis=0, radius=5)
    density = np.clip(identity.beard * region * (0.85 + 0.5 * strands), 0, 0.95)
    colour = np.asarray(identity.brow) * 0.9
    colour = colour * (1 + 0.25 * np.clip(strands, -2, 2))[..., None]
    return face * (1 - density[..., None]) + colour * density[..., None]
