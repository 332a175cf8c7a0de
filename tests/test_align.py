import math

import numpy as np
import pytest
import torch

from faceswap_kit.align import (
    FACE_TYPES,
    affine_warp,
    canonical_landmarks,
    face_matrix,
    invert_matrix,
    transform_points,
    umeyama,
    warp_to_aligned,
    warp_to_source,
)
from faceswap_kit.detect import load_face_model
from faceswap_kit.errors import InputError


def similarity(scale, angle, tx, ty, dtype=torch.float32):
    c, s = scale * math.cos(angle), scale * math.sin(angle)
    return torch.tensor([[[c, -s, tx], [s, c, ty]]], dtype=dtype)


def face_in_frame(matrix, size, device=None):
    """Landmarks of a canonical face placed in a source frame by the inverse of ``matrix``."""
    crop = canonical_landmarks("whole_face", size, device=device)[None]
    return transform_points(crop, invert_matrix(matrix.to(device)))


def test_umeyama_recovers_a_similarity(device):
    generator = torch.Generator().manual_seed(0)
    points = torch.rand(3, 40, 2, generator=generator).to(device) * 100
    truth = torch.cat([similarity(1.7, 0.4, 5, -3), similarity(0.5, -1.0, 0, 9)] * 2)[:3]
    truth = truth.to(device)
    moved = transform_points(points, truth)
    fitted = umeyama(points, moved)
    assert fitted.device == points.device
    assert torch.allclose(fitted, truth, atol=1e-4)


def test_weighted_umeyama_favours_heavy_points():
    source = torch.tensor([[[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]]])
    target = source[0] + torch.tensor([[0.0, 0.0], [0.0, 0.0], [3.0, 0.0]])  # one point is off
    weights = torch.tensor([10.0, 10.0, 0.001])
    fitted = umeyama(source, target, weights)
    moved = transform_points(source, fitted)[0]
    assert (moved[:2] - target[:2]).norm(dim=-1).max() < 0.05
    even = transform_points(source, umeyama(source, target))[0]
    assert (even[:2] - target[:2]).norm(dim=-1).max() > 0.3


def test_umeyama_never_reflects():
    points = torch.rand(1, 10, 2)
    mirrored = points * torch.tensor([-1.0, 1.0])
    fitted = umeyama(points, mirrored)
    assert torch.linalg.det(fitted[:, :, :2]) > 0


@pytest.mark.parametrize("face_type", FACE_TYPES)
def test_face_matrix_undoes_a_placement(device, face_type):
    placement = similarity(0.8, 0.3, 20, 40)  # crop -> source (as if photographed)
    landmarks = face_in_frame(invert_matrix(placement), 128, device)
    matrix = face_matrix(landmarks, face_type, 96)
    aligned = transform_points(landmarks, matrix)
    target = canonical_landmarks(face_type, 96, device=device)[None]
    assert matrix.shape == (1, 2, 3) and matrix.device.type == torch.device(device).type
    assert (aligned - target).norm(dim=-1).max() < 1e-3


def test_face_types_nest():
    landmarks = canonical_landmarks("whole_face", 200)[None]
    scales = [float(face_matrix(landmarks, t, 128)[0, 0, 0]) for t in FACE_TYPES]
    assert scales == sorted(scales, reverse=True)  # half is the tightest crop, head the widest


def test_eye_centres_land_on_the_canonical_spot():
    model = load_face_model()
    eyes = torch.tensor(model.eye_centres())
    for face_type in FACE_TYPES:
        spots = canonical_landmarks(face_type, 256)
        left = spots[list(model.outlines["right_eye"])].mean(0)
        assert left[0] < 128 and 0 < left[1] < 128
        assert eyes[0, 0] < 0 < eyes[1, 0]


def test_invert_and_transform_round_trip(device):
    matrix = similarity(2.5, -0.7, 11, 3).to(device)
    points = torch.rand(1, 9, 2, device=device) * 50
    back = transform_points(transform_points(points, matrix), invert_matrix(matrix))
    assert torch.allclose(back, points, atol=1e-4)


def test_warp_pastes_back_exactly(device):
    generator = torch.Generator().manual_seed(1)
    image = torch.rand(1, 3, 24, 24, generator=generator)
    image = torch.nn.functional.interpolate(image, size=(96, 96), mode="bilinear").to(device)
    placement = similarity(0.9, 0.2, 10, 8)
    landmarks = face_in_frame(invert_matrix(placement), 64, device)
    matrix = face_matrix(landmarks, "whole_face", 128)
    crop = warp_to_aligned(image, matrix, 128)
    assert crop.shape == (1, 3, 128, 128) and crop.device == image.device
    back = warp_to_source(crop, matrix, 96, 96)
    inside = warp_to_source(torch.ones_like(crop[:, :1]), matrix, 96, 96) > 0.999
    error = (back - image).abs()[inside.expand_as(image)]
    assert inside.sum() > 1000 and error.mean() < 0.01


def test_warp_point_consistency(device):
    """A bright dot at a landmark lands on the transformed landmark in the crop."""
    image = torch.zeros(1, 1, 100, 100, device=device)
    image[..., 40, 60] = 1.0
    matrix = similarity(2.0, 0.5, -30, -30).to(device)
    crop = warp_to_aligned(image, matrix, 128)
    spot = transform_points(torch.tensor([[[60.0, 40.0]]], device=device), matrix)[0, 0]
    peak = torch.nonzero(crop[0, 0] == crop[0, 0].max())[0].float()
    assert (peak.flip(0) - spot).norm() < 1.5


def test_batched_crops_share_one_image(device):
    image = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(2)).to(device)
    matrices = torch.cat([similarity(1.0, 0, 0, 0), similarity(2.0, 0, 0, 0)]).to(device)
    crops = warp_to_aligned(image, matrices, 32)
    assert crops.shape == (2, 3, 32, 32)
    assert torch.allclose(crops[0], image[0, :, :32, :32], atol=1e-4)


def test_bad_inputs():
    with pytest.raises(InputError, match="face_type"):
        face_matrix(torch.zeros(1, 478, 2), "profile")
    with pytest.raises(InputError, match="468"):
        face_matrix(torch.zeros(1, 68, 2))
    with pytest.raises(InputError, match=r"\(B, N, 2\)"):
        face_matrix(torch.zeros(478, 2))
    with pytest.raises(InputError, match="size"):
        canonical_landmarks("full", 0)


def test_portraits_align_eyes_to_within_two_percent(portrait_faces):
    model = load_face_model()
    left_eye, right_eye = list(model.outlines["right_eye"]), list(model.outlines["left_eye"])
    for landmarks in portrait_faces:
        for face_type in FACE_TYPES:
            size = 128
            matrix = face_matrix(landmarks, face_type, size)
            aligned = transform_points(landmarks, matrix)[0]
            target = canonical_landmarks(face_type, size)
            for eye in (left_eye, right_eye):
                error = (aligned[eye].mean(0) - target[eye].mean(0)).norm() / size
                assert error < 0.02, (face_type, float(error))


@pytest.fixture(scope="module")
def portrait_faces():
    import matplotlib.cbook
    import skimage.data

    from faceswap_kit.detect import MediaPipeDetector
    from faceswap_kit.io import read_image

    grace = read_image(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    with MediaPipeDetector(mode="image") as detector:
        return [
            torch.from_numpy(detector(np.asarray(image))[0].landmarks)[None]
            for image in (skimage.data.astronaut(), grace)
        ]


@pytest.mark.parametrize("padding_mode", ["border", "zeros"])
def test_affine_warp_matches_kornia(device, padding_mode):
    """The direct affine_grid/grid_sample path computes what kornia's warp_affine does."""
    import kornia.geometry.transform as kgt

    generator = torch.Generator().manual_seed(3)
    image = torch.rand(3, 2, 50, 70, generator=generator).to(device)
    matrices = torch.cat(
        [similarity(0.8, 0.3, 5, -4), similarity(1.7, -1.0, -20, 30), similarity(1.0, 0, 0, 0)]
    ).to(device)
    ours = affine_warp(image, matrices, 40, 60, padding_mode=padding_mode)
    theirs = kgt.warp_affine(
        image, matrices, dsize=(40, 60), padding_mode=padding_mode, align_corners=True
    )
    assert ours.shape == (3, 2, 40, 60) and ours.device == image.device
    assert (ours - theirs).abs().max() < 1e-4
    nearest = affine_warp(image, matrices, 40, 60, mode="nearest", padding_mode=padding_mode)
    theirs = kgt.warp_affine(
        image, matrices, dsize=(40, 60), mode="nearest", padding_mode=padding_mode,
        align_corners=True,
    )  # fmt: skip
    assert (nearest != theirs).float().mean() < 0.01  # ties at exact half pixels may differ


def test_affine_warp_bad_inputs():
    with pytest.raises(InputError, match="image must be"):
        affine_warp(torch.rand(3, 8, 8), similarity(1, 0, 0, 0), 4, 4)
    with pytest.raises(InputError, match="matrix must be"):
        affine_warp(torch.rand(1, 3, 8, 8), torch.eye(3)[None], 4, 4)
