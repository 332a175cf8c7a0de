"""The live loop without a browser: N frames of a generated person through the runner, timed.

Used by ``make demo`` (the live stage of the end-to-end job), ``faceswap-kit live`` and the
benchmark. Frames are processed one after another on the calling thread, so the per-stage times
are the kernel-side cost of each frame.
"""

from __future__ import annotations

import logging
import os
import pathlib
import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import CheckpointError, InputError
from ..models.swap_model import resolve_model_path
from .processors import ModelProcessor, Warp2DProcessor
from .recorder import ClipRecorder
from .runner import LiveConfig, RealtimeRunner
from .sources import GeneratedPersonSource, default_source_face
from .stats import StageStats

log = logging.getLogger(__name__)

MODES = ("warp2d", "model", "passthrough")


@dataclass
class HeadlessReport:
    """What a headless run measured."""

    mode: str
    frames: int
    size: tuple[int, int]
    stats: StageStats
    output: pathlib.Path | None = None
    faces_found: int = 0
    last_frame: np.ndarray | None = field(default=None, repr=False)
    cpu_ms: list[float] = field(default_factory=list, repr=False)

    @property
    def cpu_ms_per_frame(self) -> float:
        """Median process CPU time per timed frame (all threads), less load-dependent than wall time."""
        return float(np.median(self.cpu_ms)) if self.cpu_ms else float("nan")

    @property
    def fps(self) -> float:
        """Kernel-side throughput: frames per second of total processing time."""
        total = self.stats.percentile("total", 50)
        return 1000.0 / total if total and total == total else 0.0

    def table(self) -> str:
        """Markdown table: per-stage p50/p95 ms and the throughput at p50."""
        rows = [
            f"live ({self.mode}) {self.size[0]}x{self.size[1]}, {self.frames} frames, "
            f"face found in {self.faces_found}",
            "",
            "| stage | p50 ms | p95 ms |",
            "|---|---:|---:|",
        ]
        for name, values in self.stats.summary().items():
            rows.append(f"| {name} | {values['p50']:.2f} | {values['p95']:.2f} |")
        rows.append(f"| **throughput (1000 / p50 total)** | {self.fps:.1f} FPS | |")
        return "\n".join(rows)


DEFAULT_LIVE_MODEL = "anyface-lite"  # works on any face with no training


def default_live_model() -> str | None:
    """The model of ``mode="model"`` when none is given: the bundled any-face model when it is
    present (looked up like ``load_model`` does), else ``None``."""

    try:
        return str(resolve_model_path(DEFAULT_LIVE_MODEL))
    except CheckpointError:
        return None


def make_processor(mode: str, model: str | os.PathLike | None = None, seed: int = 0, **options):
    """Build the processor for ``mode``: ``warp2d`` (a generated face), ``model`` or ``passthrough``."""
    if mode == "warp2d":
        image, landmarks = default_source_face(seed=seed + 7)
        return Warp2DProcessor(image, landmarks, **options)
    if mode == "model":
        model = model if model is not None else default_live_model()
        if model is None:
            raise InputError(
                "mode 'model' needs a model directory (models/<name> or a trained one); "
                f"the default, {DEFAULT_LIVE_MODEL}, is not installed"
            )

        return ModelProcessor.from_directory(model, **options)
    if mode == "passthrough":
        return None
    raise InputError(f"unknown live mode {mode!r}; expected one of {MODES}")


def run_headless(
    out_path: str | os.PathLike | None = None,
    frames: int = 60,
    mode: str = "warp2d",
    model: str | os.PathLike | None = None,
    seed: int = 0,
    size: tuple[int, int] = (640, 480),
    config: LiveConfig | None = None,
    warmup: int = 3,
    source=None,
    encode: bool = True,
    processor=None,
) -> HeadlessReport:
    """Run the realtime runner over ``frames`` generated frames; optionally write an mp4.

    Args:
        out_path: mp4 to write (None: nothing written).
        frames: how many frames to time (after ``warmup`` untimed ones).
        mode: ``warp2d``, ``model`` (needs ``model``) or ``passthrough``.
        model: model directory for ``mode="model"``.
        seed: the generated person (and, for the 2D mode, ``seed + 7`` is the pasted face).
        size: ``(width, height)`` of the frames.
        config: ``LiveConfig``; default: no quality step-down (full size is measured), HUD on.
        warmup: frames run first and not timed (detector start, allocations).
        source: any iterable of uint8 RGB frames instead of the generated person.
        encode: include JPEG encoding (what the browser transport costs).
        processor: any ``frame -> (frame, timings)`` callable; replaces ``mode``/``model``.

    Returns:
        A :class:`HeadlessReport` (``.table()`` prints the per-stage timings).
    """
    if frames < 1:
        raise InputError(f"frames must be >= 1, got {frames}")

    config = config or LiveConfig(auto_quality=False)
    if processor is None:
        processor = make_processor(mode, model=model, seed=seed)
    runner = RealtimeRunner(processor, config, encode=encode)
    source = source if source is not None else GeneratedPersonSource(seed=seed, size=size)
    recorder = None
    if out_path is not None:
        recorder = ClipRecorder(out_path, fps=getattr(source, "fps", 30.0))
    faces = 0
    cpu_ms: list[float] = []
    iterator = iter(source)
    try:
        for index in range(warmup + frames):
            try:
                frame = next(iterator)
            except StopIteration:
                break
            if index == warmup:
                runner.stats.reset()
            cpu = time.process_time()
            runner.process_one(frame)
            if index >= warmup:
                cpu_ms.append((time.process_time() - cpu) * 1000.0)
                faces += int(bool(getattr(processor, "face_found", True)))
            if recorder is not None:
                recorder.write(runner.last_output)
    finally:
        written = recorder.close() if recorder is not None else None
    report = HeadlessReport(
        mode=mode,
        frames=runner.stats.frames,
        size=tuple(size),
        stats=runner.stats,
        output=written,
        faces_found=faces,
        last_frame=runner.last_output,
        cpu_ms=cpu_ms,
    )
    log.info("headless live run:\n%s", report.table())
    return report
