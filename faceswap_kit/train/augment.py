"""Batched augmentation on the training device: random warp, similarity jitter, flips and colour
matching between the two face sets.

The random numbers are drawn on CPU from an explicit ``torch.Generator`` (a few hundred numbers
per batch) and moved to the images' device, so a run is reproducible and resumable on any device.
The pixel work is one ``grid_sample`` for the inputs and one for the targets, on the device.

Why the random warp: an autoencoder shown the same face at input and output can learn to copy
pixels. Warping the input (a smooth random deformation of a coarse grid) while asking for the
*unwarped* face forces it to learn what a face of that person looks like, and that is what lets
decoder B redraw a face encoded from A.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def random_similarity(
    batch: int,
    generator: torch.Generator,
    rotation: float = 10.0,
    scale: float = 0.05,
    shift: float = 0.05,
    flip: bool = True,
) -> torch.Tensor:
    """Random similarity transforms as ``affine_grid`` matrices (output -> input, normalised).

    Args:
        batch: number of transforms.
        generator: CPU generator.
        rotation: maximum rotation in degrees (uniform in ``[-rotation, rotation]``).
        scale: maximum relative zoom (uniform in ``[1 - scale, 1 + scale]``).
        shift: maximum shift as a fraction of the side.
        flip: mirror half of the faces horizontally.

    Returns:
        ``(B, 2, 3)`` float32 on CPU.

    >>> theta = random_similarity(4, torch.Generator().manual_seed(0), rotation=0, scale=0, shift=0, flip=False)
    >>> torch.allclose(theta, torch.eye(2, 3).expand(4, 2, 3))
    True
    """
    u = torch.rand(batch, 5, generator=generator) * 2 - 1  # (B, 5) in [-1, 1]
    angle = u[:, 0] * math.radians(rotation)
    zoom = 1 + u[:, 1] * scale
    mirror = torch.where(u[:, 4] > 0, -1.0, 1.0) if flip else torch.ones(batch)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.zeros(batch, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = cos * mirror, -sin
    theta[:, 1, 0], theta[:, 1, 1] = sin * mirror, cos
    theta[:, :, 2] = u[:, 2:4] * 2 * shift
    return theta


def random_warp_offsets(
    batch: int, size: int, generator: torch.Generator, strength: float = 0.05, cells: int = 5
) -> torch.Tensor:
    """Smooth random displacement fields: the classic random warp, batched.

    A ``cells x cells`` grid of control points (borders fixed) is jittered with Gaussian noise of
    ``strength`` (in normalised units, 2 = the full side) and interpolated bilinearly to every
    pixel (as the classic trainers resize their warp maps).

    Returns:
        ``(B, size, size, 2)`` float32 offsets on CPU, to add to a sampling grid.

    >>> offsets = random_warp_offsets(2, 32, torch.Generator().manual_seed(0))
    >>> tuple(offsets.shape), float(offsets[:, 0].abs().max()) < 1e-6
    ((2, 32, 32, 2), True)
    """
    control = torch.randn(batch, 2, cells, cells, generator=generator) * strength
    control[:, :, 0, :] = 0
    control[:, :, -1, :] = 0
    control[:, :, :, 0] = 0
    control[:, :, :, -1] = 0
    dense = F.interpolate(control, size=(size, size), mode="bilinear", align_corners=True)
    return dense.permute(0, 2, 3, 1).contiguous()  # (B, S, S, 2)


def masked_mean_std(
    images: torch.Tensor, masks: torch.Tensor, eps: float = 1e-5
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean and std of ``(B, C, H, W)`` inside ``(B, 1, H, W)`` masks -> ``(B, C, 1, 1)``."""
    weight = masks.sum(dim=(2, 3), keepdim=True).clamp_min(1.0)
    mean = (images * masks).sum(dim=(2, 3), keepdim=True) / weight
    var = (((images - mean) ** 2) * masks).sum(dim=(2, 3), keepdim=True) / weight
    return mean, (var + eps).sqrt()


# BT.601 RGB -> YCbCr without the chroma offset (offsets cancel in a mean/std transfer).
_YCBCR = torch.tensor(
    [[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]]
)


def match_color(
    images: torch.Tensor,
    masks: torch.Tensor,
    reference: torch.Tensor,
    reference_masks: torch.Tensor,
    stats_size: int = 32,
) -> torch.Tensor:
    """Reinhard colour transfer (mean/std per channel inside the face masks) in YCbCr, batched.

    The statistics are taken on ``stats_size`` px copies (they do not need every pixel), and the
    transfer — linear in YCbCr — is folded into one 3x3 matrix and offset per image in RGB, so
    recolouring a batch costs one batched matrix product.

    Args:
        images: ``(B, 3, H, W)`` RGB in [0, 1] to recolour.
        masks: ``(B, 1, H, W)`` face masks of ``images`` in [0, 1].
        reference: ``(B, 3, H', W')`` RGB faces whose colours to take.
        reference_masks: ``(B, 1, H', W')``.
        stats_size: side of the copies the statistics are measured on.

    Returns:
        ``(B, 3, H, W)`` recoloured RGB in [0, 1].

    >>> x = torch.rand(1, 3, 16, 16); m = torch.ones(1, 1, 16, 16)
    >>> torch.allclose(match_color(x, m, x, m), x, atol=1e-4)
    True
    """
    forward = _YCBCR.to(device=images.device, dtype=images.dtype)

    def stats(x: torch.Tensor, m: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if x.shape[-1] > stats_size:
            x = F.adaptive_avg_pool2d(x, stats_size)
            m = F.adaptive_avg_pool2d(m, stats_size)
        ycc = torch.einsum("ij,bjhw->bihw", forward, x)
        mean, std = masked_mean_std(ycc, m)
        return mean.flatten(1), std.flatten(1)  # (B, 3) each

    mean, std = stats(images, masks)
    ref_mean, ref_std = stats(reference, reference_masks)
    gain = ref_std / std  # (B, 3)
    inverse = torch.linalg.inv(forward)
    matrix = inverse @ (gain[:, :, None] * forward)  # (B, 3, 3) in RGB
    offset = torch.einsum("ij,bj->bi", inverse, ref_mean - gain * mean)  # (B, 3)
    batch, _, height, width = images.shape
    out = torch.bmm(matrix, images.reshape(batch, 3, -1)) + offset[:, :, None]
    return out.view(batch, 3, height, width).clamp(0, 1)


def warp_batch(
    images: torch.Tensor,
    extras: torch.Tensor,
    generator: torch.Generator,
    rotation: float = 10.0,
    scale: float = 0.05,
    shift: float = 0.05,
    flip: bool = True,
    warp: float = 0.05,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Apply one random similarity to each face, plus a random warp to the network's input.

    Args:
        images: ``(B, 3, S, S)`` float faces.
        extras: ``(B, K, S, S)`` float maps that follow the target geometry (masks, regions).
        generator: CPU generator for the random numbers.
        rotation, scale, shift, flip: similarity jitter (same for input and target).
        warp: random-warp strength for the input (0 disables it).

    Returns:
        ``(warped input (B, 3, S, S), target (B, 3, S, S), target extras (B, K, S, S))``.
    """
    batch, _, size, _ = images.shape
    theta = random_similarity(batch, generator, rotation, scale, shift, flip)
    theta = theta.to(device=images.device, dtype=images.dtype)
    grid = F.affine_grid(theta, [batch, 1, size, size], align_corners=False)  # (B, S, S, 2)
    target = F.grid_sample(
        torch.cat([images, extras], dim=1), grid, mode="bilinear", padding_mode="border",
        align_corners=False,
    )  # fmt: skip
    if warp > 0:
        offsets = random_warp_offsets(batch, size, generator, strength=warp)
        grid = grid + offsets.to(device=images.device, dtype=images.dtype)
    warped = F.grid_sample(
        images, grid, mode="bilinear", padding_mode="border", align_corners=False
    )
    return warped, target[:, :3], target[:, 3:]
