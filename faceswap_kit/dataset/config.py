"""``ExtractConfig``: the settings of one extraction run, checked once, in one frozen dataclass."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..align import check_face_type, check_size
from ..errors import InputError
from .format import IMAGE_FORMATS


@dataclass(frozen=True)
class ExtractConfig:
    """How :func:`faceswap_kit.dataset.extract` detects, aligns and writes faces.

    Attributes:
        face_type: ``half``, ``full``, ``whole_face`` or ``head``.
        size: crop side in pixels (64-512 usual).
        image_format: ``"jpg"`` (quality 95; encodes ~15x faster) or ``"png"`` (lossless, ~4 ms
            a 256 px face: extraction runs at about 2/3 of the JPEG speed). None: the face set's
            own format when resuming one, else ``"jpg"``.
        min_face_size: skip faces smaller than this many source pixels.
        choose: with several faces, ``"largest"``, an index (left to right) or ``"reference"``.
        faces_per_frame: how many faces the detector looks for (1 is fastest).
        every: keep every n-th frame of a video.
        max_frames: stop each stream after this many frames (None: all).
        batch_size: faces aligned per warp.
        workers: writer threads.
        device: where alignment runs (None: CPU).

    >>> ExtractConfig.tiny().size
    64
    >>> ExtractConfig(every=0)
    Traceback (most recent call last):
    ...
    faceswap_kit.errors.InputError: every, batch_size, workers, faces_per_frame must be >= 1, got (0, 16, 2, 1)
    """

    face_type: str = "whole_face"
    size: int = 256
    image_format: str | None = None
    min_face_size: float = 40.0
    choose: str | int = "largest"
    faces_per_frame: int = 1
    every: int = 1
    max_frames: int | None = None
    batch_size: int = 16
    workers: int = 2
    device: str | None = None

    def __post_init__(self) -> None:
        check_face_type(self.face_type)
        check_size(self.size)
        counts = (self.every, self.batch_size, self.workers, self.faces_per_frame)
        if any(not isinstance(n, int) or n < 1 for n in counts):
            raise InputError(
                f"every, batch_size, workers, faces_per_frame must be >= 1, got {counts}"
            )
        if self.max_frames is not None and self.max_frames < 1:
            raise InputError(f"max_frames must be >= 1 (or None for all), got {self.max_frames}")
        if not 0 <= float(self.min_face_size) < float("inf"):
            raise InputError(
                f"min_face_size must be a number of pixels >= 0, got {self.min_face_size}"
            )
        if self.image_format is not None and self.image_format not in IMAGE_FORMATS:
            raise InputError(
                f"image_format must be one of {IMAGE_FORMATS}, got {self.image_format!r}"
            )
        if self.device is not None:
            object.__setattr__(self, "device", str(self.device))

    @classmethod
    def default(cls) -> ExtractConfig:
        return cls()

    @classmethod
    def tiny(cls) -> ExtractConfig:
        return cls(size=64, workers=1)

    def replace(self, **changes: Any) -> ExtractConfig:
        """A copy with some settings changed; unknown names are an :class:`InputError`."""
        names = {field.name for field in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise InputError(
                f"unknown extract setting(s) {unknown}; expected some of {sorted(names)}"
            )
        return dataclasses.replace(self, **changes)
