"""The renderer's base mesh, derived from the portraits' face meshes.

The portraits are averaged after a similarity fit, turned so that the face's symmetry plane is
x = 0 (the mirror map is found there, :func:`~faceswap_kit.geometry.topology.mirror_map`), made
exactly symmetric, turned to face the camera and scaled so that the outer eye corners (33 and 263)
are 1.0 apart. Coordinates: x to the image right, y down, z away from the camera.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from .topology import (
    FLIP_X,
    LEFT_EYE_OUTER,
    NUM_MESH_POINTS,
    RIGHT_EYE_OUTER,
    mesh_groups,
    mirror_map,
    tessellation_triangles,
)


def _procrustes(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Similarity-align ``source`` (N,3) onto ``target`` (N,3); returns the moved source."""
    mu_s, mu_t = source.mean(0), target.mean(0)
    s, t = source - mu_s, target - mu_t
    u, sigma, vt = np.linalg.svd(t.T @ s)
    d = np.sign(np.linalg.det(u @ vt))
    fix = np.diag([1.0, 1.0, d])
    rotation = u @ fix @ vt
    scale = (sigma * np.diag(fix)).sum() / (s**2).sum()
    return scale * s @ rotation.T + mu_t


def symmetry_frame(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rotate/translate ``points`` so the face's symmetry plane is x = 0.

    Returns:
        ``(points, mirror)``: the moved points and their ``(478,)`` mirror map.
    """
    x_axis = points[RIGHT_EYE_OUTER] - points[LEFT_EYE_OUTER]
    x_axis /= np.linalg.norm(x_axis)
    down = points[152] - points[10]
    y_axis = down - x_axis * (down @ x_axis)
    y_axis /= np.linalg.norm(y_axis)
    basis = np.stack([x_axis, y_axis, np.cross(x_axis, y_axis)])
    points = (points - points[[LEFT_EYE_OUTER, RIGHT_EYE_OUTER]].mean(0)) @ basis.T
    for _ in range(3):
        mirror = mirror_map(points[:NUM_MESH_POINTS])
        diffs = points[:NUM_MESH_POINTS] - points[mirror]
        normal = np.linalg.svd(diffs, full_matrices=False)[2][0]
        normal *= np.sign(normal[0])
        offset = ((points[:NUM_MESH_POINTS] + points[mirror]) / 2 @ normal).mean()
        helper = np.array([0.0, 1.0, 0.0])
        y_axis = helper - normal * (helper @ normal)
        y_axis /= np.linalg.norm(y_axis)
        basis = np.stack([normal, y_axis, np.cross(normal, y_axis)])
        points = (points - normal * offset) @ basis.T
    return points, mirror_map(points)


def _orient(triangles: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Order each triangle so its normal points away from a centre behind the face."""
    centre = np.array([0.0, 0.4, 1.2])
    a, b, c = (points[triangles[:, k]] for k in range(3))
    normal = np.cross(b - a, c - a)
    outward = (a + b + c) / 3 - centre
    flip = (normal * outward).sum(1) < 0
    triangles = triangles.copy()
    triangles[flip] = triangles[flip][:, [0, 2, 1]]
    return triangles


def derive_mesh(detections: list[np.ndarray]) -> dict[str, np.ndarray | dict[str, np.ndarray]]:
    """The base mesh's arrays: ``vertices`` ``(478, 3)`` float64, ``triangles`` ``(T, 3)``,
    ``mirror`` ``(478,)`` and ``groups`` (named outline index arrays).

    Args:
        detections: ``(478, 3)`` face meshes of the portraits (the first is the reference).
    """
    reference = detections[0]
    aligned = [reference] + [_procrustes(points, reference) for points in detections[1:]]
    points, mirror = symmetry_frame(np.mean(aligned, axis=0))
    points = (points + points[mirror] * FLIP_X) / 2
    points[mirror == np.arange(len(mirror)), 0] = 0.0
    # Face the camera: eye-corner midpoint and mouth-corner midpoint at the same depth.
    eyes = points[[LEFT_EYE_OUTER, RIGHT_EYE_OUTER]].mean(0)
    mouth = points[[61, 291]].mean(0)
    angle = np.arctan2(mouth[2] - eyes[2], mouth[1] - eyes[1])
    c, s = np.cos(angle), np.sin(angle)
    pitch = np.array([[1.0, 0.0, 0.0], [0.0, c, s], [0.0, -s, c]])
    points = (points - eyes) @ pitch.T
    points /= np.linalg.norm(points[RIGHT_EYE_OUTER] - points[LEFT_EYE_OUTER])
    return {
        "vertices": points.astype(np.float64),
        "triangles": _orient(tessellation_triangles(), points),
        "mirror": mirror.astype(np.int64),
        "groups": mesh_groups(points),
    }


def write_mesh(path: Path, mesh: dict) -> None:
    """Write :func:`derive_mesh`'s arrays as ``.npz`` atomically (temp file, fsync, rename)."""
    path = Path(path)
    handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as file:
            groups = {f"group_{name}": array for name, array in mesh["groups"].items()}
            np.savez(
                file,
                vertices=mesh["vertices"],
                triangles=mesh["triangles"],
                mirror=mesh["mirror"],
                **groups,
            )
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
