"""Image metrics against a ground truth: masked PSNR, masked SSIM, landmark error.

>>> import torch
>>> a = torch.full((1, 3, 16, 16), 0.5)
>>> b = a + 0.1
>>> round(float(masked_psnr(a, b)), 2)
20.0
>>> float(masked_ssim(a, a))
1.0
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ..errors import InputError

LEFT_EYE_OUTER, RIGHT_EYE_OUTER = 33, 263  # mediapipe face mesh indices


def _check_images(pred: Tensor, target: Tensor, mask: Tensor | None) -> Tensor:
    if not isinstance(pred, Tensor) or not isinstance(target, Tensor):
        raise InputError("pred and target must be torch tensors (B,C,H,W) in [0,1]")
    if pred.ndim != 4 or pred.shape != target.shape:
        raise InputError(
            f"pred and target must be (B,C,H,W) of the same shape, got {tuple(pred.shape)} "
            f"and {tuple(target.shape)}"
        )
    if mask is None:
        return pred.new_ones(pred.shape[0], 1, *pred.shape[-2:])
    if mask.ndim != 4 or mask.shape[1] != 1 or mask.shape[-2:] != pred.shape[-2:]:
        raise InputError(
            f"mask must be (B,1,H,W) matching the images, got {tuple(mask.shape)} for images "
            f"{tuple(pred.shape)}"
        )
    if float(mask.sum()) <= 0:
        raise InputError("mask is empty: no pixel to score; pass mask=None to score the frame")
    return mask.to(pred.dtype)


def masked_psnr(pred: Tensor, target: Tensor, mask: Tensor | None = None) -> Tensor:
    """PSNR in dB over the pixels where ``mask`` is on (peak 1.0).

    Args:
        pred, target: (B,C,H,W) in [0,1]. mask: (B,1,H,W) weights, or None for every pixel.

    Returns:
        (B,) PSNR per image (capped at 100 dB for identical images).
    """
    weights = _check_images(pred, target, mask)
    error = ((pred - target) ** 2 * weights).sum(dim=(1, 2, 3))
    count = weights.sum(dim=(1, 2, 3)) * pred.shape[1]
    mse = (error / count.clamp(min=1e-12)).clamp(min=1e-10)
    return -10 * torch.log10(mse)


def _gaussian_window(size: int, sigma: float, pred: Tensor) -> Tensor:
    x = torch.arange(size, dtype=pred.dtype, device=pred.device) - (size - 1) / 2
    g = torch.exp(-0.5 * (x / sigma) ** 2)
    return g / g.sum()


def ssim_map(pred: Tensor, target: Tensor, window: int = 11, sigma: float = 1.5) -> Tensor:
    """Per-pixel SSIM (Wang et al. 2004), Gaussian window, reflect-padded: (B,C,H,W) -> (B,C,H,W)."""
    c1, c2 = 0.01**2, 0.03**2
    g = _gaussian_window(window, sigma, pred)
    channels = pred.shape[1]
    pad = window // 2

    def filt(x: Tensor) -> Tensor:
        x = F.pad(x, (pad, pad, pad, pad), mode="reflect")
        x = F.conv2d(x, g.view(1, 1, 1, -1).expand(channels, 1, 1, window), groups=channels)
        return F.conv2d(x, g.view(1, 1, -1, 1).expand(channels, 1, window, 1), groups=channels)

    mu_x, mu_y = filt(pred), filt(target)
    var_x = filt(pred * pred) - mu_x**2
    var_y = filt(target * target) - mu_y**2
    cov = filt(pred * target) - mu_x * mu_y
    num = (2 * mu_x * mu_y + c1) * (2 * cov + c2)
    den = (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)
    return num / den


def masked_ssim(pred: Tensor, target: Tensor, mask: Tensor | None = None) -> Tensor:
    """SSIM averaged over the pixels where ``mask`` is on.

    Args:
        pred, target: (B,C,H,W) in [0,1] (at least 11x11). mask: (B,1,H,W) or None.

    Returns:
        (B,) mean SSIM per image, 1.0 for identical images.
    """
    weights = _check_images(pred, target, mask)
    if min(pred.shape[-2:]) < 11:
        raise InputError(f"SSIM needs images of at least 11x11 px, got {tuple(pred.shape[-2:])}")
    values = ssim_map(pred, target).mean(1, keepdim=True)
    return (values * weights).sum(dim=(1, 2, 3)) / weights.sum(dim=(1, 2, 3))


def landmark_error(pred_landmarks: Tensor, true_landmarks: Tensor) -> Tensor:
    """Mean point distance divided by the outer-eye-corner distance (mediapipe 33 and 263).

    Args:
        pred_landmarks, true_landmarks: (B,N,2) pixels in mediapipe order (N >= 264).

    Returns:
        (B,) normalised mean error (0.05 = 5 % of the eye distance).

    >>> import torch
    >>> true = torch.zeros(1, 468, 2); true[0, 263, 0] = 100.0
    >>> round(float(landmark_error(true + 5.0 * torch.tensor([1.0, 0.0]), true)), 4)
    0.05
    """
    if pred_landmarks.shape != true_landmarks.shape or pred_landmarks.ndim != 3:
        raise InputError(
            f"landmarks must be (B,N,2) of equal shapes, got {tuple(pred_landmarks.shape)} and "
            f"{tuple(true_landmarks.shape)}"
        )
    if true_landmarks.shape[1] <= RIGHT_EYE_OUTER:
        raise InputError(
            f"expected mediapipe landmarks (N >= 264), got N={true_landmarks.shape[1]}"
        )
    eyes = true_landmarks[:, RIGHT_EYE_OUTER] - true_landmarks[:, LEFT_EYE_OUTER]
    scale = eyes.norm(dim=-1).clamp(min=1e-6)
    return (pred_landmarks - true_landmarks).norm(dim=-1).mean(1) / scale
