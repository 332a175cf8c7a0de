"""Automatic quality step-down: shrink the processed frame when the loop cannot hold its target FPS."""

from __future__ import annotations

from ..errors import InputError

DEFAULT_SCALES = (1.0, 0.75, 0.5)


class QualityController:
    """Chooses the processing scale from the measured per-frame milliseconds.

    An exponential moving average of the processing time is compared with the frame budget
    (``1000 / target_fps``). Above the budget for ``patience`` frames in a row, or for at least
    two frames adding up to ``react_ms`` milliseconds (slow frames: a load spike reacts within a
    second, not after ten slow frames): one step down (a smaller frame). Below ``headroom`` times
    the budget for ``3 * patience`` frames: one step up.

    Args:
        target_fps: the rate to hold.
        scales: processing scales from best to cheapest.
        patience: frames over budget before stepping down.
        headroom: fraction of the budget under which the scale steps back up.
        react_ms: milliseconds of over-budget frames (two at least) that also step down.

    >>> qc = QualityController(target_fps=50, patience=3)
    >>> [qc.update(40.0) for _ in range(3)], qc.scale
    ([False, False, True], 0.75)
    """

    def __init__(
        self,
        target_fps: float = 30.0,
        scales: tuple[float, ...] = DEFAULT_SCALES,
        patience: int = 10,
        headroom: float = 0.5,
        react_ms: float = 500.0,
    ) -> None:
        if target_fps <= 0:
            raise InputError(f"target_fps must be > 0, got {target_fps}")
        if not scales or any(not 0 < s <= 1 for s in scales):
            raise InputError(f"scales must be in (0, 1], got {scales}")
        self.target_fps = float(target_fps)
        self.scales = tuple(float(s) for s in scales)
        self.patience = int(patience)
        self.headroom = float(headroom)
        self.react_ms = float(react_ms)
        self.level = 0
        self._ema: float | None = None
        self._over = 0
        self._over_ms = 0.0
        self._under = 0

    @property
    def budget_ms(self) -> float:
        return 1000.0 / self.target_fps

    @property
    def scale(self) -> float:
        return self.scales[self.level]

    def update(self, frame_ms: float) -> bool:
        """Feed one frame's processing milliseconds; return True when the scale changed."""
        self._ema = frame_ms if self._ema is None else 0.7 * self._ema + 0.3 * frame_ms
        if self._ema > self.budget_ms:
            self._over, self._under = self._over + 1, 0
            self._over_ms += frame_ms
        elif self._ema < self.headroom * self.budget_ms:
            self._over, self._under, self._over_ms = 0, self._under + 1, 0.0
        else:
            self._over = self._under = 0
            self._over_ms = 0.0
        slow = self._over >= 2 and self._over_ms >= self.react_ms
        if (self._over >= self.patience or slow) and self.level < len(self.scales) - 1:
            self.level += 1
            self._reset()
            return True
        if self._under >= 3 * self.patience and self.level > 0:
            self.level -= 1
            self._reset()
            return True
        return False

    def _reset(self) -> None:
        self._ema = None
        self._over = self._under = 0
        self._over_ms = 0.0
