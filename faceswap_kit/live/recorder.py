"""Keeping what the live loop shows: clips (mp4), snapshots (PNG) and a consented dataset of yourself."""

from __future__ import annotations

import datetime as dt
import logging
import os
import pathlib
import queue
import threading

import numpy as np

from ..errors import InputError
from ..io.atomic import write_json_atomic
from ..io.images import write_image
from ..io.video import VideoWriter
from ..provenance import Provenance

log = logging.getLogger(__name__)

CONSENT_TEXT = (
    "I am the person in these frames (or I have their explicit permission), I agree to their use "
    "for training a face-swap model, and I can delete them at any time."
)


class ClipRecorder:
    """Writes uint8 RGB frames to an H.264 mp4 (``faceswap_kit.io.video.VideoWriter``).

    The frame size is taken from the first frame; later frames of another size (a quality
    step-down) are resized to it. Metadata marks the clip as synthetic, every frame carries the
    invisible watermark and the file gets signed Content Credentials (``watermark=False`` removes
    the mark and records that). Watermarking and encoding run on a writer thread, off the live
    loop: ``write`` only queues a copy of the frame, and blocks only when ``queue_frames`` are
    waiting, so every frame handed to it is saved and marked.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        fps: float = 30.0,
        watermark: bool = True,
        queue_frames: int = 64,
    ) -> None:

        self.path = pathlib.Path(path)
        self.fps = float(fps)
        self.frames = 0
        self.provenance = Provenance.new(
            "live recording", "live face swap recorded from the webcam view", watermark=watermark
        )
        self._writer = None
        self._size: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, int(queue_frames)))
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="clip-recorder", daemon=True)
        self._thread.start()

    def write(self, frame: np.ndarray) -> None:
        if self._error is not None:
            raise self._error
        with self._lock:
            if self._size is None:
                height, width = frame.shape[:2]
                self._size = (width - width % 2, height - height % 2)  # H.264 wants even sizes
            self.frames += 1
        self._queue.put(np.array(frame, copy=True))

    def _drain(self) -> None:

        while True:
            frame = self._queue.get()
            if frame is None:
                return
            try:
                if self._writer is None:
                    self._writer = VideoWriter(
                        self.path,
                        self.fps,
                        self._size,
                        metadata={"description": "AI-generated (faceswap_kit live)"},
                        provenance=self.provenance,
                    )
                if (frame.shape[1], frame.shape[0]) != self._size:
                    import cv2

                    frame = cv2.resize(frame, self._size, interpolation=cv2.INTER_AREA)
                self._writer.write(np.ascontiguousarray(frame))
            except BaseException as exc:  # noqa: BLE001 - reported to the caller of write/close
                self._error = exc

    def close(self) -> pathlib.Path | None:
        """Finish the file (after every queued frame); returns its path (None when no frame)."""
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            if self._writer is not None:
                self._writer.abort()
            raise self._error
        if self._writer is None:
            return None
        self._writer.close()
        self._writer = None
        log.info("recorded %d frames to %s", self.frames, self.path)
        return self.path


def save_snapshot(
    path: str | os.PathLike, frame: np.ndarray, watermark: bool = True
) -> pathlib.Path:
    """Write one uint8 RGB frame as an image (format from the suffix), watermarked and signed."""

    record = Provenance.new("live snapshot", "snapshot of the live face swap", watermark=watermark)
    return pathlib.Path(write_image(path, frame, provenance=record))


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

        self.seen += 1
        if self.full or (self.seen - 1) % self.every:
            return False
        write_image(self.folder / "frames" / f"{self.saved:06d}.jpg", frame)
        self.saved += 1
        return True
