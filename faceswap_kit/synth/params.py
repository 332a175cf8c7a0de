"""Explicit parameters of a synthetic person and a shot: identity, expression, pose, light, background.

Every field is a plain number or tuple, so a render is fully described by these frozen dataclasses.
``Identity.from_seed(seed)`` draws an identity deterministically (numpy ``PCG64``, float64),
so the same seed gives the same person on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from ..errors import InputError

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

#: Standard deviation of the shape parameters drawn by :meth:`Identity.from_seed`.
SHAPE_SPREAD = 0.6
#: Standard deviation of the coordinated face modes (:data:`FACE_MODES`).
MODE_SPREAD = 2.0
HAIR_STYLES = ("bald", "short", "crop", "bob", "long", "bun")
BEARD_STYLES = ("none", "stubble", "moustache", "goatee", "full")
GLASSES_STYLES = ("none", "round", "square")

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


def _rgb(values) -> tuple[float, float, float]:
    return tuple(float(np.clip(v, 0.0, 1.0)) for v in values)  # type: ignore[return-value]


@dataclass(frozen=True)
class Identity:
    """Who the person is: face shape, age and sex-typical features, colours, hair, facial hair,
    brows, make-up, glasses, skin details and small asymmetries.

    Attributes:
        seed: the seed it was drawn from (also seeds its skin texture).
        shape: one number per name in :data:`SHAPE_NAMES` (about N(0, 1); 0 is the base mesh).
            Sex-typical features and age are already folded in here, so the shape alone
            describes the face.
        asymmetry: ``(4,)`` small left/right differences (eye height, brow, mouth corner, jaw).
        skin: RGB albedo in [0, 1]. lips, iris, hair, brow: RGB.
        age: years (18..85): wrinkles, under-eye bags, age spots, grey hair.
        masculinity: 0 (female-typical) .. 1 (male-typical) features, already in ``shape``;
            here it only drives the skin texture (beard shadow) and is recorded.
        hair_style: one of :data:`HAIR_STYLES`. hair_length: 0..1 fringe/length control.
        hairline: 0 (full) .. 1 (receding far back at the temples and front).
        beard_style: one of :data:`BEARD_STYLES`. beard: 0..1 density of the beard or moustache.
        glasses: one of :data:`GLASSES_STYLES`. glasses_color: RGB of the frame.
        brow_thickness, brow_arch: 0..1. brow_tilt: -1 (outer ends down) .. 1 (up).
        eyeliner, lipstick, freckles, stubble, blush, wrinkles: 0..1 amounts.
    """

    seed: int = 0
    shape: tuple[float, ...] = (0.0,) * len(SHAPE_NAMES)
    asymmetry: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    skin: tuple[float, float, float] = (0.78, 0.58, 0.47)
    lips: tuple[float, float, float] = (0.68, 0.36, 0.36)
    iris: tuple[float, float, float] = (0.35, 0.25, 0.15)
    hair: tuple[float, float, float] = (0.20, 0.14, 0.09)
    brow: tuple[float, float, float] = (0.18, 0.12, 0.08)
    age: float = 35.0
    masculinity: float = 0.5
    hair_style: str = "short"
    hair_length: float = 0.5
    hairline: float = 0.0
    beard_style: str = "none"
    beard: float = 0.0
    glasses: str = "none"
    glasses_color: tuple[float, float, float] = (0.08, 0.07, 0.07)
    brow_thickness: float = 0.5
    brow_arch: float = 0.4
    brow_tilt: float = 0.0
    eyeliner: float = 0.0
    lipstick: float = 0.0
    freckles: float = 0.0
    stubble: float = 0.0
    blush: float = 0.3
    wrinkles: float = 0.1

    def __post_init__(self) -> None:
        if len(self.shape) != len(SHAPE_NAMES):
            raise InputError(
                f"Identity.shape has {len(self.shape)} values; expected {len(SHAPE_NAMES)} "
                f"(one per name in SHAPE_NAMES)"
            )
        for name, allowed in (
            ("hair_style", HAIR_STYLES),
            ("beard_style", BEARD_STYLES),
            ("glasses", GLASSES_STYLES),
        ):
            if getattr(self, name) not in allowed:
                raise InputError(
                    f"{name} {getattr(self, name)!r} unknown; expected one of {allowed}"
                )
        unit = (0.0, 1.0)
        _check_range(
            self,
            {"age": (0.0, 120.0), "masculinity": unit, "hair_length": unit, "hairline": unit,
             "beard": unit, "brow_thickness": unit, "brow_arch": unit, "brow_tilt": (-1.0, 1.0),
             "eyeliner": unit, "lipstick": unit, "freckles": unit, "stubble": unit, "blush": unit,
             "wrinkles": unit},
        )  # fmt: skip

    def shape_value(self, name: str) -> float:
        """The value of one named shape parameter."""
        return self.shape[SHAPE_NAMES.index(name)]

    @classmethod
    def from_seed(cls, seed: int) -> Identity:
        """Draw a person who does not exist, deterministically from ``seed``.

        >>> Identity.from_seed(3) == Identity.from_seed(3)
        True
        """
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise InputError(f"seed must be a non-negative integer, got {seed!r}")
        return _draw_identity(int(seed))


def _draw_identity(seed: int) -> Identity:
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
    return Identity(
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


def _check_range(obj: object, limits: dict[str, tuple[float, float]]) -> None:
    for f in fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if f.name in limits:
            lo, hi = limits[f.name]
            if (
                not isinstance(value, (int, float))
                or not np.isfinite(value)
                or not lo <= value <= hi
            ):
                raise InputError(
                    f"{type(obj).__name__}.{f.name}={value!r} is out of range; expected a number "
                    f"in [{lo}, {hi}]"
                )


@dataclass(frozen=True)
class Expression:
    """Facial expression. All amounts in [0, 1] unless said otherwise.

    Attributes:
        jaw_open: mouth opening. smile: mouth corners up and out.
        blink_left, blink_right: eyelid closure of the person's left / right eye.
        brows: brow raise in [-1, 1] (negative frowns). gaze_x, gaze_y: eye direction in
            degrees (positive: to the image right / down).
    """

    jaw_open: float = 0.0
    smile: float = 0.0
    blink_left: float = 0.0
    blink_right: float = 0.0
    brows: float = 0.0
    gaze_x: float = 0.0
    gaze_y: float = 0.0

    def __post_init__(self) -> None:
        unit = (0.0, 1.0)
        _check_range(
            self,
            {"jaw_open": unit, "smile": unit, "blink_left": unit, "blink_right": unit,
             "brows": (-1.0, 1.0), "gaze_x": (-40.0, 40.0), "gaze_y": (-30.0, 30.0)},
        )  # fmt: skip


@dataclass(frozen=True)
class Pose:
    """Head pose and placement.

    Attributes:
        yaw: degrees, positive turns the face towards the image right. pitch: degrees, positive
            looks down. roll: degrees, positive tilts clockwise in the image.
        scale: face size relative to the frame (1.0: eye corners ~0.24 of the frame width).
        x, y: face centre offset from the frame centre, as a fraction of the frame size.
    """

    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    scale: float = 1.0
    x: float = 0.0
    y: float = 0.0

    def __post_init__(self) -> None:
        _check_range(
            self,
            {"yaw": (-90.0, 90.0), "pitch": (-60.0, 60.0), "roll": (-90.0, 90.0),
             "scale": (0.1, 4.0), "x": (-1.0, 1.0), "y": (-1.0, 1.0)},
        )  # fmt: skip


@dataclass(frozen=True)
class Lighting:
    """A key light plus ambient light.

    Attributes:
        azimuth: degrees, positive puts the light on the image right. elevation: degrees up.
        intensity: key light strength. ambient: fill light. color: RGB tint of the key light.
        specular: strength of skin highlights.
    """

    azimuth: float = 20.0
    elevation: float = 25.0
    intensity: float = 0.75
    ambient: float = 0.38
    color: tuple[float, float, float] = (1.0, 0.97, 0.92)
    specular: float = 0.25

    def __post_init__(self) -> None:
        _check_range(
            self,
            {"azimuth": (-180.0, 180.0), "elevation": (-90.0, 90.0), "intensity": (0.0, 2.0),
             "ambient": (0.0, 1.5), "specular": (0.0, 2.0)},
        )  # fmt: skip


@dataclass(frozen=True)
class Background:
    """A soft two-colour gradient with blurred blobs (a room out of focus).

    Attributes:
        top, bottom: RGB colours of the gradient. blobs: how many out-of-focus shapes.
        seed: seeds the blob layout. shirt: RGB colour of the clothing.
    """

    top: tuple[float, float, float] = (0.55, 0.60, 0.66)
    bottom: tuple[float, float, float] = (0.32, 0.34, 0.38)
    blobs: int = 6
    seed: int = 0
    shirt: tuple[float, float, float] = (0.20, 0.28, 0.42)

    @classmethod
    def from_seed(cls, seed: int) -> Background:
        """A random background (deterministic in ``seed``)."""
        rng = np.random.Generator(np.random.PCG64(int(seed) + 7919))
        # Muted room colours: a random hue pulled most of the way towards its grey.
        base = rng.uniform(0.2, 0.8, 3)
        grey = base.mean() * rng.uniform(0.7, 1.2)
        base = grey + (base - base.mean()) * rng.uniform(0.2, 0.55)
        top = base * rng.uniform(0.95, 1.2) + rng.normal(0, 0.02, 3)
        bottom = base * rng.uniform(0.45, 0.8)
        shirt = rng.uniform(0.05, 0.8, 3)
        shirt = shirt.mean() + (shirt - shirt.mean()) * rng.uniform(0.3, 0.9)
        shirt = shirt * rng.uniform(0.4, 1.0)
        return cls(_rgb(top), _rgb(bottom), int(rng.integers(2, 10)), int(seed), _rgb(shirt))


@dataclass(frozen=True)
class Scene:
    """Everything but the identity, for convenience in random sampling."""

    expression: Expression = field(default_factory=Expression)
    pose: Pose = field(default_factory=Pose)
    lighting: Lighting = field(default_factory=Lighting)
    background: Background = field(default_factory=Background)

    @classmethod
    def random(cls, seed: int, max_yaw: float = 40.0, max_pitch: float = 20.0) -> Scene:
        """A random expression/pose/light/background (deterministic in ``seed``)."""
        rng = np.random.Generator(np.random.PCG64(int(seed) + 104729))
        expression = Expression(
            jaw_open=float(rng.uniform(0, 1) ** 2 * 0.8),
            smile=float(rng.uniform(0, 1) ** 2),
            blink_left=float(rng.uniform(0, 1) ** 4),
            blink_right=float(rng.uniform(0, 1) ** 4),
            brows=float(rng.uniform(-0.5, 1.0)),
            gaze_x=float(rng.uniform(-15, 15)),
            gaze_y=float(rng.uniform(-8, 8)),
        )
        pose = Pose(
            yaw=float(rng.uniform(-max_yaw, max_yaw)),
            pitch=float(rng.uniform(-max_pitch, max_pitch)),
            roll=float(rng.uniform(-15, 15)),
            scale=float(rng.uniform(0.85, 1.2)),
            x=float(rng.uniform(-0.06, 0.06)),
            y=float(rng.uniform(-0.06, 0.06)),
        )
        lighting = Lighting(
            azimuth=float(rng.uniform(-60, 60)),
            elevation=float(rng.uniform(0, 50)),
            intensity=float(rng.uniform(0.55, 0.95)),
            ambient=float(rng.uniform(0.3, 0.5)),
            color=_rgb(1 + rng.normal(0, 0.04, 3)),
            specular=float(rng.uniform(0.1, 0.4)),
        )
        return cls(expression, pose, lighting, Background.from_seed(int(rng.integers(0, 2**31))))
