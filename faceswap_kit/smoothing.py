"""Temporal smoothing of landmark streams: the One-Euro filter (Casiez et al., CHI 2012).

A low-pass filter whose cut-off rises with speed: a still head is smoothed hard (no jitter), a
moving head is followed closely (little lag).

>>> import torch
>>> smoother = OneEuroFilter(min_cutoff=1.0, beta=0.0, fps=30.0)
>>> out = [smoother(torch.tensor([[0.0, 0.0]])) for _ in range(3)]
>>> out[-1].tolist()
[[0.0, 0.0]]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from .errors import InputError


def _alpha(cutoff: Tensor | float, dt: float) -> Tensor | float:
    tau = 1.0 / (2 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


@dataclass(frozen=True)
class OneEuroConfig:
    """Filter settings. Defaults measured on generated clips (benchmarks/bench_merge.py).

    Attributes:
        min_cutoff: cut-off in Hz when still (lower = smoother, more lag at rest).
        beta: how fast the cut-off rises with speed, per pixel/second (higher = less lag).
        d_cutoff: cut-off in Hz for the speed estimate itself.
    """

    min_cutoff: float = 0.5
    beta: float = 0.1
    d_cutoff: float = 1.0

    @classmethod
    def default(cls) -> OneEuroConfig:
        return cls()

    @classmethod
    def tiny(cls) -> OneEuroConfig:
        return cls()


class OneEuroFilter:
    """One-Euro filter over tensors of any shape (e.g. landmarks (N, 2) or (B, N, 2)).

    Each element is filtered independently; the speed used to adapt the cut-off is the element's
    own, so a blinking eye does not loosen the smoothing of the chin.

    Args:
        min_cutoff, beta, d_cutoff: see :class:`OneEuroConfig`.
        fps: frames per second of the stream (used when ``__call__`` gets no timestamp).
    """

    def __init__(
        self, min_cutoff: float = 0.5, beta: float = 0.1, d_cutoff: float = 1.0, fps: float = 30.0
    ) -> None:
        if min_cutoff <= 0 or d_cutoff <= 0 or beta < 0 or fps <= 0:
            raise InputError(
                f"One-Euro needs min_cutoff > 0, d_cutoff > 0, beta >= 0, fps > 0; got "
                f"{min_cutoff}, {d_cutoff}, {beta}, {fps}"
            )
        self.min_cutoff, self.beta, self.d_cutoff, self.fps = min_cutoff, beta, d_cutoff, fps
        self.reset()

    @classmethod
    def from_config(cls, config: OneEuroConfig, fps: float = 30.0) -> OneEuroFilter:
        return cls(config.min_cutoff, config.beta, config.d_cutoff, fps)

    def reset(self) -> None:
        """Forget the past (call when the face is lost or the scene cuts)."""
        self._x: Tensor | None = None
        self._dx: Tensor | None = None
        self._t: float | None = None

    def __call__(self, x: Tensor, t: float | None = None) -> Tensor:
        """Filter one sample; ``t`` in seconds (defaults to one frame after the last)."""
        if not isinstance(x, Tensor):
            x = torch.as_tensor(x, dtype=torch.float32)
        if self._x is None or self._x.shape != x.shape:
            self._x, self._dx = x.clone(), torch.zeros_like(x)
            self._t = 0.0 if t is None else t
            return x.clone()
        dt = 1.0 / self.fps if t is None or self._t is None else max(t - self._t, 1e-6)
        self._t = (self._t or 0.0) + dt if t is None else t
        dx = (x - self._x) / dt
        self._dx = torch.lerp(self._dx, dx, _alpha(self.d_cutoff, dt))
        cutoff = self.min_cutoff + self.beta * self._dx.abs()
        alpha = 1.0 / (1.0 + 1.0 / (2 * math.pi * cutoff * dt))
        self._x = self._x + alpha * (x - self._x)
        return self._x.clone()


def smooth_sequence(
    sequence: Tensor,
    fps: float = 30.0,
    min_cutoff: float = 0.5,
    beta: float = 0.1,
    d_cutoff: float = 1.0,
) -> Tensor:
    """One-Euro filter a whole (T, ...) sequence (e.g. (T, N, 2) landmarks) at once.

    Same result as feeding each frame to :class:`OneEuroFilter` in order.
    """
    if sequence.ndim < 1 or sequence.shape[0] == 0:
        raise InputError(f"expected a (T, ...) sequence with T >= 1, got {tuple(sequence.shape)}")
    smoother = OneEuroFilter(min_cutoff, beta, d_cutoff, fps)
    return torch.stack([smoother(frame) for frame in sequence])


def jitter(sequence: Tensor) -> float:
    """Mean over points of the standard deviation over time, in pixels: (T, N, 2) -> float."""
    return float(sequence.std(dim=0).norm(dim=-1).mean())


def lag_frames(reference: Tensor, delayed: Tensor, max_lag: int = 15) -> int:
    """The shift (in frames) that best aligns ``delayed`` with ``reference``: (T, ...) each."""
    best, best_err = 0, float("inf")
    for lag in range(0, max_lag + 1):
        a = reference[: reference.shape[0] - lag]
        b = delayed[lag:]
        err = float(((a - b) ** 2).mean())
        if err < best_err:
            best, best_err = lag, err
    return best
