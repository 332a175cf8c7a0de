"""The face geometry: one build derives both data files, with one mirror map."""

from __future__ import annotations

import json

import numpy as np
import pytest

from faceswap_kit.detect.face_model import load_face_model
from faceswap_kit.geometry import FACE_MODEL_PATH
from faceswap_kit.geometry.topology import IRIS_MIRROR, mirror_problems
from faceswap_kit.synth.base_mesh import load_base_mesh


def same_polygon(a: list[int], b: list[int]) -> bool:
    """The same closed loop, whatever its first point and direction."""
    if sorted(a) != sorted(b):
        return False
    for candidate in (list(b), list(b)[::-1]):
        start = candidate.index(a[0])
        if candidate[start:] + candidate[:start] == list(a):
            return True
    return False


def test_the_shipped_mirror_maps_are_one_and_pair_mirror_images():
    face, mesh = load_face_model(), load_base_mesh()
    assert np.array_equal(face.mirror, mesh.mirror)
    assert np.array_equal(face.mirror[468:], IRIS_MIRROR)
    assert mirror_problems(face.mirror, face.points.astype(np.float64), tolerance=1e-5) == []
    assert mirror_problems(mesh.mirror, mesh.vertices, tolerance=1e-9) == []
    # the upper eyelid's outer points (30, 247) pair with their own reflections (260, 467)
    assert [int(face.mirror[i]) for i in (30, 247)] == [260, 467]


def test_mirror_problems_names_a_wrong_pair():
    mesh = load_base_mesh()
    wrong = np.array(mesh.mirror)
    wrong[[30, 247, 260, 467]] = [467, 260, 247, 30]  # an involution, but not mirror images
    problems = mirror_problems(wrong, mesh.vertices, tolerance=1e-3)
    assert problems and "not an involution" not in problems


def test_same_polygon():
    assert same_polygon([1, 2, 3, 4], [3, 4, 1, 2]) and same_polygon([1, 2, 3, 4], [2, 1, 4, 3])
    assert not same_polygon([1, 2, 3, 4], [1, 3, 2, 4])


@pytest.fixture(scope="module")
def rebuilt():
    from faceswap_kit.geometry.build import build_geometry

    return build_geometry()


def test_rebuilding_reproduces_the_canonical_face(rebuilt):
    face_model, _ = rebuilt
    shipped = json.loads(FACE_MODEL_PATH.read_text())
    points = np.asarray(face_model["points"])
    assert np.abs(points - np.asarray(shipped["points"])).max() < 1e-5  # 6-decimal rounding
    assert face_model["mirror"] == shipped["mirror"]
    assert face_model["outlines"].keys() == shipped["outlines"].keys()
    for name, loop in shipped["outlines"].items():
        assert same_polygon(loop, face_model["outlines"][name]), name


def test_rebuilding_reproduces_the_base_mesh(rebuilt):
    _, mesh = rebuilt
    shipped = load_base_mesh()
    assert np.abs(mesh["vertices"] - shipped.vertices).max() < 1e-3
    assert np.array_equal(mesh["triangles"], shipped.triangles)
    assert np.array_equal(mesh["mirror"], shipped.mirror)
    for name, group in shipped.groups.items():
        assert np.array_equal(mesh["groups"][name], group), name


def test_the_build_writes_both_files(rebuilt, tmp_path):
    from faceswap_kit.geometry.build import write_geometry
    from faceswap_kit.synth.base_mesh import GROUP_NAMES

    face_model, mesh = rebuilt
    write_geometry(face_model, mesh, tmp_path / "face_model.json", tmp_path / "base_mesh.npz")
    assert json.loads((tmp_path / "face_model.json").read_text())["mirror"] == face_model["mirror"]
    with np.load(tmp_path / "base_mesh.npz") as data:
        assert {f"group_{name}" for name in GROUP_NAMES} <= set(data.files)
        assert np.array_equal(data["mirror"], mesh["mirror"])
