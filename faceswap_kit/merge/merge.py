"""``merge_face``: put a predicted aligned face back into its frame.

One function serves video conversion, the notebook preview and the live pipeline. Work happens in
two spaces: the aligned crop (S x S: mask shaping, colour transfer, sharpening) and the face's
bounding box in the frame (inverse warp, blend), never the whole frame.

>>> import torch
>>> frame = torch.rand(1, 3, 96, 128)
>>> face, mask = torch.rand(1, 3, 64, 64), torch.ones(1, 1, 64, 64)
>>> matrix = torch.tensor([[[1.0, 0.0, -32.0], [0.0, 1.0, -16.0]]])  # crop at (32, 16)
>>> merge_face(frame, face, mask, matrix, MergeConfig.tiny()).shape
torch.Size([1, 3, 96, 128])
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ..align import affine_warp, crop_box, invert_matrix, transform_points
from ..errors import InputError
from ..masks import face_mask
from ..validate import check_finite, check_image, check_invertible, check_same_device
from .blend import feather_blend, seamless_clone
from .color import transfer_color
from .config import MergeConfig
from .mask import shape_mask, sharpen


@dataclass
class MergeResult:
    """Every intermediate of one merge (for previews and teaching). Shapes with B faces.

    Attributes:
        output: (B,3,H,W) the merged frame.
        target: (B,3,s,s) the frame's face, aligned, sampled at about 112 px (what the colours
            are taken from).
        face: (B,3,S,S) the predicted face after colour transfer and sharpening.
        mask: (B,1,S,S) the chosen mask before shaping. alpha: (B,1,S,S) after erode/blur.
        box: (x0, y0, x1, y1) the region of the frame that was touched.
    """

    output: Tensor
    target: Tensor
    face: Tensor
    mask: Tensor
    alpha: Tensor
    box: tuple[int, int, int, int]


def _check(frame: Tensor, face: Tensor, face_mask: Tensor, matrix: Tensor) -> None:
    for t, name, ch in ((frame, "frame", 3), (face, "face", 3), (face_mask, "face_mask", 1)):
        if not isinstance(t, Tensor) or t.ndim != 4 or t.shape[1] != ch:
            shape = tuple(t.shape) if isinstance(t, Tensor) else type(t).__name__
            raise InputError(f"{name} must be a (B,{ch},H,W) tensor, got {shape}")
    if not isinstance(matrix, Tensor) or matrix.shape[-2:] != (2, 3) or matrix.ndim != 3:
        shape = tuple(matrix.shape) if isinstance(matrix, Tensor) else type(matrix).__name__
        raise InputError(f"matrix must be (B,2,3) (kornia warp_affine convention), got {shape}")
    batch = {frame.shape[0], face.shape[0], face_mask.shape[0], matrix.shape[0]}
    if len(batch) != 1:
        raise InputError(
            f"batch sizes differ: frame {frame.shape[0]}, face {face.shape[0]}, "
            f"face_mask {face_mask.shape[0]}, matrix {matrix.shape[0]}"
        )
    if face.shape[-2:] != face_mask.shape[-2:]:
        raise InputError(
            f"face {tuple(face.shape[-2:])} and face_mask {tuple(face_mask.shape[-2:])} differ in size"
        )
    if not frame.dtype.is_floating_point:
        raise InputError(f"frame must be float in [0,1], got {frame.dtype}; use io.convert")
    check_same_device(
        ("frame", frame), ("face", face), ("face_mask", face_mask), ("matrix", matrix)
    )
    check_image(frame, "frame")
    check_image(face, "face")
    check_image(face_mask, "face_mask", channels=1)
    check_invertible(matrix)


def _check_landmarks(landmarks: Tensor | None, frame: Tensor, mode: str) -> None:
    if landmarks is None:
        raise InputError(
            f"mask mode {mode!r} needs the frame's landmarks (B,N,2); pass landmarks= "
            "or use mask='predicted'"
        )
    if (
        not isinstance(landmarks, Tensor)
        or landmarks.ndim != 3
        or landmarks.shape[1] < 468
        or landmarks.shape[2] != 2
        or landmarks.shape[0] != frame.shape[0]
    ):
        raise InputError(
            f"landmarks: mask mode {mode!r} expected ({frame.shape[0]}, >=468, 2) frame pixels in "
            f"mediapipe's mesh order (the face_type's outline is drawn from them), got "
            f"{tuple(landmarks.shape) if isinstance(landmarks, Tensor) else type(landmarks).__name__}"
            "; use mask='predicted' for other landmark sets"
        )
    check_same_device(("frame", frame), ("landmarks", landmarks))
    check_finite(landmarks, "landmarks", "(B,N,2) frame pixels")


def hull_mask(
    landmarks: Tensor, matrix: Tensor, size: tuple[int, int], face_type: str = "whole_face"
) -> Tensor:
    """Landmark hull mask drawn in the aligned crop: (B,N,2), (B,2,3) -> (B,1,H,W).

    Mediapipe landmarks (N >= 468) in frame pixels get the face-type hull of
    :func:`faceswap_kit.masks.face_mask`.
    """

    return face_mask(transform_points(landmarks, matrix), size, face_type).to(landmarks.dtype)


def _bounding_box(matrix: Tensor, alpha: Tensor, height: int, width: int) -> tuple[int, ...]:
    """Frame-pixel box (x0, y0, x1, y1) around every face's non-zero mask, clipped to the frame
    (:func:`faceswap_kit.align.crop_box` of the mask's part of the crop).

    Only the part of the crop the mask covers is warped and blended (a third less work than the
    whole square crop for a ``whole_face`` mask).
    """
    on = alpha.detach().amax(dim=(0, 1)) > 0  # (S, S)
    rows, cols = on.any(1).nonzero(), on.any(0).nonzero()
    if rows.numel() == 0:
        return 0, 0, 0, 0
    within = (float(cols[0]), float(rows[0]), float(cols[-1]), float(rows[-1]))
    return crop_box(matrix, alpha.shape[-1], height, width, within=within)


def merge_face_detailed(
    frame: Tensor,
    face: Tensor,
    face_mask: Tensor,
    matrix: Tensor,
    config: MergeConfig | None = None,
    *,
    landmarks: Tensor | None = None,
    face_type: str = "whole_face",
) -> MergeResult:
    """:func:`merge_face`, returning every intermediate as a :class:`MergeResult`."""
    config = config or MergeConfig.default()
    _check(frame, face, face_mask, matrix)
    dtype = frame.dtype
    face, face_mask, matrix = face.to(dtype), face_mask.to(dtype), matrix.to(dtype)
    size = face.shape[-1]
    height, width = frame.shape[-2:]

    if config.mask == "predicted":
        mask = face_mask
    else:
        _check_landmarks(landmarks, frame, config.mask)
        hull = hull_mask(landmarks.to(dtype), matrix, tuple(face.shape[-2:]), face_type)
        mask = hull if config.mask == "hull" else hull * face_mask
    alpha = shape_mask(mask, config.erode, config.blur)

    # the frame's face is only needed for colour statistics: sample it at about 112 px
    step = max(1, size // 112)
    scale = matrix.new_tensor([1.0 / step, 1.0 / step])[:, None]
    target = affine_warp(frame, matrix * scale, -(-size // step), -(-size // step))
    if config.color != "none":
        has_mask = bool((mask.sum(dim=(1, 2, 3)) > 0).all())
        stats_mask = mask if has_mask else None
        target_mask = mask[..., ::step, ::step] if has_mask else None
        face = transfer_color(face, target, config.color, mask=stats_mask, target_mask=target_mask)
    face = sharpen(face, config.sharpen)

    x0, y0, x1, y1 = _bounding_box(matrix, alpha, height, width)
    output = frame
    if x1 - x0 > 1 and y1 - y0 > 1:
        inverse = invert_matrix(matrix)  # crop -> frame pixels
        to_box = inverse - inverse.new_tensor([[0.0, 0.0, float(x0)], [0.0, 0.0, float(y0)]])
        warped = affine_warp(torch.cat([face, alpha], 1), to_box, y1 - y0, x1 - x0)
        new_face, box_alpha = warped[:, :3], warped[:, 3:].clamp(0, 1)
        region = frame[..., y0:y1, x0:x1]
        if config.blend == "seamless":
            new_face = seamless_clone(region, new_face, box_alpha).clamp(0, 1)
        blended = feather_blend(region, new_face, box_alpha * float(config.opacity))
        output = frame.clone()
        output[..., y0:y1, x0:x1] = blended
    return MergeResult(output, target, face, mask, alpha, (x0, y0, x1, y1))


def merge_face(
    frame: Tensor,
    face: Tensor,
    face_mask: Tensor,
    matrix: Tensor,
    config: MergeConfig | None = None,
    *,
    landmarks: Tensor | None = None,
    face_type: str = "whole_face",
) -> Tensor:
    """Blend a predicted aligned face back into its frame.

    Args:
        frame: (B,3,H,W) RGB in [0,1], the original frames.
        face: (B,3,S,S) RGB in [0,1], the model's prediction in the aligned crop.
        face_mask: (B,1,S,S) in [0,1], the model's mask in the aligned crop.
        matrix: (B,2,3) frame pixels -> aligned-crop pixels (kornia ``warp_affine`` convention),
            the matrix the crop was made with.
        config: :class:`MergeConfig` (defaults to ``MergeConfig.default()``).
        landmarks: (B,N,2) frame landmarks; needed by mask modes ``hull`` and ``both``.
        face_type: the crop's face type, which decides the hull's outline (``hull``/``both``).

    Returns:
        (B,3,H,W) merged frames, same device and dtype as ``frame``.
    """
    return merge_face_detailed(
        frame, face, face_mask, matrix, config, landmarks=landmarks, face_type=face_type
    ).output


class FaceMerger(nn.Module):
    """``nn.Module`` wrapper holding a :class:`MergeConfig`; ``forward`` is :func:`merge_face`."""

    def __init__(self, config: MergeConfig | None = None) -> None:
        super().__init__()
        self.config = config or MergeConfig.default()

    def forward(
        self,
        frame: Tensor,
        face: Tensor,
        face_mask: Tensor,
        matrix: Tensor,
        landmarks: Tensor | None = None,
    ) -> Tensor:
        return merge_face(frame, face, face_mask, matrix, self.config, landmarks=landmarks)
