"""Where frames come from: a video file (streamed, any length), an image file, a folder of images
(and videos), or any iterable of uint8 RGB frames (what the webcam widget records).

Each source becomes one or more :class:`SourceItem` s; a per-file problem becomes a
:class:`Problem` that extraction reports and skips, never an abort.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, MediaError
from ..io import VideoReader, read_image, tensor_to_image
from ..io.images import IMAGE_SUFFIXES
from ..io.video import VIDEO_SUFFIXES


@dataclass
class SourceItem:
    """One stream of frames.

    Attributes:
        key: a stable name used in the metadata and for resuming (the file path, or ``name``).
        kind: ``"video"``, ``"image"`` or ``"frames"``.
        path: the file, when there is one.
        frames: a callable returning an iterator of ``(frame_index, uint8 RGB frame)``.
        frame_count: expected number of frames (0 when unknown).
        synthetic_seed: the generator seed when the clip is a generated person (synth ground
            truth JSON beside the video), else ``None``.
    """

    key: str
    kind: str
    path: Path | None
    frames: Any
    frame_count: int = 0
    synthetic_seed: int | None = None


@dataclass(frozen=True)
class Problem:
    """A file or frame that was skipped, and why."""

    source: str
    reason: str


def _video_item(path: Path) -> SourceItem:

    reader = VideoReader(path)  # raises MediaError on unreadable, empty, non-video files

    def frames() -> Iterator[tuple[int, np.ndarray]]:
        yield from enumerate(reader)

    return SourceItem(
        key=str(path),
        kind="video",
        path=path,
        frames=frames,
        frame_count=reader.frame_count,
        synthetic_seed=_synthetic_seed(path),
    )


def _image_item(path: Path) -> SourceItem:

    def frames() -> Iterator[tuple[int, np.ndarray]]:
        yield 0, read_image(path)

    return SourceItem(key=str(path), kind="image", path=path, frames=frames, frame_count=1)


def _synthetic_seed(video: Path) -> int | None:
    """The seed of a generated clip, read from the ground truth JSON beside it."""
    truth = video.with_suffix(".json")
    if not truth.is_file():
        return None
    try:
        data = json.loads(truth.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    seed = data.get(
        "seed",
        data.get("identity", {}).get("seed") if isinstance(data.get("identity"), dict) else None,
    )
    return int(seed) if isinstance(seed, int) else None


def _file_item(path: Path) -> SourceItem:

    if path.suffix.lower() in IMAGE_SUFFIXES:
        return _image_item(path)
    return _video_item(path)


def resolve_sources(
    source: str | os.PathLike | Iterable[np.ndarray], name: str = "frames"
) -> tuple[list[SourceItem], list[Problem]]:
    """Turn what the user gave into frame streams.

    Args:
        source: a video or image file, a folder (its images and videos, sorted by name), or an
            iterable of uint8 RGB ``(H, W, 3)`` frames (a webcam recording).
        name: the key for an iterable of frames.

    Returns:
        ``(items, problems)``: the streams, and the files skipped with the reason.

    Raises:
        MediaError: the path does not exist, a single file cannot be read, or a folder holds no
            image or video.
    """

    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise MediaError(f"source {str(path)!r} does not exist; give a video, image or folder")
        if path.is_file():
            return [_file_item(path)], []
        if (path / "frames").is_dir() and not any(
            p.suffix.lower() in IMAGE_SUFFIXES + VIDEO_SUFFIXES for p in path.iterdir()
        ):
            path = path / "frames"  # a recording from the live notebook (frames/ + consent.json)
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        wanted = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES + VIDEO_SUFFIXES]
        if not wanted:
            raise MediaError(
                f"folder {str(path)!r} holds no images ({', '.join(IMAGE_SUFFIXES)}) or videos "
                f"({', '.join(VIDEO_SUFFIXES)}); give a folder of pictures or a video file"
            )
        items, problems = [], []
        for file in wanted:
            try:
                items.append(_file_item(file))
            except MediaError as exc:
                problems.append(Problem(str(file), str(exc)))
        return items, problems
    if isinstance(source, np.ndarray) and source.ndim == 3:
        source = [source]
    if isinstance(source, Iterable):
        frames_source = source

        def frames() -> Iterator[tuple[int, np.ndarray]]:
            for index, frame in enumerate(frames_source):
                yield index, _as_frame(frame, index)

        count = len(source) if hasattr(source, "__len__") else 0
        return [
            SourceItem(key=name, kind="frames", path=None, frames=frames, frame_count=count)
        ], []
    raise InputError(
        f"source must be a path or an iterable of uint8 RGB frames, got {type(source).__name__}"
    )


def recorded_consent(source: Any) -> dict[str, Any] | None:
    """The ``consent.json`` of a recording folder made by the live notebook, if any."""
    if not isinstance(source, (str, os.PathLike)):
        return None
    record = Path(source) / "consent.json"
    if not record.is_file():
        return None
    try:
        data = json.loads(record.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _as_frame(frame: Any, index: int) -> np.ndarray:
    if hasattr(frame, "detach"):  # a (1|3, H, W) or (1, 3, H, W) float tensor
        return tensor_to_image(frame)
    array = np.asarray(frame)
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4) or array.dtype != np.uint8:
        raise InputError(
            f"frame {index} is {array.dtype} {array.shape}; expected uint8 RGB (H, W, 3)"
        )
    return np.ascontiguousarray(array[..., :3])
