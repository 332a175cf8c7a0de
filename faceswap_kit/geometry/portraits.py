"""The two public-domain portraits that ship inside dependencies, and mediapipe's 3D face mesh on
them: the raw material of the kit's face geometry (:mod:`faceswap_kit.geometry.build`)."""

from __future__ import annotations

import numpy as np

from ..detect.mediapipe_backend import MediaPipeDetector
from ..errors import NoFaceFoundError


def portraits() -> list[np.ndarray]:
    """scikit-image's ``astronaut`` and matplotlib's ``grace_hopper.jpg``, as uint8 RGB
    ``(H, W, 3)``."""
    import matplotlib.cbook as cbook  # matplotlib and scikit-image: only to read the pictures
    import matplotlib.image as mpimg
    import skimage.data

    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        hopper = np.asarray(mpimg.imread(handle, format="jpg"))
    return [np.ascontiguousarray(skimage.data.astronaut()[..., :3]), np.ascontiguousarray(hopper)]


def portrait_landmarks(images: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """Mediapipe face mesh (static, irises on) on each portrait, one detector for all.

    Args:
        images: uint8 RGB portraits; defaults to :func:`portraits`.

    Returns:
        One ``(478, 3)`` float64 per image: x, y in mediapipe's raw pixels (``x * width``, the
        detector's pixel-centre landmarks + 0.5) and z scaled like x.
    """
    images = portraits() if images is None else images
    found = []
    with MediaPipeDetector(mode="image", scores=False) as detector:
        for image in images:
            faces = detector(np.ascontiguousarray(image))
            if not faces:
                raise NoFaceFoundError("mediapipe found no face in a reference portrait")
            face = faces[0]
            found.append(np.column_stack([face.landmarks + 0.5, face.depth]).astype(np.float64))
    return found
