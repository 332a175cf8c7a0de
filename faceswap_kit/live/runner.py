"""The realtime runner: newest frame in, processed frame out, on a worker thread, every stage timed.

The loop is the same for every source (browser camera, local camera, video file, generated
person) and every swap (2D warp, trained model): a *processor* is any callable
``process(frame_uint8_rgb) -> (frame_uint8_rgb, {stage: ms})``. Around it the runner decodes,
mirrors, scales (quality step-down), overlays the HUD and the "AI-generated" label, and encodes.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError
from . import hud
from .codec import decode_jpeg, encode_jpeg
from .quality import DEFAULT_SCALES, QualityController
from .stats import StageStats, timed

log = logging.getLogger(__name__)

Processor = Callable[[np.ndarray], "tuple[np.ndarray, Mapping[str, float]]"]
ResultCallback = Callable[[Any, Any, dict], None]


@dataclass(frozen=True)
class LiveConfig:
    """How the live loop presents and paces its output.

    Attributes:
        target_fps: frame rate the quality step-down tries to hold.
        auto_quality: shrink the processed frame when over budget (see ``QualityController``).
        scales: processing scales the step-down walks through.
        jpeg_quality: quality (1-100) of the JPEG sent back to the browser.
        mirror: flip frames left-right before processing (a selfie view).
        side_by_side: show the input next to the output.
        hud: draw FPS and per-stage milliseconds on the frame.
        label: draw the visible "AI-generated" mark (on by default; keep it on when sharing).
    """

    target_fps: float = 30.0
    auto_quality: bool = True
    scales: tuple[float, ...] = DEFAULT_SCALES
    jpeg_quality: int = 80
    mirror: bool = False
    side_by_side: bool = False
    hud: bool = True
    label: bool = True

    @classmethod
    def tiny(cls) -> LiveConfig:
        return cls(target_fps=15.0, jpeg_quality=70)

    @classmethod
    def default(cls) -> LiveConfig:
        return cls()


def _identity(frame: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
    return frame, {}


class RealtimeRunner:
    """Processes the newest submitted frame on a worker thread; older pending frames are dropped.

    Args:
        process: ``frame_uint8_rgb -> (frame_uint8_rgb, {stage: ms})``; default: pass-through.
        config: a ``LiveConfig``.
        on_result: called on the worker thread as ``on_result(output, meta, timings)``;
            ``output`` is JPEG bytes when ``encode`` is true, else a uint8 RGB array.
        on_drop: called as ``on_drop(meta)`` for each frame replaced before it was processed.
        encode: JPEG-encode the output (for the browser widget).

    >>> runner = RealtimeRunner(encode=False)
    >>> out, timings = runner.process_one(np.zeros((48, 64, 3), np.uint8))
    >>> out.shape, "overlay" in timings
    ((48, 64, 3), True)
    """

    def __init__(
        self,
        process: Processor | None = None,
        config: LiveConfig | None = None,
        on_result: ResultCallback | None = None,
        on_drop: Callable[[Any], None] | None = None,
        encode: bool = True,
    ) -> None:
        self.process = process or _identity
        self.config = config or LiveConfig()
        self.on_result = on_result
        self.on_drop = on_drop
        self.encode = encode
        self.stats = StageStats()
        self.quality = QualityController(self.config.target_fps, self.config.scales)
        self.last_error: BaseException | None = None
        self.last_input: np.ndarray | None = None
        self.last_output: np.ndarray | None = None
        self._cond = threading.Condition()
        self._pending: tuple[Any, Any] | None = None
        self._stop = False
        self._thread: threading.Thread | None = None

    # configuration ----------------------------------------------------------------------------
    def update(self, **changes: Any) -> None:
        """Change ``LiveConfig`` fields while running (``runner.update(mirror=True)``)."""
        try:
            self.config = dataclasses.replace(self.config, **changes)
        except TypeError as exc:
            names = [f.name for f in dataclasses.fields(LiveConfig)]
            raise InputError(
                f"unknown live setting in {sorted(changes)}; expected {names}"
            ) from exc
        if "target_fps" in changes or "scales" in changes:
            self.quality = QualityController(self.config.target_fps, self.config.scales)

    # one frame, synchronously -------------------------------------------------------------------
    def process_one(self, item: Any) -> tuple[Any, dict[str, float]]:
        """Run one frame (JPEG bytes or uint8 RGB array) through every stage; return output+timings."""
        import cv2

        config = self.config
        timings: dict[str, float] = {}
        start = time.perf_counter()
        with timed(timings, "decode"):
            frame = item if isinstance(item, np.ndarray) else decode_jpeg(item)
            if config.mirror:
                frame = frame[:, ::-1]
            full_size = (frame.shape[1], frame.shape[0])
            scale = self.quality.scale if config.auto_quality else 1.0
            if scale < 1.0:
                size = (max(16, int(frame.shape[1] * scale)), max(16, int(frame.shape[0] * scale)))
                frame = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
            frame = np.ascontiguousarray(frame)
        self.last_input = frame
        output, stage_ms = self.process(frame)
        for name, value in stage_ms.items():
            timings[name] = timings.get(name, 0.0) + float(value)
        with timed(timings, "overlay"):
            if (output.shape[1], output.shape[0]) != full_size:
                # back to the shown size after a quality step, so HUD and label stay legible
                output = cv2.resize(output, full_size, interpolation=cv2.INTER_LINEAR)
                frame = cv2.resize(frame, full_size, interpolation=cv2.INTER_LINEAR)
            output = np.array(output, dtype=np.uint8, copy=True, order="C")
            if config.side_by_side:
                output = hud.side_by_side(frame, output)
            if config.hud:
                lines = self.stats.hud_lines()
                hud.draw_hud(output, [f"{lines[0]}  x{scale:.2f}"] + lines[1:])
            if config.label:
                hud.draw_label(output)
        self.last_output = output
        if self.encode:
            with timed(timings, "encode"):
                output = encode_jpeg(output, config.jpeg_quality)
        timings["total"] = (time.perf_counter() - start) * 1000.0
        self.stats.record(timings)
        if config.auto_quality and self.quality.update(timings["total"]):
            log.info("live quality step: processing scale now %.2f", self.quality.scale)
        return output, timings

    # worker thread ------------------------------------------------------------------------------
    def submit(self, item: Any, meta: Any = None) -> None:
        """Hand in a frame; the newest one wins. Returns at once (never blocks on processing)."""
        dropped = None
        with self._cond:
            if self._pending is not None:
                dropped = self._pending
            self._pending = (item, meta)
            self._cond.notify()
        if dropped is not None:
            self.stats.record_drop()
            if self.on_drop is not None:
                self.on_drop(dropped[1])

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> RealtimeRunner:
        """Start the worker thread (idempotent)."""
        if not self.running:
            self._stop = False
            self._thread = threading.Thread(target=self._loop, name="faceswap-live", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the worker thread after the frame in progress; pending frames are dropped."""
        with self._cond:
            self._stop = True
            self._pending = None
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stop:
                    self._cond.wait(0.5)
                if self._stop:
                    return
                item, meta = self._pending
                self._pending = None
            try:
                output, timings = self.process_one(item)
            except Exception as exc:  # keep the loop alive; report to the widget
                log.exception("live frame failed")
                self.last_error = exc
                if self.on_drop is not None:
                    self.on_drop(meta)
                continue
            if self.on_result is not None:
                try:
                    self.on_result(output, meta, timings)
                except Exception as exc:
                    log.exception("live result callback failed")
                    self.last_error = exc
