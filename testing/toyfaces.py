"""Cartoon face sets drawn with a few tensor ops: fast stand-ins for tests and doctests.

Each identity (a seed) has its own skin, hair, eye and lip colours and face shape; each face of a
set has its own position, size, eye opening and mouth opening, so a swap must carry pose and
expression across identities — the same task as with real or generated people, in miniature.
For realistic generated people use :mod:`faceswap_kit.train.synthfaces`. Test and benchmark
support only: the installed package never imports it.
"""

from __future__ import annotations

import torch

from faceswap_kit.dataset.faceset import FaceSet


def _ellipse(
    xx: torch.Tensor,
    yy: torch.Tensor,
    cx: torch.Tensor,
    cy: torch.Tensor,
    rx: torch.Tensor,
    ry: torch.Tensor,
    soft: float,
) -> torch.Tensor:
    """Soft ellipse masks ``(N, 1, S, S)`` for per-face centres and radii ``(N,)`` in pixels."""
    view = (-1, 1, 1, 1)
    d = ((xx - cx.view(view)) / rx.view(view)) ** 2 + ((yy - cy.view(view)) / ry.view(view)) ** 2
    return torch.sigmoid((1 - d) * soft)


def toy_faceset(seed: int, count: int, size: int = 64, face_seed: int | None = None) -> FaceSet:
    """``count`` cartoon faces of identity ``seed`` as a :class:`FaceSet` (uint8, CPU).

    Args:
        seed: the identity (colours and face shape).
        count: number of faces.
        size: side in pixels.
        face_seed: seed of the per-face pose/expression (defaults to ``seed``); two identities
            drawn with the same ``face_seed`` share poses and expressions (an ideal swap pair).

    >>> faces = toy_faceset(1, 3, size=32)
    >>> tuple(faces.images.shape), faces.identity["synthetic"]
    ((3, 3, 32, 32), True)
    """
    ident = torch.Generator().manual_seed(1000 + seed)
    skin = torch.rand(3, generator=ident) * 0.5 + 0.35
    hair = torch.rand(3, generator=ident) * 0.6
    eye = torch.rand(3, generator=ident) * 0.4
    lips = torch.tensor([0.6, 0.15, 0.2]) + torch.rand(3, generator=ident) * 0.3
    background = torch.rand(3, generator=ident) * 0.3 + 0.6
    width = 0.30 + torch.rand(1, generator=ident).item() * 0.08
    eye_gap = 0.13 + torch.rand(1, generator=ident).item() * 0.05

    per_face = torch.Generator().manual_seed(5000 + (seed if face_seed is None else face_seed))
    u = torch.rand(count, 5, generator=per_face)
    s = float(size)
    cx = (0.5 + (u[:, 0] - 0.5) * 0.12) * s
    cy = (0.52 + (u[:, 1] - 0.5) * 0.12) * s
    scale = 0.9 + u[:, 2] * 0.2
    eye_open = 0.2 + u[:, 3] * 0.8
    mouth_open = u[:, 4]

    yy, xx = torch.meshgrid(torch.arange(size) + 0.5, torch.arange(size) + 0.5, indexing="ij")
    xx, yy = xx[None, None], yy[None, None]
    soft = 8.0
    rx, ry = width * s * scale, 0.40 * s * scale
    face = _ellipse(xx, yy, cx, cy, rx, ry, soft)
    hair_mask = _ellipse(xx, yy, cx, cy - 0.30 * s * scale, rx * 1.1, 0.2 * s * scale, soft) * (
        1 - _ellipse(xx, yy, cx, cy + 0.05 * s * scale, rx * 0.95, ry * 0.8, soft)
    )
    eye_y = cy - 0.08 * s * scale
    eye_x = (cx - eye_gap * s * scale, cx + eye_gap * s * scale)
    eye_r, eye_h = 0.06 * s * scale, 0.045 * s * scale * eye_open
    eyes = torch.maximum(
        _ellipse(xx, yy, eye_x[0], eye_y, eye_r, eye_h, soft),
        _ellipse(xx, yy, eye_x[1], eye_y, eye_r, eye_h, soft),
    )
    mouth_y = cy + 0.2 * s * scale
    mouth = _ellipse(
        xx, yy, cx, mouth_y, 0.12 * s * scale, (0.02 + 0.06 * mouth_open) * s * scale, soft
    )

    image = background.view(1, 3, 1, 1).expand(count, 3, size, size)
    image = image * (1 - face) + skin.view(1, 3, 1, 1) * face
    image = image * (1 - hair_mask) + hair.view(1, 3, 1, 1) * hair_mask
    image = image * (1 - eyes) + eye.view(1, 3, 1, 1) * eyes
    image = image * (1 - mouth) + lips.view(1, 3, 1, 1) * mouth
    regions = torch.maximum(eyes, mouth)
    landmarks = torch.stack(
        [
            torch.stack([eye_x[0], eye_y], -1),
            torch.stack([eye_x[1], eye_y], -1),
            torch.stack([cx, cy], -1),
            torch.stack([cx - 0.12 * s * scale, mouth_y], -1),
            torch.stack([cx + 0.12 * s * scale, mouth_y], -1),
        ],
        dim=1,
    ).float()  # (N, 5, 2): eyes, nose, mouth corners

    def to_u8(x: torch.Tensor) -> torch.Tensor:
        return (x.clamp(0, 1) * 255).round().to(torch.uint8)

    return FaceSet(
        images=to_u8(image),
        masks=to_u8(face),
        regions=to_u8(regions),
        landmarks=landmarks,
        face_type="whole_face",
        identity={"name": f"toy-{seed}", "seed": seed, "synthetic": True, "kind": "toy"},
    )
