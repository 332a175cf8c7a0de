import pytest
import torch

from faceswap_kit.train.augment import (
    masked_mean_std,
    match_color,
    random_similarity,
    random_warp_offsets,
    warp_batch,
)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_no_jitter_no_warp_is_identity(device):
    images = torch.rand(3, 3, 32, 32, device=device)
    extras = torch.rand(3, 2, 32, 32, device=device)
    warped, target, target_extras = warp_batch(
        images, extras, gen(), rotation=0, scale=0, shift=0, flip=False, warp=0
    )
    torch.testing.assert_close(target, images, atol=1e-5, rtol=0)
    torch.testing.assert_close(warped, images, atol=1e-5, rtol=0)
    torch.testing.assert_close(target_extras, extras, atol=1e-5, rtol=0)


def test_flip_mirrors():
    images = torch.rand(16, 3, 16, 16)
    _, target, _ = warp_batch(
        images, images[:, :1], gen(3), rotation=0, scale=0, shift=0, flip=True, warp=0
    )
    flipped = [
        torch.allclose(t, i.flip(-1), atol=1e-5) for t, i in zip(target, images, strict=True)
    ]
    same = [torch.allclose(t, i, atol=1e-5) for t, i in zip(target, images, strict=True)]
    assert all(f or s for f, s in zip(flipped, same, strict=True))
    assert 3 <= sum(flipped) <= 13


def test_similarity_rotation_matches_angle():
    theta = random_similarity(200, gen(), rotation=10, scale=0, shift=0, flip=False)
    angles = torch.rad2deg(torch.atan2(theta[:, 1, 0], theta[:, 0, 0]))
    assert float(angles.abs().max()) <= 10 + 1e-4 and float(angles.abs().max()) > 8
    torch.testing.assert_close(theta[:, 0, 0] ** 2 + theta[:, 1, 0] ** 2, torch.ones(200))


def test_warp_offsets_fixed_border_smooth_and_scaled():
    offsets = random_warp_offsets(64, 64, gen(), strength=0.05)
    assert float(offsets[:, 0].abs().max()) < 1e-6 and float(offsets[:, :, -1].abs().max()) < 1e-6
    # smooth: neighbouring pixels move almost together
    assert float((offsets[:, 1:] - offsets[:, :-1]).abs().max()) < 0.04
    centre = offsets[:, 32, 32]
    assert 0.02 < float(centre.std()) < 0.08


def test_warp_changes_input_not_target():
    images = torch.rand(4, 3, 32, 32)
    warped, target, _ = warp_batch(
        images, images[:, :1], gen(), rotation=0, scale=0, shift=0, flip=False, warp=0.1
    )
    torch.testing.assert_close(target, images, atol=1e-5, rtol=0)
    assert float((warped - images).abs().mean()) > 0.02


def test_same_seed_same_batch():
    images = torch.rand(4, 3, 32, 32)
    first = warp_batch(images, images[:, :1], gen(5))
    second = warp_batch(images, images[:, :1], gen(5))
    for x, y in zip(first, second, strict=True):
        assert torch.equal(x, y)


def test_match_color_takes_reference_statistics():
    from kornia.color import rgb_to_lab

    torch.manual_seed(0)
    images = torch.rand(2, 3, 32, 32) * 0.5
    reference = torch.rand(2, 3, 32, 32) * 0.4 + 0.3
    mask = torch.ones(2, 1, 32, 32)
    out = match_color(images, mask, reference, mask)
    mean, std = masked_mean_std(rgb_to_lab(out), mask)
    ref_mean, ref_std = masked_mean_std(rgb_to_lab(reference), mask)
    torch.testing.assert_close(mean, ref_mean, atol=1.5, rtol=0)  # Lab units, clipping allowed
    torch.testing.assert_close(std, ref_std, atol=1.5, rtol=0)


@pytest.mark.parametrize("strength", [0.0, 0.05])
def test_offsets_magnitude(strength):
    offsets = random_warp_offsets(8, 16, gen(), strength=strength)
    assert (float(offsets.abs().max()) == 0) == (strength == 0)
