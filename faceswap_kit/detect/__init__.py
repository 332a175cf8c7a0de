"""Face detection and 478 landmarks behind a small protocol; mediapipe is the bundled backend.

>>> from faceswap_kit.detect import MediaPipeDetector   # doctest: +SKIP
>>> faces = MediaPipeDetector(mode="image")(frame_uint8_rgb)   # doctest: +SKIP
"""

from .base import DetectedFace, Detector, box_of
from .face_model import STABLE_POINTS, STABLE_WEIGHTS, FaceModel, load_face_model
from .mediapipe_backend import MediaPipeDetector
from .pose import estimate_pose

__all__ = [
    "STABLE_POINTS",
    "STABLE_WEIGHTS",
    "DetectedFace",
    "Detector",
    "FaceModel",
    "MediaPipeDetector",
    "box_of",
    "estimate_pose",
    "load_face_model",
]
