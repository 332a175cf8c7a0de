"""Derive the kit's face geometry once and write both data files:
``python -m faceswap_kit.geometry.build`` (the files are committed; run it only to rebuild them).

1. mediapipe face mesh on the two public-domain portraits (:mod:`.portraits`), one detector;
2. the base mesh (:mod:`.mesh`): the portraits averaged, turned to the symmetry plane, where the
   one mirror map is found (:func:`.topology.mirror_map`);
3. the canonical face (:mod:`.canonical`) from the same detections and the same mirror map;
4. both checked (an involution that pairs mirror images) and written: ``face_model.json`` and
   ``base_mesh.npz`` beside this module.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from . import BASE_MESH_PATH, FACE_MODEL_PATH
from .canonical import derive_face_model
from .mesh import derive_mesh, write_mesh
from .portraits import portrait_landmarks
from .topology import mirror_problems

log = logging.getLogger(__name__)


def build_geometry() -> tuple[dict, dict]:
    """``(face model document, base mesh arrays)``, derived from one mediapipe run."""
    detections = portrait_landmarks()
    mesh = derive_mesh(detections)
    problems = mirror_problems(mesh["mirror"], mesh["vertices"], tolerance=1e-9)
    if problems:
        raise RuntimeError(f"the base mesh's mirror map is wrong: {problems[:3]}")
    return derive_face_model(detections, mesh["mirror"]), mesh


def write_geometry(
    face_model: dict,
    mesh: dict,
    face_path: Path = FACE_MODEL_PATH,
    mesh_path: Path = BASE_MESH_PATH,
) -> None:
    Path(face_path).write_text(json.dumps(face_model, separators=(",", ":")) + "\n")
    write_mesh(mesh_path, mesh)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder to write to (default: the package's)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    face_model, mesh = build_geometry()
    folder = args.out
    face_path = folder / FACE_MODEL_PATH.name if folder else FACE_MODEL_PATH
    mesh_path = folder / BASE_MESH_PATH.name if folder else BASE_MESH_PATH
    write_geometry(face_model, mesh, face_path, mesh_path)
    log.info("wrote %s and %s", face_path, mesh_path)


if __name__ == "__main__":
    main()
