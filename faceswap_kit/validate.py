"""Cheap checks for the public functions' tensor inputs, with the kit's "expected X, got Y" errors.

Images are ``(B, 3, H, W)`` float RGB in [0, 1], masks ``(B, 1, H, W)`` in [0, 1]. The range check
reads two numbers per tensor (its minimum and maximum), which also catches NaN and infinity; a
small margin lets the overshoot of interpolation through. What it is for: a float image scaled
0..255 (an array cast with ``.float()`` without dividing by 255), a uint8 tensor, a NaN.

>>> import torch
>>> check_image(torch.rand(1, 3, 8, 8), "frame")
>>> check_image(torch.full((1, 3, 8, 8), 255.0), "frame")
Traceback (most recent call last):
...
faceswap_kit.errors.InputError: frame: expected float RGB in [0, 1], got values from 255 to 255; divide by 255 (or make it with faceswap_kit.io.image_to_tensor)
"""

from __future__ import annotations

import torch
from torch import Tensor

from .errors import InputError

#: How far outside [0, 1] an image or mask may stray (interpolation overshoot).
RANGE_MARGIN = 0.1


def _shape(value: object) -> str:
    return str(tuple(value.shape)) if isinstance(value, Tensor) else type(value).__name__


def check_image(image: Tensor, name: str, channels: int = 3) -> None:
    """``image`` is a ``(B, channels, H, W)`` float tensor with finite values in [0, 1].

    Raises:
        InputError: saying which of these it is not, and how to get there.
    """
    kind = "RGB" if channels == 3 else "mask"
    if not isinstance(image, Tensor) or image.ndim != 4 or image.shape[1] != channels:
        raise InputError(f"{name}: expected a (B,{channels},H,W) tensor, got {_shape(image)}")
    if not image.dtype.is_floating_point:
        raise InputError(
            f"{name}: expected a float {kind} tensor in [0, 1], got {image.dtype}; use "
            "image.float() / 255 (or faceswap_kit.io.image_to_tensor for arrays)"
        )
    if image.numel() == 0:
        return
    low, high = (float(v) for v in torch.aminmax(image.detach()))
    if low != low or high != high:  # NaN
        raise InputError(f"{name}: expected finite values in [0, 1], got NaN")
    if low < -RANGE_MARGIN or high > 1 + RANGE_MARGIN:
        fix = (
            "; divide by 255 (or make it with faceswap_kit.io.image_to_tensor)"
            if high > 2
            else "; clamp it to [0, 1]"
        )
        raise InputError(
            f"{name}: expected float {kind} in [0, 1], got values from {low:g} to {high:g}{fix}"
        )


def check_same_device(first: tuple[str, Tensor], *others: tuple[str, Tensor | None]) -> None:
    """Every tensor in ``others`` is on the device of ``first`` (``None`` entries are skipped)."""
    name, tensor = first
    for other_name, other in others:
        if isinstance(other, Tensor) and other.device != tensor.device:
            raise InputError(
                f"{other_name}: expected a tensor on {name}'s device {tensor.device}, got "
                f"{other.device}; move it with .to({name}.device)"
            )


def check_finite(tensor: Tensor, name: str, expected: str) -> None:
    """``tensor`` holds no NaN or infinity (``expected`` says what it should be)."""
    if not bool(torch.isfinite(tensor.detach()).all()):
        raise InputError(f"{name}: expected {expected} with finite values, got NaN or infinity")


def check_invertible(matrix: Tensor, name: str = "matrix") -> None:
    """``(B, 2, 3)`` affine matrices with finite values and an invertible linear part (one
    device sync: the determinants are checked together)."""
    linear = matrix.detach()[..., :2]
    determinant = linear[:, 0, 0] * linear[:, 1, 1] - linear[:, 0, 1] * linear[:, 1, 0]
    scale = linear.abs().amax(dim=(-2, -1))
    usable = torch.isfinite(matrix.detach()).all(dim=(-2, -1)) & (
        determinant.abs() > 1e-9 * scale * scale
    )  # NaN compares False: caught too
    if bool(usable.all()):
        return
    index = int((~usable).nonzero()[0, 0])
    if not bool(torch.isfinite(matrix[index]).all()):
        raise InputError(
            f"{name}: expected (B,2,3) affine matrices with finite values, got NaN or infinity at "
            f"batch index {index}"
        )
    raise InputError(
        f"{name}: expected invertible (B,2,3) matrices (source -> crop, as face_matrix makes "
        f"them), got a singular one at batch index {index} (determinant "
        f"{float(determinant[index]):g})"
    )
