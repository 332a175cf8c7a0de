"""The kit's canonical face: 478 frontal 3D points in mediapipe's face-mesh topology, their mirror
partners and ordered outlines. The data ship as ``faceswap_kit/geometry/face_model.json``, derived
together with the renderer's base mesh by ``python -m faceswap_kit.geometry.build``.

Canonical units: x right, y down, z away from the camera, origin at the centre of the 468 mesh
points' bounding box, mesh height (forehead top to chin) 1. No mediapipe needed to read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..geometry import FACE_MODEL_PATH

MODEL_PATH = FACE_MODEL_PATH

NUM_MESH_POINTS = 468
NUM_POINTS = 478
LEFT_EYE_OUTER, RIGHT_EYE_OUTER = 33, 263  # image-left / image-right eye corners (outer)
LEFT_EYE_INNER, RIGHT_EYE_INNER = 133, 362
NOSE_TIP, CHIN, FOREHEAD = 1, 152, 10

# Landmarks that stay put when the face talks, smiles or blinks: eye corners, nose bridge and tip,
# the middle of the forehead and the cheekbones. Alignment fits only these. (The upper outline
# points, often under hair, made eye placement worse on generated faces: 2.4 % vs 1.9 % of the crop.)
STABLE_POINTS = (
    33, 133, 362, 263,  # eye corners
    168, 6, 197, 195, 5, 4, 1, 98, 327,  # nose
    10, 151, 9, 8,  # forehead midline
    234, 454, 93, 323, 127, 356,  # cheekbones and temples
)  # fmt: skip
EYE_CORNER_WEIGHT = 8.0
STABLE_WEIGHTS = tuple(EYE_CORNER_WEIGHT if k < 4 else 1.0 for k in range(len(STABLE_POINTS)))


@dataclass(frozen=True)
class FaceModel:
    """Canonical face data.

    Attributes:
        points: ``(478, 3)`` float32 canonical points.
        mirror: ``(478,)`` int64 index of each point's left/right mirror partner.
        outlines: ordered point indices of ``face_oval``, ``left_eye``, ``right_eye``,
            ``left_brow``, ``right_brow``, ``left_iris``, ``right_iris``, ``lips_outer``,
            ``lips_inner`` (``left`` = the subject's left, image right).
    """

    points: np.ndarray
    mirror: np.ndarray
    outlines: dict[str, tuple[int, ...]]

    def eye_centres(self) -> np.ndarray:
        """``(2, 2)`` canonical (x, y) of the image-left and image-right eye centres."""
        return np.stack(
            [
                self.points[list(self.outlines["right_eye"]), :2].mean(axis=0),
                self.points[list(self.outlines["left_eye"]), :2].mean(axis=0),
            ]
        )


@lru_cache(maxsize=1)
def load_face_model() -> FaceModel:
    """The canonical face (read once; the data are constant).

    >>> model = load_face_model()
    >>> model.points.shape, int(model.mirror[33])
    ((478, 3), 263)
    """
    data = json.loads(MODEL_PATH.read_text())
    points = np.asarray(data["points"], dtype=np.float32)
    points.setflags(write=False)
    mirror = np.asarray(data["mirror"], dtype=np.int64)
    mirror.setflags(write=False)
    outlines = {name: tuple(int(i) for i in idx) for name, idx in data["outlines"].items()}
    return FaceModel(points=points, mirror=mirror, outlines=outlines)
