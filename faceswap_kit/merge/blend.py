"""Blending a warped face into a frame: feathered alpha and seamless (Poisson) clone.

Seamless cloning solves a Poisson equation: inside the mask the result keeps the *gradients* of
the new face, at the border it takes the *values* of the frame, so the face's skin tone slides
into the frame's without a visible seam. The solve is exact and direct: a discrete sine transform
(DST-I, built on the FFT) diagonalises the Laplacian with fixed borders on a rectangle.

>>> import torch
>>> frame, face = torch.zeros(1, 3, 8, 8), torch.ones(1, 3, 8, 8)
>>> alpha = torch.full((1, 1, 8, 8), 0.25)
>>> float(feather_blend(frame, face, alpha).mean())
0.25
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor


def feather_blend(frame: Tensor, face: Tensor, alpha: Tensor) -> Tensor:
    """``frame * (1 - alpha) + face * alpha``.

    Args:
        frame, face: (B,3,H,W). alpha: (B,1,H,W) in [0,1].

    Returns:
        (B,3,H,W).
    """
    return torch.lerp(frame, face, alpha)


def dst1(x: Tensor) -> Tensor:
    """DST-I along the last dimension: ``X_k = sum_n x_n sin(pi (n+1)(k+1) / (N+1))``.

    Its own inverse up to the factor ``2 / (N + 1)``.

    >>> import torch, math
    >>> x = torch.tensor([1.0, 2.0, 3.0])
    >>> y = dst1(dst1(x)) * 2 / 4
    >>> torch.allclose(x, y, atol=1e-5)
    True
    """
    n = x.shape[-1]
    zeros = x.new_zeros(x.shape[:-1] + (1,))
    extended = torch.cat([zeros, x, zeros, -x.flip(-1)], dim=-1)  # odd extension, length 2N+2
    return -torch.fft.rfft(extended, dim=-1).imag[..., 1 : n + 1] / 2


def _laplacian_eigenvalues(h: int, w: int, dtype: torch.dtype, device: torch.device) -> Tensor:
    ky = torch.arange(1, h + 1, dtype=dtype, device=device)
    kx = torch.arange(1, w + 1, dtype=dtype, device=device)
    ey = 2 * torch.cos(math.pi * ky / (h + 1)) - 2
    ex = 2 * torch.cos(math.pi * kx / (w + 1)) - 2
    return ey[:, None] + ex[None, :]


def solve_poisson_dirichlet(rhs: Tensor) -> Tensor:
    """Solve ``laplacian(u) = rhs`` on (...,H,W) with ``u = 0`` just outside the rectangle.

    Uses the 5-point Laplacian; exact up to float rounding.
    """
    h, w = rhs.shape[-2:]
    eig = _laplacian_eigenvalues(h, w, rhs.dtype, rhs.device)
    spectrum = dst1(dst1(rhs).transpose(-1, -2)).transpose(-1, -2)
    u = spectrum / eig
    u = dst1(dst1(u).transpose(-1, -2)).transpose(-1, -2)
    return u * (4.0 / ((h + 1) * (w + 1)))


def _laplacian(x: Tensor) -> Tensor:
    """5-point Laplacian of (B,C,H,W) on the interior; output (B,C,H-2,W-2)."""
    return (
        x[..., :-2, 1:-1]
        + x[..., 2:, 1:-1]
        + x[..., 1:-1, :-2]
        + x[..., 1:-1, 2:]
        - 4 * x[..., 1:-1, 1:-1]
    )


def _divergence_of_mixed_gradients(face: Tensor, frame: Tensor, weight: Tensor) -> Tensor:
    """div of the guidance field ``w * grad(face) + (1 - w) * grad(frame)`` on the interior."""

    def grads(x: Tensor) -> tuple[Tensor, Tensor]:
        return x[..., :, 1:] - x[..., :, :-1], x[..., 1:, :] - x[..., :-1, :]

    fx, fy = grads(face)
    gx, gy = grads(frame)
    # weight of an edge = the smaller of its two pixels': a face gradient is only trusted where
    # both ends are face (outside the mask the warped face is empty, not face)
    wx = torch.minimum(weight[..., :, 1:], weight[..., :, :-1])
    wy = torch.minimum(weight[..., 1:, :], weight[..., :-1, :])
    vx = torch.lerp(gx, fx, wx)  # (B,C,H,W-1)
    vy = torch.lerp(gy, fy, wy)  # (B,C,H-1,W)
    return (vx[..., 1:-1, 1:] - vx[..., 1:-1, :-1]) + (vy[..., 1:, 1:-1] - vy[..., :-1, 1:-1])


def seamless_clone(frame: Tensor, face: Tensor, mask: Tensor) -> Tensor:
    """Poisson-blend ``face`` into ``frame`` where ``mask`` is on.

    The guidance field is the face's gradient inside the mask and the frame's outside (mixed by
    the soft mask); the rectangle's border keeps the frame's values. Pass a crop around the face
    (not the whole frame) for speed.

    Args:
        frame, face: (B,3,H,W) aligned with each other. mask: (B,1,H,W) in [0,1].

    Returns:
        (B,3,H,W) the solution, equal to ``frame`` on the rectangle's border.
    """
    if frame.shape[-1] < 3 or frame.shape[-2] < 3:
        return torch.lerp(frame, face, mask)
    # solve for the correction u = result - frame, zero on the border
    rhs = _divergence_of_mixed_gradients(face, frame, mask) - _laplacian(frame)
    u = solve_poisson_dirichlet(rhs)
    return frame + F.pad(u, (1, 1, 1, 1))
