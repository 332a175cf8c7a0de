"""Keeping what the live loop shows: clips (mp4), snapshots (PNG) and a consented dataset of yourself."""

from __future__ import annotations

import datetime as dt
import logging
import os
import pathlib
import threading

import numpy as np

from ..errors import InputError
from ..io.atomic import write_json_atomic

log = logging.getLogger(__name__)

CONSENT_TEXT = (
    "I am the person in these frames (or I have their explicit permission), I agree to their use "
    "for training a face-swap model, and I can delete them at any time."
)


class ClipRecorder:
    """Writes uint8 RGB frames to an H.264 mp4 (``faceswap_kit.io.video.VideoWriter``).

    The frame size is taken from the first frame; later frames of another size (a quality
    step-down) are resized to it. Metadata marks the clip as synthetic.
    """

    def __init__(self, path: str | os.PathLike, fps: float = 30.0) -> None:
        self.path = pathlib.Path(path)
        self.fps = float(fps)
        self.frames = 0
        self._writer = None
        self._size: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def write(self, frame: np.ndarray) -> None:
        from ..io.video import VideoWriter

        with self._lock:
            if self._writer is None:
                height, width = frame.shape[:2]
                self._size = (width - width % 2, height - height % 2)  # H.264 wants even sizes
                self._writer = VideoWriter(
                    self.path,
                    self.fps,
                    self._size,
                    metadata={"comment": "AI-generated (faceswap_kit live)"},
                )
            if (frame.shape[1], frame.shape[0]) != self._size:
                import cv2

                frame = cv2.resize(frame, self._size, interpolation=cv2.INTER_AREA)
            self._writer.write(np.ascontiguousarray(frame))
            self.frames += 1

    def close(self) -> pathlib.Path | None:
        """Finish the file; returns its path (None when no frame was written)."""
        with self._lock:
            if self._writer is None:
                return None
            self._writer.close()
            self._writer = None
        log.info("recorded %d frames to %s", self.frames, self.path)
        return self.path


def save_snapshot(path: str | os.PathLike, frame: np.ndarray) -> pathlib.Path:
    """Write one uint8 RGB frame as an image (format from the suffix)."""
    from ..io.images import write_image

    return pathlib.Path(write_image(path, frame))


class DatasetRecorder:
    """Saves camera frames (before any swap) into a folder that ``faceswap_kit.dataset.extract``
    reads: ``frames/000000.jpg ...`` plus ``consent.json``.

    Recording your own face is for your own face: ``consent=True`` must be passed explicitly, and
    the consent statement is stored next to the frames.

    Args:
        folder: output folder (created).
        consent: you are the person filmed (or have their explicit permission).
        every: keep one frame in ``every`` (consecutive frames are nearly identical).
        max_frames: stop after this many frames.
        name: who is in the frames (stored in ``consent.json``).
    """

    def __init__(
        self,
        folder: str | os.PathLike,
        consent: bool = False,
        every: int = 3,
        max_frames: int = 300,
        name: str = "me",
    ) -> None:
        if consent is not True:
            raise InputError(
                "recording a face dataset needs consent=True: confirm you are the person filmed or "
                f"have their explicit permission ({CONSENT_TEXT})"
            )
        self.folder = pathlib.Path(folder)
        (self.folder / "frames").mkdir(parents=True, exist_ok=True)
        self.every, self.max_frames = max(1, int(every)), int(max_frames)
        self.seen = 0
        self.saved = 0
        record = {
            "subject": name,
            "consent": CONSENT_TEXT,
            "recorded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "source": "faceswap_kit live camera",
        }
        write_json_atomic(self.folder / "consent.json", record)

    @property
    def full(self) -> bool:
        return self.saved >= self.max_frames

    def add(self, frame: np.ndarray) -> bool:
        """Offer a frame; returns True when it was saved."""
        from ..io.images import write_image

        self.seen += 1
        if self.full or (self.seen - 1) % self.every:
            return False
        write_image(self.folder / "frames" / f"{self.saved:06d}.jpg", frame)
        self.saved += 1
        return True
