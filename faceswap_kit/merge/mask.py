"""Mask shaping: erode/dilate, Gaussian feather, all separable and batched.

>>> import torch
>>> mask = torch.zeros(1, 1, 32, 32); mask[..., 8:24, 8:24] = 1
>>> int(erode_mask(mask, 2).sum())
144
>>> int(erode_mask(mask, -2).sum())
400
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ..errors import InputError


def _check_mask(mask: Tensor) -> None:
    if not isinstance(mask, Tensor) or mask.ndim != 4 or mask.shape[1] != 1:
        shape = tuple(mask.shape) if isinstance(mask, Tensor) else type(mask).__name__
        raise InputError(f"mask must be a (B,1,H,W) tensor, got {shape}")


def _window_max(x: Tensor, radius: int, dim: int, outside: float = 0.0) -> Tensor:
    """Max over a centred window of ``2 * radius + 1`` along ``dim`` in O(log radius) passes.

    Values outside the tensor count as ``outside``.
    """
    size = 2 * radius + 1
    length = x.shape[dim]
    pad = [0, 0] * (x.ndim - 1 - dim) + [radius, radius + size]
    padded = F.pad(x, pad, value=outside)
    result, covered = padded, 1
    while covered < size:  # doubling: window [i, i + covered) grows to [i, i + 2 * covered)
        step = min(covered, size - covered)
        result = torch.maximum(result, _shifted(result, step, dim))
        covered += step
    return result.narrow(dim, 0, length)


def _shifted(x: Tensor, step: int, dim: int) -> Tensor:
    """``x`` shifted left by ``step`` along ``dim`` (zero-filled at the end)."""
    tail = x.narrow(dim, step, x.shape[dim] - step)
    return F.pad(tail, [0, 0] * (x.ndim - 1 - dim) + [0, step])


def erode_mask(mask: Tensor, pixels: int) -> Tensor:
    """Shrink (``pixels`` > 0) or grow (``pixels`` < 0) a mask by a square structuring element.

    Separable (rows then columns) window maxima in O(log radius) vector passes each.

    Args:
        mask: (B,1,H,W) in [0,1].
        pixels: radius in pixels; 0 returns the mask unchanged.

    Returns:
        (B,1,H,W), same device and dtype.
    """
    _check_mask(mask)
    radius = int(pixels)
    if radius == 0:
        return mask
    if radius < 0:  # dilate
        return _window_max(_window_max(mask, -radius, 3), -radius, 2)
    # outside the crop counts as "not face", so the mask also shrinks away from the crop's edge
    return 1 - _window_max(_window_max(1 - mask, radius, 3, 1.0), radius, 2, 1.0)


def gaussian_kernel1d(size: int, dtype: torch.dtype, device: torch.device) -> Tensor:
    """A normalised 1-D Gaussian of odd ``size`` taps with sigma = size / 6 (3 sigma each side)."""
    size = max(1, int(size) | 1)
    sigma = max(size / 6.0, 1e-3)
    x = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    kernel = torch.exp(-0.5 * (x / sigma) ** 2)
    return kernel / kernel.sum()


def blur_matrix(length: int, size: int, dtype: torch.dtype, device: torch.device) -> Tensor:
    """(length, length) matrix applying a 1-D Gaussian with replicate borders: ``y = A @ x``."""
    kernel = gaussian_kernel1d(size, dtype, device)
    half = kernel.numel() // 2
    rows = torch.arange(length, device=device)[:, None]
    cols = (rows + torch.arange(-half, half + 1, device=device)[None, :]).clamp(0, length - 1)
    matrix = torch.zeros(length, length, dtype=dtype, device=device)
    return matrix.index_put_((rows.expand_as(cols), cols), kernel.expand_as(cols), accumulate=True)


def blur(image: Tensor, size: int) -> Tensor:
    """Separable Gaussian blur of every channel; ``size`` is the kernel width in pixels.

    Done as two matrix products with banded matrices (fast on every device for any width).

    Args:
        image: (B,C,H,W). size: kernel width (made odd); <= 1 returns ``image``.

    Returns:
        (B,C,H,W) blurred, replicate-padded at the borders.
    """
    if int(size) <= 1:
        return image
    h, w = image.shape[-2:]
    rows = blur_matrix(h, size, image.dtype, image.device)
    cols = blur_matrix(w, size, image.dtype, image.device)
    return rows @ image @ cols.T


def shape_mask(mask: Tensor, erode: int = 0, blur_size: int = 0) -> Tensor:
    """Erode (or dilate) then feather a mask, the way the merge uses it.

    The blur is applied after an extra erosion of a quarter of its width (1.5 sigma), so the feather fades out
    mostly *inside* the original mask and shows little of the new face outside it.

    Args:
        mask: (B,1,H,W) in [0,1]. erode: pixels (negative grows). blur_size: feather width.

    Returns:
        (B,1,H,W) in [0,1].
    """
    _check_mask(mask)
    m = erode_mask(mask, int(erode) + int(blur_size) // 4)
    if int(blur_size) > 1:
        m = F.pad(m, (1, 1, 1, 1))  # zero border: the feather also fades at the crop's edge
        m = blur(m, blur_size)[..., 1:-1, 1:-1]
    return m.clamp(0, 1)


def sharpen(image: Tensor, amount: float, size: int = 5) -> Tensor:
    """Unsharp mask: ``image + amount * (image - blur(image))``, clamped to [0,1]."""
    if float(amount) <= 0:
        return image
    return (image + float(amount) * (image - blur(image, size))).clamp(0, 1)
