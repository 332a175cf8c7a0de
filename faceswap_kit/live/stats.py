"""Per-stage timing of the realtime loop: rolling p50/p95 milliseconds and frames per second."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import numpy as np


class StageStats:
    """Rolling per-stage timings (milliseconds) and throughput over the last ``window`` frames.

    Thread-safe: the worker thread records, any thread reads.

    >>> stats = StageStats(window=4)
    >>> for ms in (1.0, 2.0, 3.0, 4.0):
    ...     stats.record({"detect": ms, "swap": 2 * ms})
    >>> stats.percentile("detect", 50), stats.percentile("swap", 95) > 7
    (2.5, True)
    """

    def __init__(self, window: int = 120) -> None:
        self.window = int(window)
        self._lock = threading.Lock()
        self._stages: dict[str, deque[float]] = {}
        self._frame_times: deque[float] = deque(maxlen=self.window)
        self.frames = 0
        self.dropped = 0

    def record(self, timings_ms: Mapping[str, float], now: float | None = None) -> None:
        """Add one processed frame's stage timings (``{"detect": 2.9, ...}``, milliseconds)."""
        with self._lock:
            for name, value in timings_ms.items():
                series = self._stages.get(name)
                if series is None:
                    series = self._stages[name] = deque(maxlen=self.window)
                series.append(float(value))
            self._frame_times.append(time.perf_counter() if now is None else now)
            self.frames += 1

    def record_drop(self, count: int = 1) -> None:
        """Count frames dropped because a newer one arrived before they were processed."""
        with self._lock:
            self.dropped += count

    @property
    def stage_names(self) -> list[str]:
        with self._lock:
            return list(self._stages)

    def values(self, stage: str) -> list[float]:
        """``stage``'s recent milliseconds, oldest first (empty when unseen)."""
        with self._lock:
            return list(self._stages.get(stage, ()))

    def percentile(self, stage: str, q: float) -> float:
        """The ``q``-th percentile (0-100) of ``stage``'s recent milliseconds (nan when unseen)."""
        with self._lock:
            series = list(self._stages.get(stage, ()))
        return float(np.percentile(series, q)) if series else float("nan")

    def fps(self) -> float:
        """Frames per second over the recent window (0 with fewer than two frames)."""
        with self._lock:
            times = list(self._frame_times)
        if len(times) < 2 or times[-1] <= times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    def summary(self) -> dict[str, dict[str, float]]:
        """``{stage: {"p50": ms, "p95": ms}}`` for every stage seen, in first-seen order."""
        return {
            name: {"p50": self.percentile(name, 50), "p95": self.percentile(name, 95)}
            for name in self.stage_names
        }

    def hud_lines(self) -> list[str]:
        """Short text lines for the on-frame HUD: FPS and total, then stages (p50 ms) two a line."""
        summary = self.summary()
        total = summary.pop("total", {}).get("p50", float("nan"))
        lines = [f"{self.fps():4.1f} FPS  {total:5.1f} ms"]
        cells = [f"{name[:7]:<7}{values['p50']:5.1f}" for name, values in summary.items()]
        lines += ["  ".join(cells[i : i + 2]) for i in range(0, len(cells), 2)]
        return lines

    def table(self) -> str:
        """A markdown table of the per-stage p50/p95 and the throughput."""
        rows = ["| stage | p50 ms | p95 ms |", "|---|---:|---:|"]
        for name, values in self.summary().items():
            rows.append(f"| {name} | {values['p50']:.2f} | {values['p95']:.2f} |")
        rows.append(f"| **throughput** | {self.fps():.1f} FPS | {self.dropped} dropped |")
        return "\n".join(rows)

    def reset(self) -> None:
        with self._lock:
            self._stages.clear()
            self._frame_times.clear()
            self.frames = 0
            self.dropped = 0


@contextmanager
def timed(timings: dict[str, float], name: str) -> Iterator[None]:
    """Add the milliseconds spent inside the ``with`` block to ``timings[name]``.

    >>> t = {}
    >>> with timed(t, "work"):
    ...     pass
    >>> t["work"] >= 0
    True
    """
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + (time.perf_counter() - start) * 1000.0
