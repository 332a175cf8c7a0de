"""Explicit parameters of a synthetic person and a shot: identity, expression, pose, light, background.

Every field is a plain number or tuple, so a render is fully described by these frozen dataclasses.
``Identity.from_seed(seed)`` draws an identity deterministically (numpy ``PCG64``, float64),
so the same seed gives the same person on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from ..errors import InputError
from .names import BEARD_STYLES, GLASSES_STYLES, HAIR_STYLES, SHAPE_NAMES
from .names import clip_rgb as _rgb
from .population import identity_fields


@dataclass(frozen=True)
class Identity:
    """Who the person is: face shape, age and sex-typical features, colours, hair, facial hair,
    brows, make-up, glasses, skin details and small asymmetries.

    Attributes:
        seed: the seed it was drawn from (also seeds its skin texture).
        shape: one number per name in :data:`SHAPE_NAMES` (about N(0, 1); 0 is the base mesh).
            Sex-typical features, age and face modes (:mod:`.population`) are already folded
            in here, so the shape alone describes the face.
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
        return cls(**identity_fields(int(seed)))


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
