"""The base 3D face mesh, derived inside the project from public-domain portraits.

The mesh uses mediapipe's face-mesh topology (468 vertices; triangles recovered from the
``FACEMESH_TESSELATION`` edge list that ships in the mediapipe wheel). Its 3D shape is the average
of mediapipe's own reconstruction of two public-domain portraits that ship inside dependencies
(scikit-image's ``astronaut`` and matplotlib's ``grace_hopper.jpg``), made exactly left/right
symmetric with a strict one-to-one mirror map, turned to face the camera and scaled so that the
outer eye corners (mediapipe indices 33 and 263) are 1.0 apart.

Coordinates: x to the image right, y down, z away from the camera (mediapipe's convention).

The derived result ships as ``base_mesh.npz`` next to this module. Regenerate it with::

    PYTHONPATH=. python -m faceswap_kit.synth.base_mesh
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import NoFaceFoundError

log = logging.getLogger(__name__)

MESH_PATH = Path(__file__).with_name("base_mesh.npz")
NUM_VERTICES = 468
LEFT_EYE_OUTER, RIGHT_EYE_OUTER = 33, 263


@dataclass(frozen=True)
class BaseMesh:
    """The neutral face mesh.

    Attributes:
        vertices: ``(478, 3)`` float64; 468 mesh vertices then 10 iris points (468-477).
        triangles: ``(T, 3)`` int64 indices into the first 468 vertices, counter-clockwise
            when seen from outside the head.
        mirror: ``(478,)`` int64; ``mirror[i]`` is the vertex on the other side of the face
            (``mirror[mirror[i]] == i``; points on the midline map to themselves).
        groups: named ordered vertex loops/paths from mediapipe's connection lists
            (see :data:`GROUP_NAMES`); "left" is the person's left (image right, +x).
    """

    vertices: np.ndarray
    triangles: np.ndarray
    mirror: np.ndarray
    groups: dict[str, np.ndarray]


GROUP_NAMES = (
    "oval",
    "lips_outer",
    "lips_inner",
    "eye_left",
    "eye_right",
    "brow_left_upper",
    "brow_left_lower",
    "brow_right_upper",
    "brow_right_lower",
)


def _chains(edges) -> list[list[int]]:
    """Split an edge list into ordered paths/cycles (each vertex listed once)."""
    neighbours: dict[int, list[int]] = defaultdict(list)
    for a, b in sorted(tuple(sorted(e)) for e in edges):
        neighbours[a].append(b)
        neighbours[b].append(a)
    seen: set[int] = set()
    chains = []
    ends = sorted(v for v, n in neighbours.items() if len(n) == 1)
    for start in ends + sorted(neighbours):
        if start in seen:
            continue
        chain = [start]
        seen.add(start)
        while True:
            nxt = [n for n in sorted(neighbours[chain[-1]]) if n not in seen]
            if not nxt:
                break
            chain.append(nxt[0])
            seen.add(nxt[0])
        chains.append(chain)
    return chains


def mesh_groups(points: np.ndarray) -> dict[str, np.ndarray]:
    """Ordered loops of the face oval, lips, eyes and brows from mediapipe's connection lists."""
    from mediapipe.python.solutions import face_mesh_connections as fmc

    def loop(edges) -> np.ndarray:
        (chain,) = _chains(edges)
        return np.asarray(chain, dtype=np.int64)

    lips = sorted(_chains(fmc.FACEMESH_LIPS), key=lambda c: 61 not in c)
    groups = {
        "oval": loop(fmc.FACEMESH_FACE_OVAL),
        "lips_outer": np.asarray(lips[0], dtype=np.int64),
        "lips_inner": np.asarray(lips[1], dtype=np.int64),
        "eye_left": loop(fmc.FACEMESH_LEFT_EYE),
        "eye_right": loop(fmc.FACEMESH_RIGHT_EYE),
    }
    for side, edges in (("left", fmc.FACEMESH_LEFT_EYEBROW), ("right", fmc.FACEMESH_RIGHT_EYEBROW)):
        paths = sorted(_chains(edges), key=lambda c: points[c, 1].mean())
        paths = [sorted(p, key=lambda i: points[i, 0]) for p in paths]
        groups[f"brow_{side}_upper"] = np.asarray(paths[0], dtype=np.int64)
        groups[f"brow_{side}_lower"] = np.asarray(paths[1], dtype=np.int64)
    return groups


def portraits() -> list[np.ndarray]:
    """The public-domain portraits that ship inside dependencies, as uint8 RGB ``(H, W, 3)``."""
    import matplotlib.cbook as cbook
    import matplotlib.image as mpimg
    import skimage.data

    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        hopper = np.asarray(mpimg.imread(handle, format="jpg"))
    return [np.ascontiguousarray(skimage.data.astronaut()[..., :3]), np.ascontiguousarray(hopper)]


def tessellation_triangles() -> np.ndarray:
    """Triangles of mediapipe's face mesh, recovered from its edge list.

    Every 3-clique of the edge graph is a candidate; cliques that would make an edge shared by
    more than two triangles are dropped (they span a hole, not a face).

    Returns:
        ``(T, 3)`` int64, sorted, unoriented.
    """
    from mediapipe.python.solutions.face_mesh_connections import FACEMESH_TESSELATION

    edges = {tuple(sorted(edge)) for edge in FACEMESH_TESSELATION}
    neighbours: dict[int, set[int]] = defaultdict(set)
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    triangles = sorted(
        {tuple(sorted((a, b, c))) for a, b in edges for c in neighbours[a] & neighbours[b]}
    )
    while True:
        uses: dict[tuple[int, int], int] = defaultdict(int)
        for a, b, c in triangles:
            for edge in ((a, b), (a, c), (b, c)):
                uses[edge] += 1
        crowded = [
            t
            for t in triangles
            if sum(uses[e] > 2 for e in ((t[0], t[1]), (t[0], t[2]), (t[1], t[2]))) >= 2
        ]
        if not crowded:
            break
        triangles = [t for t in triangles if t not in crowded]
    return np.asarray(triangles, dtype=np.int64)


def detect_portrait(image: np.ndarray) -> np.ndarray:
    """Mediapipe face mesh (static, refined) on one portrait.

    Returns:
        ``(478, 3)`` float64 in pixels (z scaled like x), in mediapipe's raw ``x * width``
        convention (the detector's pixel-centre landmarks + 0.5).
    """
    from ..detect import MediaPipeDetector

    with MediaPipeDetector(mode="image", scores=False) as detector:
        faces = detector(np.ascontiguousarray(image))
    if not faces:
        raise NoFaceFoundError("mediapipe found no face in a base-mesh portrait; expected one")
    face = faces[0]
    return np.column_stack([face.landmarks + 0.5, face.depth]).astype(np.float64)


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


def _mirror_map(points: np.ndarray) -> np.ndarray:
    """One-to-one left/right map for points already roughly symmetric about x = 0."""
    from scipy.optimize import linear_sum_assignment

    mirrored = points * np.array([-1.0, 1.0, 1.0])
    cost = np.linalg.norm(points[:, None, :] - mirrored[None, :, :], axis=-1)
    _, mirror = linear_sum_assignment(cost)
    if not np.array_equal(mirror[mirror], np.arange(len(points))):
        raise RuntimeError("the left/right vertex map is not one-to-one; cannot symmetrise")
    return mirror


def _symmetry_frame(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rotate/translate ``points`` so the face's symmetry plane is x = 0; returns (points, map)."""
    x_axis = points[RIGHT_EYE_OUTER] - points[LEFT_EYE_OUTER]
    x_axis /= np.linalg.norm(x_axis)
    down = points[152] - points[10]
    y_axis = down - x_axis * (down @ x_axis)
    y_axis /= np.linalg.norm(y_axis)
    basis = np.stack([x_axis, y_axis, np.cross(x_axis, y_axis)])
    points = (points - points[[LEFT_EYE_OUTER, RIGHT_EYE_OUTER]].mean(0)) @ basis.T
    for _ in range(3):
        mirror = _mirror_map(points[:NUM_VERTICES])
        diffs = points[:NUM_VERTICES] - points[mirror]
        normal = np.linalg.svd(diffs, full_matrices=False)[2][0]
        normal *= np.sign(normal[0])
        offset = ((points[:NUM_VERTICES] + points[mirror]) / 2 @ normal).mean()
        helper = np.array([0.0, 1.0, 0.0])
        y_axis = helper - normal * (helper @ normal)
        y_axis /= np.linalg.norm(y_axis)
        basis = np.stack([normal, y_axis, np.cross(normal, y_axis)])
        points = (points - normal * offset) @ basis.T
    return points, _mirror_map(points[:NUM_VERTICES])


def _iris_mirror() -> np.ndarray:
    # mediapipe iris points: 468 centre + 469-472 of one eye, 473 centre + 474-477 of the other;
    # 469/474 and 471/476 are the outer/inner extremes, 470/475 and 472/477 top/bottom.
    return np.array([473, 476, 475, 474, 477, 468, 471, 470, 469, 472], dtype=np.int64)


def derive_base_mesh(images: list[np.ndarray] | None = None) -> BaseMesh:
    """Derive the base mesh from portraits with mediapipe (takes a few seconds).

    Args:
        images: uint8 RGB portraits; defaults to :func:`portraits`.

    Returns:
        The symmetric, frontal, unit-eye-distance :class:`BaseMesh`.
    """
    images = portraits() if images is None else images
    detections = [detect_portrait(image) for image in images]
    reference = detections[0]
    aligned = [reference] + [_procrustes(points, reference) for points in detections[1:]]
    points, mirror = _symmetry_frame(np.mean(aligned, axis=0))
    mirror = np.concatenate([mirror, _iris_mirror()])
    flip = np.array([-1.0, 1.0, 1.0])
    points = (points + points[mirror] * flip) / 2
    points[mirror == np.arange(len(mirror)), 0] = 0.0
    # Face the camera: eye-corner midpoint and mouth-corner midpoint at the same depth.
    eyes = points[[LEFT_EYE_OUTER, RIGHT_EYE_OUTER]].mean(0)
    mouth = points[[61, 291]].mean(0)
    angle = np.arctan2(mouth[2] - eyes[2], mouth[1] - eyes[1])
    c, s = np.cos(angle), np.sin(angle)
    pitch = np.array([[1.0, 0.0, 0.0], [0.0, c, s], [0.0, -s, c]])
    points = (points - eyes) @ pitch.T
    points /= np.linalg.norm(points[RIGHT_EYE_OUTER] - points[LEFT_EYE_OUTER])
    triangles = _orient(tessellation_triangles(), points)
    groups = mesh_groups(points)
    return BaseMesh(points.astype(np.float64), triangles, mirror.astype(np.int64), groups)


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


def save_base_mesh(mesh: BaseMesh, path: Path = MESH_PATH) -> None:
    """Write the mesh as ``.npz`` atomically (temp file, fsync, rename)."""
    path = Path(path)
    handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as file:
            groups = {f"group_{name}": array for name, array in mesh.groups.items()}
            np.savez(
                file,
                vertices=mesh.vertices,
                triangles=mesh.triangles,
                mirror=mesh.mirror,
                **groups,
            )
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


@functools.lru_cache(maxsize=1)
def load_base_mesh(path: Path = MESH_PATH) -> BaseMesh:
    """Load the shipped mesh (read-only arrays; derived once by :func:`derive_base_mesh`)."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: np.array(data[key]) for key in ("vertices", "triangles", "mirror")}
        groups = {name: np.array(data[f"group_{name}"]) for name in GROUP_NAMES}
    for array in [*arrays.values(), *groups.values()]:
        array.setflags(write=False)
    return BaseMesh(**arrays, groups=groups)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    save_base_mesh(derive_base_mesh())
    log.info("wrote %s", MESH_PATH)
