"""Training losses: DSSIM (multi-scale from 256 px) + MSE/L1 inside the face mask, extra weight on
eyes and mouth, a learned-mask loss, and the optional patch-GAN terms. Every term is returned by
name so the loop can log it."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from kornia.metrics import ssim

from .config import TrainConfig


def ssim_window(size: int) -> int:
    """Gaussian window for SSIM at a face side ``size``: about ``size / 11.6``, odd, >= 3.

    >>> ssim_window(64), ssim_window(128), ssim_window(256)
    (5, 11, 23)
    """
    window = max(3, int(size / 11.6))
    return window if window % 2 else window + 1


def dssim(pred: torch.Tensor, target: torch.Tensor, window: int | None = None) -> torch.Tensor:
    """Structural dissimilarity ``(1 - mean SSIM) / 2`` of ``(B, C, H, W)`` images in [0, 1].

    >>> x = torch.rand(1, 3, 32, 32)
    >>> float(dssim(x, x)) < 1e-4
    True
    """
    window = window or ssim_window(pred.shape[-1])
    return (1 - ssim(pred, target, window).mean()) / 2


def multiscale_dssim(pred: torch.Tensor, target: torch.Tensor, levels: int = 3) -> torch.Tensor:
    """DSSIM averaged over ``levels`` halvings of the image (sharp detail and broad shape)."""
    total = pred.new_zeros(())
    for level in range(levels):
        if level:
            pred = F.avg_pool2d(pred, 2)
            target = F.avg_pool2d(target, 2)
        total = total + dssim(pred, target)
    return total / levels


def reconstruction_terms(
    pred: torch.Tensor,
    pred_mask: torch.Tensor,
    target: torch.Tensor,
    mask: torch.Tensor,
    region: torch.Tensor,
    config: TrainConfig,
) -> dict[str, torch.Tensor]:
    """The weighted loss terms of one identity's reconstruction.

    Args:
        pred: ``(B, 3, S, S)`` decoder RGB.
        pred_mask: ``(B, 1, S, S)`` decoder mask.
        target: ``(B, 3, S, S)`` unwarped target faces.
        mask: ``(B, 1, S, S)`` target face masks in [0, 1].
        region: ``(B, 1, S, S)`` eyes/brows/mouth masks in [0, 1].
        config: the loss weights.

    Returns:
        ``{"dssim", "pixel", "region", "mask"}`` scalar tensors, already weighted.
    """
    pred, pred_mask = pred.float(), pred_mask.float()
    masked_pred, masked_target = pred * mask, target * mask
    size = pred.shape[-1]
    structural = (
        multiscale_dssim(masked_pred, masked_target)
        if size >= 256
        else dssim(masked_pred, masked_target)
    )
    difference = masked_pred - masked_target
    pixel = difference.square().mean() if config.pixel_loss == "mse" else difference.abs().mean()
    regional = ((pred - target).abs() * region).mean()
    return {
        "dssim": config.dssim_weight * structural,
        "pixel": config.pixel_weight * pixel,
        "region": config.region_weight * regional,
        "mask": config.mask_weight * (pred_mask - mask).square().mean(),
    }


def generator_gan_term(fake_logits: torch.Tensor) -> torch.Tensor:
    """Non-saturating generator loss on patch logits."""
    return F.softplus(-fake_logits.float()).mean()


def discriminator_gan_term(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Discriminator loss: real patches towards 1, redrawn patches towards 0."""
    return F.softplus(-real_logits.float()).mean() + F.softplus(fake_logits.float()).mean()
