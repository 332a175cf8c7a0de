"""Derive the kit's canonical face from the two public-domain portraits that ship inside our
dependencies, and write it to ``face_model.json`` beside this module.

Run once (the JSON is committed): ``python -m faceswap_kit.detect.build_face_model``.

What it does, step by step:

1. runs mediapipe face mesh (static mode, irises on) on ``skimage.data.astronaut()`` and
   matplotlib's ``grace_hopper.jpg`` and keeps the 478 points in 3D (x, y in pixels, z scaled like x);
2. finds the left/right mirror partner of every point (an optimal one-to-one assignment of the
   points to their reflections, repeated after each frontalisation);
3. rotates each face until it is as symmetric as it can be (this removes yaw and roll), then
   averages the face with its own mirror image;
4. brings both faces to a common scale (Procrustes) and averages them;
5. normalises: origin at the centre of the 468 mesh points' bounding box, mesh height 1;
6. records the ordered outlines (face oval, eyes, brows, lips) from mediapipe's connection lists.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

OUTPUT = Path(__file__).with_name("face_model.json")
MIRROR = np.array([-1.0, 1.0, 1.0])


def _portraits() -> list[np.ndarray]:
    import matplotlib.cbook
    import skimage.data
    from PIL import Image

    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as handle:
        grace = np.asarray(Image.open(handle).convert("RGB"))
    return [skimage.data.astronaut(), grace]


def _landmarks_3d(image: np.ndarray) -> np.ndarray:
    """``(478, 3)`` x, y, z in mediapipe's raw pixels (``x * width``; z scaled like x)."""
    from .mediapipe_backend import MediaPipeDetector

    with MediaPipeDetector(mode="image", scores=False) as detector:
        faces = detector(np.ascontiguousarray(image))
    if not faces:
        raise RuntimeError("mediapipe found no face in a reference portrait")
    return np.column_stack([faces[0].landmarks + 0.5, faces[0].depth]).astype(np.float64)


def _loop_pairs(points: np.ndarray, loop: list[int], partner: list[int]) -> dict[int, int]:
    """Pair a closed outline with its mirror outline (or itself) by the best cyclic shift and
    direction, so crowded neighbours along an outline cannot be swapped."""
    centre = points[:468].mean(axis=0)
    a = points[loop]
    best, best_cost = None, np.inf
    for candidate in (partner, partner[::-1]):
        b = (points[candidate] - centre) * MIRROR + centre
        for shift in range(len(candidate)):
            cost = np.linalg.norm(a - np.roll(b, shift, axis=0), axis=-1).sum()
            if cost < best_cost:
                best_cost, best = cost, np.roll(np.array(candidate), shift)
    return {int(i): int(j) for i, j in zip(loop, best, strict=True)}


def _mirror_pairs(points: np.ndarray, dims: int = 3) -> np.ndarray:
    """``pairs[i]`` is the index of the mirror partner of point ``i`` (itself on the midline).

    Outlines (face oval, eyes, brows, lips, irises) are paired as whole loops; the remaining points
    by an optimal one-to-one assignment to their reflections about the mean x.
    """
    from scipy.optimize import linear_sum_assignment

    outlines = _outlines()
    fixed: dict[int, int] = {}
    for name in ("face_oval", "lips_outer", "lips_inner"):
        fixed.update(_loop_pairs(points, outlines[name], outlines[name]))
    for part in ("eye", "brow", "iris"):
        left, right = outlines[f"left_{part}"], outlines[f"right_{part}"]
        fixed.update(_loop_pairs(points, left, right))
        fixed.update(_loop_pairs(points, right, left))
    pairs = np.empty(len(points), dtype=np.int64)
    centre = points[:468].mean(axis=0)
    reflected = (points - centre) * MIRROR + centre
    cost = np.linalg.norm(points[:, None, :dims] - reflected[None, :, :dims], axis=-1)
    cost = cost + cost.T
    for a, b in fixed.items():
        cost[a, :] = cost[:, b] = 1e9
        cost[a, b] = 0.0
    cost[:468, 468:] = cost[468:, :468] = 1e9
    rows, cols = linear_sum_assignment(cost)
    pairs[rows] = cols
    return pairs


def _rotation_to(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Kabsch: the rotation ``R`` minimising ``|R source_i - target_i|`` (both centred)."""
    u, _, vt = np.linalg.svd(target.T @ source)
    d = np.sign(np.linalg.det(u @ vt))
    return u @ np.diag([1.0, 1.0, d]) @ vt


def _half_rotation(rotation: np.ndarray) -> np.ndarray:
    import cv2

    vector, _ = cv2.Rodrigues(rotation)
    half, _ = cv2.Rodrigues(vector * 0.5)
    return half


def _symmetric(points: np.ndarray, pairs: np.ndarray, iterations: int = 20) -> np.ndarray:
    centred = points - points[:468].mean(axis=0)
    for _ in range(iterations):
        reflected = centred[pairs] * MIRROR
        rotation = _rotation_to(centred[:468], reflected[:468])
        centred = centred @ _half_rotation(rotation).T
    return 0.5 * (centred + centred[pairs] * MIRROR)


def _ordered_loop(edges: frozenset) -> list[int]:
    """Chain an edge list (a closed loop or an open path) into an ordered list of indices."""
    neighbours: dict[int, list[int]] = {}
    for a, b in edges:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    ends = [k for k, v in neighbours.items() if len(v) == 1]
    start = min(ends) if ends else min(neighbours)
    order, previous = [start], None
    while True:
        current = order[-1]
        following = [n for n in neighbours[current] if n != previous and n not in order]
        if not following:
            break
        previous = current
        order.append(following[0])
    return order


def _loops(edges: frozenset) -> list[list[int]]:
    """Split an edge list into its connected chains, each ordered."""
    remaining = set(edges)
    chains = []
    while remaining:
        seed = remaining.pop()
        component = {seed}
        grown = True
        while grown:
            grown = False
            nodes = {n for edge in component for n in edge}
            for edge in list(remaining):
                if edge[0] in nodes or edge[1] in nodes:
                    component.add(edge)
                    remaining.discard(edge)
                    grown = True
        chains.append(_ordered_loop(frozenset(component)))
    return chains


def _outlines() -> dict[str, list[int]]:
    from mediapipe.python.solutions import face_mesh_connections as c

    outlines: dict[str, list[int]] = {"face_oval": _ordered_loop(c.FACEMESH_FACE_OVAL)}
    for side, eye, brow in (
        ("left", c.FACEMESH_LEFT_EYE, c.FACEMESH_LEFT_EYEBROW),
        ("right", c.FACEMESH_RIGHT_EYE, c.FACEMESH_RIGHT_EYEBROW),
    ):
        outlines[f"{side}_eye"] = _ordered_loop(eye)
        upper, lower = _loops(brow)  # two open chains -> one closed polygon
        outlines[f"{side}_brow"] = upper + lower[::-1]
    outlines["left_iris"] = _ordered_loop(c.FACEMESH_LEFT_IRIS)
    outlines["right_iris"] = _ordered_loop(c.FACEMESH_RIGHT_IRIS)
    lips = sorted(_loops(c.FACEMESH_LIPS), key=len, reverse=True)
    outlines["lips_outer"], outlines["lips_inner"] = lips[0], lips[1]
    return outlines


def build() -> dict:
    """Compute the canonical face model (see the module docstring). Needs mediapipe."""
    faces = [_landmarks_3d(image) for image in _portraits()]
    pairs = _mirror_pairs(faces[1], dims=2)  # the more frontal portrait
    for _ in range(3):  # re-pair in 3D once the faces are frontal
        symmetric = [_symmetric(face, pairs) for face in faces]
        mean = np.mean([face / np.linalg.norm(face[:468]) for face in symmetric], axis=0)
        pairs = _mirror_pairs(mean)
    symmetric = [_symmetric(face, pairs) for face in faces]
    reference = symmetric[0]
    aligned = []
    for face in symmetric:
        scale = np.linalg.norm(reference[:468]) / np.linalg.norm(face[:468])
        aligned.append(face * scale)
    mean = np.mean(aligned, axis=0)
    mean = 0.5 * (mean + mean[pairs] * MIRROR)
    low, high = mean[:468, :2].min(axis=0), mean[:468, :2].max(axis=0)
    mean[:, :2] -= (low + high) / 2
    mean /= high[1] - low[1]
    mean[:, 0] -= mean[:468, 0].mean()  # exactly symmetric about x = 0
    for known_left, known_right in ((33, 263), (133, 362), (61, 291), (234, 454)):
        if pairs[known_left] != known_right:
            raise RuntimeError(f"mirror pairing failed at {known_left}<->{known_right}")
    return {
        "description": "Canonical frontal face derived by faceswap_kit.detect.build_face_model "
        "from mediapipe face mesh on two public-domain portraits; x right, y down, z away from "
        "the camera; origin at the mesh bounding-box centre; mesh height 1.",
        "points": np.round(mean, 6).tolist(),
        "mirror": pairs.tolist(),
        "outlines": _outlines(),
    }


def main() -> None:
    model = build()
    OUTPUT.write_text(json.dumps(model, separators=(",", ":")) + "\n")
    logger.warning("wrote %s", OUTPUT)


if __name__ == "__main__":
    main()
