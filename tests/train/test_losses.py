import torch

from faceswap_kit.train.config import TrainConfig
from faceswap_kit.train.losses import dssim, multiscale_dssim, reconstruction_terms


def test_dssim_zero_for_equal_and_grows_with_noise():
    torch.manual_seed(0)
    x = torch.rand(2, 3, 64, 64)
    assert float(dssim(x, x)) < 1e-4
    small = float(dssim(x, (x + 0.05 * torch.randn_like(x)).clamp(0, 1)))
    large = float(dssim(x, (x + 0.3 * torch.randn_like(x)).clamp(0, 1)))
    assert 0 < small < large <= 1


def test_dssim_gradcheck():
    torch.manual_seed(0)
    x = torch.rand(1, 1, 6, 6, dtype=torch.float64, requires_grad=True)
    y = torch.rand(1, 1, 6, 6, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda a: dssim(a, y, 3), (x,), fast_mode=True)


def test_multiscale_matches_single_scale_for_one_level():
    x, y = torch.rand(1, 3, 64, 64), torch.rand(1, 3, 64, 64)
    torch.testing.assert_close(multiscale_dssim(x, y, levels=1), dssim(x, y))


def test_terms_ignore_outside_mask_and_weight_regions():
    config = TrainConfig.tiny()
    target = torch.rand(1, 3, 32, 32)
    mask = torch.zeros(1, 1, 32, 32)
    mask[..., 8:24, 8:24] = 1
    region = torch.zeros_like(mask)
    region[..., 10:14, 10:20] = 1
    pred = target.clone()
    pred[..., :4, :] = 1 - pred[..., :4, :]  # change only outside the face
    terms = reconstruction_terms(pred, mask, target, mask, region, config)
    assert float(terms["pixel"]) == 0 and float(terms["dssim"]) < 1e-4
    assert float(terms["region"]) == 0 and float(terms["mask"]) == 0
    pred[..., 10:14, 10:20] = 0  # inside the eyes/mouth region
    terms = reconstruction_terms(pred, mask, target, mask, region, config)
    assert float(terms["region"]) > 0 and float(terms["pixel"]) > 0


def test_region_weight_scales_term():
    target, pred = torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16)
    mask = region = torch.ones(1, 1, 16, 16)
    one = reconstruction_terms(pred, mask, target, mask, region, TrainConfig(region_weight=1.0))
    two = reconstruction_terms(pred, mask, target, mask, region, TrainConfig(region_weight=2.0))
    torch.testing.assert_close(two["region"], 2 * one["region"])
