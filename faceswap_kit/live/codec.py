"""JPEG in and out of the live loop (the transport between browser and kernel is JPEG blobs)."""

from __future__ import annotations

import numpy as np

from ..errors import MediaError


def decode_jpeg(data: bytes | bytearray | memoryview) -> np.ndarray:
    """Decode JPEG (or PNG) bytes into a ``(H, W, 3)`` uint8 RGB array.

    >>> frame = np.full((8, 8, 3), 200, np.uint8)
    >>> int(decode_jpeg(encode_jpeg(frame, 90)).mean())
    200
    """
    import cv2

    buffer = np.frombuffer(memoryview(data), dtype=np.uint8)
    if buffer.size == 0:
        raise MediaError("received an empty image buffer; expected JPEG bytes from the camera")
    image = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
    if image is None:
        raise MediaError(
            f"could not decode a {buffer.size}-byte camera frame; expected JPEG bytes "
            "(is the widget's JavaScript from the same faceswap_kit version?)"
        )
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def encode_jpeg(frame: np.ndarray, quality: int = 80) -> bytes:
    """Encode a ``(H, W, 3)`` uint8 RGB array as JPEG bytes (``quality`` 1-100)."""
    import cv2

    ok, buffer = cv2.imencode(
        ".jpg", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(quality)]
    )
    if not ok:
        raise MediaError(f"could not JPEG-encode a frame of shape {frame.shape}")
    return buffer.tobytes()
