"""The base 3D face mesh the generated people are built on.

The mesh uses mediapipe's face-mesh topology (468 vertices; triangles recovered from the
``FACEMESH_TESSELATION`` edge list that ships in the mediapipe wheel). Its 3D shape is the average
of mediapipe's own reconstruction of two public-domain portraits that ship inside dependencies
(scikit-image's ``astronaut`` and matplotlib's ``grace_hopper.jpg``), made exactly left/right
symmetric with a strict one-to-one mirror map, turned to face the camera and scaled so that the
outer eye corners (mediapipe indices 33 and 263) are 1.0 apart.

Coordinates: x to the image right, y down, z away from the camera (mediapipe's convention).

The data ship as ``faceswap_kit/geometry/base_mesh.npz``, written together with the canonical
face by ``python -m faceswap_kit.geometry.build`` (:mod:`faceswap_kit.geometry`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..geometry import BASE_MESH_PATH
from ..geometry.mesh import derive_mesh, write_mesh
from ..geometry.portraits import portrait_landmarks, portraits

MESH_PATH = BASE_MESH_PATH
NUM_VERTICES = 468
LEFT_EYE_OUTER, RIGHT_EYE_OUTER = 33, 263

__all__ = [
    "GROUP_NAMES",
    "MESH_PATH",
    "BaseMesh",
    "derive_base_mesh",
    "load_base_mesh",
    "portraits",
    "save_base_mesh",
]


@dataclass(frozen=True)
class BaseMesh:
    """The neutral face mesh.

    Attributes:
        vertices: ``(478, 3)`` float64; 468 mesh vertices then 10 iris points (468-477).
        triangles: ``(T, 3)`` int64 indices into the first 468 vertices, counter-clockwise
            when seen from outside the head.
        mirror: ``(478,)`` int64; ``mirror[i]`` is the vertex on the other side of the face
            (``mirror[mirror[i]] == i``; points on the midline map to themselves). The same map
            as the canonical face's (:func:`faceswap_kit.detect.face_model.load_face_model`).
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


def derive_base_mesh(images: list[np.ndarray] | None = None) -> BaseMesh:
    """Derive the base mesh from portraits with mediapipe (takes a few seconds).

    Args:
        images: uint8 RGB portraits; defaults to :func:`portraits`.

    Returns:
        The symmetric, frontal, unit-eye-distance :class:`BaseMesh`.
    """
    return BaseMesh(**derive_mesh(portrait_landmarks(images)))


def save_base_mesh(mesh: BaseMesh, path: Path = MESH_PATH) -> None:
    """Write the mesh as ``.npz`` atomically (temp file, fsync, rename)."""
    arrays = {"vertices": mesh.vertices, "triangles": mesh.triangles, "mirror": mesh.mirror}
    write_mesh(path, {**arrays, "groups": mesh.groups})


@functools.lru_cache(maxsize=1)
def load_base_mesh(path: Path = MESH_PATH) -> BaseMesh:
    """Load the shipped mesh (read-only arrays; derived once by :mod:`faceswap_kit.geometry`)."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: np.array(data[key]) for key in ("vertices", "triangles", "mirror")}
        groups = {name: np.array(data[f"group_{name}"]) for name in GROUP_NAMES}
    for array in [*arrays.values(), *groups.values()]:
        array.setflags(write=False)
    return BaseMesh(**arrays, groups=groups)
