"""The base mesh: derived from public-domain portraits, symmetric, and regenerable."""

from __future__ import annotations

import numpy as np

from faceswap_kit.synth.base_mesh import derive_base_mesh, load_base_mesh


def test_shipped_mesh_is_symmetric_and_unit_scaled():
    mesh = load_base_mesh()
    v = mesh.vertices
    assert v.shape == (478, 3) and mesh.triangles.shape[1] == 3 and len(mesh.triangles) > 800
    assert np.array_equal(mesh.mirror[mesh.mirror], np.arange(478))
    assert np.allclose(v[mesh.mirror] * [-1, 1, 1], v, atol=1e-9)
    assert np.isclose(np.linalg.norm(v[263] - v[33]), 1.0)
    assert v[1, 2] < v[33, 2]  # nose tip nearer the camera than the eye corners


def test_regenerating_the_mesh_gives_the_shipped_one():
    shipped, fresh = load_base_mesh(), derive_base_mesh()
    assert np.array_equal(shipped.triangles, fresh.triangles)
    assert np.array_equal(shipped.mirror, fresh.mirror)
    assert np.abs(shipped.vertices - fresh.vertices).max() < 1e-3
