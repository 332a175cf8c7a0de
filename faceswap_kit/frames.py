"""Checks of uint8 RGB frames at the edge (numpy only, so light modules can use them).

>>> import numpy as np
>>> check_rgb_frame(np.zeros((8, 8, 3), np.uint8))
"""

from __future__ import annotations

import numpy as np

from .errors import InputError


def rgb_frames(frames, what: str, min_side: int = 1, limit: int | None = None) -> list[np.ndarray]:
    """One uint8 RGB frame or a sequence of them, as a checked list (the first ``limit`` only).

    ``what`` finishes the error for an empty sequence: "expected at least one frame to {what}".

    >>> len(rgb_frames(np.zeros((4, 4, 3), np.uint8), "read"))
    1
    """
    frames = [frames] if isinstance(frames, np.ndarray) and frames.ndim == 3 else list(frames)
    if not frames:
        raise InputError(f"expected at least one frame to {what}, got none")
    frames = frames[:limit]
    for frame in frames:
        check_rgb_frame(frame, min_side=min_side)
    return frames


def check_rgb_frame(frame: np.ndarray, min_side: int = 1) -> None:
    """Raise :class:`InputError` unless ``frame`` is a uint8 ``(H, W, 3)`` RGB array with both
    sides at least ``min_side`` pixels."""
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 3:
        got = f"{frame.dtype} {frame.shape}" if isinstance(frame, np.ndarray) else type(frame)
        raise InputError(f"expected a uint8 RGB (H, W, 3) frame, got {got}")
    if frame.shape[2] != 3:
        raise InputError(f"expected 3 channels (RGB), got {frame.shape[2]}")
    if min(frame.shape[:2]) < min_side:
        raise InputError(
            f"expected a frame of at least {min_side}x{min_side} px, got "
            f"{frame.shape[1]}x{frame.shape[0]}"
        )
