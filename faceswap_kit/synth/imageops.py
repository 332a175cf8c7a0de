"""Small image operations in float64 numpy with a fixed order of arithmetic.

OpenCV's float filters take different SIMD paths on different CPUs and can differ in the last
bits; these versions use only elementwise IEEE arithmetic in a fixed order, so the generator gives
bit-identical images on any machine. (OpenCV is still used to *draw* shapes on uint8 masks, which
is integer arithmetic.)
"""

from __future__ import annotations

import numpy as np


def _kernel(sigma: float, radius: int | None = None) -> np.ndarray:
    radius = int(np.ceil(3 * sigma)) if radius is None else radius
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    k = np.exp(-0.5 * (x / sigma) ** 2)
    return k / k.sum()


def blur_axis(image: np.ndarray, sigma: float, axis: int, radius: int | None = None) -> np.ndarray:
    """Gaussian blur along one axis (reflected border)."""
    if sigma <= 0:
        return np.array(image, dtype=np.float64)
    kernel = _kernel(sigma, radius)
    r = len(kernel) // 2
    image = np.asarray(image, dtype=np.float64)
    pad = [(0, 0)] * image.ndim
    pad[axis] = (r, r)
    padded = np.pad(image, pad, mode="reflect")
    out = np.zeros_like(image)
    n = image.shape[axis]
    for k, weight in enumerate(kernel):
        out += weight * np.take(padded, np.arange(k, k + n), axis=axis)
    return out


def gaussian_blur(image: np.ndarray, sigma: float, sigma_y: float | None = None) -> np.ndarray:
    """Separable Gaussian blur of ``(H, W)`` or ``(H, W, C)``.

    >>> out = gaussian_blur(np.eye(5), 1.0)
    >>> out.shape, bool(np.isclose(out.sum(), 5.0, atol=0.5))
    ((5, 5), True)
    """
    sigma_y = sigma if sigma_y is None else sigma_y
    return blur_axis(blur_axis(image, sigma, 1), sigma_y, 0)


def _linear_weights(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source indices and weights to resize one axis linearly (pixel centres aligned)."""
    pos = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
    pos = np.clip(pos, 0, n_in - 1)
    lo = np.minimum(np.floor(pos).astype(np.int64), n_in - 1)
    hi = np.minimum(lo + 1, n_in - 1)
    return lo, hi, pos - lo


def resize_linear(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resize of ``(H, W)`` or ``(H, W, C)`` (float64)."""
    image = np.asarray(image, dtype=np.float64)
    lo, hi, t = _linear_weights(image.shape[1], width)
    shape = (1, -1) + (1,) * (image.ndim - 2)
    image = image[:, lo] * (1 - t.reshape(shape)) + image[:, hi] * t.reshape(shape)
    lo, hi, t = _linear_weights(image.shape[0], height)
    shape = (-1,) + (1,) * (image.ndim - 1)
    return image[lo] * (1 - t.reshape(shape)) + image[hi] * t.reshape(shape)


def sample_bilinear(image: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Bilinear lookup of ``(M, 2)`` pixel coordinates (x, y; pixel centres at +0.5) in an
    ``(H, W, C)`` image, clamped at the border: ``(M, C)`` float64."""
    height, width = image.shape[:2]
    x = np.clip(uv[:, 0] - 0.5, 0, width - 1)
    y = np.clip(uv[:, 1] - 0.5, 0, height - 1)
    x0 = np.minimum(np.floor(x).astype(np.int64), width - 2)
    y0 = np.minimum(np.floor(y).astype(np.int64), height - 2)
    tx = (x - x0)[:, None]
    ty = (y - y0)[:, None]
    top = image[y0, x0] * (1 - tx) + image[y0, x0 + 1] * tx
    bottom = image[y0 + 1, x0] * (1 - tx) + image[y0 + 1, x0 + 1] * tx
    return top * (1 - ty) + bottom * ty


def downsample_area(image: np.ndarray, factor: int) -> np.ndarray:
    """Average ``factor x factor`` blocks of an ``(H, W[, C])`` image."""
    if factor == 1:
        return image
    h, w = image.shape[0] // factor, image.shape[1] // factor
    blocks = image[: h * factor, : w * factor].reshape(h, factor, w, factor, *image.shape[2:])
    return blocks.mean(axis=(1, 3))


def draw_mask(draw, height: int, width: int) -> np.ndarray:
    """Run ``draw(canvas)`` on a uint8 canvas (OpenCV drawing, integer maths): float64 in [0, 1]."""
    canvas = np.zeros((height, width), np.uint8)
    draw(canvas)
    return canvas.astype(np.float64) / 255.0
