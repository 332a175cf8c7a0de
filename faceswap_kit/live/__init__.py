"""Live face swap in the notebook: camera widget, realtime runner, HUD, recording.

Heavy pieces (anywidget, mediapipe, OpenCV) load on first use::

    from faceswap_kit.live import LiveSwap
    live = LiveSwap(mode="warp2d").start()
    live            # the picture and its controls

Headless (no browser): ``run_headless(out_path, frames=60)``.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "LiveSwap": ".app",
    "CameraWidget": ".camera",
    "RealtimeRunner": ".runner",
    "LiveConfig": ".runner",
    "StageStats": ".stats",
    "QualityController": ".quality",
    "Warp2DProcessor": ".processors",
    "ModelProcessor": ".processors",
    "GeneratedPersonSource": ".sources",
    "VideoFileSource": ".sources",
    "LocalCameraSource": ".sources",
    "run_headless": ".headless",
    "HeadlessReport": ".headless",
    "ClipRecorder": ".recorder",
    "DatasetRecorder": ".recorder",
    "virtual_camera_status": ".virtualcam",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
