import pytest
import torch
import torch.nn.functional as F

from faceswap_kit.errors import InputError
from faceswap_kit.merge.mask import blur, erode_mask, gaussian_kernel1d, shape_mask, sharpen


@pytest.mark.parametrize("radius", [1, 3, 7])
def test_erode_dilate_match_max_pool(radius, device):
    g = torch.Generator().manual_seed(radius)
    mask = (torch.rand(2, 1, 40, 50, generator=g) > 0.3).float().to(device)
    dilated = F.max_pool2d(mask, 2 * radius + 1, 1, radius)
    padded = F.pad(mask, (radius,) * 4)  # outside the crop counts as "not face"
    eroded = -F.max_pool2d(-padded, 2 * radius + 1, 1, 0)
    assert torch.equal(erode_mask(mask, -radius), dilated)
    assert torch.equal(erode_mask(mask, radius), eroded)
    assert erode_mask(mask, 0) is mask


def test_blur_matches_conv(device):
    x = torch.rand(1, 3, 30, 40, device=device)
    k = gaussian_kernel1d(9, x.dtype, x.device)
    padded = F.pad(x.reshape(3, 1, 30, 40), (4, 4, 4, 4), mode="replicate")
    ref = F.conv2d(F.conv2d(padded, k.view(1, 1, 1, 9)), k.view(1, 1, 9, 1)).reshape(1, 3, 30, 40)
    assert torch.allclose(blur(x, 9), ref, atol=1e-5)
    assert torch.allclose(blur(torch.ones(1, 1, 9, 9), 7), torch.ones(1, 1, 9, 9), atol=1e-5)


def test_shape_mask_stays_inside():
    mask = torch.zeros(1, 1, 64, 64)
    mask[..., 16:48, 16:48] = 1
    shaped = shape_mask(mask, erode=2, blur_size=9)
    assert float(shaped[..., :14, :].max()) < 0.05  # feather fades inside the hull
    assert float(shaped[..., 32, 32]) > 0.99
    assert float(shaped.sum()) < float(mask.sum())


def test_sharpen_increases_contrast_of_edges():
    x = torch.zeros(1, 3, 16, 16)
    x[..., 8:, :] = 0.5
    y = sharpen(x, 1.0)
    assert float(y[0, 0, 8, 0]) > 0.5 and float(y[0, 0, 7, 0]) <= 0.0 + 1e-6
    assert sharpen(x, 0.0) is x


def test_blur_gradcheck():
    x = torch.rand(1, 1, 6, 7, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: blur(t, 5), (x,))


def test_bad_mask():
    with pytest.raises(InputError):
        erode_mask(torch.ones(1, 3, 8, 8), 1)
    with pytest.raises(InputError):
        shape_mask(torch.ones(8, 8), 1, 3)
