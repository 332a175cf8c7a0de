"""Cues that give a face swap away, as plain functions on tensors (notebook 05, "spot the fake").

A swap pastes one face into another frame, so it tends to leave:

- a **seam**: unnatural gradients along the edge of the pasted region (:func:`seam_strength`);
- a **sharpness mismatch**: the generated face is smoother (or sharper) than the rest of the frame
  (:func:`sharpness_mismatch`);
- **spectral** traces of up-sampling in the decoder (:func:`radial_spectrum`);
- **flicker**: the face changes more from frame to frame than its surroundings
  (:func:`temporal_flicker`).

None of these is a reliable detector on its own — a careful merge hides each of them, and real
video has seams and blur of its own. They are here to teach where to look. Scores are compared
with :func:`roc_auc`. Images are ``(B,3,H,W)`` float RGB in [0, 1], masks ``(B,1,H,W)`` in [0, 1].
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .errors import InputError

__all__ = [
    "CUES",
    "cue_scores",
    "radial_spectrum",
    "roc_auc",
    "seam_strength",
    "sharpness_mismatch",
    "temporal_flicker",
]

CUES = ("seam", "sharpness", "flicker")


def _check(image: Tensor, mask: Tensor) -> None:
    if image.ndim != 4 or image.shape[1] != 3:
        raise InputError(f"image must be (B,3,H,W), got {tuple(image.shape)}")
    if mask.ndim != 4 or mask.shape[1] != 1 or mask.shape[-2:] != image.shape[-2:]:
        raise InputError(
            f"mask must be (B,1,H,W) matching the image {tuple(image.shape)}, got {tuple(mask.shape)}"
        )
    if mask.shape[0] != image.shape[0]:
        raise InputError(f"mask batch {mask.shape[0]} differs from image batch {image.shape[0]}")


def _dilate(mask: Tensor, radius: int) -> Tensor:
    return F.max_pool2d(mask, 2 * radius + 1, stride=1, padding=radius) if radius > 0 else mask


def _erode(mask: Tensor, radius: int) -> Tensor:
    return 1.0 - _dilate(1.0 - mask, radius)


def _gray(image: Tensor) -> Tensor:
    weights = image.new_tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
    return (image * weights).sum(1, keepdim=True)


def _masked_mean(values: Tensor, weight: Tensor) -> Tensor:
    return (values * weight).flatten(1).sum(1) / weight.flatten(1).sum(1).clamp_min(1e-6)


def _gradient_magnitude(gray: Tensor) -> Tensor:
    padded = F.pad(gray, (1, 1, 1, 1), mode="replicate")
    dx = padded[..., 1:-1, 2:] - padded[..., 1:-1, :-2]
    dy = padded[..., 2:, 1:-1] - padded[..., :-2, 1:-1]
    return torch.sqrt(dx * dx + dy * dy + 1e-12)


def seam_strength(image: Tensor, mask: Tensor, width: int = 2) -> Tensor:
    """How much stronger the gradients are along the mask's edge than just inside and outside it.

    Args:
        image: ``(B,3,H,W)`` frames. mask: ``(B,1,H,W)`` the face region (binary or soft).
        width: half-width of the edge band in pixels.

    Returns:
        ``(B,)`` ratio; about 1 for a seamless frame, larger where a face was pasted with a seam.

    >>> image = torch.zeros(1, 3, 32, 32); image[..., 8:24, 8:24] = 0.6
    >>> mask = torch.zeros(1, 1, 32, 32); mask[..., 8:24, 8:24] = 1
    >>> bool(seam_strength(image, mask) > 3)
    True
    """
    _check(image, mask)
    hard = (mask > 0.5).to(image.dtype)
    band = _dilate(hard, width) - _erode(hard, width)
    near = _dilate(hard, 4 * width) - _erode(hard, 4 * width) - band
    magnitude = _gradient_magnitude(_gray(image))
    return _masked_mean(magnitude, band) / _masked_mean(magnitude, near).clamp_min(1e-4)


def sharpness_mismatch(image: Tensor, mask: Tensor, ring: int = 8) -> Tensor:
    """Log ratio of detail (Laplacian energy) inside the face to a ring around it.

    Returns:
        ``(B,)``; near 0 when face and surroundings are equally sharp, negative when the face is
        smoother than its surroundings (typical of a low-resolution swap), positive when sharper.
    """
    _check(image, mask)
    hard = (mask > 0.5).to(image.dtype)
    inside = _erode(hard, 2)
    outside = _dilate(hard, ring) - _dilate(hard, 2)
    kernel = image.new_tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]).view(1, 1, 3, 3)
    laplacian = F.conv2d(F.pad(_gray(image), (1, 1, 1, 1), mode="replicate"), kernel)
    energy = laplacian * laplacian
    return torch.log(
        _masked_mean(energy, inside).clamp_min(1e-10)
        / _masked_mean(energy, outside).clamp_min(1e-10)
    )


def temporal_flicker(frames: Tensor, masks: Tensor, ring: int = 8) -> Tensor:
    """Frame-to-frame change inside the face relative to the ring around it.

    Args:
        frames: ``(T,3,H,W)`` consecutive frames of one clip. masks: ``(T,1,H,W)``.

    Returns:
        ``(T-1,)`` ratios; a pasted face that flickers scores above the real face's level.
    """
    _check(frames, masks)
    if frames.shape[0] < 2:
        raise InputError(f"temporal_flicker needs at least 2 frames, got {frames.shape[0]}")
    hard = (masks > 0.5).to(frames.dtype)
    hard = torch.maximum(hard[1:], hard[:-1])
    inside = _erode(hard, 2)
    outside = _dilate(hard, ring) - _dilate(hard, 2)
    change = (frames[1:] - frames[:-1]).abs().mean(1, keepdim=True)
    return _masked_mean(change, inside) / _masked_mean(change, outside).clamp_min(1e-4)


def radial_spectrum(image: Tensor, bins: int = 64) -> Tensor:
    """Azimuthally averaged log power spectrum of each image's luminance.

    Returns:
        ``(B, bins)`` from the lowest to the highest spatial frequency. Decoders that up-sample
        leave bumps or a fall-off at high frequencies that real camera images do not have.
    """
    if image.ndim != 4 or image.shape[1] != 3:
        raise InputError(f"image must be (B,3,H,W), got {tuple(image.shape)}")
    gray = _gray(image)[:, 0]
    gray = gray - gray.mean(dim=(-2, -1), keepdim=True)
    power = torch.fft.fftshift(torch.fft.fft2(gray).abs() ** 2, dim=(-2, -1))
    height, width = gray.shape[-2:]
    ys = torch.arange(height, device=image.device, dtype=image.dtype) - height // 2
    xs = torch.arange(width, device=image.device, dtype=image.dtype) - width // 2
    radius = torch.sqrt(ys[:, None] ** 2 + xs[None, :] ** 2) / (min(height, width) / 2)
    index = (radius.clamp(max=1 - 1e-6) * bins).long().flatten()
    sums = torch.zeros(gray.shape[0], bins, device=image.device, dtype=image.dtype)
    sums.index_add_(1, index, power.flatten(1))
    counts = torch.bincount(index, minlength=bins).to(image.dtype).clamp_min(1)
    return torch.log10(sums / counts + 1e-12)


def cue_scores(frames: Tensor, masks: Tensor) -> dict[str, Tensor]:
    """Every cue for a clip: ``{"seam": (T,), "sharpness": (T,), "flicker": (T,)}``.

    ``flicker`` is padded at the first frame with the clip's median so every cue has one value per
    frame. A cue may point either way (a swap can be smoother *or* sharper than its frame): judge it
    by how far :func:`roc_auc` is from 0.5, and report the AUC as it is, since which side it falls
    on (below 0.5: the fakes score lower) is part of what the cue says.
    """
    seam = seam_strength(frames, masks)
    sharpness = sharpness_mismatch(frames, masks)
    if frames.shape[0] > 1:
        flicker = temporal_flicker(frames, masks)
        flicker = torch.cat([flicker.median().reshape(1), flicker])
    else:
        flicker = torch.zeros_like(seam)
    return {"seam": seam, "sharpness": sharpness, "flicker": flicker}


def roc_auc(real_scores: Tensor, fake_scores: Tensor) -> float:
    """Area under the ROC curve of "higher score means fake" (Mann-Whitney U, ties count half).

    >>> roc_auc(torch.tensor([0.1, 0.2]), torch.tensor([0.3, 0.4]))
    1.0
    >>> roc_auc(torch.tensor([0.5, 0.5]), torch.tensor([0.5, 0.5]))
    0.5
    """
    real = torch.as_tensor(real_scores, dtype=torch.float64).flatten()
    fake = torch.as_tensor(fake_scores, dtype=torch.float64).flatten()
    if real.numel() == 0 or fake.numel() == 0:
        raise InputError("roc_auc needs at least one real and one fake score")
    greater = (fake[:, None] > real[None, :]).double().sum()
    ties = (fake[:, None] == real[None, :]).double().sum()
    return float((greater + 0.5 * ties) / (real.numel() * fake.numel()))
