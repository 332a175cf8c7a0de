"""Per-face quality scores used for curation."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..errors import InputError

SHARPNESS_SIZE = 128
_LAPLACIAN = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])


def sharpness(images: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Focus score: variance of the Laplacian of the grey image inside the mask, times 1000.

    Computed at 128 px whatever the crop size, so scores compare across face sets. Blurry faces
    score low (a few units), crisp ones tens to hundreds.

    Args:
        images: ``(B, 3, H, W)`` float RGB in [0, 1].
        mask: ``(B, 1, H, W)`` weights (default: the whole crop).

    Returns:
        ``(B,)`` float32 scores.

    >>> flat = torch.full((1, 3, 64, 64), 0.5)
    >>> noisy = flat + 0.1 * torch.randn(1, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    >>> bool(sharpness(flat) < 1e-6 < sharpness(noisy))
    True
    """
    if images.ndim != 4 or images.shape[1] != 3:
        raise InputError(f"images must be (B, 3, H, W), got {tuple(images.shape)}")
    grey = _to_scoring_size(images.float().mean(dim=1, keepdim=True))
    weight = torch.ones_like(grey) if mask is None else _to_scoring_size(mask.float())
    kernel = _LAPLACIAN.to(device=grey.device)[None, None]
    response = F.conv2d(grey, kernel)  # (B, 1, S-2, S-2)
    weight = weight[..., 1:-1, 1:-1]
    total = weight.sum(dim=(1, 2, 3)).clamp_min(1e-6)
    mean = (response * weight).sum(dim=(1, 2, 3)) / total
    variance = ((response - mean[:, None, None, None]) ** 2 * weight).sum(dim=(1, 2, 3)) / total
    return (variance * 1000).float()


def _to_scoring_size(image: torch.Tensor) -> torch.Tensor:
    """Area-resample ``(B, 1, H, W)`` to the 128 px scoring size (a plain average pool when the
    size is a multiple of it: the same numbers, several times faster on a CPU)."""
    height, width = image.shape[-2:]
    if (height, width) == (SHARPNESS_SIZE, SHARPNESS_SIZE):
        return image
    if height == width and height % SHARPNESS_SIZE == 0:
        return F.avg_pool2d(image, height // SHARPNESS_SIZE)
    return F.interpolate(image, size=(SHARPNESS_SIZE, SHARPNESS_SIZE), mode="area")
