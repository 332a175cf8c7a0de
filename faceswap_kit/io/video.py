"""Streaming video reading and writing with PyAV. Frames are uint8 RGB ``(H, W, 3)`` arrays; a video
is never held in memory whole. Writing goes to a temporary file that is renamed into place only when
the video is complete, so an interrupted write never leaves a broken file under the final name."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import InputError, MediaError

log = logging.getLogger(__name__)

VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v")


def _av():
    import av

    return av


class VideoReader:
    """Iterate the frames of a video file as uint8 RGB arrays, decoding as it goes.

    Rotation metadata (phone videos) is applied, so frames come out upright.

    Attributes:
        fps: average frame rate (frames per second).
        frame_count: number of frames (from the container, else estimated from the duration).
        size: ``(width, height)`` of the upright frames.
        has_audio: the file has an audio stream.

    >>> # for frame in VideoReader("clip.mp4"): ...   (see tests/io)
    """

    def __init__(self, path: str | os.PathLike) -> None:
        av = _av()
        self.path = Path(path)
        if not self.path.is_file():
            raise MediaError(f"video {str(self.path)!r} does not exist or is not a file")
        if self.path.stat().st_size == 0:
            raise MediaError(f"video {str(self.path)!r} is empty (0 bytes)")
        try:
            container = av.open(str(self.path))
        except av.error.FFmpegError as exc:
            raise MediaError(f"cannot open {str(self.path)!r} as a video: {exc}") from exc
        try:
            if not container.streams.video:
                raise MediaError(f"{str(self.path)!r} has no video stream")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or Fraction(25)
            self.fps = float(rate)
            self.has_audio = bool(container.streams.audio)
            first = _first_frame(container, stream, self.path)
            self.turns = _turns_of(first)
            width, height = first.width, first.height
            self.size = (height, width) if self.turns % 2 else (width, height)
            self.frame_count = int(stream.frames or 0)
            if self.frame_count <= 0 and stream.duration and stream.time_base:
                self.frame_count = int(round(float(stream.duration * stream.time_base) * self.fps))
            if self.frame_count <= 0 and container.duration:
                self.frame_count = int(round(container.duration / 1_000_000 * self.fps))
        finally:
            container.close()

    def __len__(self) -> int:
        return self.frame_count

    def __iter__(self) -> Iterator[np.ndarray]:
        av = _av()
        try:
            container = av.open(str(self.path))
        except av.error.FFmpegError as exc:
            raise MediaError(f"cannot open {str(self.path)!r} as a video: {exc}") from exc
        with container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            try:
                for frame in container.decode(stream):
                    array = frame.to_ndarray(format="rgb24")
                    if self.turns:
                        array = np.ascontiguousarray(np.rot90(array, k=self.turns))
                    yield array
            except av.error.FFmpegError as exc:
                log.warning("stopped reading %s early: %s", self.path, exc)


def _first_frame(container, stream, path: Path):
    av = _av()
    try:
        for frame in container.decode(stream):
            return frame
    except av.error.FFmpegError as exc:
        raise MediaError(f"cannot decode {str(path)!r}: {exc}") from exc
    raise MediaError(f"{str(path)!r} has a video stream with no decodable frame")


def _turns_of(frame) -> int:
    """Counter-clockwise quarter turns that make a decoded frame upright (display matrix)."""
    try:
        rotation = int(round(float(frame.rotation or 0) / 90.0))
    except (AttributeError, TypeError, ValueError):
        rotation = 0
    return rotation % 4


class VideoWriter:
    """Write uint8 RGB frames to an H.264 mp4, streaming, with audio copied from another file.

    Use as a context manager; the file appears under its final name only after a clean close.

    Args:
        path: output file (``.mp4``, ``.mov`` or ``.mkv``).
        fps: frame rate.
        size: ``(width, height)``; odd sizes are padded to even (H.264 needs even sizes).
        audio_from: a media file whose audio stream is copied into the output.
        metadata: container tags, e.g. ``{"comment": "synthetic"}``.
        crf: H.264 quality (lower is better; 18 is visually lossless).
        overwrite: replace an existing file; otherwise an existing ``path`` is an error.
        provenance: a :class:`faceswap_kit.provenance.Provenance`: every frame is watermarked,
            its tags join ``metadata``, and the finished file gets signed Content Credentials.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        fps: float,
        size: tuple[int, int],
        audio_from: str | os.PathLike | None = None,
        metadata: dict[str, str] | None = None,
        crf: int = 18,
        overwrite: bool = True,
        provenance=None,
    ) -> None:
        self.path = Path(path)
        self.provenance = provenance
        if self.path.suffix.lower() not in (".mp4", ".mov", ".mkv", ".m4v"):
            raise InputError(
                f"cannot write video {str(self.path)!r}: use a .mp4, .mov or .mkv name"
            )
        if not (0 < fps <= 1000):
            raise InputError(f"fps must be in (0, 1000], got {fps}")
        width, height = int(size[0]), int(size[1])
        if width < 2 or height < 2 or width > 16384 or height > 16384:
            raise InputError(f"video size must be between 2 and 16384 px, got {width}x{height}")
        if self.path.exists() and not overwrite:
            raise MediaError(f"{str(self.path)!r} exists; pass overwrite to replace it")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(self.path.parent, os.W_OK):
            raise MediaError(
                f"cannot write to folder {str(self.path.parent)!r} (permission denied)"
            )
        self.size = (width, height)
        self.frames_written = 0
        self._audio_from = Path(audio_from) if audio_from else None
        self._tmp = self.path.with_name(f".{self.path.stem}.partial{self.path.suffix}")
        av = _av()
        self._container = av.open(str(self._tmp), mode="w")
        tags = {**(metadata or {}), **(provenance.metadata() if provenance is not None else {})}
        for key, value in tags.items():
            self._container.metadata[key] = str(value)
        rate = Fraction(fps).limit_denominator(1001)
        self._stream = self._container.add_stream("libx264", rate=rate)
        self._stream.width = width + width % 2
        self._stream.height = height + height % 2
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {"crf": str(crf), "preset": "veryfast"}
        self._audio_source, self._audio_in, self._audio_out = None, None, None
        if self._audio_from is not None:
            self._open_audio()  # streams must exist before the first packet is written
        self._closed = False

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, frame: np.ndarray) -> None:
        """Append one uint8 RGB ``(H, W, 3)`` frame of the writer's size."""
        av = _av()
        if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
            raise InputError(f"expected a uint8 (H, W, 3) frame, got {frame.dtype} {frame.shape}")
        if (frame.shape[1], frame.shape[0]) != self.size:
            raise InputError(
                f"frame is {frame.shape[1]}x{frame.shape[0]}, the video is {self.size[0]}x{self.size[1]}"
            )
        if self.provenance is not None:
            frame = self.provenance.mark(frame)
        if frame.shape[1] % 2 or frame.shape[0] % 2:
            frame = np.pad(
                frame, ((0, frame.shape[0] % 2), (0, frame.shape[1] % 2), (0, 0)), "edge"
            )
        video_frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
        for packet in self._stream.encode(video_frame):
            self._container.mux(packet)
        self.frames_written += 1

    def close(self) -> Path:
        """Flush, copy audio, and move the file into place. Returns the final path."""
        if self._closed:
            return self.path
        for packet in self._stream.encode():
            self._container.mux(packet)
        if self._audio_from is not None:
            self._copy_audio()
        self._container.close()
        self._closed = True
        if self.frames_written == 0:
            self._tmp.unlink(missing_ok=True)
            raise MediaError(f"no frames were written to {str(self.path)!r}")
        if self.provenance is not None:
            self.provenance.finish(self._tmp, final=self.path)
        os.replace(self._tmp, self.path)
        return self.path

    def abort(self) -> None:
        """Stop writing and remove the partial file; the final path is left untouched."""
        if self._audio_source is not None:
            self._audio_source.close()
            self._audio_source = None
        if not self._closed:
            try:
                self._container.close()
            except Exception:  # noqa: BLE001 - closing a half-written container may fail
                pass
            self._closed = True
        self._tmp.unlink(missing_ok=True)

    def _open_audio(self) -> None:
        av = _av()
        try:
            source = av.open(str(self._audio_from))
        except (av.error.FFmpegError, OSError) as exc:
            log.warning("audio not copied from %s: %s", self._audio_from, exc)
            return
        if not source.streams.audio:
            source.close()
            return
        try:
            self._audio_out = self._container.add_stream_from_template(source.streams.audio[0])
        except (ValueError, av.error.FFmpegError) as exc:
            log.warning("audio codec cannot be copied into %s: %s", self.path.suffix, exc)
            source.close()
            return
        self._audio_source, self._audio_in = source, source.streams.audio[0]

    def _copy_audio(self) -> None:
        if self._audio_source is None:
            return
        with self._audio_source:
            for packet in self._audio_source.demux(self._audio_in):
                if packet.dts is None:
                    continue
                packet.stream = self._audio_out
                self._container.mux(packet)
        self._audio_source = None


def write_video(path: str | os.PathLike, frames, fps: float = 25.0, **kwargs) -> Path:
    """Write an iterable of uint8 RGB frames to ``path``; the size is taken from the first frame."""
    iterator = iter(frames)
    try:
        first = next(iterator)
    except StopIteration:
        raise InputError("write_video got no frames") from None
    with VideoWriter(path, fps, (first.shape[1], first.shape[0]), **kwargs) as writer:
        writer.write(first)
        for frame in iterator:
            writer.write(frame)
    return Path(path)
