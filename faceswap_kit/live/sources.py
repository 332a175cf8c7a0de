"""Frame sources other than the browser camera, all shown through the same widget.

* :class:`GeneratedPersonSource` — a person who does not exist, moving and talking (``faceswap_kit.synth``).
* :class:`VideoFileSource` — frames of a video file, looped.
* :class:`LocalCameraSource` — a camera read by the kernel with ``cv2.VideoCapture`` (for VS Code,
  whose notebook view denies the browser camera, or a local script).

Each yields ``(H, W, 3)`` uint8 RGB frames and has ``fps`` and ``close()``. :class:`SourcePump`
feeds one into a runner at the source's frame rate on a thread.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np

from .. import synth
from ..errors import InputError, MediaError, WidgetError
from ..io.convert import tensor_to_image
from ..io.images import read_image
from ..io.video import VideoReader

log = logging.getLogger(__name__)

DEFAULT_SIZE = (640, 480)


def _synth():
    try:
        synth.render  # noqa: B018 - the contract's entry points must exist
        synth.Identity  # noqa: B018
    except (ImportError, AttributeError):
        return None
    return synth


def default_source_face(seed: int = 7, size: int = 384) -> tuple[np.ndarray, np.ndarray | None]:
    """The face the 2D mode pastes when none is chosen: a generated person (``seed``).

    Returns ``(image uint8 RGB, landmarks (468, 2) or None)``; landmarks come with the render, so no
    detection is needed. Without ``faceswap_kit.synth`` it falls back to matplotlib's public-domain
    sample portrait (landmarks None: detected by the caller).
    """
    synth = _synth()
    if synth is not None:
        render = synth.render(synth.Identity.from_seed(seed), size=size)
        return tensor_to_image(render.image), render.landmarks[0].numpy().astype(np.float32)
    import matplotlib.cbook

    return read_image(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)), None


def _place(image: np.ndarray, size: tuple[int, int], t: float) -> np.ndarray:
    """Place ``image`` on a ``size`` canvas, gently moving and turning with time ``t`` (seconds)."""
    import cv2

    width, height = size
    scale = 0.6 * min(width, height) / max(image.shape[:2]) * (1 + 0.05 * math.sin(t * 0.9))
    angle = 8.0 * math.sin(t * 1.3)
    centre = (image.shape[1] / 2, image.shape[0] / 2)
    matrix = cv2.getRotationMatrix2D(centre, angle, scale)
    matrix[0, 2] += width / 2 - centre[0] + 25 * math.sin(t * 0.7)
    matrix[1, 2] += height / 2 - centre[1] + 10 * math.sin(t * 1.1)
    return cv2.warpAffine(image, matrix, size, borderMode=cv2.BORDER_REFLECT)


class GeneratedPersonSource:
    """A generated person who does not exist, looping a short pre-rendered clip.

    Args:
        seed: which person (``faceswap_kit.synth`` identity and motion).
        size: ``(width, height)`` of the frames.
        frames: frames to yield (None: forever).
        loop_frames: how many distinct frames to render before cycling (rendering takes ~0.1 s
            a frame on a CPU, so the live view plays a rendered loop: one turn of the head).
        fps: nominal frame rate.
    """

    def __init__(
        self,
        seed: int = 0,
        size: tuple[int, int] = DEFAULT_SIZE,
        frames: int | None = None,
        loop_frames: int = 24,
        fps: float = 30.0,
    ) -> None:
        self.seed, self.size, self.frames, self.fps = seed, tuple(size), frames, float(fps)
        self.loop_frames = max(1, int(loop_frames))
        self._clip: list[np.ndarray] | None = None
        self._still: np.ndarray | None = None
        self.generated_by = "faceswap_kit.synth" if _synth() is not None else "test pattern"

    def _render_loop(self) -> list[np.ndarray]:
        synth = _synth()
        width, height = self.size
        side = min(width, height)
        identity = synth.Identity.from_seed(self.seed)
        frames = []
        for index in range(self.loop_frames):
            phase = 2 * math.pi * index / self.loop_frames
            pose = synth.Pose(
                yaw=18 * math.sin(phase), pitch=6 * math.sin(2 * phase), roll=4 * math.cos(phase)
            )
            expression = synth.Expression(
                jaw_open=0.35 * max(0.0, math.sin(3 * phase)),
                smile=0.3 * (1 + math.cos(phase)) / 2,
                blink_left=1.0 if index == self.loop_frames // 2 else 0.0,
                blink_right=1.0 if index == self.loop_frames // 2 else 0.0,
            )
            face = tensor_to_image(
                synth.render(identity, expression=expression, pose=pose, size=side).image
            )
            x, y = (width - side) // 2, (height - side) // 2
            # extend the rendered square's edges to the frame's aspect ratio
            pad = ((y, height - side - y), (x, width - side - x), (0, 0))
            frames.append(np.pad(face, pad, mode="edge"))
        return frames

    def frame(self, index: int) -> np.ndarray:
        """Frame number ``index`` (cycling through the rendered loop)."""
        if _synth() is not None:
            if self._clip is None:
                self._clip = self._render_loop()
            return self._clip[index % len(self._clip)]
        if self._still is None:
            from skimage import data

            self._still = np.ascontiguousarray(data.astronaut()[20:300, 110:370])
        return _place(self._still, self.size, index / self.fps)

    def __iter__(self) -> Iterator[np.ndarray]:
        index = 0
        while self.frames is None or index < self.frames:
            yield self.frame(index)
            index += 1

    def close(self) -> None:
        self._clip = None


class VideoFileSource:
    """Frames of a video file (uint8 RGB), looped when ``loop`` is true."""

    def __init__(self, path: str | os.PathLike, loop: bool = True) -> None:

        self.path, self.loop = path, loop
        self._reader_type = VideoReader
        reader = VideoReader(path)
        self.fps = float(reader.fps or 30.0)
        self.size = tuple(reader.size)

    def __iter__(self) -> Iterator[np.ndarray]:
        while True:
            count = 0
            for frame in self._reader_type(self.path):
                count += 1
                yield frame
            if not self.loop or count == 0:
                return

    def close(self) -> None:
        pass


class LocalCameraSource:
    """A camera opened by the kernel with ``cv2.VideoCapture(index)``."""

    def __init__(self, index: int = 0, size: tuple[int, int] = DEFAULT_SIZE) -> None:
        import cv2

        self.index = index
        self._capture = cv2.VideoCapture(index)
        if not self._capture.isOpened():
            self._capture.release()
            raise WidgetError(
                f"no local camera at index {index} (cv2.VideoCapture could not open it); "
                "plug one in, pick another index, or use source='generated'"
            )
        self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
        self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
        self.fps = float(self._capture.get(cv2.CAP_PROP_FPS) or 30.0)
        self.size = tuple(size)

    def __iter__(self) -> Iterator[np.ndarray]:
        import cv2

        while self._capture.isOpened():
            ok, frame = self._capture.read()
            if not ok:
                raise MediaError(f"local camera {self.index} stopped delivering frames")
            yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        self._capture.release()


def open_source(kind: str, **kwargs):
    """Build a source by name: ``"generated"``, ``"video"`` (``path=``) or ``"local"`` (``index=``)."""
    if kind == "generated":
        return GeneratedPersonSource(**kwargs)
    if kind == "video":
        return VideoFileSource(**kwargs)
    if kind == "local":
        return LocalCameraSource(**kwargs)
    raise InputError(f"unknown source {kind!r}; expected 'generated', 'video' or 'local'")


class SourcePump:
    """Reads a source on a thread and submits each frame to ``submit`` at the source's pace."""

    def __init__(self, source, submit: Callable[[np.ndarray], None], fps: float | None = None):
        self.source, self.submit = source, submit
        self.fps = float(fps or getattr(source, "fps", 30.0) or 30.0)
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SourcePump:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="faceswap-source", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        period = 1.0 / self.fps
        next_time = time.perf_counter()
        try:
            for frame in self.source:
                if self._stop.is_set():
                    return
                self.submit(frame)
                next_time += period
                delay = next_time - time.perf_counter()
                if delay > 0:
                    self._stop.wait(delay)
                else:
                    next_time = time.perf_counter()
        except Exception as exc:
            log.exception("live source failed")
            self.error = exc

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None
        self.source.close()
