import math

import pytest
import torch

from faceswap_kit.align import FACE_TYPES, canonical_landmarks
from faceswap_kit.errors import InputError
from faceswap_kit.masks import face_mask, feather, fill_polygons, hull_indices, region_masks


def test_fill_polygon_area_matches_a_circle(device):
    angles = torch.linspace(0, 2 * math.pi, 65, device=device)[:-1]
    circle = torch.stack([50 + 30 * angles.cos(), 40 + 30 * angles.sin()], dim=-1)[None]
    mask = fill_polygons(circle, 80, 100)
    assert mask.shape == (1, 1, 80, 100) and mask.device == circle.device
    assert abs(float(mask.sum()) - math.pi * 30**2) < 0.02 * math.pi * 30**2
    assert mask[0, 0, 40, 50] == 1 and mask[0, 0, 5, 5] == 0


def test_fill_concave_polygon():
    # an L shape: area 3 units of 10x10 squares
    shape = torch.tensor([[[0, 0], [20, 0], [20, 10], [10, 10], [10, 20], [0, 20]]]).float() + 0.5
    mask = fill_polygons(shape, 30, 30)
    assert int(mask.sum()) == 300
    assert mask[0, 0, 15, 15] == 0


@pytest.fixture
def canonical():
    return canonical_landmarks("head", 128)[None]


def test_face_masks_nest_by_face_type(device, canonical):
    landmarks = canonical.to(device)
    areas = {t: face_mask(landmarks, 128, t) for t in FACE_TYPES}
    full, whole, head = areas["full"], areas["whole_face"], areas["head"]
    assert torch.equal(areas["half"], full)
    assert float(full.sum()) < float(whole.sum()) < float(head.sum())
    assert float((full * (1 - whole)).sum()) < 0.01 * float(full.sum())  # full inside whole
    assert float((whole * (1 - head)).sum()) < 0.01 * float(whole.sum())
    nose = landmarks[0, 1].round().long()
    assert whole[0, 0, nose[1], nose[0]] == 1 and whole[0, 0, 0, 0] == 0


def test_mask_follows_the_face(canonical):
    moved = canonical + torch.tensor([10.0, 5.0])
    a, b = face_mask(canonical, 160), face_mask(moved, 160)
    assert torch.equal(torch.roll(a, shifts=(5, 10), dims=(2, 3)), b)


def test_rectangular_size(canonical):
    assert face_mask(canonical, (100, 140)).shape == (1, 1, 100, 140)


def test_regions_inside_face(canonical):
    regions = region_masks(canonical, 128)
    face = face_mask(canonical, 128, "full")
    assert 0.05 < float(regions.sum() / face.sum()) < 0.4
    whole = face_mask(canonical, 128, "whole_face")
    assert float((regions * (1 - whole)).sum()) < 0.01 * float(regions.sum())
    eye = canonical[0, 468].round().long()  # an iris centre is inside the eye region
    assert regions[0, 0, eye[1], eye[0]] == 1
    nose = canonical[0, 4].round().long()
    assert regions[0, 0, nose[1], nose[0]] == 0


def test_feather(device):
    mask = torch.zeros(2, 1, 32, 32, device=device)
    mask[:, :, 8:24, 8:24] = 1
    soft = feather(mask, 4)
    assert soft.shape == mask.shape and soft.min() >= 0 and soft.max() <= 1
    assert soft[0, 0, 16, 16] > 0.99 and 0.2 < soft[0, 0, 16, 8] < 0.8
    assert abs(float(soft.sum() - mask.sum())) < 0.02 * float(mask.sum())


def test_hulls_are_simple_polygons():
    for face_type in FACE_TYPES:
        index = hull_indices(face_type)
        assert len(set(index)) == len(index) >= 20


def test_bad_inputs(canonical):
    with pytest.raises(InputError):
        face_mask(torch.zeros(478, 2), 64)
    with pytest.raises(InputError, match="face_type"):
        face_mask(canonical, 64, "profile")
    with pytest.raises(InputError):
        region_masks(canonical, (0, 10))
    with pytest.raises(InputError):
        feather(torch.zeros(1, 1, 4, 4), -1)
