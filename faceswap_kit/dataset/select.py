"""Choosing one face when a frame holds several: the largest, by position, or the one most like a
reference face."""

from __future__ import annotations

import numpy as np
import torch

from ..align import face_matrix, transform_points, warp_to_aligned
from ..detect import DetectedFace
from ..errors import InputError
from ..io import image_to_tensor


def face_signature(frame: np.ndarray, face: DetectedFace) -> np.ndarray:
    """A small appearance + shape descriptor of a face, for "same person?" comparisons.

    The face is aligned (``half`` type, 32 px), turned to zero-mean unit-norm grey levels and
    joined with its aligned landmark shape. Cosine similarity between signatures is ~1 for the
    same face in nearby frames. It is not a face recogniser: it separates people in one video, not
    look-alikes.

    Args:
        frame: uint8 RGB ``(H, W, 3)``.
        face: a detection in that frame.

    Returns:
        ``(D,)`` float32 unit vector.
    """
    image = image_to_tensor(frame)
    landmarks = torch.from_numpy(face.landmarks)[None].float()
    matrix = face_matrix(landmarks, "half", 32)
    crop = warp_to_aligned(image, matrix, 32).mean(dim=1).flatten()
    crop = crop - crop.mean()
    crop = crop / crop.norm().clamp_min(1e-6)
    shape = transform_points(landmarks[:, :468], matrix).flatten() / 32
    shape = shape - shape.mean()
    shape = shape / shape.norm().clamp_min(1e-6)
    signature = torch.cat([crop, 0.5 * shape])
    return (signature / signature.norm()).numpy().astype(np.float32)


def choose_face(
    faces: list[DetectedFace],
    how: str | int = "largest",
    frame: np.ndarray | None = None,
    reference: np.ndarray | None = None,
) -> DetectedFace | None:
    """Pick one face.

    Args:
        faces: detections of one frame (left to right, as detectors return them).
        how: ``"largest"``, ``"reference"`` (most similar to ``reference``), or an int index
            into the left-to-right order.
        frame: the frame (needed for ``"reference"``).
        reference: a :func:`face_signature` of the wanted person (needed for ``"reference"``).

    Returns:
        The chosen face, or ``None`` when there is none (or the index is out of range).

    >>> a = DetectedFace(np.zeros((478, 2), np.float32), (0, 0, 10, 10), 0.9)
    >>> b = DetectedFace(np.zeros((478, 2), np.float32), (20, 0, 50, 30), 0.9)
    >>> choose_face([a, b]) is b, choose_face([a, b], 0) is a
    (True, True)
    """
    if not faces:
        return None
    if isinstance(how, int) and not isinstance(how, bool):
        return faces[how] if -len(faces) <= how < len(faces) else None
    if how == "largest":
        return max(faces, key=lambda face: face.size)
    if how == "reference":
        if reference is None or frame is None:
            raise InputError(
                "choosing by reference needs the frame and a reference signature "
                "(faceswap_kit.dataset.face_signature of the wanted face)"
            )
        scores = [float(face_signature(frame, face) @ reference) for face in faces]
        return faces[int(np.argmax(scores))]
    raise InputError(f"how must be 'largest', 'reference' or an int index, got {how!r}")
