"""People who do not exist: a procedural 3D face generator with ground truth.

>>> from faceswap_kit.synth import Identity, render
>>> out = render(Identity.from_seed(0), size=64)
>>> out.image.shape[-1], out.landmarks.shape[1]
(64, 468)
"""

from __future__ import annotations

from .clip import clip_parameters, render_clip, write_clip
from .params import (
    HAIR_STYLES,
    SHAPE_NAMES,
    Background,
    Expression,
    Identity,
    Lighting,
    Pose,
    Scene,
)
from .renderer import Render, render, render_ideal_swap

__all__ = [
    "HAIR_STYLES",
    "SHAPE_NAMES",
    "Background",
    "Expression",
    "Identity",
    "Lighting",
    "Pose",
    "Render",
    "Scene",
    "clip_parameters",
    "render_clip",
    "write_clip",
    "render",
    "render_ideal_swap",
]
