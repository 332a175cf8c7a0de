"""faceswap_kit: a Jupyter workbench that teaches how face swaps are made, and runs them for real.

Images are ``(B, 3, H, W)`` float RGB tensors in [0, 1], masks ``(B, 1, H, W)``, landmarks
``(B, N, 2)`` in pixels. Functions follow the device of their inputs.
"""

from __future__ import annotations

from .device import get_device, make_generator, seed_everything
from .errors import (
    CheckpointError,
    DatasetError,
    FaceswapKitError,
    InputError,
    MediaError,
    NoFaceFoundError,
    TrainingError,
    WidgetError,
)

__version__ = "0.1.0"

__all__ = [
    "CheckpointError",
    "DatasetError",
    "FaceswapKitError",
    "InputError",
    "MediaError",
    "NoFaceFoundError",
    "TrainingError",
    "WidgetError",
    "__version__",
    "get_device",
    "make_generator",
    "seed_everything",
]
