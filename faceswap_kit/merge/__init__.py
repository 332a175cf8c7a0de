"""The merge stage: colour transfer, mask shaping and blending of a predicted face into a frame."""

from __future__ import annotations

from .blend import feather_blend, seamless_clone
from .color import transfer_color
from .config import BLEND_MODES, COLOR_MODES, MASK_MODES, MergeConfig
from .mask import blur, erode_mask, shape_mask, sharpen
from .merge import FaceMerger, MergeResult, merge_face, merge_face_detailed

__all__ = [
    "BLEND_MODES",
    "COLOR_MODES",
    "MASK_MODES",
    "FaceMerger",
    "MergeConfig",
    "MergeResult",
    "blur",
    "erode_mask",
    "feather_blend",
    "merge_face",
    "merge_face_detailed",
    "seamless_clone",
    "shape_mask",
    "sharpen",
    "transfer_color",
]
