"""The face's geometry at the ground floor: the data files and how one script derives them.

Two data files ship here, both derived once, by ``python -m faceswap_kit.geometry.build``, from
mediapipe's face mesh on the two public-domain portraits that ship inside dependencies:

- ``face_model.json``: the canonical face (478 frontal points, mirror map, outlines) that
  alignment, masks and pose read (:func:`faceswap_kit.detect.face_model.load_face_model`);
- ``base_mesh.npz``: the renderer's 3D mesh (vertices, triangles, mirror map, outline groups)
  that the generated people are built on (:func:`faceswap_kit.synth.base_mesh.load_base_mesh`).

Both use one mirror map and outlines cut from the same mediapipe connection lists
(:mod:`.topology`). The two point sets are normalised differently (mesh height 1 and the bounding
box centre; outer-eye-corner distance 1 and the eye midpoint) and symmetrised by different
procedures, so they differ by up to ~1 % of the face height after a per-axis scale fit; making
one the source of the other would change every alignment or every generated person.

Nothing here imports a module of the kit above it; reading the files needs no mediapipe.
"""

from __future__ import annotations

from pathlib import Path

FACE_MODEL_PATH = Path(__file__).with_name("face_model.json")
BASE_MESH_PATH = Path(__file__).with_name("base_mesh.npz")

__all__ = ["BASE_MESH_PATH", "FACE_MODEL_PATH"]
