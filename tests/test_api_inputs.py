"""The public tensor functions refuse garbage with the kit's "expected X, got Y" errors instead of
returning nonsense or raising raw torch errors."""

import math

import pytest
import torch

from faceswap_kit.align import canonical_landmarks, face_matrix
from faceswap_kit.errors import InputError
from faceswap_kit.merge import MergeConfig, merge_face, transfer_color
from faceswap_kit.models import ModelConfig, SwapModel
from faceswap_kit.models.swap_model import build_network


def _inputs():
    a = math.radians(10)
    matrix = torch.tensor(
        [
            [
                [0.8 * math.cos(a), -0.8 * math.sin(a), 0.0],
                [0.8 * math.sin(a), 0.8 * math.cos(a), 0.0],
            ]
        ]
    )
    matrix[0, :, 2] = torch.tensor([32.0, 32.0]) - matrix[0, :, :2] @ torch.tensor([64.0, 48.0])
    g = torch.Generator().manual_seed(0)
    frame = torch.rand(1, 3, 96, 128, generator=g)
    face = torch.rand(1, 3, 64, 64, generator=g)
    return frame, face, torch.ones(1, 1, 64, 64), matrix


CONFIG = MergeConfig(color="rct", blend="feather")


@pytest.mark.parametrize("which", ["frame", "face"])
def test_merge_face_refuses_images_scaled_0_to_255(which):
    frame, face, mask, matrix = _inputs()
    images = {"frame": frame, "face": face}
    images[which] = images[which] * 255
    with pytest.raises(
        InputError, match=rf"{which}: expected float RGB in \[0, 1\].*divide by 255"
    ):
        merge_face(images["frame"], images["face"], mask, matrix, CONFIG)


def test_merge_face_refuses_nan_and_bad_masks():
    frame, face, mask, matrix = _inputs()
    frame[0, 1, 10, 10] = float("nan")
    with pytest.raises(InputError, match="frame: expected finite values"):
        merge_face(frame, face, mask, matrix, CONFIG)
    frame, face, mask, matrix = _inputs()
    with pytest.raises(InputError, match=r"face_mask: expected float mask in \[0, 1\]"):
        merge_face(frame, face, mask * 255, matrix, CONFIG)


def test_merge_face_refuses_a_singular_matrix():
    frame, face, mask, matrix = _inputs()
    matrix[0, :, :2] = 0.0  # squashes the whole frame onto one point
    with pytest.raises(
        InputError, match="matrix: expected invertible .* singular one at batch index 0"
    ):
        merge_face(frame, face, mask, matrix, CONFIG)
    matrix[0, 0, 0] = float("nan")
    with pytest.raises(InputError, match="matrix: expected .* finite"):
        merge_face(frame, face, mask, matrix, CONFIG)


def test_merge_face_hull_needs_mediapipe_landmarks():
    """``face_mask`` draws the face type's outline from mediapipe's mesh; 68 points are another
    landmark set, so mask="hull" refuses them like face_mask does."""
    frame, face, mask, matrix = _inputs()
    landmarks = torch.rand(1, 68, 2) * 60 + 20
    with pytest.raises(InputError, match=r"landmarks: mask mode 'hull' expected \(1, >=468, 2\)"):
        merge_face(frame, face, mask, matrix, MergeConfig(mask="hull"), landmarks=landmarks)
    canonical = canonical_landmarks("whole_face", 64)[None].clone()
    canonical[0, 5] = float("nan")
    with pytest.raises(InputError, match="landmarks: expected .* finite"):
        merge_face(frame, face, mask, matrix, MergeConfig(mask="both"), landmarks=canonical)


def test_tensors_on_different_devices_are_named():
    """The ``meta`` device stands in for a GPU: any second device must be refused by name."""
    frame, face, mask, matrix = _inputs()
    with pytest.raises(
        InputError, match=r"face: expected a tensor on frame's device cpu, got meta"
    ):
        merge_face(frame, face.to("meta"), mask, matrix, CONFIG)
    with pytest.raises(InputError, match=r"target: expected a tensor on source's device cpu"):
        transfer_color(face, face.to("meta"), "rct")


def test_transfer_color_refuses_0_to_255_and_nan():
    _, face, _, _ = _inputs()
    with pytest.raises(InputError, match=r"source: expected float RGB in \[0, 1\], got values"):
        transfer_color(face * 255, face, "rct")
    bad = face.clone()
    bad[0, 0, 0, 0] = float("nan")
    with pytest.raises(InputError, match="target: expected finite values"):
        transfer_color(face, bad, "lct")


def test_face_matrix_refuses_nan_landmarks():
    landmarks = canonical_landmarks("whole_face", 128)[None].repeat(2, 1, 1)
    landmarks[1, 33] = float("nan")
    with pytest.raises(InputError, match=r"finite pixel coordinates.*batch item\(s\) \[1\]"):
        face_matrix(landmarks, "whole_face", 128)


@pytest.fixture(scope="module")
def model():
    return SwapModel(build_network(ModelConfig.tiny()))


def test_swap_refuses_uint8_0_to_255_and_nan(model):
    faces = torch.rand(2, 3, 64, 64)
    assert model.swap(faces)[0].shape == (2, 3, 64, 64)
    with pytest.raises(
        InputError, match="aligned: expected a float RGB tensor in .* got torch.uint8"
    ):
        model.swap((faces * 255).to(torch.uint8))
    with pytest.raises(InputError, match="aligned: expected float RGB in .* divide by 255"):
        model.swap(faces * 255)
    faces[1, 2, 3, 4] = float("nan")
    with pytest.raises(InputError, match="aligned: expected finite values"):
        model.swap(faces)
    with pytest.raises(InputError, match="got ndarray"):
        model.swap(faces.numpy())
