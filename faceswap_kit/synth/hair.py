"""Hair: where it grows on the skull (per style) and the shell that gives it volume."""

from __future__ import annotations

import numpy as np

from .face_model import _smoothstep
from .head import HAIR, TEX, Part, _grid_triangles, _sphere, head_frame, orient
from .params import Identity

# Hairline height (model y; hair above it) at angles around the head: front, temple,
# beside the face, above the ear, back. Then the shell thickness.
_ANGLES = np.array([0.0, 0.7, 1.3, 1.75, np.pi])
_STYLES = {
    "bald": (np.array([-9.0, -9.0, -9.0, -9.0, -9.0]), 0.0),
    "crop": (np.array([-0.84, -0.64, -0.3, 0.1, 0.6]), 0.035),
    "short": (np.array([-0.80, -0.60, -0.2, 0.12, 0.7]), 0.10),
    "bob": (np.array([-0.78, -0.55, -0.3, 0.75, 0.9]), 0.15),
    "long": (np.array([-0.78, -0.58, -0.3, 0.55, 1.0]), 0.13),
    "bun": (np.array([-0.82, -0.62, -0.3, 0.0, 0.6]), 0.06),
}


def hair_depth(points: np.ndarray, identity: Identity) -> np.ndarray:
    """Signed distance (model units, y direction) inside the hair region; negative is skin.

    Args:
        points: ``(N, 3)`` rest positions on or near the skull.
    """
    limits, _ = _STYLES[identity.hair_style]
    centre, _ = head_frame(identity)
    phi = np.arctan2(np.abs(points[:, 0]), -(points[:, 2] - centre[2]))
    limit = np.interp(phi, _ANGLES, limits)
    if identity.hair_style in ("bob", "long") and identity.hair_length > 0.6:
        fringe = (identity.hair_length - 0.6) * 0.5
        limit += fringe * np.exp(-((phi / 0.6) ** 2))
    if identity.hairline > 0:  # receding at the front and (more) at the temples
        limit -= (
            identity.hairline
            * (0.22 + 0.18 * np.exp(-(((phi - 0.75) / 0.3) ** 2)))
            * np.exp(-((phi / 1.3) ** 4))
        )
    # A slightly irregular hairline (deterministic in the identity seed).
    wobble = 0.02 * np.sin(phi * 9 + identity.seed) + 0.015 * np.sin(phi * 23 + 2 * identity.seed)
    return limit + wobble - points[:, 1]


def hair_coverage(points: np.ndarray, identity: Identity) -> np.ndarray:
    """How much hair covers each rest position, in [0, 1] (soft, wispy hairline)."""
    centre, _ = head_frame(identity)
    phi = np.arctan2(points[:, 0], -(points[:, 2] - centre[2]))
    wisps = 0.025 * np.sin(phi * 97 + identity.seed) * np.sin(phi * 41 + 0.5 * identity.seed)
    return _smoothstep((hair_depth(points, identity) + wisps) / 0.1 + 0.3)


def hair_uv(points: np.ndarray, identity: Identity) -> np.ndarray:
    """Hair-texture atlas coordinates: around-the-head angle and height."""
    centre, _ = head_frame(identity)
    angle = np.arctan2(points[:, 0], -(points[:, 2] - centre[2]))
    u = TEX + (angle / (2 * np.pi) + 0.5) * (TEX - 1)
    v = np.clip((points[:, 1] + 1.4) / 4.0, 0, 1) * (TEX - 1)
    return np.stack([u, v], 1)


def hair_parts(grid: np.ndarray, rows: int, cols: int, identity: Identity) -> list[Part]:
    """The hair shell over the skull grid (``rows x cols`` points, last row closes at a pole).

    Args:
        grid: ``(rows * cols + 1, 3)`` skull points (the last one is the back pole).
    """
    _, thickness = _STYLES[identity.hair_style]
    if thickness == 0.0:
        return []
    centre, radii = head_frame(identity)
    depth = hair_depth(grid, identity)
    lift = thickness * (0.6 + 0.4 * identity.hair_length)
    # Lumpy volume: a few smooth bumps around the head, deterministic in the seed.
    rng = np.random.Generator(np.random.PCG64(identity.seed + 99))
    angle = np.arctan2(grid[:, 0], -(grid[:, 2] - centre[2]))
    k = rng.uniform(0, 2 * np.pi, 4)
    lumps = 1 + 0.18 * np.sin(3 * angle + k[0]) * np.cos(2 * grid[:, 1] + k[1])
    lumps += 0.1 * np.sin(7 * angle + k[2] + 3 * grid[:, 1])
    top = 1 + 0.15 * _smoothstep(-(grid[:, 1] + 0.6) / 0.6)
    offset = lift * lumps * top * _smoothstep((depth - 0.05) / 0.5) - 0.03
    direction = (grid - centre) / radii
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    # The shell grows mostly upward/outward; less over the forehead so the fringe sits close.
    shell = grid + direction * offset[:, None] * radii / radii.mean()
    tris = _grid_triangles(rows, cols, closed=True)
    last = (rows - 1) * cols
    idx = np.arange(cols)
    fan = np.stack([last + idx, last + (idx + 1) % cols, np.full(cols, rows * cols)], 1)
    tris = np.concatenate([tris, fan])
    tris = tris[(offset[tris] > 0).any(1)]
    tris = orient(shell, tris, centre)
    parts = [Part(shell, tris, HAIR, uv=hair_uv(grid, identity), canon=grid)]
    if identity.hair_style == "long":
        parts.append(_curtain(identity, lift))
    if identity.hair_style == "bun":
        c = centre + np.array([0.0, -0.75, 0.75]) * radii
        pts, tris = _sphere(c, (0.38, 0.32, 0.34))
        parts.append(Part(pts, tris, HAIR, uv=hair_uv(pts, identity), canon=pts))
    return parts


def _curtain(identity: Identity, lift: float) -> Part:
    """Long hair falling behind the shoulders."""
    centre, radii = head_frame(identity)
    length = 1.2 + 1.2 * identity.hair_length
    phis = np.linspace(-np.pi + 0.01, np.pi - 0.01, 25)
    phis = phis[np.abs(phis) > 1.35]
    phis = np.concatenate([phis[phis > 0], phis[phis < 0]])  # continuous arc through the back
    ys = np.linspace(-0.3, length, 7)
    flare = 1.0 + 0.25 * _smoothstep((ys - 0.2) / 1.5)
    rx, rz = radii[0] + lift, radii[2] + lift
    x = np.sin(phis)[None, :] * rx * flare[:, None]
    z = centre[2] - np.cos(phis)[None, :] * rz * flare[:, None]
    y = np.broadcast_to(ys[:, None], x.shape)
    pts = np.stack([x, y, z], -1).reshape(-1, 3)
    tris = _grid_triangles(len(ys), len(phis), closed=False)
    axis = np.stack([np.zeros(len(tris)), pts[tris[:, 0], 1], np.full(len(tris), centre[2])], 1)
    a, b, c = (pts[tris[:, k]] for k in range(3))
    flip = (np.cross(b - a, c - a) * ((a + b + c) / 3 - axis)).sum(1) < 0
    tris[flip] = tris[flip][:, [0, 2, 1]]
    uv = hair_uv(pts, identity)
    return Part(pts, tris, HAIR, cull=False, uv=uv, canon=pts)
