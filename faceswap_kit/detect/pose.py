"""Head pose (yaw, pitch, roll) from 2D landmarks: a weak-perspective fit of the canonical 3D face.

Conventions, in degrees (the same as ``faceswap_kit.synth.Pose``): yaw > 0 when the face turns
towards the image's right, pitch > 0 when it looks down, roll > 0 when the head tilts clockwise in
the image.
"""

from __future__ import annotations

import math

import torch

from ..errors import InputError
from .face_model import NUM_MESH_POINTS, load_face_model


def estimate_pose(landmarks: torch.Tensor) -> torch.Tensor:
    """Yaw, pitch and roll of faces from their mesh landmarks.

    Fits ``landmarks ~ s * R[:2] @ canonical_3d + t`` (least squares, then the nearest rotation).

    Args:
        landmarks: ``(B, N, 2)`` pixels, mediapipe mesh order, N >= 468.

    Returns:
        ``(B, 3)`` yaw, pitch, roll in degrees (landmarks' device, float32).

    >>> from faceswap_kit.align import canonical_landmarks
    >>> pose = estimate_pose(canonical_landmarks("full", 128)[None])
    >>> bool(pose.abs().max() < 1.0)
    True
    """
    if landmarks.ndim != 3 or landmarks.shape[1] < NUM_MESH_POINTS or landmarks.shape[2] != 2:
        raise InputError(f"landmarks must be (B, >=468, 2), got {tuple(landmarks.shape)}")
    model = torch.tensor(
        load_face_model().points[:NUM_MESH_POINTS], dtype=torch.float64, device=landmarks.device
    )
    model = model - model.mean(dim=0)
    points = landmarks[:, :NUM_MESH_POINTS].to(torch.float64)
    points = points - points.mean(dim=1, keepdim=True)
    # affine camera A (B, 2, 3): points^T = A model^T
    solve = torch.linalg.pinv(model)  # (3, K)
    affine = (solve @ points).transpose(1, 2)  # (B, 2, 3)
    u, _, vh = torch.linalg.svd(affine, full_matrices=False)
    rows = u @ vh  # nearest matrix with orthonormal rows
    third = torch.linalg.cross(rows[:, 0], rows[:, 1], dim=-1)
    rotation = torch.cat([rows, third[:, None]], dim=1)  # (B, 3, 3) = Rz(roll) Ry(yaw) Rx(pitch)
    yaw = torch.asin((-rotation[:, 2, 0]).clamp(-1.0, 1.0))
    pitch = torch.atan2(rotation[:, 2, 1], rotation[:, 2, 2])
    roll = torch.atan2(rotation[:, 1, 0], rotation[:, 0, 0])
    degrees = torch.stack([-yaw, pitch, roll], dim=1) * (180.0 / math.pi)
    return degrees.to(torch.float32)
