import math

import pytest
import torch

from faceswap_kit.errors import InputError
from faceswap_kit.smoothing import OneEuroFilter, jitter, lag_frames, smooth_sequence


def _still_with_noise(frames=120, points=20, noise=0.5):
    g = torch.Generator().manual_seed(0)
    base = torch.rand(points, 2, generator=g) * 200
    return base + noise * torch.randn(frames, points, 2, generator=g), base


def test_jitter_reduced_on_still_head():
    noisy, _ = _still_with_noise()
    smoothed = smooth_sequence(noisy, fps=30)
    assert jitter(smoothed[30:]) < 0.4 * jitter(noisy[30:])


def test_small_lag_on_fast_motion():
    t = torch.arange(90, dtype=torch.float32) / 30
    # a head moving 300 px/s back and forth
    path = 150 + 60 * torch.sin(2 * math.pi * 0.8 * t)
    sequence = torch.stack([path, path * 0 + 100], -1)[:, None].expand(-1, 5, -1)
    smoothed = smooth_sequence(sequence, fps=30)
    assert lag_frames(sequence, smoothed) <= 1


def test_module_equals_function():
    noisy, _ = _still_with_noise(frames=20)
    f = OneEuroFilter(fps=25)
    one_by_one = torch.stack([f(x) for x in noisy])
    assert torch.equal(one_by_one, smooth_sequence(noisy, fps=25))


def test_reset_and_shape_change():
    f = OneEuroFilter()
    f(torch.zeros(3, 2))
    out = f(torch.ones(4, 2))  # new face, new shape: restarts
    assert torch.equal(out, torch.ones(4, 2))
    f.reset()
    assert torch.equal(f(torch.full((4, 2), 5.0)), torch.full((4, 2), 5.0))


def test_follows_device_and_dtype(device):
    f = OneEuroFilter()
    x = torch.zeros(5, 2, dtype=torch.float64, device=device)
    f(x)
    y = f(x + 1)
    assert y.dtype == torch.float64 and y.device == x.device
    assert 0 < float(y[0, 0]) < 1


def test_bad_parameters():
    with pytest.raises(InputError):
        OneEuroFilter(min_cutoff=0)
    with pytest.raises(InputError):
        smooth_sequence(torch.zeros(0, 2))
