"""The camera widget: browser webcam frames to the kernel and processed frames back (anywidget).

Transport (measured in DESIGN.md §4): the browser grabs a frame on ``requestVideoFrameCallback``,
encodes it as JPEG and sends it as a binary buffer; the kernel answers each frame with a processed
JPEG or a ``drop``. At most ``max_in_flight`` frames are unanswered at once. Kernel-side sources
(local camera, video file, generated person) push frames with ``id`` None through the same widget.
The message protocol is documented in ``docs/live.md``.
"""

from __future__ import annotations

import logging
import pathlib
import threading
from collections.abc import Callable, Mapping
from typing import Any

import anywidget
import numpy as np
import traitlets

from ..errors import WidgetError
from .codec import encode_jpeg

log = logging.getLogger(__name__)

HERE = pathlib.Path(__file__).parent
SOURCES = ("browser", "kernel")
FAILED_STATUSES = ("denied", "no-camera", "unsupported", "error")

FrameCallback = Callable[[bytes, dict], None]


class CameraWidget(anywidget.AnyWidget):
    """Webcam in, processed frames out, inside the notebook.

    Traits (synced with the browser):
        source: ``"browser"`` (the page's camera) or ``"kernel"`` (frames pushed from Python).
        running: start/stop (the widget's button toggles it too).
        width, height: capture size asked of the camera and sent to the kernel.
        quality: JPEG quality of captured frames, 0-1.
        max_in_flight: frames sent and not yet answered (2 measured best; more on Colab).
        status: ``idle``, ``starting``, ``streaming``, ``stopped``, ``denied``, ``no-camera``,
            ``unsupported`` or ``error`` (set by the browser; readable in Python).
        error: the browser's explanation when ``status`` is a failure.
        message: a note shown under the picture (e.g. which fallback is running).
        client_stats: measured in the browser each second: ``fps``, ``latency_p50_ms``,
            ``latency_p95_ms``, ``sent``, ``received``, ``dropped``, ``lost``, ``in_flight``.
    """

    _esm = HERE / "camera.js"
    _css = HERE / "camera.css"

    source = traitlets.Unicode("browser").tag(sync=True)
    running = traitlets.Bool(False).tag(sync=True)
    width = traitlets.Int(640).tag(sync=True)
    height = traitlets.Int(480).tag(sync=True)
    quality = traitlets.Float(0.8).tag(sync=True)
    max_in_flight = traitlets.Int(2).tag(sync=True)
    status = traitlets.Unicode("idle").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    client_stats = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._frame_callbacks: list[FrameCallback] = []
        self._send_lock = threading.Lock()
        self.frames_received = 0
        self.frames_sent = 0
        self.protocol_errors = 0
        self.on_msg(self._handle_message)

    @traitlets.validate("source")
    def _check_source(self, proposal):
        if proposal["value"] not in SOURCES:
            raise WidgetError(f"source must be one of {SOURCES}, got {proposal['value']!r}")
        return proposal["value"]

    @traitlets.validate("max_in_flight")
    def _check_in_flight(self, proposal):
        if not 1 <= proposal["value"] <= 16:
            raise WidgetError(f"max_in_flight must be 1-16, got {proposal['value']}")
        return proposal["value"]

    @traitlets.validate("quality")
    def _check_quality(self, proposal):
        if not 0.05 <= proposal["value"] <= 1.0:
            raise WidgetError(f"quality must be in [0.05, 1], got {proposal['value']}")
        return proposal["value"]

    @property
    def failed(self) -> bool:
        """True when the browser reported it cannot give camera frames."""
        return self.status in FAILED_STATUSES

    # browser -> kernel ----------------------------------------------------------------------------
    def on_frame(self, callback: FrameCallback, remove: bool = False) -> None:
        """Register ``callback(jpeg_bytes, meta)`` for each browser frame (``meta``: id, size...)."""
        if remove:
            self._frame_callbacks.remove(callback)
        else:
            self._frame_callbacks.append(callback)

    def _handle_message(self, _widget, content: Mapping, buffers: list) -> None:
        kind = content.get("type") if isinstance(content, Mapping) else None
        if kind != "frame":
            self.protocol_errors += 1
            log.warning("camera widget: ignored message of type %r (expected 'frame')", kind)
            return
        if not buffers:
            self.protocol_errors += 1
            log.warning("camera widget: frame %s came without its JPEG buffer", content.get("id"))
            return
        meta = {key: content.get(key) for key in ("id", "width", "height", "t")}
        data = bytes(buffers[0])
        self.frames_received += 1
        if not self._frame_callbacks:  # nobody processes: answer so the browser's slot frees
            self.send_drop(meta)
            return
        for callback in list(self._frame_callbacks):
            callback(data, meta)

    # kernel -> browser ----------------------------------------------------------------------------
    def send_frame(
        self,
        frame: bytes | np.ndarray,
        meta: Mapping | None = None,
        stats: Mapping | None = None,
        quality: int = 80,
    ) -> None:
        """Show a frame: JPEG bytes, or a uint8 RGB ``(H, W, 3)`` array (encoded here).

        ``meta`` is the browser frame this answers (None for kernel-side sources).
        """
        data = frame if isinstance(frame, bytes | bytearray) else encode_jpeg(frame, quality)
        content = {"type": "frame", "id": (meta or {}).get("id"), "mime": "image/jpeg"}
        if stats:
            content["stats"] = dict(stats)
        with self._send_lock:
            self.send(content, buffers=[bytes(data)])
            self.frames_sent += 1

    def send_drop(self, meta: Mapping | None) -> None:
        """Tell the browser a frame will not be answered (a newer one replaced it)."""
        frame_id = (meta or {}).get("id")
        if frame_id is None:
            return
        with self._send_lock:
            self.send({"type": "drop", "id": frame_id})
