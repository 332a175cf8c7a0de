import numpy as np
import pytest
import torch

from faceswap_kit.errors import InputError
from faceswap_kit.warp2d import delaunay_triangles, feather_mask, warp2d_swap


def _pattern(size: int, generator: torch.Generator) -> torch.Tensor:
    """A smooth, textured (1,3,S,S) image: exact bilinear resampling is checkable on it."""
    low = torch.rand(1, 3, 8, 8, generator=generator)
    return torch.nn.functional.interpolate(low, size=(size, size), mode="bicubic").clamp(0, 1)


def _landmarks(generator: torch.Generator, count: int = 40, size: int = 96) -> torch.Tensor:
    ring = torch.linspace(0, 2 * np.pi, 17)[:-1]
    outline = torch.stack([48 + 30 * ring.cos(), 48 + 34 * ring.sin()], dim=1)
    inner = 30 + torch.rand(count - 16, 2, generator=generator) * 36
    return torch.cat([outline, inner])[None] * size / 96


def _affine(points: torch.Tensor, matrix: torch.Tensor) -> torch.Tensor:
    return points @ matrix[:, :2].T + matrix[:, 2]


def test_a_global_affine_is_reproduced_exactly(device):
    g = torch.Generator().manual_seed(0)
    source = _pattern(96, g).to(device)
    src_pts = _landmarks(g).to(device)
    # frame = the source moved by a similarity transform; landmarks moved the same way
    angle, scale = 0.2, 1.1
    matrix = torch.tensor(
        [
            [scale * np.cos(angle), -scale * np.sin(angle), 10.0],
            [scale * np.sin(angle), scale * np.cos(angle), -2.0],
        ],
        device=device,
        dtype=torch.float32,
    )
    dst_pts = _affine(src_pts[0], matrix)[None]
    import kornia

    expected = kornia.geometry.transform.warp_affine(
        source, matrix[None], (112, 112), align_corners=False
    )
    frame = torch.zeros(1, 3, 112, 112, device=device)
    out, mask = warp2d_swap(
        frame, dst_pts, source, src_pts, color_transfer=False, feather=0.0, return_mask=True
    )
    assert out.device.type == device.type and out.shape == frame.shape
    inside = mask[0, 0] > 0.99
    assert inside.sum() > 3000
    error = (out - expected).abs()[0].amax(0)[inside]
    assert error.mean() < 0.01 and error.max() < 0.08
    # outside the face nothing changes
    assert torch.equal(out[..., ~(mask[0, 0] > 0)], frame[..., ~(mask[0, 0] > 0)])


def test_identity_swap_returns_the_frame_and_opacity_zero_is_a_no_op():
    g = torch.Generator().manual_seed(1)
    frame = _pattern(96, g)
    pts = _landmarks(g)
    same = warp2d_swap(frame, pts, frame, pts, color_transfer=False, feather=0.05)
    assert (same - frame).abs().max() < 0.02
    other = _pattern(96, g)
    untouched = warp2d_swap(frame, pts, other, pts, opacity=0.0)
    assert torch.equal(untouched, frame)


def test_color_transfer_matches_the_frame_mean_in_the_face():
    g = torch.Generator().manual_seed(2)
    frame = _pattern(96, g) * 0.5 + torch.tensor([0.4, 0.1, 0.0]).view(1, 3, 1, 1)
    source = _pattern(96, g) * 0.5 + torch.tensor([0.0, 0.1, 0.4]).view(1, 3, 1, 1)
    pts = _landmarks(g)
    out, mask = warp2d_swap(frame, pts, source, pts, feather=0.0, return_mask=True)
    inside = mask[0, 0] > 0.99
    mean_out = out[0][:, inside].mean(1)
    mean_frame = frame[0][:, inside].mean(1)
    mean_source = source[0][:, inside].mean(1)
    assert (mean_out - mean_frame).abs().max() < 0.03
    assert (mean_source - mean_frame).abs().max() > 0.3


def test_batch_and_dtype_follow_the_frame():
    g = torch.Generator().manual_seed(3)
    source = _pattern(64, g).double()
    pts = _landmarks(g, size=64).double()
    frames = torch.rand(2, 3, 64, 64, generator=g, dtype=torch.float64)
    moved = torch.stack([pts[0], pts[0] + 3.0])
    out = warp2d_swap(frames, moved, source, pts)
    assert out.dtype == torch.float64 and out.shape == (2, 3, 64, 64)
    assert not torch.equal(out[0], out[1])


def test_a_face_outside_the_frame_leaves_it_unchanged():
    g = torch.Generator().manual_seed(4)
    frame = torch.rand(1, 3, 64, 64, generator=g)
    pts = _landmarks(g, size=64)
    assert torch.equal(warp2d_swap(frame, pts + 500, frame, pts), frame)


@pytest.mark.parametrize(
    "frame_shape, frame_pts, source_pts",
    [
        ((3, 64, 64), (1, 10, 2), (1, 10, 2)),
        ((1, 3, 64, 64), (1, 10, 2), (1, 12, 2)),
        ((1, 3, 64, 64), (2, 10, 2), (1, 10, 2)),
        ((1, 4, 64, 64), (1, 10, 2), (1, 10, 2)),
    ],
)
def test_bad_inputs_raise_input_error(frame_shape, frame_pts, source_pts):
    with pytest.raises(InputError):
        warp2d_swap(
            torch.rand(frame_shape),
            torch.rand(frame_pts) * 60,
            torch.rand(1, 3, 64, 64),
            torch.rand(source_pts) * 60,
        )


def test_triangulation_and_feather():
    pts = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0], [5.0, 5.0]])
    triangles = delaunay_triangles(pts)
    assert triangles.shape == (4, 3) and set(triangles.flatten().tolist()) == set(range(5))
    with pytest.raises(InputError):
        delaunay_triangles(pts[:2])
    mask = torch.zeros(1, 1, 40, 40)
    mask[..., 10:30, 10:30] = 1
    soft = feather_mask(mask, 4)
    assert soft.max() == 1 and soft[mask == 0].max() == 0
    assert (soft[0, 0, 20, 10:20].diff() >= 0).all()  # rises from the edge inwards


def test_against_the_ideal_swap_of_generated_people():
    """Ground truth: the synth's ideal swap (A's inner face in B's head, B's pose and expression).

    With equal lighting the ideal keeps A's own skin colour, so colour transfer is off here; the
    2D warp must then be closer to the ideal than the unchanged frame is, inside the warped face.
    """
    from faceswap_kit.metrics import masked_psnr
    from faceswap_kit.synth import Expression, Identity, Pose, render, render_ideal_swap

    gains = []
    for seed in range(3):
        a, b = Identity.from_seed(100 + seed), Identity.from_seed(200 + seed)
        pose, expression = Pose(yaw=15 - 10 * seed, pitch=5, roll=3), Expression(smile=0.4)
        source = render(a, size=128)
        target = render(b, expression=expression, pose=pose, size=128)
        ideal = render_ideal_swap(a, b, expression=expression, pose=pose, size=128)
        out, mask = warp2d_swap(
            target.image,
            target.landmarks,
            source.image,
            source.landmarks,
            color_transfer=False,
            return_mask=True,
        )
        inside = (mask > 0.99).float()
        unchanged = float(masked_psnr(target.image, ideal.image, inside)[0])
        swapped = float(masked_psnr(out, ideal.image, inside)[0])
        gains.append(swapped - unchanged)
    assert min(gains) > -0.5 and sum(gains) / len(gains) > 1.5, gains


def test_an_open_mouth_keeps_its_own_inside():
    from faceswap_kit.synth import Expression, Identity, render
    from faceswap_kit.warp2d import INNER_LIPS

    source = render(Identity.from_seed(7), size=128)
    target = render(Identity.from_seed(3), expression=Expression(jaw_open=0.8), size=128)
    args = (target.image, target.landmarks, source.image, source.landmarks)
    kept, mask = warp2d_swap(*args, return_mask=True)
    smeared = warp2d_swap(*args, keep_mouth=False)
    x, y = target.landmarks[0, list(INNER_LIPS)].mean(0).round().long().tolist()
    assert mask[0, 0, y, x] < 0.01  # the mouth opening is outside the blend mask
    assert torch.allclose(kept[..., y, x], target.image[..., y, x])
    assert (smeared[..., y, x] - target.image[..., y, x]).abs().max() > 0.05
    assert mask[0, 0].mean() > 0.05  # the rest of the face is still swapped
