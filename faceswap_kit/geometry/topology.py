"""The face mesh's topology, shared by the canonical face and the renderer's base mesh: the
left/right mirror map, the ordered outlines (face oval, eyes, brows, irises, lips) and the
triangles, all cut from the connection lists that ship in the mediapipe wheel.

Only the builder (:mod:`faceswap_kit.geometry.build`) calls these; mediapipe's connection lists
are imported inside the functions that need them, scipy inside :func:`mirror_map`.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

NUM_MESH_POINTS = 468
NUM_POINTS = 478
LEFT_EYE_OUTER, RIGHT_EYE_OUTER = 33, 263
FLIP_X = np.array([-1.0, 1.0, 1.0])
# mediapipe's iris points: 468 centre + 469-472 of one eye, 473 centre + 474-477 of the other;
# 469/474 and 471/476 are the outer/inner extremes, 470/475 and 472/477 top/bottom.
IRIS_MIRROR = np.array([473, 476, 475, 474, 477, 468, 471, 470, 469, 472], dtype=np.int64)
# Pairs every mirror map must contain (eye corners, mouth corners, cheeks).
KNOWN_PAIRS = ((33, 263), (133, 362), (61, 291), (234, 454))


def chains(edges) -> list[list[int]]:
    """Split an edge list into ordered paths or loops, each point listed once.

    Deterministic: paths start at their smallest end point, loops at their smallest point, and
    each step goes to the smallest neighbour not yet visited.

    >>> chains({(3, 1), (1, 2), (2, 3)})
    [[1, 2, 3]]
    >>> chains({(5, 6), (1, 2)})
    [[1, 2], [5, 6]]
    """
    neighbours: dict[int, list[int]] = defaultdict(list)
    for a, b in sorted(tuple(sorted(e)) for e in edges):
        neighbours[a].append(b)
        neighbours[b].append(a)
    seen: set[int] = set()
    found = []
    ends = sorted(v for v, n in neighbours.items() if len(n) == 1)
    for start in ends + sorted(neighbours):
        if start in seen:
            continue
        chain = [start]
        seen.add(start)
        while True:
            following = [n for n in sorted(neighbours[chain[-1]]) if n not in seen]
            if not following:
                break
            chain.append(following[0])
            seen.add(following[0])
        found.append(chain)
    return found


def outline_parts(points: np.ndarray) -> dict[str, list[int]]:
    """The ordered outlines of the face, from mediapipe's connection lists.

    Args:
        points: ``(478, 2+)`` frontal points (x right, y down): they say which brow path is the
            upper one and order each brow path from image left to image right.

    Returns:
        ``face_oval``, ``lips_outer``, ``lips_inner``, ``{left,right}_eye``, ``{left,right}_iris``
        (closed loops) and ``{left,right}_brow_{upper,lower}`` (open paths); ``left`` is the
        person's left (image right).
    """
    from mediapipe.python.solutions import face_mesh_connections as c

    def loop(edges) -> list[int]:
        (chain,) = chains(edges)
        return chain

    lips = sorted(chains(c.FACEMESH_LIPS), key=lambda chain: 61 not in chain)  # outer first
    parts = {
        "face_oval": loop(c.FACEMESH_FACE_OVAL),
        "lips_outer": lips[0],
        "lips_inner": lips[1],
        "left_eye": loop(c.FACEMESH_LEFT_EYE),
        "right_eye": loop(c.FACEMESH_RIGHT_EYE),
        "left_iris": loop(c.FACEMESH_LEFT_IRIS),
        "right_iris": loop(c.FACEMESH_RIGHT_IRIS),
    }
    for side, edges in (("left", c.FACEMESH_LEFT_EYEBROW), ("right", c.FACEMESH_RIGHT_EYEBROW)):
        upper, lower = sorted(chains(edges), key=lambda chain: points[chain, 1].mean())
        parts[f"{side}_brow_upper"] = sorted(upper, key=lambda i: points[i, 0])
        parts[f"{side}_brow_lower"] = sorted(lower, key=lambda i: points[i, 0])
    return parts


def face_outlines(points: np.ndarray) -> dict[str, list[int]]:
    """The canonical face's outlines: closed loops; a brow is its upper path and then its lower
    path backwards, one polygon (see :func:`outline_parts`)."""
    parts = outline_parts(points)
    outlines = {name: parts[name] for name in ("face_oval", "left_eye", "right_eye")}
    for side in ("left", "right"):
        outlines[f"{side}_brow"] = parts[f"{side}_brow_upper"] + parts[f"{side}_brow_lower"][::-1]
    for name in ("left_iris", "right_iris", "lips_outer", "lips_inner"):
        outlines[name] = parts[name]
    return outlines


def mesh_groups(points: np.ndarray) -> dict[str, np.ndarray]:
    """The base mesh's outline groups (renderer names; see :func:`outline_parts`)."""
    parts = outline_parts(points)
    names = {
        "oval": "face_oval",
        "lips_outer": "lips_outer",
        "lips_inner": "lips_inner",
        "eye_left": "left_eye",
        "eye_right": "right_eye",
        "brow_left_upper": "left_brow_upper",
        "brow_left_lower": "left_brow_lower",
        "brow_right_upper": "right_brow_upper",
        "brow_right_lower": "right_brow_lower",
    }
    return {group: np.asarray(parts[part], dtype=np.int64) for group, part in names.items()}


def mirror_map(points: np.ndarray) -> np.ndarray:
    """The left/right mirror map of a face already turned to be symmetric about x = 0.

    Each of the 468 mesh points is paired one-to-one with the point nearest its reflection (an
    optimal assignment); the 10 iris points follow :data:`IRIS_MIRROR`.

    Args:
        points: ``(478, 3)`` or ``(468, 3)`` points, symmetry plane x = 0.

    Returns:
        ``(len(points),)`` int64; ``mirror[i]`` is the point on the other side (itself on the
        midline).

    Raises:
        RuntimeError: the assignment is not an involution (the face is not turned to x = 0).
    """
    from scipy.optimize import linear_sum_assignment

    mesh = points[:NUM_MESH_POINTS]
    cost = np.linalg.norm(mesh[:, None, :] - (mesh * FLIP_X)[None, :, :], axis=-1)
    _, mirror = linear_sum_assignment(cost)
    if not np.array_equal(mirror[mirror], np.arange(NUM_MESH_POINTS)):
        raise RuntimeError("the left/right point map is not one-to-one; cannot symmetrise")
    if len(points) > NUM_MESH_POINTS:
        mirror = np.concatenate([mirror, IRIS_MIRROR])
    return mirror.astype(np.int64)


def mirror_problems(mirror: np.ndarray, points: np.ndarray, tolerance: float) -> list[str]:
    """What is wrong with a mirror map of symmetric ``points`` (empty when nothing is).

    A mirror map is an involution (``mirror[mirror[i]] == i``), contains :data:`KNOWN_PAIRS`,
    and pairs points that are reflections of each other about x = 0 (within ``tolerance``, in
    the points' units).
    """
    problems = []
    if not np.array_equal(mirror[mirror], np.arange(len(mirror))):
        problems.append("not an involution")
    problems += [f"{a} is not paired with {b}" for a, b in KNOWN_PAIRS if mirror[a] != b]
    gap = np.linalg.norm(points[mirror] * FLIP_X - points, axis=-1)
    problems += [f"{i} and {mirror[i]} are {gap[i]:.4f} from mirror images" for i in
                 np.nonzero(gap > tolerance)[0]]  # fmt: skip
    return problems


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
