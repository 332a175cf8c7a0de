"""Accessories worn on the face: glasses (thin frames in front of the eyes, arms to the ears)."""

from __future__ import annotations

import numpy as np

from .base_mesh import load_base_mesh
from .head import MOUTH, Part, _grid_triangles
from .params import Identity

FRAME_WIDTH = 0.028
_SEGMENTS = 28


def _rim_outline(style: str, centre: np.ndarray, half_width: float) -> np.ndarray:
    """``(_SEGMENTS, 3)`` points around one lens, in the plane ``z = centre[2]``."""
    angle = np.linspace(0, 2 * np.pi, _SEGMENTS, endpoint=False)
    c, s = np.cos(angle), np.sin(angle)
    if style == "round":
        rx, ry = half_width, half_width * 0.86
        x, y = rx * c, ry * s
    else:  # a rounded rectangle (superellipse)
        rx, ry = half_width * 1.05, half_width * 0.72
        x = rx * np.sign(c) * np.abs(c) ** 0.35
        y = ry * np.sign(s) * np.abs(s) ** 0.35
    return centre + np.stack([x, y, np.zeros_like(x)], 1)


def _band(outer: np.ndarray, inner: np.ndarray, closed: bool) -> tuple[np.ndarray, np.ndarray]:
    points = np.concatenate([outer, inner])
    return points, _grid_triangles(2, len(outer), closed)


def glasses(face: np.ndarray, identity: Identity) -> list[Part]:
    """Frames for ``identity.glasses`` fitted to this face (``(478, 3)`` model points); none for
    ``"none"``. The frames are part of the face (they come with the face in an ideal swap)."""
    if identity.glasses == "none":
        return []
    groups = load_base_mesh().groups
    tint = np.asarray(identity.glasses_color)
    parts = []
    lens_centres = []
    for side in ("left", "right"):
        rim = face[groups[f"eye_{side}"]]
        centre = rim.mean(0)
        centre[1] -= 0.02
        centre[2] = min(face[6, 2], rim[:, 2].min()) - 0.12  # in front of the brow and bridge
        half = 0.6 * (rim[:, 0].max() - rim[:, 0].min()) + 0.06
        outer = _rim_outline(identity.glasses, centre, half + FRAME_WIDTH / 2)
        inner = _rim_outline(identity.glasses, centre, half - FRAME_WIDTH / 2)
        points, tris = _band(outer, inner, closed=True)
        parts.append(points_part(points, tris, tint))
        lens_centres.append((centre, half))
    (left, lh), (right, rh) = sorted(lens_centres, key=lambda item: item[0][0])
    # Bridge over the nose between the inner edges.
    xs = np.linspace(left[0] + lh * 0.95, right[0] - rh * 0.95, 6)
    arch = left[1] - 0.04 - 0.03 * np.sin(np.linspace(0, np.pi, 6))
    top = np.stack([xs, arch - FRAME_WIDTH / 2, np.full(6, left[2])], 1)
    bottom = top + np.array([0.0, FRAME_WIDTH, 0.0])
    parts.append(points_part(*_band(top, bottom, closed=False), tint))
    # Arms from the outer edges back to the ears.
    for centre, half, sign in ((left, lh, -1.0), (right, rh, 1.0)):
        start = centre + np.array([sign * half * 1.02, -0.05, 0.0])
        end = np.array([sign * 0.8, 0.05, 0.55])
        path = start + np.linspace(0, 1, 6)[:, None] * (end - start)
        parts.append(points_part(*_band(path, path + [0.0, FRAME_WIDTH, 0.0], closed=False), tint))
    return parts


def points_part(points: np.ndarray, triangles: np.ndarray, tint: np.ndarray) -> Part:
    """A two-sided frame piece in one colour."""
    return Part(
        points, triangles, MOUTH, cull=False, tint=np.tile(tint, (len(points), 1)), face=1.0
    )
