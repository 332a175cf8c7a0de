import numpy as np
import pytest
import torch

from faceswap_kit.errors import InputError
from faceswap_kit.io import image_to_tensor, mask_to_tensor, tensor_to_image


def test_round_trip_uint8_rgb():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (7, 9, 3), dtype=np.uint8)
    tensor = image_to_tensor(image)
    assert tensor.shape == (1, 3, 7, 9) and tensor.dtype == torch.float32
    assert tensor.min() >= 0 and tensor.max() <= 1
    np.testing.assert_array_equal(tensor_to_image(tensor), image)


def test_bgr_is_swapped_on_the_way_in_and_out():
    image = np.zeros((2, 2, 3), np.uint8)
    image[..., 0] = 255  # blue in BGR
    tensor = image_to_tensor(image, bgr=True)
    assert tensor[0, 2].min() == 1 and tensor[0, 0].max() == 0
    np.testing.assert_array_equal(tensor_to_image(tensor, bgr=True), image)


def test_gray_rgba_and_16bit():
    gray = np.full((3, 3), 128, np.uint8)
    assert torch.allclose(image_to_tensor(gray), torch.full((1, 3, 3, 3), 128 / 255))
    rgba = np.zeros((3, 3, 4), np.uint8)
    rgba[..., 1] = 255
    assert image_to_tensor(rgba)[0, 1].min() == 1
    deep = np.full((2, 2, 3), 65535, np.uint16)
    assert image_to_tensor(deep).min() == 1


def test_device_follows_argument(device):
    assert image_to_tensor(np.zeros((2, 2, 3), np.uint8), device=device).device.type == device.type


@pytest.mark.parametrize("bad", [np.zeros((2, 2, 5), np.uint8), np.zeros((2,), np.uint8), [1, 2]])
def test_bad_shapes_raise(bad):
    with pytest.raises(InputError):
        image_to_tensor(bad)


def test_bad_tensor_raises():
    with pytest.raises(InputError, match="expected an image tensor"):
        tensor_to_image(torch.zeros(2, 2))


def test_mask_to_tensor():
    mask = mask_to_tensor(np.full((4, 5), 255, np.uint8))
    assert mask.shape == (1, 1, 4, 5) and mask.min() == 1
