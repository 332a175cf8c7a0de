"""Face sets of generated people (``faceswap_kit.synth``), rendered straight into aligned
:class:`FaceSet` objects: training and scoring data with no extraction step and no real person."""

from __future__ import annotations

import torch

from ..align import face_matrix, transform_points, warp_to_aligned
from ..dataset.faceset import FaceSet
from ..masks import face_mask, feather, region_masks
from ..synth import Identity, Scene, render


def scene_seed(identity_seed: int, index: int, stream: int = 0) -> int:
    """A distinct, reproducible scene seed per identity, face index and stream (train, evaluate)."""
    return 1_000_003 * stream + 10_007 * identity_seed + index


def render_aligned(
    renders: list,
    face_type: str = "whole_face",
    size: int = 64,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Align a list of synth ``Render`` frames (landmarks from the renderer's ground truth).

    Returns:
        ``(aligned images (N,3,S,S), aligned landmarks (N,468,2), matrices (N,2,3),
        frames (N,3,H,W))`` float tensors.
    """
    frames = torch.cat([r.image for r in renders])
    landmarks = torch.cat([r.landmarks for r in renders])
    matrix = face_matrix(landmarks, face_type, size).float()
    aligned = warp_to_aligned(frames, matrix, size)
    return aligned.clamp(0, 1), transform_points(landmarks, matrix), matrix, frames


def synth_faceset(
    seed: int,
    count: int,
    size: int = 64,
    face_type: str = "whole_face",
    render_size: int | None = None,
    stream: int = 0,
    max_yaw: float = 35.0,
    max_pitch: float = 15.0,
) -> FaceSet:
    """``count`` aligned faces of the generated person ``seed`` in random scenes.

    Args:
        seed: identity seed (``synth.Identity.from_seed``).
        count: number of faces.
        size: aligned crop side in pixels.
        face_type: crop type.
        render_size: frame size to render at (default ``2.5 * size``, at least 128).
        stream: which stream of random scenes (0 = training; scoring uses another).
        max_yaw, max_pitch: pose range in degrees.

    Returns:
        A :class:`FaceSet` on CPU whose identity record says ``synthetic: True``.
    """
    render_size = render_size or max(128, int(size * 2.5))
    identity = Identity.from_seed(seed)
    renders = []
    for index in range(count):
        scene = Scene.random(scene_seed(seed, index, stream), max_yaw=max_yaw, max_pitch=max_pitch)
        renders.append(
            render(
                identity,
                scene.expression,
                scene.pose,
                scene.lighting,
                scene.background,
                render_size,
            )
        )
    aligned, landmarks, _, _ = render_aligned(renders, face_type, size)
    mask = feather(face_mask(landmarks, size, face_type), max(1.0, size / 64))
    regions = region_masks(landmarks, size)

    def to_u8(x: torch.Tensor) -> torch.Tensor:
        return (x.clamp(0, 1) * 255).round().to(torch.uint8)

    return FaceSet(
        images=to_u8(aligned),
        masks=to_u8(mask),
        regions=to_u8(regions),
        landmarks=landmarks.float(),
        face_type=face_type,
        identity={
            "name": f"synth-{seed}",
            "seed": seed,
            "synthetic": True,
            "consent": "not needed: generated person who does not exist",
            "source": f"faceswap_kit.synth, seed {seed}, {count} random scenes (stream {stream})",
        },
    )
