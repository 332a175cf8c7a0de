"""How :meth:`Identity.from_seed <faceswap_kit.synth.params.Identity.from_seed>` draws a person:
sex-typical features and age, coordinated face modes, individual detail, colours and style.

Everything is drawn from a numpy ``PCG64`` generator seeded by the identity seed (float64), so the
same seed gives the same person on any machine. ``docs/synth.md`` ("Who the people are") explains
the layers; ``docs/decisions.md`` has the measurements behind the numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .names import BEARD_STYLES, GLASSES_STYLES, HAIR_STYLES, SHAPE_NAMES
from .names import clip_rgb as _rgb

#: Standard deviation of the shape parameters drawn by :meth:`Identity.from_seed`.
SHAPE_SPREAD = 0.6
#: Standard deviation of the coordinated face modes (:data:`FACE_MODES`).
MODE_SPREAD = 2.0
# How sex-typical features move the shape parameters (per unit of ``masculinity - 0.5``, times 2)
# and how age does (per unit of ``(age - 18) / 62``). Averages of real faces point this way:
# larger jaw, chin, brow ridge and nose, lower brows, thinner lips and smaller eyes in men; with
# age, sagging jowls, hollow cheeks, thinner lips, a longer nose, lower brows and narrower eyes.
MASCULINE_SHAPE = {
    "jaw_width": 1.8, "chin_width": 1.4, "chin_length": 0.4, "brow_ridge": 2.4,
    "brow_height": -1.6, "nose_length": 1.0, "nose_width": 1.2, "nose_tip": 0.8,
    "lip_fullness": -1.2, "upper_lip": -0.8, "eye_size": -1.0, "eye_open": -0.8,
    "face_length": 0.8, "cheek_fullness": -0.6, "cheekbone": -0.6, "temple_width": 0.6,
    "forehead_height": 0.6, "chin_projection": 0.8,
}  # fmt: skip
#: Coordinated ways in which whole faces differ (each drawn ~N(0, 1) per person): bony build,
#: mid-face projection, lower-face proportion, soft-tissue fullness, eyes, and body weight.
#: A face recogniser reads such coordinated differences as identity, while it is trained to
#: ignore small local changes (they look like expressions).
FACE_MODES = {
    "broad": {"face_width": 1.0, "jaw_width": 0.9, "cheekbone": 0.7, "nose_width": 0.7,
              "mouth_width": 0.6, "face_length": -0.8, "chin_width": 0.6, "temple_width": 0.5},
    "projecting": {"nose_projection": 1.0, "nose_bridge": 1.0, "brow_ridge": 0.9, "eye_depth": 0.9,
                   "chin_projection": 0.7, "face_depth": 0.6, "lid_fold": -0.8, "cheekbone": -0.5,
                   "nose_hump": 0.5},
    "long_lower": {"chin_length": 0.7, "face_length": 0.8, "mouth_height": 0.9, "nose_length": 0.4,
                   "forehead_height": -0.4},
    "full": {"lip_fullness": 1.0, "upper_lip": 0.9, "lower_lip": 0.9, "nose_width": 0.8,
             "nostril_flare": 0.9, "nose_tip": 0.7, "mouth_width": 0.4},
    "eyes": {"eye_size": 0.6, "eye_open": 0.5, "eye_spacing": 0.7, "brow_height": 0.6,
             "eye_tilt": 0.5},
    "heavy": {"cheek_fullness": 1.0, "jowls": 0.9, "jaw_width": 0.6, "chin_width": 0.7,
              "cheek_hollow": -1.0, "face_width": 0.5, "eye_open": -0.4},
}  # fmt: skip
AGED_SHAPE = {
    "jowls": 1.8, "cheek_hollow": 1.2, "lip_fullness": -1.0, "upper_lip": -0.8, "lower_lip": -0.5,
    "nose_length": 0.7, "nose_tip": 0.6, "brow_height": -0.6, "eye_open": -0.8, "lid_fold": 1.2,
    "ear_size": 0.8, "cheek_fullness": -0.4,
}  # fmt: skip


def identity_fields(seed: int) -> dict[str, Any]:
    """The fields of the person of ``seed`` (see the module docstring), as keyword arguments of
    :class:`~faceswap_kit.synth.params.Identity`; use ``Identity.from_seed``."""
    rng = np.random.Generator(np.random.PCG64(seed))
    # Sex-typical features: two overlapping groups, not two fixed templates.
    masculinity = float(
        np.clip((0.18 if rng.uniform() < 0.5 else 0.82) + rng.normal(0, 0.12), 0, 1)
    )
    age = float(18 + 62 * rng.beta(1.2, 1.8))
    aged = (age - 18) / 62
    shape = np.clip(rng.normal(0.0, SHAPE_SPREAD, len(SHAPE_NAMES)), -2.5, 2.5)
    for mode, amount in zip(
        FACE_MODES.values(), rng.normal(0.0, MODE_SPREAD, len(FACE_MODES)), strict=True
    ):
        for name, weight in mode.items():
            shape[SHAPE_NAMES.index(name)] += weight * float(np.clip(amount, -2.5, 2.5))
    for name, weight in MASCULINE_SHAPE.items():
        shape[SHAPE_NAMES.index(name)] += weight * (masculinity - 0.5) * 2
    for name, weight in AGED_SHAPE.items():
        shape[SHAPE_NAMES.index(name)] += weight * aged
    shape = tuple(float(v) for v in np.clip(shape, -2.5, 2.5))
    asymmetry = tuple(float(v) for v in rng.normal(0.0, 0.6, 4))
    # Skin tones over the whole human range, light to deep, with warm or pink undertones.
    tone = rng.uniform(0.0, 1.0)
    light = np.array([0.96, 0.80, 0.70])
    dark = np.array([0.28, 0.17, 0.11])
    skin = light * (1 - tone) + dark * tone
    undertone = rng.uniform(-1, 1)
    skin = skin * np.array([1.0, 1.0 + 0.03 * undertone, 1.0 - 0.06 * undertone])
    skin = skin * rng.uniform(0.96, 1.04) * (1 - 0.04 * aged)
    lips = skin * np.array([0.86, 0.62, 0.64]) * (1 - 0.25 * tone) + rng.normal(0, 0.02, 3)
    lips = lips + np.array([0.0, -0.01, 0.02]) * tone
    iris_palette = np.array(
        [[0.30, 0.18, 0.08], [0.18, 0.10, 0.05], [0.35, 0.45, 0.60], [0.30, 0.42, 0.28],
         [0.45, 0.35, 0.20], [0.22, 0.30, 0.45]]
    )  # fmt: skip
    dark_eyes = tone > 0.45
    iris = iris_palette[rng.integers(0, 2) if dark_eyes else rng.integers(0, 6)]
    iris = iris * (1 + rng.normal(0, 0.08, 3))
    hair_palette = np.array(
        [[0.05, 0.04, 0.035], [0.14, 0.09, 0.06], [0.30, 0.19, 0.11], [0.55, 0.40, 0.22],
         [0.78, 0.65, 0.42], [0.50, 0.22, 0.10]]
    )  # fmt: skip
    hair_index = rng.integers(0, 3) if dark_eyes else rng.integers(0, 6)
    hair = hair_palette[hair_index] * (1 + rng.normal(0, 0.06, 3))
    grey = float(np.clip((age - 45) / 30 + rng.normal(0, 0.15), 0, 1))
    hair = hair * (1 - grey) + np.array([0.72, 0.71, 0.69]) * rng.uniform(0.85, 1.15) * grey
    brow = hair * 0.8 if grey < 0.5 else hair * 0.65
    # Hair style: sex-typical tendencies, never rules.
    if masculinity > 0.5:
        weights = [0.12, 0.40, 0.30, 0.05, 0.08, 0.05]
    else:
        weights = [0.02, 0.13, 0.05, 0.30, 0.35, 0.15]
    style = HAIR_STYLES[int(rng.choice(len(HAIR_STYLES), p=weights))]
    hairline = float(np.clip(rng.uniform(-0.4, 1.0) * aged * 2 * masculinity, 0, 1))
    beard_style, beard, stubble = "none", 0.0, 0.0
    if masculinity > 0.5:
        beard_style = BEARD_STYLES[int(rng.choice(5, p=[0.3, 0.2, 0.1, 0.15, 0.25]))]
        beard = float(rng.uniform(0.55, 1.0))
        stubble = float(rng.uniform(0.3, 1.0)) if beard_style != "none" else 0.0
    glasses = "none"
    if rng.uniform() < 0.2 + 0.2 * aged:
        glasses = GLASSES_STYLES[int(rng.integers(1, 3))]
    frame_palette = np.array([[0.06, 0.05, 0.05], [0.30, 0.17, 0.08], [0.55, 0.55, 0.58],
                              [0.45, 0.10, 0.12], [0.10, 0.15, 0.35]])  # fmt: skip
    glasses_color = frame_palette[rng.integers(0, len(frame_palette))]
    feminine = masculinity < 0.5
    eyeliner = float(rng.uniform(0.3, 1.0)) if feminine and rng.uniform() < 0.45 else 0.0
    lipstick = float(rng.uniform(0.3, 1.0)) if feminine and rng.uniform() < 0.4 else 0.0
    return dict(
        seed=seed,
        shape=shape,
        asymmetry=asymmetry,  # type: ignore[arg-type]
        skin=_rgb(skin),
        lips=_rgb(lips),
        iris=_rgb(iris),
        hair=_rgb(hair),
        brow=_rgb(brow),
        age=round(age, 2),
        masculinity=round(masculinity, 4),
        hair_style=style,
        hair_length=float(rng.uniform(0, 1)),
        hairline=hairline,
        beard_style=beard_style,
        beard=beard,
        glasses=glasses,
        glasses_color=_rgb(glasses_color),
        brow_thickness=float(np.clip(rng.uniform(0.15, 0.9) + 0.35 * (masculinity - 0.5), 0, 1)),
        brow_arch=float(np.clip(rng.uniform(0, 1) - 0.4 * (masculinity - 0.5), 0, 1)),
        brow_tilt=float(np.clip(rng.normal(0, 0.45), -1, 1)),
        eyeliner=eyeliner,
        lipstick=lipstick,
        freckles=float(rng.uniform(0, 1) ** 3 * (1 - tone)),
        stubble=stubble,
        blush=float(rng.uniform(0.1, 0.6)),
        wrinkles=float(np.clip(aged * 1.1 + rng.normal(0, 0.1), 0, 1)),
    )
