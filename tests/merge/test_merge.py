import math

import pytest
import torch

from faceswap_kit.errors import InputError
from faceswap_kit.merge import FaceMerger, MergeConfig, merge_face, merge_face_detailed


def _matrix(size=64, centre=(64.0, 48.0), scale=0.8, angle=12.0, device="cpu"):
    a = math.radians(angle)
    m = torch.tensor(
        [
            [scale * math.cos(a), -scale * math.sin(a), 0.0],
            [scale * math.sin(a), scale * math.cos(a), 0.0],
        ]
    )
    c = torch.tensor(centre)
    m[:, 2] = torch.tensor([size / 2, size / 2]) - m[:, :2] @ c
    return m[None].to(device)


def _frame(device, h=96, w=128):
    g = torch.Generator().manual_seed(0)
    ramp = torch.linspace(0, 1, w)[None, None, None].expand(1, 3, h, w)
    noise = torch.rand(1, 3, h, w, generator=g) * 0.2
    return (ramp * 0.6 + noise).to(device)


def test_roundtrip_returns_frame(device):
    """Merging the frame's own crop back, with a full mask, gives the frame back."""
    from kornia.geometry.transform import warp_affine

    frame = _frame(device)
    matrix = _matrix(scale=1.2, device=device)
    crop = warp_affine(frame, matrix, (64, 64))
    mask = torch.ones(1, 1, 64, 64, device=device)
    config = MergeConfig(color="none", erode=0, blur=0, blend="feather")
    result = merge_face_detailed(frame, crop, mask, matrix, config)
    x0, y0, x1, y1 = result.box
    assert 0 < x0 < x1 <= 128 and 0 < y0 < y1 <= 96
    inner = (slice(None), slice(None), slice(y0 + 12, y1 - 12), slice(x0 + 12, x1 - 12))
    assert (result.output[inner] - frame[inner]).abs().mean() < 0.03
    outside = result.output.clone()
    outside[..., y0:y1, x0:x1] = frame[..., y0:y1, x0:x1]
    assert torch.equal(outside, frame)  # nothing outside the face's box is touched


def test_new_face_lands_where_the_matrix_says(device):
    frame = torch.zeros(1, 3, 96, 128, device=device)
    face = torch.ones(1, 3, 64, 64, device=device)
    mask = torch.ones(1, 1, 64, 64, device=device)
    out = merge_face(
        frame,
        face,
        mask,
        _matrix(device=device),
        MergeConfig(color="none", blur=0, erode=0, blend="feather"),
    )
    assert float(out[0, :, 48, 64].min()) > 0.99  # the crop's centre maps to (64, 48)
    assert float(out[0, :, 5, 5].max()) == 0.0
    half = merge_face(
        frame,
        face,
        mask,
        _matrix(device=device),
        MergeConfig(color="none", blur=0, erode=0, opacity=0.5, blend="feather"),
    )
    assert abs(float(half[0, 0, 48, 64]) - 0.5) < 1e-4


@pytest.mark.parametrize("blend", ["feather", "seamless"])
@pytest.mark.parametrize("color", ["none", "rct", "lct", "mkl", "idt", "sot"])
def test_all_modes_run_and_stay_in_range(color, blend):
    frame = _frame("cpu")
    g = torch.Generator().manual_seed(3)
    face = torch.rand(1, 3, 64, 64, generator=g)
    mask = torch.zeros(1, 1, 64, 64)
    mask[..., 8:56, 12:52] = 1
    out = merge_face(
        frame, face, mask, _matrix(), MergeConfig(color=color, blend=blend, sharpen=0.3)
    )
    assert out.shape == frame.shape
    assert float(out.min()) >= 0 and float(out.max()) <= 1
    assert (out - frame).abs().max() > 0.05


def test_batched_equals_one_by_one():
    frames = torch.cat([_frame("cpu"), _frame("cpu").flip(-1)])
    g = torch.Generator().manual_seed(1)
    faces = torch.rand(2, 3, 64, 64, generator=g)
    masks = torch.ones(2, 1, 64, 64)
    matrices = torch.cat([_matrix(), _matrix(centre=(70.0, 50.0), angle=-5.0)])
    config = MergeConfig(color="rct", erode=2, blur=9, blend="feather")
    both = merge_face(frames, faces, masks, matrices, config)
    for i in range(2):
        one = merge_face(
            frames[i : i + 1], faces[i : i + 1], masks[i : i + 1], matrices[i : i + 1], config
        )
        assert torch.allclose(both[i : i + 1], one, atol=1e-5)


def test_hull_mask_needs_landmarks_and_uses_them():
    from faceswap_kit.align import canonical_landmarks, invert_matrix, transform_points

    frame = _frame("cpu")
    face = torch.ones(1, 3, 64, 64)
    mask = torch.ones(1, 1, 64, 64)
    with pytest.raises(InputError, match="landmarks"):
        merge_face(frame, face, mask, _matrix(), MergeConfig(mask="hull"))
    # the canonical face placed in the frame: the face oval changes, the crop's corners do not
    landmarks = transform_points(
        canonical_landmarks("whole_face", 64)[None], invert_matrix(_matrix())
    )
    config = MergeConfig(mask="hull", color="none", erode=0, blur=0, blend="feather")
    out = merge_face(frame, face, mask, _matrix(), config, landmarks=landmarks)
    assert float(out[0, 0, 48, 64]) > 0.99
    assert torch.allclose(out[..., 48, 98], frame[..., 48, 98])  # inside the crop, off the face
    whole = merge_face(frame, face, mask, _matrix(), config.replace(mask="predicted"))
    assert float(whole[0, 0, 48, 98]) > 0.99


def test_module_equals_function():
    frame = _frame("cpu")
    face, mask = torch.rand(1, 3, 64, 64), torch.ones(1, 1, 64, 64)
    config = MergeConfig.tiny()
    module = FaceMerger(config)
    assert torch.equal(
        module(frame, face, mask, _matrix()), merge_face(frame, face, mask, _matrix(), config)
    )


def test_face_outside_frame_returns_frame():
    frame = _frame("cpu")
    matrix = _matrix(centre=(-500.0, -500.0))
    out = merge_face(frame, torch.rand(1, 3, 64, 64), torch.ones(1, 1, 64, 64), matrix)
    assert torch.equal(out, frame)


def test_float64_follows_input():
    frame = _frame("cpu").double()
    out = merge_face(frame, torch.rand(1, 3, 64, 64), torch.ones(1, 1, 64, 64), _matrix())
    assert out.dtype == torch.float64


def test_gradients_flow_to_the_face():
    frame = _frame("cpu")
    face = torch.rand(1, 3, 64, 64, requires_grad=True)
    out = merge_face(frame, face, torch.ones(1, 1, 64, 64), _matrix(), MergeConfig(color="rct"))
    out.sum().backward()
    assert face.grad is not None and float(face.grad.abs().sum()) > 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"frame": torch.rand(3, 96, 128)},
        {"face": torch.rand(1, 3, 64, 64), "face_mask": torch.rand(1, 1, 32, 32)},
        {"matrix": torch.rand(1, 3, 3)},
        {"frame": torch.rand(2, 3, 96, 128)},
        {"frame": torch.zeros(1, 3, 96, 128, dtype=torch.uint8)},
    ],
)
def test_bad_inputs(kwargs):
    args = {
        "frame": _frame("cpu"),
        "face": torch.rand(1, 3, 64, 64),
        "face_mask": torch.ones(1, 1, 64, 64),
        "matrix": _matrix(),
    }
    args.update(kwargs)
    with pytest.raises(InputError):
        merge_face(**args)


@pytest.mark.parametrize(
    "kwargs", [{"color": "x"}, {"mask": "x"}, {"blend": "x"}, {"opacity": 2.0}, {"blur": -1}]
)
def test_bad_config(kwargs):
    with pytest.raises(InputError):
        MergeConfig(**kwargs)
