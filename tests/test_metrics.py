import pytest
import torch

from faceswap_kit.errors import InputError
from faceswap_kit.metrics import landmark_error, masked_psnr, masked_ssim


def test_psnr_known_value_and_mask(device):
    a = torch.zeros(2, 3, 16, 16, device=device)
    b = a.clone()
    b[..., :8] = 0.1  # error only in the left half
    mask = torch.zeros(2, 1, 16, 16, device=device)
    mask[..., 8:] = 1
    assert float(masked_psnr(a, b, mask).min()) >= 99  # identical where scored
    assert torch.allclose(masked_psnr(a, b), torch.full((2,), 23.0103, device=device), atol=1e-3)


def test_ssim_matches_skimage():
    from skimage.metrics import structural_similarity

    g = torch.Generator().manual_seed(0)
    a = torch.rand(1, 3, 48, 48, generator=g, dtype=torch.float64)
    b = (a + 0.1 * torch.rand(1, 3, 48, 48, generator=g, dtype=torch.float64)).clamp(0, 1)
    ours = float(masked_ssim(a, b))
    ref = structural_similarity(
        a[0].numpy(),
        b[0].numpy(),
        channel_axis=0,
        data_range=1.0,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
    )
    assert abs(ours - ref) < 0.01


def test_ssim_mask_and_order():
    g = torch.Generator().manual_seed(1)
    a = torch.rand(1, 3, 32, 32, generator=g)
    noisy = (a + 0.3 * torch.rand(1, 3, 32, 32, generator=g)).clamp(0, 1)
    less = (a + 0.05 * torch.rand(1, 3, 32, 32, generator=g)).clamp(0, 1)
    assert float(masked_ssim(a, less)) > float(masked_ssim(a, noisy))
    assert abs(float(masked_ssim(a, a)) - 1) < 1e-5


def test_landmark_error():
    true = torch.zeros(1, 478, 2)
    true[0, 263] = torch.tensor([50.0, 0.0])
    pred = true.clone()
    pred[0, :, 1] += 2.5
    assert torch.allclose(landmark_error(pred, true), torch.tensor([0.05]))


def test_bad_inputs():
    with pytest.raises(InputError):
        masked_psnr(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 9))
    with pytest.raises(InputError):
        masked_psnr(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 8), torch.zeros(1, 1, 8, 8))
    with pytest.raises(InputError):
        masked_ssim(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 8))
    with pytest.raises(InputError):
        landmark_error(torch.rand(1, 10, 2), torch.rand(1, 10, 2))
