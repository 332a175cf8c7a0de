"""``MergeConfig``: every knob of the merge stage in one frozen dataclass."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..errors import InputError

COLOR_MODES = ("none", "rct", "lct", "mkl", "idt", "sot")
MASK_MODES = ("predicted", "hull", "both")
BLEND_MODES = ("feather", "seamless")
MAX_ERODE = 200  # pixels of the aligned crop, either way
MAX_BLUR = 256  # pixels of the aligned crop: a feather wider than a crop means nothing
MAX_SHARPEN = 5.0  # unsharp-mask amount; beyond a few the face is all edges


@dataclass(frozen=True)
class MergeConfig:
    """How a predicted face is put back into its frame.

    Attributes:
        color: colour transfer applied to the predicted face so that it takes the colours of the
            frame's face: ``"none"``, ``"rct"``, ``"lct"``, ``"mkl"``, ``"idt"`` or ``"sot"``
            (see :mod:`faceswap_kit.merge.color`).
        mask: which mask decides where the new face shows: ``"predicted"`` (the model's mask),
            ``"hull"`` (the face type's outline through the frame's mediapipe landmarks, as
            :func:`faceswap_kit.masks.face_mask` draws it) or ``"both"`` (their product).
        erode: pixels of the aligned crop to shrink the mask by (negative values grow it).
        blur: width in aligned-crop pixels of the Gaussian feather applied to the mask edge
            (0 = hard edge).
        blend: ``"feather"`` (alpha blend through the blurred mask) or ``"seamless"`` (Poisson
            clone: the face's gradients, the frame's colours at the mask border).
        opacity: 0 shows the original frame, 1 the full swap.
        sharpen: unsharp-mask amount applied to the predicted face (0 = off).
    """

    color: str = "rct"
    mask: str = "predicted"
    erode: int = 0
    blur: int = 5
    blend: str = "seamless"
    opacity: float = 1.0
    sharpen: float = 0.0

    def __post_init__(self) -> None:
        if self.color not in COLOR_MODES:
            raise InputError(f"color mode {self.color!r} is unknown; expected one of {COLOR_MODES}")
        if self.mask not in MASK_MODES:
            raise InputError(f"mask mode {self.mask!r} is unknown; expected one of {MASK_MODES}")
        if self.blend not in BLEND_MODES:
            raise InputError(f"blend mode {self.blend!r} is unknown; expected one of {BLEND_MODES}")
        if not 0.0 <= float(self.opacity) <= 1.0:
            raise InputError(f"opacity must be in [0, 1], got {self.opacity}")
        if not 0 <= int(self.blur) <= MAX_BLUR:
            raise InputError(f"blur must be from 0 to {MAX_BLUR} pixels, got {self.blur}")
        if not 0.0 <= float(self.sharpen) <= MAX_SHARPEN:  # also refuses nan
            raise InputError(f"sharpen must be from 0 to {MAX_SHARPEN:g}, got {self.sharpen}")
        if abs(int(self.erode)) > MAX_ERODE:
            raise InputError(f"erode must be within +-{MAX_ERODE} pixels, got {self.erode}")

    @classmethod
    def default(cls) -> MergeConfig:
        """The best combination measured by ``benchmarks/bench_quality.py`` (see docs/merge.md)."""
        return cls()

    @classmethod
    def live(cls) -> MergeConfig:
        """What the live loop uses: the default's colour transfer with a feathered blend. The
        Poisson (``seamless``) blend costs ~7 ms of a 640x480 frame on a CPU core, a fifth of a
        30 FPS budget; pick it in the live controls when the machine has time to spare."""
        return cls(blend="feather")

    @classmethod
    def tiny(cls) -> MergeConfig:
        """Cheap settings for tests on 64-128 px inputs."""
        return cls(color="rct", erode=1, blur=5)

    def replace(self, **changes: object) -> MergeConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain JSON-able dict."""
        return dataclasses.asdict(self)
