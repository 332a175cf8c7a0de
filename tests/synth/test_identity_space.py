"""The identity space: wide, valid and well-formed for every seed."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from faceswap_kit.errors import InputError
from faceswap_kit.synth import Identity, render
from faceswap_kit.synth.base_mesh import load_base_mesh
from faceswap_kit.synth.face_model import identity_vertices
from faceswap_kit.synth.params import BEARD_STYLES, GLASSES_STYLES, HAIR_STYLES

PEOPLE = [Identity.from_seed(seed) for seed in range(300)]


def test_seeds_cover_the_range_of_people():
    tones = np.array([np.mean(person.skin) for person in PEOPLE])
    ages = np.array([person.age for person in PEOPLE])
    masculine = np.array([person.masculinity for person in PEOPLE])
    assert tones.min() < 0.3 and tones.max() > 0.75  # deep to light skin
    assert ages.min() < 25 and ages.max() > 70
    assert 0.35 < (masculine > 0.5).mean() < 0.65
    assert {p.beard_style for p in PEOPLE} == set(BEARD_STYLES)
    assert {p.glasses for p in PEOPLE} == set(GLASSES_STYLES)
    assert {p.hair_style for p in PEOPLE} == set(HAIR_STYLES)
    assert sum(p.hairline > 0.2 for p in PEOPLE) > 5  # some receding hairlines
    shapes = np.array([p.shape for p in PEOPLE])
    assert shapes.std(0).min() > 0.5  # every shape parameter varies


def test_every_face_has_open_eyes_and_closed_lips_at_rest():
    base = np.asarray(load_base_mesh().vertices)
    groups = load_base_mesh().groups
    for person in PEOPLE[:120]:
        points = identity_vertices(person)
        for side in ("left", "right"):
            loop = groups[f"eye_{side}"]
            ratio = np.ptp(points[loop, 1]) / np.ptp(base[loop, 1])
            assert 0.45 - 1e-9 <= ratio <= 1.35 + 1e-9, person.seed
        gap = (points[14] - points[13])[1:] - (base[14] - base[13])[1:]
        assert np.abs(gap).max() < 1e-9, person.seed


def test_glasses_are_drawn_in_front_of_the_eyes_only():
    person = dataclasses.replace(Identity.from_seed(5), glasses="none")
    plain = render(person, size=128)
    framed = render(dataclasses.replace(person, glasses="round"), size=128)
    changed = (plain.image - framed.image).abs().amax(1)[0] > 0.05
    rows, cols = np.nonzero(changed.numpy())
    eyes = plain.landmarks[0, [33, 263]]
    assert changed.sum() > 40
    assert rows.min() > float(eyes[:, 1].min()) - 30 and rows.max() < float(eyes[:, 1].max()) + 20


@pytest.mark.parametrize(
    "change",
    [
        {"beard_style": "braids"},
        {"glasses": "monocle"},
        {"age": 300.0},
        {"masculinity": 1.5},
        {"brow_tilt": float("nan")},
    ],  # fmt: skip
)
def test_bad_identity_fields_are_rejected(change):
    with pytest.raises(InputError):
        dataclasses.replace(Identity(), **change)
