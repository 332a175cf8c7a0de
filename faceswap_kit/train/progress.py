"""The bookkeeping of one call to :meth:`Trainer.run`: the training clock, the window of loss
values that becomes a history record, the progress bar, and the summary when it stops."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .trainstate import TrainState


@dataclass
class TrainSummary:
    """What a training run did (printed by the CLI and the demo)."""

    model_dir: str
    step: int
    steps_this_run: int
    seconds_this_run: float
    samples_per_second: float
    losses: dict[str, float]
    stopped_by: str
    parameters: int
    checkpoints: int = 0
    rollbacks: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        loss = " ".join(f"{k}={v:.4f}" for k, v in self.losses.items())
        return (
            f"trained to step {self.step} (+{self.steps_this_run} in {self.seconds_this_run:.0f} s, "
            f"{self.samples_per_second:.1f} samples/s, stopped by {self.stopped_by}); {loss}; "
            f"saved in {self.model_dir}"
        )


class ProgressBar:
    """A tqdm bar over training steps showing the loss and samples/s; does nothing when off.

    Args:
        total: steps to go (``None``: unknown, a time or stop-event budget).
        enabled: draw the bar at all.
    """

    def __init__(self, total: int | None, enabled: bool = True) -> None:
        self.bar = None
        if enabled:
            from tqdm.auto import tqdm  # lazy: tqdm.auto looks for ipywidgets (a notebook bar)

            self.bar = tqdm(total=total, unit="step", dynamic_ncols=True)

    def update(self, loss: float, samples_per_second: float) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.4f}", samples_s=f"{samples_per_second:.1f}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class RunProgress:
    """Counts one run's steps into ``state``: its clock (``state.elapsed``: training time only),
    its history (one record per ``log_every`` steps), and a progress bar.

    Args:
        state: the run's state (its step, clock and history are updated here).
        total: steps to reach (``None``: a time or stop budget), for the bar.
        samples_per_step: faces per optimisation step on this process (both sides).
        log_every: steps per history record.
        bar: draw a progress bar.
    """

    def __init__(
        self,
        state: TrainState,
        total: int | None,
        samples_per_step: int,
        log_every: int,
        bar: bool = False,
    ) -> None:
        self.state, self.samples_per_step, self.log_every = state, samples_per_step, log_every
        self.bar = ProgressBar(None if total is None else max(0, total - state.step), bar)
        self.start_step = state.step
        self.start = self.now = self.last_tick = time.perf_counter()
        self.window: list[dict[str, float]] = []

    def seconds(self) -> float:
        """Wall-clock seconds since this run started (training or not)."""
        return time.perf_counter() - self.start

    def stepped(self, values: dict[str, float]) -> dict[str, Any] | None:
        """Count a step's loss ``values``; returns the new history record when the window is full."""
        self.now = time.perf_counter()
        self.state.elapsed += self.now - self.last_tick
        self.last_tick = self.now
        self.window.append(values)
        rate = (self.state.step - self.start_step) * self.samples_per_step / (self.now - self.start)
        self.bar.update(values["total"], rate)
        return self.flush() if len(self.window) >= self.log_every else None

    def flush(self) -> dict[str, Any] | None:
        """The record of the values counted since the last one (``None`` when there are none)."""
        if not self.window:
            return None
        record = self.state.record(self.window)
        self.window.clear()
        return record

    def pause_ended(self) -> float:
        """Restart the clock after work that is not training (previews, checkpoints)."""
        self.last_tick = time.perf_counter()
        return self.last_tick

    def summary(self, model_dir: Path, losses: dict[str, float], stopped_by: str, **counts: Any):
        """The :class:`TrainSummary` of the run so far; ``counts``: ``parameters``,
        ``checkpoints``, ``rollbacks`` and ``world_size`` (processes training together)."""
        seconds, done = self.seconds(), self.state.step - self.start_step
        world = counts.pop("world_size", 1)
        return TrainSummary(
            model_dir=str(model_dir), step=self.state.step, steps_this_run=done,
            seconds_this_run=seconds,
            samples_per_second=done * self.samples_per_step * world / max(seconds, 1e-9),
            losses=dict(losses), stopped_by=stopped_by, **counts,
        )  # fmt: skip

    def close(self) -> None:
        self.bar.close()
