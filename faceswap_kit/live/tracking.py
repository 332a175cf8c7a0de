"""Face landmarks for the live loop: :class:`faceswap_kit.detect.MediaPipeDetector`, the package's
one mediapipe wrapper (video mode tracks the face from frame to frame, ~3 ms a frame on two CPU
cores)."""

from __future__ import annotations

from ..detect import MediaPipeDetector


def make_tracker(mode: str = "video") -> MediaPipeDetector:
    """The live loop's detector for ``mode`` ("video" tracks across frames, "image" does not)."""
    return MediaPipeDetector(mode=mode, max_faces=1)
