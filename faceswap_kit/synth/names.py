"""The vocabulary of a generated person: the names of the identity's shape parameters and styles,
and the colour clamp. :mod:`.params` (the dataclasses) and :mod:`.population` (how a seed draws a
person) both read them; ``Identity.from_seed`` calls the population, which never imports params.
"""

from __future__ import annotations

import numpy as np

#: Names of the identity shape parameters (each ~N(0, 1); 0 is the base mesh).
SHAPE_NAMES = (
    "face_width",
    "face_length",
    "face_depth",
    "jaw_width",
    "chin_length",
    "chin_width",
    "cheek_fullness",
    "cheekbone",
    "forehead_height",
    "nose_length",
    "nose_width",
    "nose_projection",
    "nose_bridge",
    "eye_size",
    "eye_spacing",
    "eye_tilt",
    "eye_depth",
    "brow_height",
    "mouth_width",
    "lip_fullness",
    "mouth_height",
    "head_width",
    "head_length",
    "ear_size",
    "nose_tip",
    "nostril_flare",
    "nose_hump",
    "upper_lip",
    "lower_lip",
    "eye_open",
    "lid_fold",
    "brow_ridge",
    "chin_projection",
    "jowls",
    "temple_width",
    "cheek_hollow",
)

HAIR_STYLES = ("bald", "short", "crop", "bob", "long", "bun")
BEARD_STYLES = ("none", "stubble", "moustache", "goatee", "full")
GLASSES_STYLES = ("none", "round", "square")


def clip_rgb(values) -> tuple[float, float, float]:
    """Three floats clipped to [0, 1]."""
    return tuple(float(np.clip(v, 0.0, 1.0)) for v in values)  # type: ignore[return-value]
