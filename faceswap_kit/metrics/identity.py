"""Identity through an independent judge: dlib's face recogniser (ResNet, 128-d descriptors).

The judge was trained on real faces by other people and is never used as a training loss here, so
it stays an honest witness of whether a swapped face *looks like* the intended person. By dlib's
convention two descriptors closer than :data:`SAME_PERSON_DISTANCE` (0.6) are the same person
(99.38 % on the LFW benchmark).

It is an optional extra (``pip install "faceswap-kit[eval]"``, or ``pip install dlib-bin
face-recognition-models``): the weights ship inside the ``face-recognition-models`` wheel and
nothing is downloaded. Without it every other part of the kit works, and the scores say how to
enable identity.

>>> import torch
>>> a = torch.zeros(2, 128); b = torch.zeros(2, 128); b[:, 0] = 0.7
>>> identity_distance(a, b).tolist()
[0.699999988079071, 0.699999988079071]
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from ..errors import InputError, MissingExtraError

#: Descriptor distance below which dlib calls two faces the same person.
SAME_PERSON_DISTANCE = 0.6
INSTALL_HINT = (
    'install the identity judge with `pip install "faceswap-kit[eval]"` (or `pip install dlib-bin '
    "face-recognition-models`), then restart the kernel"
)
_RECOGNITION_MODEL = "dlib_face_recognition_resnet_model_v1.dat"
_SHAPE_MODEL = "shape_predictor_5_face_landmarks.dat"


def _model_folder() -> Path | None:
    # Located without importing ``face_recognition_models`` (it needs ``pkg_resources``).
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    return folder if (folder / _RECOGNITION_MODEL).is_file() else None


def judge_status() -> str | None:
    """``None`` when the identity judge can run, else one line saying what is missing and how to fix it."""
    if importlib.util.find_spec("dlib") is None:
        return f"dlib is not installed: {INSTALL_HINT}"
    if _model_folder() is None:
        return f"dlib's face-recognition weights are not installed: {INSTALL_HINT}"
    return None


def judge_available() -> bool:
    """Whether :func:`identity_embeddings` can run (dlib and its weights are installed)."""
    return judge_status() is None


class IdentityJudge:
    """dlib's pipeline: HOG face detector, 5-point landmarks, ResNet descriptor.

    Args:
        upsample: times the detector upsamples the image (1 finds faces down to about 40 px).
        jitters: descriptor re-computations on jittered crops (1: fastest; more: steadier).
    """

    def __init__(self, upsample: int = 1, jitters: int = 1) -> None:
        problem = judge_status()
        if problem is not None:
            raise MissingExtraError(problem)
        import dlib

        folder = _model_folder()
        assert folder is not None
        self.upsample = int(upsample)
        self.jitters = int(jitters)
        self._detector = dlib.get_frontal_face_detector()
        self._shape = dlib.shape_predictor(str(folder / _SHAPE_MODEL))
        self._net = dlib.face_recognition_model_v1(str(folder / _RECOGNITION_MODEL))
        self._rectangle = dlib.rectangle

    def embed_uint8(self, image: np.ndarray, box: tuple[float, ...] | None = None) -> np.ndarray:
        """Descriptor of the largest face in one ``(H, W, 3)`` uint8 RGB image: ``(128,)`` float64.

        ``box`` (x0, y0, x1, y1) is used only when the detector finds no face; with neither,
        the descriptor is all NaN.
        """
        found = self._detector(image, self.upsample)
        if len(found):
            rect = max(found, key=lambda r: r.width() * r.height())
        elif box is not None and np.all(np.isfinite(box)):
            x0, y0, x1, y1 = (int(round(float(v))) for v in box)
            rect = self._rectangle(x0, y0, x1, y1)
        else:
            return np.full(128, np.nan)
        shape = self._shape(image, rect)
        return np.asarray(self._net.compute_face_descriptor(image, shape, self.jitters))

    def __call__(self, images: Tensor, boxes: Tensor | None = None) -> Tensor:
        """Descriptors of ``images`` ``(B,3,H,W)`` RGB in [0,1]: ``(B,128)`` float32 on their device.

        Args:
            images: frames or face crops (the face at least ~40 px across).
            boxes: optional ``(B,4)`` x0, y0, x1, y1 pixels, used where the detector finds no face.

        Returns:
            One row per image; NaN where no face was found and no box was given.
        """
        if not isinstance(images, Tensor) or images.ndim != 4 or images.shape[1] != 3:
            raise InputError(
                f"images must be a (B,3,H,W) RGB tensor in [0,1], got "
                f"{tuple(images.shape) if isinstance(images, Tensor) else type(images).__name__}"
            )
        if boxes is not None and tuple(boxes.shape) != (images.shape[0], 4):
            raise InputError(
                f"boxes must be (B,4) x0,y0,x1,y1 for B={images.shape[0]} images, got "
                f"{tuple(boxes.shape)}"
            )
        pixels = (images.detach().float().clamp(0, 1) * 255).round().to(torch.uint8)
        pixels = pixels.permute(0, 2, 3, 1).cpu().numpy()
        hints = boxes.detach().cpu().double().numpy() if boxes is not None else None
        rows = [
            self.embed_uint8(np.ascontiguousarray(image), None if hints is None else hints[i])
            for i, image in enumerate(pixels)
        ]
        return torch.from_numpy(np.stack(rows).astype(np.float32)).to(images.device)


@functools.lru_cache(maxsize=1)
def _default_judge() -> IdentityJudge:
    return IdentityJudge()


def identity_embeddings(images: Tensor, boxes: Tensor | None = None) -> Tensor:
    """Identity descriptors of the faces in ``images`` with dlib's recogniser (see :class:`IdentityJudge`).

    Args:
        images: ``(B,3,H,W)`` RGB in [0,1].
        boxes: optional ``(B,4)`` face boxes in pixels, used where dlib's detector finds no face.

    Returns:
        ``(B,128)`` float32, NaN rows where no face was found.

    Raises:
        MissingExtraError: dlib or its weights are not installed (the message says how to fix it).
    """
    return _default_judge()(images, boxes)


def identity_distance(a: Tensor, b: Tensor) -> Tensor:
    """Euclidean distance between descriptors ``(..., 128)``; below 0.6 means the same person."""
    if a.shape[-1] != b.shape[-1]:
        raise InputError(
            f"descriptors must have the same length, got {a.shape[-1]} and {b.shape[-1]}"
        )
    return (a - b).norm(dim=-1)


def landmark_boxes(landmarks: Tensor, margin: float = 0.1) -> Tensor:
    """Face boxes ``(B,4)`` around ``(B,N,2)`` landmarks, for the judge's fallback."""
    low = landmarks.amin(1)
    high = landmarks.amax(1)
    pad = (high - low) * margin
    return torch.cat([low - pad, high + pad], dim=1)
