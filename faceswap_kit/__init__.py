"""faceswap_kit: a Jupyter workbench that teaches how face swaps are made, and runs them for real.

Images are ``(B, 3, H, W)`` float RGB tensors in [0, 1], masks ``(B, 1, H, W)``, landmarks
``(B, N, 2)`` in pixels. Functions follow the device of their inputs.
"""

from __future__ import annotations

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

_DEVICE_FUNCTIONS = ("get_device", "make_generator", "seed_everything")


def __getattr__(name: str):
    # torch is imported on first use, not by ``import faceswap_kit``: an application can still
    # choose torch's start-up settings first (``faceswap_kit.threads.prefer_passive_wait``)
    if name in _DEVICE_FUNCTIONS:
        from . import device

        return getattr(device, name)
    raise AttributeError(f"module 'faceswap_kit' has no attribute {name!r}")


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
