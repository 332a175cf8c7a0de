"""Domain exceptions. Every message says what arrived, what was expected and how to fix it."""

from __future__ import annotations


class FaceswapKitError(Exception):
    """Base class for every error the kit raises on purpose (user-facing, no traceback in the CLI)."""


class InputError(FaceswapKitError, ValueError):
    """An argument has the wrong shape, type, range or value."""


class MediaError(FaceswapKitError):
    """A video or image file cannot be read or written."""


class NoFaceFoundError(FaceswapKitError):
    """No face (or no usable face) was found where one was required."""


class DatasetError(FaceswapKitError):
    """A dataset folder is missing, empty, inconsistent or of another kind."""


class CheckpointError(FaceswapKitError):
    """A model directory or checkpoint is missing, corrupted or incompatible."""


class TrainingError(FaceswapKitError):
    """Training cannot go on (non-finite loss that cannot be rolled back, out of memory...)."""


class WidgetError(FaceswapKitError):
    """An interactive widget or camera source failed (no camera, permission denied...)."""


class MissingExtraError(FaceswapKitError, ImportError):
    """An optional dependency is not installed (the message names the extra to install)."""
