"""Optional virtual camera output (for video calls) through ``pyvirtualcam``."""

from __future__ import annotations

import logging

import numpy as np

from ..errors import WidgetError

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "install it with `pip install pyvirtualcam` and create a loopback device "
    "(Linux: `sudo modprobe v4l2loopback devices=1`; Windows/macOS: install OBS Studio, whose "
    "virtual camera pyvirtualcam uses)"
)


def virtual_camera_status() -> tuple[bool, str]:
    """``(available, message)``: can a virtual camera be opened here, and if not, why and how to fix."""
    try:
        import pyvirtualcam  # noqa: F401
    except ImportError:
        return False, f"virtual camera unavailable: pyvirtualcam is not installed; {INSTALL_HINT}"
    return True, "pyvirtualcam is installed; a loopback device is needed when the camera opens"


class VirtualCameraSink:
    """Sends uint8 RGB frames to a virtual camera. Raises ``WidgetError`` with a fix when it cannot."""

    def __init__(self, width: int = 640, height: int = 480, fps: float = 30.0) -> None:
        available, message = virtual_camera_status()
        if not available:
            raise WidgetError(message)
        import pyvirtualcam

        try:
            self._camera = pyvirtualcam.Camera(width=width, height=height, fps=fps)
        except Exception as exc:  # pyvirtualcam raises RuntimeError when no device exists
            raise WidgetError(
                f"virtual camera unavailable: pyvirtualcam found no loopback device ({exc}); "
                f"{INSTALL_HINT}"
            ) from exc
        self.size = (width, height)
        log.info("virtual camera opened: %s", self._camera.device)

    def send(self, frame: np.ndarray) -> None:
        if (frame.shape[1], frame.shape[0]) != self.size:
            import cv2

            frame = cv2.resize(frame, self.size)
        self._camera.send(np.ascontiguousarray(frame))

    def close(self) -> None:
        self._camera.close()
