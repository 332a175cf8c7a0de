"""Colour transfer: give a predicted face the colours of the face it replaces.

Every mode maps ``source`` so that its colour statistics match ``target``'s, measured only where
``mask`` is on (the face, not the background). All modes are batched torch code that follows the
input's device and dtype.

- ``rct``: Reinhard colour transfer. Per-channel mean and standard deviation matched in CIE Lab,
  where the channels are roughly decorrelated. Cheap, robust, the classic default.
- ``lct``: linear colour transfer. Matches the full 3x3 RGB covariance (not only per-channel
  spread) with the map ``C_t^1/2 C_s^-1/2`` built from symmetric matrix square roots.
- ``mkl``: Monge-Kantorovich linear transfer. The linear map that matches the covariances *and*
  moves colours the least (optimal transport between two Gaussians).
- ``idt``: iterative distribution transfer (Pitie et al.). Rotates the colour cloud, matches the
  full 1-D distribution along each rotated axis (quantile matching), repeats. Matches the whole
  colour histogram, not only two moments.
- ``sot``: sliced optimal transport. Like ``idt`` but averages the 1-D displacements over several
  random directions per step and moves part of the way, which converges smoothly.
- ``none``: returns ``source`` unchanged.

>>> import torch
>>> source, target = torch.rand(2, 3, 16, 16), torch.rand(2, 3, 16, 16) * 0.5
>>> transfer_color(source, target, "rct").shape
torch.Size([2, 3, 16, 16])
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..errors import InputError
from ..validate import check_image, check_same_device
from .config import COLOR_MODES

_EPS = 1e-6


def _check(source: Tensor, target: Tensor, mask: Tensor | None, name: str) -> None:
    if not isinstance(source, Tensor) or not isinstance(target, Tensor):
        raise InputError(
            f"transfer_color expects torch tensors, got {type(source).__name__} and "
            f"{type(target).__name__}; convert with faceswap_kit.io.convert.image_to_tensor"
        )
    for t, what in ((source, "source"), (target, "target")):
        if t.ndim != 4 or t.shape[1] != 3:
            raise InputError(f"{what} must be (B,3,H,W) RGB, got shape {tuple(t.shape)}")
    if source.shape[0] != target.shape[0]:
        raise InputError(
            f"source and target batch sizes differ: {source.shape[0]} vs {target.shape[0]}"
        )
    if mask is not None and (
        mask.ndim != 4 or mask.shape[1] != 1 or mask.shape[0] != source.shape[0]
    ):
        raise InputError(f"{name} must be (B,1,H,W), got shape {tuple(mask.shape)}")
    check_same_device(("source", source), ("target", target), (name, mask))
    check_image(source, "source")
    check_image(target, "target")


def _flat(image: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor]:
    """(B,C,H,W) -> pixels (B,C,N) and normalised weights (B,N) (uniform when no mask)."""
    b, c = image.shape[:2]
    pixels = image.reshape(b, c, -1)
    if mask is None:
        weights = image.new_full((b, pixels.shape[2]), 1.0 / pixels.shape[2])
    else:
        if mask.shape[-2:] != image.shape[-2:]:
            raise InputError(
                f"mask size {tuple(mask.shape[-2:])} differs from image size "
                f"{tuple(image.shape[-2:])}"
            )
        w = mask.to(image.dtype).reshape(b, -1).clamp(min=0)
        weights = w / w.sum(1, keepdim=True).clamp(min=_EPS)
    return pixels, weights


def _moments(pixels: Tensor, weights: Tensor) -> tuple[Tensor, Tensor]:
    """Weighted mean (B,C) and covariance (B,C,C) of pixels (B,C,N).

    The covariance is regularised by 1 % of its mean variance on the diagonal: a flat or grey
    face (nearly singular covariance) would otherwise have its noise amplified a hundredfold by
    the inverse square roots of lct and mkl.
    """
    mean = (pixels * weights[:, None]).sum(2)
    centred = pixels - mean[..., None]
    cov = (centred * weights[:, None]) @ centred.transpose(1, 2)
    ridge = 0.01 * torch.diagonal(cov, dim1=-2, dim2=-1).mean(-1) + _EPS
    eye = torch.eye(cov.shape[-1], dtype=cov.dtype, device=cov.device)
    return mean, cov + ridge[:, None, None] * eye


def _sym_power(cov: Tensor, power: float) -> Tensor:
    """Symmetric matrix power of (B,C,C) positive semi-definite matrices."""
    eye = torch.eye(cov.shape[-1], dtype=cov.dtype, device=cov.device)
    values, vectors = torch.linalg.eigh(cov + _EPS * eye)
    values = values.clamp(min=_EPS) ** power
    return vectors @ torch.diag_embed(values) @ vectors.transpose(-1, -2)


def _apply_linear(source: Tensor, matrix: Tensor, mean_s: Tensor, mean_t: Tensor) -> Tensor:
    b, c, h, w = source.shape
    pixels = source.reshape(b, c, -1)
    out = matrix @ (pixels - mean_s[..., None]) + mean_t[..., None]
    return out.reshape(b, c, h, w)


def rct(
    source: Tensor, target: Tensor, mask: Tensor | None = None, target_mask: Tensor | None = None
) -> Tensor:
    """Reinhard colour transfer in CIE Lab (per-channel mean and std). Shapes as transfer_color."""
    from kornia.color import lab_to_rgb, rgb_to_lab

    src_lab = rgb_to_lab(source.clamp(0, 1))
    tgt_lab = rgb_to_lab(target.clamp(0, 1))
    if mask is not None and mask.shape[-2:] != src_lab.shape[-2:]:
        _flat(src_lab, mask)  # raises the size error
    # statistics on about 112 px per side are as good as on every pixel, and 4-16x cheaper
    step = max(1, min(src_lab.shape[-2:]) // 112)
    ps, ws = _flat(
        src_lab[..., ::step, ::step], None if mask is None else mask[..., ::step, ::step]
    )
    pt, wt = _flat(tgt_lab, target_mask)
    mean_s = (ps * ws[:, None]).sum(2)
    mean_t = (pt * wt[:, None]).sum(2)
    std_s = (((ps - mean_s[..., None]) ** 2 * ws[:, None]).sum(2) + _EPS).sqrt()
    std_t = (((pt - mean_t[..., None]) ** 2 * wt[:, None]).sum(2) + _EPS).sqrt()
    scale = (std_t / std_s)[..., None, None]
    out = (src_lab - mean_s[..., None, None]) * scale + mean_t[..., None, None]
    return lab_to_rgb(out, clip=True)


def lct(
    source: Tensor, target: Tensor, mask: Tensor | None = None, target_mask: Tensor | None = None
) -> Tensor:
    """Linear colour transfer matching the RGB covariance: ``A = C_t^1/2 C_s^-1/2``."""
    mean_s, cov_s = _moments(*_flat(source, mask))
    mean_t, cov_t = _moments(*_flat(target, target_mask))
    matrix = _sym_power(cov_t, 0.5) @ _sym_power(cov_s, -0.5)
    return _apply_linear(source, matrix, mean_s, mean_t).clamp(0, 1)


def mkl(
    source: Tensor, target: Tensor, mask: Tensor | None = None, target_mask: Tensor | None = None
) -> Tensor:
    """Monge-Kantorovich linear transfer: ``A = C_s^-1/2 (C_s^1/2 C_t C_s^1/2)^1/2 C_s^-1/2``."""
    mean_s, cov_s = _moments(*_flat(source, mask))
    mean_t, cov_t = _moments(*_flat(target, target_mask))
    root_s = _sym_power(cov_s, 0.5)
    inv_root_s = _sym_power(cov_s, -0.5)
    middle = _sym_power(root_s @ cov_t @ root_s, 0.5)
    matrix = inv_root_s @ middle @ inv_root_s
    return _apply_linear(source, matrix, mean_s, mean_t).clamp(0, 1)


def fit_quantile_map(
    source: Tensor, target: Tensor, source_weights: Tensor, target_weights: Tensor, bins: int = 256
) -> tuple[Tensor, ...]:
    """Fit row-wise 1-D maps that move ``source``'s distribution onto ``target``'s.

    Args:
        source: (R, N) sample of the values to remap. target: (R, M) values to imitate.
        source_weights, target_weights: (R, N), (R, M) non-negative weights (e.g. a mask).
        bins: histogram bins over each row's weighted range.

    Returns:
        ``(lo, width, edges)`` for :func:`apply_quantile_map`: the source bins' origin and width
        (R,1) and the target value at each source bin edge (R, bins+1).
    """
    lo_s, width_s = _range(source, source_weights, bins)
    lo_t, width_t = _range(target, target_weights, bins)
    idx_s = ((source - lo_s) / width_s).long().clamp(0, bins - 1)
    idx_t = ((target - lo_t) / width_t).long().clamp(0, bins - 1)
    rows = source.shape[0]
    zeros = source.new_zeros(rows, bins)
    hist_s = zeros.scatter_add(1, idx_s, source_weights)
    hist_t = zeros.scatter_add(1, idx_t, target_weights)
    hist_s = hist_s / hist_s.sum(1, keepdim=True).clamp(min=1e-12)
    hist_t = hist_t / hist_t.sum(1, keepdim=True).clamp(min=1e-12)
    cdf_s = torch.cat([zeros[:, :1], hist_s.cumsum(1)], 1)  # (R, bins+1) at bin edges
    cdf_t = torch.cat([zeros[:, :1], hist_t.cumsum(1)], 1)
    # target value at the quantile of every source bin edge (inverse target CDF, linear in bins)
    j = torch.searchsorted(cdf_t, cdf_s.contiguous()).clamp(1, bins)
    c0, c1 = cdf_t.gather(1, j - 1), cdf_t.gather(1, j)
    position = (j - 1).to(source.dtype) + ((cdf_s - c0) / (c1 - c0).clamp(min=1e-12)).clamp(0, 1)
    return lo_s, width_s, lo_t + position * width_t  # (R,1), (R,1), (R, bins+1)


def _range(values: Tensor, weights: Tensor, bins: int) -> tuple[Tensor, Tensor]:
    """Lowest value and bin width per row, over the values that carry weight."""
    on = weights > 0
    lo = torch.where(on, values, torch.inf).amin(1, keepdim=True)
    hi = torch.where(on, values, -torch.inf).amax(1, keepdim=True)
    empty = ~torch.isfinite(lo)
    lo = torch.where(empty, values.amin(1, keepdim=True), lo)
    hi = torch.where(empty, values.amax(1, keepdim=True), hi)
    return lo, (hi - lo).clamp(min=1e-8) / bins


def apply_quantile_map(values: Tensor, fitted: tuple[Tensor, ...]) -> Tensor:
    """Remap (R, N) values with a map from :func:`fit_quantile_map`: a lookup and a lerp."""
    lo, width, edges = fitted
    bins = edges.shape[1] - 1
    position = ((values - lo) / width).clamp(0, bins)
    index = position.long().clamp(max=bins - 1)
    return torch.lerp(edges.gather(1, index), edges.gather(1, index + 1), position - index)


def match_quantiles(
    source: Tensor,
    target: Tensor,
    source_weights: Tensor | None = None,
    target_weights: Tensor | None = None,
    bins: int = 256,
) -> Tensor:
    """1-D weighted distribution matching, row by row: (R,N) source, (R,M) target -> (R,N).

    Each source value moves to the target value of the same weighted quantile.

    >>> import torch
    >>> s, t = torch.rand(1, 4000), torch.rand(1, 4000) * 2 + 1
    >>> out = match_quantiles(s, t)
    >>> bool(abs(out.mean() - t.mean()) < 0.05 and abs(out.std() - t.std()) < 0.05)
    True
    """
    sw = torch.ones_like(source) if source_weights is None else source_weights
    tw = torch.ones_like(target) if target_weights is None else target_weights
    return apply_quantile_map(source, fit_quantile_map(source, target, sw, tw, bins))


def _subsample(pixels: Tensor, weights: Tensor, limit: int) -> tuple[Tensor, Tensor]:
    """Every k-th pixel so that at most ~``limit`` remain: statistics from a sample."""
    step = max(1, pixels.shape[2] // limit)
    return pixels[:, :, ::step], weights[:, ::step]


def _rotations(count: int, dtype: torch.dtype, device: torch.device) -> Tensor:
    """``count`` fixed, well-spread 3x3 rotations (deterministic: no hidden randomness)."""
    generator = torch.Generator().manual_seed(20261125)
    q, r = torch.linalg.qr(torch.randn(count, 3, 3, generator=generator, dtype=torch.float64))
    q = q * torch.sign(torch.diagonal(r, dim1=-2, dim2=-1))[:, None, :]
    q[0] = torch.eye(3, dtype=torch.float64)  # first pass on the RGB axes themselves
    return q.to(dtype=dtype, device=device)


def _sliced_transfer(
    source: Tensor,
    target: Tensor,
    mask: Tensor | None,
    target_mask: Tensor | None,
    directions: Tensor,
    gain: float,
    sample: int,
) -> Tensor:
    """Shared loop of idt and sot. directions: (steps, K, 3) unit vectors.

    Per direction the 1-D maps are fitted on a pixel sample; every pixel then moves by the map's
    displacement, looked up in bin units straight from one fused projection (few full-size ops).
    """
    b, c, h, w = source.shape
    k = directions.shape[1]
    x, ws = _flat(source, mask)
    pt, wt = _flat(target, target_mask)
    xs, ws = _subsample(x, ws, sample)  # statistics of the moving source come from a sample
    pt, wt = _subsample(pt, wt, sample)
    x, xs = x.clone(), xs.clone()  # updated in place below: own memory, never the caller's
    ws, wt = ws.repeat_interleave(k, 0), wt.repeat_interleave(k, 0)
    for d in directions:  # d: (K, 3)
        proj_s = (d @ xs).reshape(b * k, -1)  # (B*K, n)
        lo, width, edges = fit_quantile_map(proj_s, (d @ pt).reshape(b * k, -1), ws, wt)
        bins = edges.shape[1] - 1
        grid = lo + width * torch.arange(bins + 1, dtype=x.dtype, device=x.device)
        shift = edges - grid  # displacement at each bin edge: (B*K, bins+1)
        scaled = d[None] / width.view(b, k, 1)  # projection straight into bin units
        offset = (-lo / width).view(b, k, 1)
        back = (gain * d.T)[None].expand(b, c, k)
        for pixels in (x, xs):
            position = torch.baddbmm(offset, scaled, pixels).view(b * k, -1).clamp_(0, bins)
            index = position.long().clamp_(max=bins - 1)
            step = torch.lerp(shift.gather(1, index), shift.gather(1, index + 1), position - index)
            pixels.baddbmm_(back, step.view(b, k, -1))
    return x.reshape(b, c, h, w).clamp(0, 1)


def idt(
    source: Tensor,
    target: Tensor,
    mask: Tensor | None = None,
    target_mask: Tensor | None = None,
    iterations: int = 10,
    sample: int = 16384,
) -> Tensor:
    """Iterative distribution transfer: rotate, match each 1-D marginal, repeat ``iterations``x.

    Histograms are measured on a sample of at most ~``sample`` pixels; every pixel is remapped.
    """
    rots = _rotations(iterations, source.dtype, source.device).transpose(1, 2)  # rows = axes
    return _sliced_transfer(source, target, mask, target_mask, rots, 1.0, sample)


def sot(
    source: Tensor,
    target: Tensor,
    mask: Tensor | None = None,
    target_mask: Tensor | None = None,
    steps: int = 10,
    directions: int = 5,
    sample: int = 16384,
) -> Tensor:
    """Sliced optimal transport: per step, average the 1-D displacements over ``directions``."""
    generator = torch.Generator().manual_seed(7)
    dirs = torch.randn(steps, directions, 3, generator=generator, dtype=torch.float64)
    dirs = (dirs / dirs.norm(dim=-1, keepdim=True)).to(dtype=source.dtype, device=source.device)
    # E[d d^T] = I/3 for random unit d, so 3/K times the sum is the full displacement on average
    return _sliced_transfer(source, target, mask, target_mask, dirs, 3.0 / directions, sample)


_MODES = {"rct": rct, "lct": lct, "mkl": mkl, "idt": idt, "sot": sot}


def transfer_color(
    source: Tensor,
    target: Tensor,
    mode: str = "rct",
    mask: Tensor | None = None,
    target_mask: Tensor | None = None,
) -> Tensor:
    """Recolour ``source`` so that its colour statistics match ``target``'s.

    Args:
        source: (B,3,H,W) RGB in [0,1], the image to recolour (the predicted face).
        target: (B,3,H',W') RGB in [0,1], whose colours to take (the frame's face, aligned).
        mode: one of ``none``, ``rct``, ``lct``, ``mkl``, ``idt``, ``sot`` (module docstring).
        mask: optional (B,1,H,W) weights: statistics of ``source`` are measured where it is on.
        target_mask: optional (B,1,H',W') for ``target``; defaults to ``mask`` when sizes agree.

    Returns:
        (B,3,H,W) recoloured source in [0,1], same device and dtype.
    """
    if mode not in COLOR_MODES:
        raise InputError(f"colour mode {mode!r} is unknown; expected one of {COLOR_MODES}")
    _check(source, target, mask, "mask")
    if target_mask is None and mask is not None and mask.shape[-2:] == target.shape[-2:]:
        target_mask = mask
    if target_mask is not None:
        _check(source, target, target_mask, "target_mask")
    if mode == "none":
        return source
    if not source.dtype.is_floating_point or not target.dtype.is_floating_point:
        raise InputError(f"images must be float in [0,1], got {source.dtype} and {target.dtype}")
    return _MODES[mode](source, target.to(source.dtype), mask, target_mask)
