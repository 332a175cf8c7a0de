"""Render a person who does not exist: image, mediapipe-topology landmarks and face mask."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch

from ..errors import InputError
from .assemble import HeadMesh, build_head
from .hair import hair_coverage, hair_depth, hair_uv
from .head import CLOTH, EYE, HAIR, MATTE_SKIN, MOUTH, SKIN, TEETH
from .imageops import downsample_area, draw_mask, gaussian_blur, resize_linear, sample_bilinear
from .params import Background, Expression, Identity, Lighting, Pose
from .raster import rasterize

CAMERA_DISTANCE = 14.0
HEAD_PIVOT = np.array([0.0, 0.6, 0.9])
FACE_ANCHOR = np.array([0.0, 0.3, 0.0])
EYE_SPAN = 0.24  # outer-eye-corner distance as a fraction of the frame at Pose.scale == 1
MIN_SIZE, MAX_SIZE = 16, 4096


@dataclass(frozen=True)
class Render:
    """One rendered frame.

    Attributes:
        image: ``(1, 3, S, S)`` float32 RGB in [0, 1].
        landmarks: ``(1, 468, 2)`` float32 pixels, mediapipe face-mesh topology.
        mask: ``(1, 1, S, S)`` float32, 1 on the visible inner face (skin, eyes, mouth).
        landmarks_3d: ``(1, 468, 3)`` float32 camera-space positions (x right, y down, z away).
    """

    image: torch.Tensor
    landmarks: torch.Tensor
    mask: torch.Tensor
    landmarks_3d: torch.Tensor


def rotation(pose: Pose) -> np.ndarray:
    """Head rotation matrix ``(3, 3)`` for ``pose`` (yaw, then pitch, then roll)."""
    y, p, r = np.radians([-pose.yaw, pose.pitch, pose.roll])
    ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
    rx = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]])
    rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    return rz @ rx @ ry


def _vertex_normals(points: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    a, b, c = (points[triangles[:, k]] for k in range(3))
    normal = np.cross(b - a, c - a)
    out = np.zeros_like(points)
    for k in range(3):
        for axis in range(3):
            out[:, axis] += np.bincount(triangles[:, k], normal[:, axis], minlength=len(points))
    length = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(length, 1e-12)


def _light_direction(lighting: Lighting) -> np.ndarray:
    az, el = np.radians([lighting.azimuth, lighting.elevation])
    return np.array([np.sin(az) * np.cos(el), -np.sin(el), -np.cos(az) * np.cos(el)])


@functools.lru_cache(maxsize=32)
def background_image(background: Background, size: int) -> np.ndarray:
    """A soft, out-of-focus backdrop: ``(size, size, 3)`` float64 (read-only)."""
    import cv2

    rng = np.random.Generator(np.random.PCG64(background.seed + 31337))
    small = 48
    t = np.linspace(0, 1, small)[:, None, None]
    image = np.asarray(background.top) * (1 - t) + np.asarray(background.bottom) * t
    image = np.ascontiguousarray(np.broadcast_to(image, (small, small, 3)), dtype=np.float64)
    for _ in range(background.blobs):
        colour = np.clip(image.mean((0, 1)) * rng.uniform(0.7, 1.35) + rng.normal(0, 0.05, 3), 0, 1)
        centre = tuple(int(v) for v in rng.uniform(0, small, 2))
        axes = tuple(int(v) for v in rng.uniform(3, 14, 2))
        angle = float(rng.uniform(0, 180))
        shape = draw_mask(
            lambda c, centre=centre, axes=axes, angle=angle: cv2.ellipse(
                c, centre, axes, angle, 0, 360, 255, -1
            ),
            small,
            small,
        )[..., None]
        image = image * (1 - shape) + colour * shape
    image = gaussian_blur(image, 2.5)
    image = np.clip(resize_linear(image, size, size), 0, 1)
    image.setflags(write=False)
    return image


def _sample(atlas: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Bilinear lookup of ``(M, 2)`` atlas pixel coordinates: ``(M, 3)``."""
    if len(uv) == 0:
        return np.zeros((0, 3))
    return sample_bilinear(atlas, uv)


def _eye_albedo(direction: np.ndarray, gaze: np.ndarray, iris: tuple) -> np.ndarray:
    d = direction / np.maximum(np.linalg.norm(direction, axis=1, keepdims=True), 1e-12)
    angle = np.arccos(np.clip(d @ gaze, -1, 1))
    iris_r, pupil_r = 0.42, 0.16
    # Radial streaks: angle around the gaze axis.
    side = np.cross(gaze, [0.0, 1.0, 0.0])
    side /= np.linalg.norm(side)
    up = np.cross(side, gaze)
    around = np.arctan2(d @ up, d @ side)
    streak = 1 + 0.18 * np.sin(around * 23) * np.sin(around * 7 + 1) + 0.25 * (angle / iris_r - 0.5)
    iris_rgb = np.asarray(iris)[None] * streak[:, None]
    limbus = np.exp(-(((angle - iris_r) / 0.05) ** 2))[:, None]
    iris_rgb *= 1 - 0.55 * limbus
    sclera = np.array([0.80, 0.76, 0.72]) * (1 - 0.25 * np.clip(angle - 0.7, 0, 1))[:, None]
    sclera = sclera + np.array([0.04, -0.03, -0.03]) * np.clip(angle - 0.9, 0, 1)[:, None]
    in_iris = np.clip((iris_r - angle) / 0.04 + 0.5, 0, 1)[:, None]
    in_pupil = np.clip((pupil_r - angle) / 0.03 + 0.5, 0, 1)[:, None]
    out = sclera * (1 - in_iris) + iris_rgb * in_iris
    out = out * (1 - in_pupil) + 0.02 * in_pupil
    # Shadow of the upper lid on the top of the eyeball.
    lid = np.clip((-d[:, 1] - 0.1) / 0.5, 0, 1)[:, None]
    return out * (1 - 0.55 * lid)


#: Per material (SKIN, HAIR, EYE, MOUTH, TEETH, CLOTH, MATTE_SKIN): highlight sharpness, strength.
SHININESS = np.array([20.0, 12.0, 250.0, 30.0, 40.0, 8.0, 10.0])
SPECULAR_STRENGTH = np.array([1.0, 0.6, 2.5, 0.3, 0.8, 0.1, 0.25])


def _shade(mesh: HeadMesh, normals, tri, bary, lighting: Lighting, mat, down, shirt) -> np.ndarray:
    """Colour of each visible pixel: ``(M, 3)``."""
    corners = mesh.triangles[tri]  # (M, 3)
    packed = np.concatenate([normals, mesh.uv, mesh.tint, mesh.canon], axis=1)  # (V, 11)
    values = packed[corners[:, 0]] * bary[:, :1]
    values += packed[corners[:, 1]] * bary[:, 1:2]
    values += packed[corners[:, 2]] * bary[:, 2:3]
    n, uv, tint, canon = values[:, :3], values[:, 3:5], values[:, 5:8], values[:, 8:11]
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
    two_sided = ~mesh.cull[tri]
    flip = two_sided & (n[:, 2] > 0)
    n[flip] *= -1
    albedo = _sample(mesh.atlas, uv)
    hairy = mesh.hairable[tri]
    # How much each pixel shades like hair: 1 on the hair shell, the coverage of painted hair.
    hair_weight = (mat == HAIR).astype(np.float64)
    if hairy.any():
        cover = hair_coverage(canon[hairy], mesh.hair_identity)[:, None]
        hair = _sample(mesh.atlas, hair_uv(canon[hairy], mesh.hair_identity))
        albedo[hairy] = albedo[hairy] * (1 - cover) + hair * cover
        hair_weight[hairy] = cover[:, 0]
    is_eye = mat == EYE
    if is_eye.any():
        albedo[is_eye] = _eye_albedo(canon[is_eye], mesh.gaze, mesh.iris)
    is_teeth = mat == TEETH
    if is_teeth.any():
        gap = np.abs(np.sin(uv[is_teeth, 0] * np.pi / 0.075)) ** 0.3
        edge = 1 - 0.3 * np.abs(uv[is_teeth, 1] - 0.5) * 2
        albedo[is_teeth] = np.array([0.92, 0.88, 0.80]) * (0.75 + 0.25 * gap * edge)[:, None]
    plain = (mat == MOUTH) | (mat == CLOTH)
    albedo[plain] = 1.0
    if (mat == CLOTH).any():
        albedo[mat == CLOTH] = np.asarray(shirt)
    albedo *= tint
    if mesh.hair_identity.hair_style != "bald":
        # Contact shadow of the hair on the skin just below the hairline.
        skin_px = np.nonzero((mat == SKIN) | hairy)[0]
        below = -hair_depth(canon[skin_px], mesh.hair_identity)
        shadow = np.clip(1 - below / 0.15, 0, 1) * np.clip((below + 0.08) / 0.06, 0, 1)
        albedo[skin_px] *= (1 - 0.3 * shadow)[:, None]
    light = _light_direction(lighting)
    half = light + np.array([0.0, 0.0, -1.0])
    half /= np.linalg.norm(half)
    ndl = n @ light
    is_skin = (mat == SKIN) | (mat == MATTE_SKIN)
    wrap = np.where(is_skin, 0.3 - 0.2 * hair_weight, 0.1)
    diffuse = np.clip((ndl + wrap) / (1 + wrap), 0, 1)
    hemi = lighting.ambient * (0.85 - 0.25 * n[:, 1]) * (0.7 + 0.3 * np.abs(n[:, 2]))
    colour = np.asarray(lighting.color)
    shaded = albedo * (hemi[:, None] + lighting.intensity * diffuse[:, None] * colour)
    # Subsurface warmth on skin where the light falls off.
    skin = np.nonzero(is_skin)[0]
    warmth = (
        lighting.intensity * 0.12 * diffuse[skin] * (1 - diffuse[skin]) * (1 - hair_weight[skin])
    )
    shaded[skin] += albedo[skin] * warmth[:, None] * np.array([1.0, 0.35, 0.2])
    # Blinn-Phong highlights, only where they can be visible (n.h high enough).
    ndh = n @ half
    lit = np.nonzero((ndh > 0.55) & (ndl > 0))[0]
    m, hw = mat[lit], hair_weight[lit]
    strength = SPECULAR_STRENGTH[m] * (1 - hw) + SPECULAR_STRENGTH[HAIR] * hw
    shininess = SHININESS[m] * (1 - hw) + SHININESS[HAIR] * hw
    spec = lighting.specular * strength * np.exp(shininess * np.log(ndh[lit]))
    shaded[lit] += (lighting.intensity * spec)[:, None] * colour
    hair = hair_weight > 0
    if hair.any():
        # Kajiya-Kay sheen along strands that run down the head.
        nh = n[hair]
        strand = np.asarray(down) - nh * (nh @ np.asarray(down))[:, None]
        strand /= np.maximum(np.linalg.norm(strand, axis=1, keepdims=True), 1e-9)
        along = strand @ half
        sheen = np.sqrt(np.clip(1 - along**2, 0, 1)) ** 60 * np.clip(nh @ light + 0.3, 0, 1)
        tinted = 0.5 * colour + 0.5 * albedo[hair] / max(float(albedo[hair].max()), 1e-6)
        sheen *= hair_weight[hair]
        shaded[hair] += (0.35 * lighting.intensity * sheen)[:, None] * tinted
    return shaded


def _tone(image: np.ndarray) -> np.ndarray:
    """A gentle filmic curve: lifted blacks, rolled-off highlights (less computer-graphics look)."""
    x = np.clip(image, 0.0, 1.5)
    return 0.015 + 0.95 * x * (1.35 - 0.45 * x)


@functools.lru_cache(maxsize=8)
def _grain(size: int) -> np.ndarray:
    """Fixed, faint sensor noise ``(size, size, 1)`` (same for every frame: no flicker)."""
    rng = np.random.Generator(np.random.PCG64(2024))
    noise = rng.normal(0.0, 0.01, (size, size, 1))
    noise.setflags(write=False)
    return noise


def _smooth_edges(image: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """Cheap anti-aliasing: soften pixels where one part of the person meets another or the
    background (silhouettes, eyelids, lips), leaving the inside of surfaces sharp."""
    edge = np.zeros(parts.shape, bool)
    edge[:, 1:] |= parts[:, 1:] != parts[:, :-1]
    edge[:, :-1] |= parts[:, 1:] != parts[:, :-1]
    edge[1:] |= parts[1:] != parts[:-1]
    edge[:-1] |= parts[1:] != parts[:-1]
    padded = np.pad(image, ((1, 1), (1, 1), (0, 0)), mode="edge")
    rows = 0.25 * padded[:-2] + 0.5 * padded[1:-1] + 0.25 * padded[2:]
    soft = 0.25 * rows[:, :-2] + 0.5 * rows[:, 1:-1] + 0.25 * rows[:, 2:]
    image[edge] = soft[edge]
    return image


def _check_size(size) -> int:
    if (
        isinstance(size, bool)
        or not isinstance(size, (int, np.integer))
        or not MIN_SIZE <= size <= MAX_SIZE
    ):
        raise InputError(
            f"size must be an integer in [{MIN_SIZE}, {MAX_SIZE}] pixels, got {size!r}"
        )
    return int(size)


def _check(value, kind, name):
    if value is None:
        return kind()
    if not isinstance(value, kind):
        raise InputError(f"{name} must be a {kind.__name__}, got {type(value).__name__}")
    return value


def render(
    identity: Identity,
    expression: Expression | None = None,
    pose: Pose | None = None,
    lighting: Lighting | None = None,
    background: Background | None = None,
    size: int = 256,
    *,
    supersample: int = 1,
    face_source: Identity | None = None,
    grain: bool = True,
) -> Render:
    """Render ``identity`` with an expression, pose, lighting and background.

    Args:
        identity: who (see :meth:`Identity.from_seed`).
        expression, pose, lighting, background: defaults when ``None``.
        size: output side in pixels (square), 16..4096.
        supersample: render at this many times the size and average down (1 = fastest).
        face_source: render this identity's inner face inside ``identity``'s head (ideal swap).
        grain: add faint fixed sensor noise (looks less computer-made; same in every frame).

    Returns:
        A :class:`Render`: image ``(1,3,S,S)``, landmarks ``(1,468,2)``, mask ``(1,1,S,S)``.

    >>> out = render(Identity.from_seed(1), size=64)
    >>> tuple(out.image.shape), tuple(out.landmarks.shape), tuple(out.mask.shape)
    ((1, 3, 64, 64), (1, 468, 2), (1, 1, 64, 64))
    """
    if not isinstance(identity, Identity):
        raise InputError(
            f"identity must be an Identity (Identity.from_seed(n)), got {type(identity).__name__}"
        )
    expression = _check(expression, Expression, "expression")
    pose = _check(pose, Pose, "pose")
    lighting = _check(lighting, Lighting, "lighting")
    background = _check(background, Background, "background")
    size = _check_size(size)
    if supersample not in (1, 2, 3, 4):
        raise InputError(f"supersample must be 1, 2, 3 or 4, got {supersample!r}")
    mesh = build_head(identity, expression, face_source)
    full = size * supersample
    rot = rotation(pose)
    body = mesh.body[:, None]
    rotated = (mesh.points - HEAD_PIVOT) @ rot.T + HEAD_PIVOT
    cam = body * mesh.points + (1 - body) * rotated - FACE_ANCHOR
    normals_model = _vertex_normals(mesh.points, mesh.triangles)
    normals = body * normals_model + (1 - body) * (normals_model @ rot.T)
    scale = pose.scale * EYE_SPAN * full
    depth = cam[:, 2] + CAMERA_DISTANCE
    persp = CAMERA_DISTANCE / depth
    pixels = np.stack(
        [
            full / 2 + pose.x * full + scale * cam[:, 0] * persp,
            full / 2 + pose.y * full + scale * cam[:, 1] * persp,
        ],
        1,
    )
    ids, bary = rasterize(pixels, depth, mesh.triangles, full, full, cull=mesh.cull)
    flat = ids.reshape(-1)
    visible = np.nonzero(flat >= 0)[0]
    tri = flat[visible]
    colours = _shade(
        mesh,
        normals,
        tri,
        bary.reshape(-1, 3)[visible],
        lighting,
        mesh.material[tri],
        rot[:, 1],
        background.shirt,
    )
    image = background_image(background, full).reshape(-1, 3).astype(np.float64)
    image[visible] = _tone(colours)
    mask = np.zeros(full * full)
    mask[visible] = mesh.face[tri]
    image = image.reshape(full, full, 3)
    mask = mask.reshape(full, full)
    image = _smooth_edges(image, np.where(ids >= 0, mesh.group[np.maximum(ids, 0)], -1))
    if grain:
        image = image + _grain(full)
    image = downsample_area(image, supersample)
    mask = downsample_area(mask, supersample)
    # Snap to 8-bit levels: last-bit differences between CPUs cannot change the picture.
    image = np.round(np.clip(image, 0, 1) * 255) / 255
    image = image.astype(np.float32)
    mask = mask.astype(np.float32)
    landmarks = pixels[:468] / supersample
    cam3 = cam[:468]
    return Render(
        image=torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))[None],
        landmarks=torch.from_numpy(landmarks.astype(np.float32))[None],
        mask=torch.from_numpy(mask)[None, None],
        landmarks_3d=torch.from_numpy(cam3.astype(np.float32))[None],
    )


def render_ideal_swap(
    source_identity: Identity,
    target_identity: Identity,
    expression: Expression | None = None,
    pose: Pose | None = None,
    lighting: Lighting | None = None,
    background: Background | None = None,
    size: int = 256,
    *,
    supersample: int = 1,
) -> Render:
    """The ideal swap: the source's inner face inside the target's head.

    The face-mesh region (shape, skin, brows, lips, eyes) comes from ``source_identity``, blended
    smoothly to the target towards the face oval; the head outside the face, hair, ears, neck and
    everything about the shot (expression, pose, lighting, background) come from the target.

    Returns:
        A :class:`Render` with the target's framing; ``mask`` marks the inner face.
    """
    if not isinstance(source_identity, Identity):
        raise InputError(
            f"source_identity must be an Identity, got {type(source_identity).__name__}"
        )
    return render(
        target_identity, expression, pose, lighting, background, size,
        supersample=supersample, face_source=source_identity,
    )  # fmt: skip
