"""``LiveSwap``: the camera widget, the realtime runner, a swap and the controls, wired together.

In a notebook::

    live = LiveSwap(mode="warp2d").start()
    live  # the picture and its controls
"""

from __future__ import annotations

import logging
import os
import pathlib
import sys
import time
from typing import Any

from ..errors import InputError, WidgetError
from .camera import CameraWidget
from .controls import build_controls
from .headless import make_processor
from .recorder import ClipRecorder, DatasetRecorder, save_snapshot
from .runner import LiveConfig, RealtimeRunner
from .sources import SourcePump, open_source
from .virtualcam import VirtualCameraSink

log = logging.getLogger(__name__)

SOURCE_KINDS = ("browser", "generated", "video", "local")


class LiveSwap:
    """Live face swap in the notebook.

    Args:
        mode: ``"warp2d"`` (no training; pastes a generated face), ``"model"`` or ``"passthrough"``.
        model: model directory for ``mode="model"``.
        source: ``"browser"`` (the page's camera), ``"generated"``, ``"video"`` or ``"local"``.
        source_options: passed to the source (``path=`` for video, ``index=`` for local).
        fallback: source used when the browser has no camera (None: none).
        config: ``LiveConfig`` (label on by default).
        seed: generated person for the fallback and the 2D mode's face.
        max_in_flight, width, height, quality: camera widget settings (``max_in_flight``
            default: 2, or 3 on Colab where the round trip is longer).
        processor: any ``frame_uint8_rgb -> (frame_uint8_rgb, {stage: ms})`` callable; replaces
            ``mode`` (e.g. ``faceswap_kit.pipeline.FrameSwapper`` built by hand).
    """

    def __init__(
        self,
        mode: str = "warp2d",
        model: str | os.PathLike | None = None,
        source: str = "browser",
        source_options: dict | None = None,
        fallback: str | None = "generated",
        config: LiveConfig | None = None,
        seed: int = 0,
        max_in_flight: int | None = None,
        width: int = 640,
        height: int = 480,
        quality: float = 0.8,
        processor=None,
    ) -> None:
        if source not in SOURCE_KINDS:
            raise InputError(f"unknown source {source!r}; expected one of {SOURCE_KINDS}")
        self.mode, self.seed, self.fallback = mode, seed, fallback
        self.processor = processor or make_processor(mode, model=model, seed=seed)
        self.widget = CameraWidget(
            source="browser" if source == "browser" else "kernel",
            max_in_flight=max_in_flight or (3 if "google.colab" in sys.modules else 2),
            width=width,
            height=height,
            quality=quality,
        )
        self.runner = RealtimeRunner(
            self.processor, config or LiveConfig(), on_result=self._on_result, on_drop=self._drop
        )
        self.widget.on_frame(self.runner.submit)
        self.widget.observe(self._on_status, names="status")
        self.widget.observe(self._on_running, names="running")
        self.source_kind = source
        self.source_options = dict(source_options or {})
        self._pump: SourcePump | None = None
        self.recorder = None
        self.dataset_recorder = None
        self.virtual_camera = None
        self._controls = None

    # sources ----------------------------------------------------------------------------------
    def use_source(self, kind: str, **options: Any) -> None:
        """Switch source: ``"browser"``, ``"generated"``, ``"video"`` (``path=``), ``"local"``."""
        if kind not in SOURCE_KINDS:
            raise InputError(f"unknown source {kind!r}; expected one of {SOURCE_KINDS}")
        running = self.runner.running
        self._stop_pump()
        self.source_kind, self.source_options = kind, dict(options)
        self.widget.source = "browser" if kind == "browser" else "kernel"
        if running:
            self._start_source()

    def _start_source(self) -> None:
        if self.source_kind == "browser":
            self.widget.running = True
            return
        source = open_source(self.source_kind, **self.source_options)
        self._pump = SourcePump(source, lambda frame: self.runner.submit(frame, None)).start()
        self.widget.status = "streaming"
        self.widget.running = True

    def _stop_pump(self) -> None:
        if self._pump is not None:
            self._pump.stop()
            self._pump = None

    def _on_running(self, change) -> None:
        """The widget's Start/Stop button also starts and stops kernel-side sources."""
        if self.source_kind == "browser":
            return
        if not change["new"]:
            self._stop_pump()
            self.widget.status = "stopped"
        elif self._pump is None and self.runner.running:
            self._start_source()

    def _on_status(self, change) -> None:
        if change["new"] in ("denied", "no-camera", "unsupported") and self.fallback:
            note = (
                f"browser camera unavailable ({change['new']}): showing a generated person who "
                "does not exist instead"
            )
            log.warning(note)
            if self.fallback == "generated":
                size = (self.widget.width, self.widget.height)
                self.use_source("generated", seed=self.seed, size=size)
            else:
                self.use_source(self.fallback)
            self.widget.message = note

    # run --------------------------------------------------------------------------------------
    def start(self) -> LiveSwap:
        """Start processing and the source (the browser asks for the camera)."""
        self.runner.start()
        self._start_source()
        return self

    def stop(self) -> None:
        """Stop the source and the worker; finish any recording."""
        self.widget.running = False
        self._stop_pump()
        self.runner.stop()
        self.stop_recording()
        if self.virtual_camera is not None:
            self.virtual_camera.close()
            self.virtual_camera = None
        if self.widget.source == "kernel":
            self.widget.status = "stopped"

    def wait_frames(self, count: int, timeout: float = 10.0) -> int:
        """Block until the runner processed ``count`` more frames (or ``timeout``); returns how many."""
        start = self.runner.stats.frames
        deadline = time.monotonic() + timeout
        while self.runner.stats.frames - start < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.runner.stats.frames - start

    def _on_result(self, output, meta, timings) -> None:
        stats = {"fps": round(self.runner.stats.fps(), 2), "total_ms": round(timings["total"], 2)}
        self.widget.send_frame(output, meta, stats=stats)
        frame = self.runner.last_output
        if self.recorder is not None:
            self.recorder.write(frame)
        if self.dataset_recorder is not None and self.runner.last_input is not None:
            self.dataset_recorder.add(self.runner.last_input)
            if self.dataset_recorder.full:
                log.info("dataset recording done: %d frames", self.dataset_recorder.saved)
                self.dataset_recorder = None
        if self.virtual_camera is not None:
            self.virtual_camera.send(frame)

    def _drop(self, meta) -> None:
        self.widget.send_drop(meta)

    # keeping things -----------------------------------------------------------------------------
    def snapshot(self, path: str | os.PathLike = "snapshot.png") -> pathlib.Path:
        """Save the last output frame (with its label) as an image."""

        if self.runner.last_output is None:
            raise WidgetError("no frame has been processed yet; start the live view first")
        return save_snapshot(path, self.runner.last_output)

    def start_recording(self, path: str | os.PathLike = "live.mp4", fps: float = 30.0) -> None:
        """Record the output (as shown, label included) to an mp4 until ``stop_recording()``."""

        self.stop_recording()
        self.recorder = ClipRecorder(path, fps)

    def stop_recording(self) -> pathlib.Path | None:
        recorder, self.recorder = self.recorder, None
        return recorder.close() if recorder is not None else None

    def record_dataset(self, folder: str | os.PathLike, consent: bool = False, **options) -> None:
        """Save the incoming camera frames (unswapped) as a dataset of yourself; needs consent."""

        self.dataset_recorder = DatasetRecorder(folder, consent=consent, **options)

    def enable_virtual_camera(self) -> str:
        """Also send the output to a virtual camera; returns a message saying whether it worked."""

        try:
            self.virtual_camera = VirtualCameraSink(self.widget.width, self.widget.height)
        except WidgetError as exc:
            return str(exc)
        return "virtual camera on"

    # display ------------------------------------------------------------------------------------
    def controls(self):
        """The control panel (ipywidgets)."""
        if self._controls is None:
            self._controls = build_controls(self)
        return self._controls

    def _repr_mimebundle_(self, **kwargs):
        import ipywidgets

        box = ipywidgets.HBox([self.widget, self.controls()])
        return box._repr_mimebundle_(**kwargs)
