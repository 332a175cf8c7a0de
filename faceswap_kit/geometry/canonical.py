"""The canonical face, derived from the portraits' face meshes and the shared mirror map.

1. rotate each face until it is as symmetric as it can be under the mirror map (this removes yaw
   and roll), then average it with its own mirror image;
2. bring both faces to a common scale and average them;
3. normalise: origin at the centre of the 468 mesh points' bounding box, mesh height 1, exactly
   symmetric about x = 0;
4. record the ordered outlines (:func:`~faceswap_kit.geometry.topology.face_outlines`).
"""

from __future__ import annotations

import numpy as np

from .topology import FLIP_X, NUM_MESH_POINTS, face_outlines, mirror_problems

DESCRIPTION = (
    "Canonical frontal face derived by faceswap_kit.geometry.build from mediapipe face mesh on "
    "two public-domain portraits; x right, y down, z away from the camera; origin at the mesh "
    "bounding-box centre; mesh height 1."
)


def _rotation_to(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Kabsch: the rotation ``R`` minimising ``|R source_i - target_i|`` (both centred)."""
    u, _, vt = np.linalg.svd(target.T @ source)
    d = np.sign(np.linalg.det(u @ vt))
    return u @ np.diag([1.0, 1.0, d]) @ vt


def _half_rotation(rotation: np.ndarray) -> np.ndarray:
    import cv2  # Rodrigues only; OpenCV is slow to import

    vector, _ = cv2.Rodrigues(rotation)
    half, _ = cv2.Rodrigues(vector * 0.5)
    return half


def symmetric_face(points: np.ndarray, mirror: np.ndarray, iterations: int = 20) -> np.ndarray:
    """Turn a face to its most symmetric pose, then average it with its mirror image."""
    centred = points - points[:NUM_MESH_POINTS].mean(axis=0)
    for _ in range(iterations):
        reflected = centred[mirror] * FLIP_X
        rotation = _rotation_to(centred[:NUM_MESH_POINTS], reflected[:NUM_MESH_POINTS])
        centred = centred @ _half_rotation(rotation).T
    return 0.5 * (centred + centred[mirror] * FLIP_X)


def derive_face_model(detections: list[np.ndarray], mirror: np.ndarray) -> dict:
    """The canonical face as the JSON document ``face_model.json`` holds.

    Args:
        detections: ``(478, 3)`` face meshes of the portraits (the first sets the scale).
        mirror: ``(478,)`` the shared mirror map.
    """
    symmetric = [symmetric_face(face, mirror) for face in detections]
    reference = symmetric[0]
    aligned = []
    for face in symmetric:
        scale = np.linalg.norm(reference[:NUM_MESH_POINTS]) / np.linalg.norm(face[:NUM_MESH_POINTS])
        aligned.append(face * scale)
    mean = np.mean(aligned, axis=0)
    mean = 0.5 * (mean + mean[mirror] * FLIP_X)
    low, high = mean[:NUM_MESH_POINTS, :2].min(axis=0), mean[:NUM_MESH_POINTS, :2].max(axis=0)
    mean[:, :2] -= (low + high) / 2
    mean /= high[1] - low[1]
    mean[:, 0] -= mean[:NUM_MESH_POINTS, 0].mean()  # exactly symmetric about x = 0
    problems = mirror_problems(mirror, mean, tolerance=1e-9)
    if problems:
        raise RuntimeError(f"the canonical face is not symmetric: {problems[:3]}")
    return {
        "description": DESCRIPTION,
        "points": np.round(mean, 6).tolist(),
        "mirror": mirror.tolist(),
        "outlines": face_outlines(mean),
    }
