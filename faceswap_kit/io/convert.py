"""NumPy/uint8/HWC <-> tensor conversion. The only place where BGR, uint8 and HWC exist."""

from __future__ import annotations

import numpy as np
import torch

from ..errors import InputError


def image_to_tensor(
    array: np.ndarray, bgr: bool = False, device: torch.device | str | None = None
) -> torch.Tensor:
    """Turn one ``(H, W)``, ``(H, W, 1|3|4)`` image array into a ``(1, 3, H, W)`` float tensor.

    uint8 is scaled by 1/255, uint16 by 1/65535, floats are taken as already in [0, 1]. Grayscale is
    repeated to three channels, alpha is dropped.

    Args:
        array: the image, HWC.
        bgr: the array is in OpenCV's BGR order.
        device: where the tensor goes (default CPU).

    Returns:
        ``(1, 3, H, W)`` float32 RGB in [0, 1].

    >>> image_to_tensor(np.zeros((4, 5, 3), np.uint8)).shape
    torch.Size([1, 3, 4, 5])
    """
    array = _as_rgb_array(array, bgr)
    if array.dtype == np.uint8:  # the per-frame path of the pipeline and the live loop
        tensor = torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1))).to(device)
        return (tensor.float() / 255.0).unsqueeze(0)
    if array.dtype == np.uint16:
        scale = 1.0 / 65535.0
    elif np.issubdtype(array.dtype, np.floating):
        scale = 1.0
    else:
        raise InputError(
            f"image dtype {array.dtype} is not supported; expected uint8, uint16 or float"
        )
    tensor = torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1))).to(device)
    return (tensor.float() * scale).clamp_(0.0, 1.0).unsqueeze(0)


def tensor_to_image(tensor: torch.Tensor, bgr: bool = False) -> np.ndarray:
    """Turn a ``(B, 3, H, W)`` (first image taken) or ``(3, H, W)`` tensor into uint8 HWC.

    >>> tensor_to_image(torch.ones(1, 3, 2, 2))[0, 0].tolist()
    [255, 255, 255]
    """
    if tensor.ndim == 4:
        tensor = tensor[0]
    if tensor.ndim != 3 or tensor.shape[0] not in (1, 3):
        raise InputError(
            f"expected an image tensor (B,3,H,W) or (3,H,W), got {tuple(tensor.shape)}"
        )
    if tensor.shape[0] == 1:
        tensor = tensor.expand(3, -1, -1)
    array = (tensor.detach().float().clamp(0, 1) * 255.0 + 0.5).to(torch.uint8).cpu().numpy()
    array = array.transpose(1, 2, 0)
    if bgr:
        array = array[..., ::-1]
    return np.ascontiguousarray(array)


def images_to_tensor(
    arrays: list[np.ndarray], bgr: bool = False, device: torch.device | str | None = None
) -> torch.Tensor:
    """Stack same-sized uint8 HWC images into one ``(B, 3, H, W)`` float tensor."""
    if not arrays:
        raise InputError("expected at least one image, got an empty list")
    return torch.cat([image_to_tensor(a, bgr=bgr, device=device) for a in arrays])


def mask_to_tensor(array: np.ndarray, device: torch.device | str | None = None) -> torch.Tensor:
    """A ``(H, W)`` uint8 or float mask -> ``(1, 1, H, W)`` float in [0, 1]."""
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim != 2:
        raise InputError(f"expected a (H, W) mask, got shape {array.shape}")
    scale = 1.0 / 255.0 if array.dtype == np.uint8 else 1.0
    return (torch.from_numpy(np.ascontiguousarray(array)).to(device).float() * scale)[None, None]


def _as_rgb_array(array: np.ndarray, bgr: bool) -> np.ndarray:
    if not isinstance(array, np.ndarray):
        raise InputError(f"expected a numpy array, got {type(array).__name__}")
    if array.ndim == 2:
        return np.repeat(array[..., None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (1, 3, 4):
        raise InputError(f"expected an image of shape (H, W) or (H, W, 1|3|4), got {array.shape}")
    if array.shape[2] == 1:
        return np.repeat(array, 3, axis=2)
    array = array[..., :3]
    return array[..., ::-1] if bgr else array
