"""The whole head around the face mesh: skull, hair, ears, eyes, mouth, teeth, neck, shoulders.

Builds one triangle soup in model space (see :mod:`faceswap_kit.synth.face_model`) with per-vertex
attributes for the shader. Parts are generated procedurally from the current face vertices, so
the skull joins the face oval without a seam and the mouth/teeth follow the jaw.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .base_mesh import load_base_mesh
from .face_model import JAW_PIVOT, _rotate_x, _smoothstep, jaw_angle
from .params import Expression, Identity

SKIN, HAIR, EYE, MOUTH, TEETH, CLOTH, MATTE_SKIN = range(7)
#: Face-texture square in model units: x in [-1.5, 1.5], y in [-1.3, 1.9] -> atlas [0, 256).
TEX = 256


def face_uv(points: np.ndarray) -> np.ndarray:
    """Atlas coordinates (pixels) of model-space points on the face texture square."""
    u = (points[:, 0] + 1.5) / 3.0 * TEX
    v = (points[:, 1] + 1.3) / 3.2 * TEX
    return np.stack([np.clip(u, 0.5, TEX - 1.5), np.clip(v, 0.5, TEX - 1.5)], 1)


@dataclass
class Part:
    """A piece of the head: vertices with attributes and triangles of one material."""

    points: np.ndarray  # (V, 3)
    triangles: np.ndarray  # (T, 3)
    material: int
    cull: bool = True
    uv: np.ndarray | None = None  # (V, 2) atlas pixels
    tint: np.ndarray | None = None  # (V, 3) albedo multiplier
    canon: np.ndarray | None = None  # (V, 3) rest position (hair coverage, eye direction)
    face: float = 0.0  # counts as face (mask) when 1
    body: float | np.ndarray = 0.0  # 1: follows the body, not the head rotation (per vertex)


def head_frame(identity: Identity) -> tuple[np.ndarray, np.ndarray]:
    """Centre and radii of the skull ellipsoid for ``identity``."""
    width = 1 + 0.05 * identity.shape_value("head_width")
    length = 1 + 0.05 * identity.shape_value("head_length")
    centre = np.array([0.0, -0.2, 0.85 * length])
    radii = np.array([0.86 * width, 1.08, 1.02 * length])
    return centre, radii


def _grid_triangles(rows: int, cols: int, closed: bool) -> np.ndarray:
    """Quads of a ``rows x cols`` vertex grid split in triangles (columns wrap when closed)."""
    return _grid_template(rows, cols, closed).copy()


@functools.lru_cache(maxsize=32)
def _grid_template(rows: int, cols: int, closed: bool) -> np.ndarray:
    r, c = np.meshgrid(np.arange(rows - 1), np.arange(cols if closed else cols - 1), indexing="ij")
    a = r * cols + c
    b = r * cols + (c + 1) % cols
    d = (r + 1) * cols + c
    e = (r + 1) * cols + (c + 1) % cols
    return np.concatenate(
        [np.stack([a, b, e], -1).reshape(-1, 3), np.stack([a, e, d], -1).reshape(-1, 3)]
    )


def orient(points: np.ndarray, triangles: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Order triangles so their normals point away from ``centre``."""
    a, b, c = (points[triangles[:, k]] for k in range(3))
    normal = np.cross(b - a, c - a)
    flip = (normal * ((a + b + c) / 3 - centre)).sum(1) < 0
    out = triangles.copy()
    out[flip] = out[flip][:, [0, 2, 1]]
    return out


def skull(face: np.ndarray, identity: Identity, rings: int = 14) -> Part:
    """A loft from the face oval around the skull ellipsoid to a pole behind the head.

    The first ring is the face oval itself (indices into ``face``), so the returned part's
    triangles index ``face`` rows ``0..467`` for ring 0 and appended rows for the rest: the caller
    places these points right after the face vertices.
    """
    centre, radii = head_frame(identity)
    oval = load_base_mesh().groups["oval"]
    base = np.asarray(load_base_mesh().vertices)
    q = (face[oval] - centre) / radii
    rho0 = np.linalg.norm(q, axis=1)
    u0 = q / rho0[:, None]
    back = np.array([0.0, 0.0, 1.0])
    polar = np.arccos(np.clip(u0 @ back, -1, 1))
    # Meridian angle around the front-back axis; spread evenly away from the face so the crown
    # is covered by as many meridians as the sides (no facets on top of the head).
    meridian = np.unwrap(np.arctan2(u0[:, 1], u0[:, 0]))
    n = len(oval)
    turn = 2 * np.pi * np.sign(meridian[-1] - meridian[0])
    even = meridian[0] + turn * np.arange(n) / n
    even += np.mean(meridian - even)
    # Below the cheekbones the surface tucks in under the jaw towards the neck.
    rho_mid = 1.0 - 0.3 * _smoothstep((face[oval, 1] - 0.2) / 0.8)
    ts = np.linspace(0, 1, rings + 1)[1:-1]
    pts, uvs = [], []
    face_centre = np.array([0.0, 0.35])
    out_dir = base[oval, :2] - face_centre
    out_dir /= np.linalg.norm(out_dir, axis=1, keepdims=True)
    for t in ts:
        angle = meridian + (even - meridian) * _smoothstep(t / 0.45)
        theta = polar * (1 - t)
        u = np.stack(
            [np.sin(theta) * np.cos(angle), np.sin(theta) * np.sin(angle), np.cos(theta)], 1
        )
        rho = rho0 + (rho_mid - rho0) * _smoothstep(t / 0.35)
        rho = rho + (1 - rho_mid) * _smoothstep((t - 0.55) / 0.45)
        p = centre + radii * rho[:, None] * u
        pts.append(p)
        uvs.append(face_uv(np.concatenate([base[oval, :2] + out_dir * t * 1.6, 0 * p[:, :1]], 1)))
    pole = centre + radii * back
    points = np.concatenate(pts + [pole[None]])
    # Local numbering: row 0 = the face oval, rows 1..rings-1 = appended points, then the pole.
    grid = _grid_triangles(rings, n, closed=True)
    last = (rings - 1) * n
    idx = np.arange(n)
    fan = np.stack([last + idx, last + (idx + 1) % n, np.full(n, rings * n)], 1)
    tris = np.concatenate([grid, fan])
    return Part(
        points=points,
        triangles=tris,
        material=SKIN,
        uv=np.concatenate(uvs + [uvs[-1][:1]]),
        canon=points,
    )


def eyeball(face: np.ndarray, loop: np.ndarray, radius: float = 0.165) -> tuple[Part, np.ndarray]:
    """A sphere behind one eye opening; returns the part and the eyeball centre."""
    rim = face[loop]
    # A larger or smaller eye opening has a larger or smaller eyeball (and iris) behind it.
    base_rim = np.asarray(load_base_mesh().vertices)[loop]
    radius *= float(np.clip(np.ptp(rim[:, 0]) / np.ptp(base_rim[:, 0]), 0.85, 1.3))
    centre = rim.mean(0)
    centre[2] = rim[:, 2].mean() + radius * 0.8
    lat, lon = np.meshgrid(
        np.linspace(0, np.pi * 0.75, 9),
        np.linspace(0, 2 * np.pi, 16, endpoint=False),
        indexing="ij",
    )
    local = np.stack([np.sin(lat) * np.cos(lon), np.sin(lat) * np.sin(lon), -np.cos(lat)], -1)
    local = local.reshape(-1, 3)
    keep = np.ones(len(local), bool)
    keep[1:16] = False  # the first latitude row collapses to the front pole: keep one vertex
    remap = np.cumsum(keep) - 1
    tris = _grid_triangles(9, 16, closed=True)
    tris = remap[tris]
    tris = tris[
        (tris[:, 0] != tris[:, 1]) & (tris[:, 1] != tris[:, 2]) & (tris[:, 0] != tris[:, 2])
    ]
    local = local[keep]
    points = centre + radius * local
    part = Part(points, orient(points, tris, centre), EYE, canon=local, face=1.0)
    return part, centre


def _cup_triangles(n: int) -> np.ndarray:
    """Triangles of a cup: a rim loop (0..n-1), an inner ring (n..2n-1) and a bottom point (2n)."""
    idx = np.arange(n)
    nxt = (idx + 1) % n
    return np.concatenate(
        [
            np.stack([idx, nxt, n + nxt], 1),
            np.stack([idx, n + nxt, n + idx], 1),
            np.stack([n + idx, n + nxt, np.full(n, 2 * n)], 1),
        ]
    )


def eye_socket(face: np.ndarray, loop: np.ndarray, centre: np.ndarray) -> Part:
    """A pinkish backing behind one eye opening (seen at the corners: the caruncle)."""
    rim = face[loop]
    n = len(rim)
    inner = centre + (rim - centre) * 0.6
    inner[:, 2] = centre[2] + 0.02
    back = centre + np.array([0.0, 0.0, 0.1])
    points = np.concatenate([rim, inner, back[None]])
    tris = _cup_triangles(n)
    tint = np.tile([[0.62, 0.36, 0.36]], (2 * n + 1, 1))
    return Part(points, tris, MOUTH, cull=False, tint=tint, face=1.0)


def mouth(face: np.ndarray, expression: Expression) -> list[Part]:
    """Mouth cavity behind the inner lips, upper and lower teeth rows."""
    mesh = load_base_mesh()
    loop = mesh.groups["lips_inner"]
    rim = face[loop]
    centre = rim.mean(0)
    n = len(loop)
    ring1 = centre + (rim - centre) * np.array([0.85, 1.15, 1.0]) + np.array([0.0, 0.03, 0.12])
    bottom = centre + np.array([0.0, 0.08, 0.32])
    points = np.concatenate([rim, ring1, bottom[None]])
    tris = _cup_triangles(n)
    # Dark red walls; the lower half of the inner ring reads as the tongue.
    tongue = (ring1[:, 1] > centre[1] + 0.01)[:, None]
    inner_tint = np.where(tongue, [[0.62, 0.30, 0.30]], [[0.35, 0.12, 0.12]])
    tint = np.concatenate([np.tile([[0.45, 0.16, 0.16]], (n, 1)), inner_tint, [[0.1, 0.03, 0.03]]])
    cavity = Part(points, tris, MOUTH, cull=False, tint=tint, face=1.0)
    parts = [cavity]
    # Teeth: arcs just behind the lips; lower row follows the jaw.
    half_mouth = (abs(face[61, 0]) + abs(face[291, 0])) / 2  # the teeth fit this mouth's width
    xs = np.linspace(-0.23, 0.23, 13) * np.clip(half_mouth / 0.326, 0.6, 1.4)
    lip_y = face[13, 1]
    lip_z = min(face[13, 2], face[14, 2])
    depth = lip_z + 0.09 + 0.55 * xs**2
    for upper in (True, False):
        top = lip_y - 0.08 if upper else lip_y + 0.005
        bottom_y = lip_y - 0.005 if upper else lip_y + 0.075
        curve = -0.15 * xs**2 if upper else 0.15 * xs**2
        row_a = np.stack([xs, top + (0 * xs if upper else curve), depth], 1)
        row_b = np.stack([xs, bottom_y + (curve if upper else 0 * xs), depth], 1)
        pts = np.concatenate([row_a, row_b])
        if not upper:
            pts = _rotate_x(pts, JAW_PIVOT, jaw_angle(expression) - jaw_angle(Expression()))
        tris = _grid_triangles(2, len(xs), closed=False)
        uv = np.stack([np.tile(xs, 2), np.repeat([0.0, 1.0], len(xs))], 1)
        shade = (1 - 0.75 * _smoothstep((np.abs(pts[:, 0]) - 0.08) / 0.15))[:, None]
        parts.append(
            Part(pts, tris, TEETH, cull=False, uv=uv, tint=shade * np.ones((1, 3)), face=1.0)
        )
    return parts


def _sphere(centre, radii, rows: int = 8, cols: int = 14) -> tuple[np.ndarray, np.ndarray]:
    lat, lon = np.meshgrid(
        np.linspace(0.15, np.pi - 0.15, rows),
        np.linspace(0, 2 * np.pi, cols, endpoint=False),
        indexing="ij",
    )
    unit = np.stack(
        [np.sin(lat) * np.cos(lon), -np.cos(lat), np.sin(lat) * np.sin(lon)], -1
    ).reshape(-1, 3)
    points = np.asarray(centre) + unit * np.asarray(radii)
    tris = _grid_triangles(rows, cols, closed=True)
    return points, orient(points, tris, np.asarray(centre))


def ears(identity: Identity) -> list[Part]:
    """Two flattened ellipsoids at the sides of the skull."""
    centre, radii = head_frame(identity)
    size = 1 + 0.08 * identity.shape_value("ear_size")
    parts = []
    for side in (-1.0, 1.0):
        c = np.array([side * radii[0] * 0.93, 0.3, centre[2] + 0.05])
        local, tris = _sphere((0, 0, 0), (0.06, 0.3 * size, 0.17 * size), rows=10, cols=16)
        # A bowl (concha) inside a rim (helix): the outer face is dished and darker inside.
        ring = np.hypot(local[:, 1] / (0.3 * size), local[:, 2] / (0.17 * size))
        outward = local[:, 0] > 0
        local[:, 0] -= outward * 0.05 * np.clip(1 - ring / 0.75, 0, 1)
        shade = np.where(outward, 0.72 + 0.28 * _smoothstep((ring - 0.45) / 0.4), 0.9)
        pts = local * np.array([side, 1.0, 1.0])
        tris = tris if side > 0 else tris[:, [0, 2, 1]]
        angle = side * np.radians(25)
        rot = np.array(
            [[np.cos(angle), 0, np.sin(angle)], [0, 1, 0], [-np.sin(angle), 0, np.cos(angle)]]
        )
        pts = pts @ rot.T + c
        tint = shade[:, None] * np.array([1.0, 0.9, 0.87])
        parts.append(Part(pts, tris, MATTE_SKIN, tint=tint))
    return parts


def neck(identity: Identity) -> Part:
    """An elliptic cylinder from inside the head down below the collar."""
    centre, radii = head_frame(identity)
    ys = np.array([0.3, 0.8, 1.3, 1.8, 2.3, 2.8, 3.3])
    ang = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    pts = np.stack(
        [
            np.outer(0.56 + 0.08 * _smoothstep((ys - 0.8) / 1.5), np.cos(ang)).reshape(-1)
            * radii[0]
            / 0.86,
            np.repeat(ys, len(ang)),
            np.tile(centre[2] + 0.05 + 0.5 * np.sin(ang), len(ys)),
        ],
        1,
    )
    tris = _grid_triangles(len(ys), len(ang), closed=True)
    axis = np.stack([np.zeros(len(pts)), pts[:, 1], np.full(len(pts), centre[2] + 0.05)], 1)
    a, b, c = (pts[tris[:, k]] for k in range(3))
    normal = np.cross(b - a, c - a)
    flip = (normal * ((a + b + c) / 3 - axis[tris[:, 0]])).sum(1) < 0
    tris[flip] = tris[flip][:, [0, 2, 1]]
    shade = 0.5 + 0.5 * _smoothstep((pts[:, 1] - 0.9) / 0.9)
    tint = shade[:, None] * np.ones((1, 3))
    body = 0.85 * _smoothstep((pts[:, 1] - 1.2) / 1.2)
    return Part(pts, tris, MATTE_SKIN, tint=tint, body=body)


def shoulders(identity: Identity) -> Part:
    """Shoulders and chest in clothing (follow the body, not the head)."""
    centre, radii = head_frame(identity)
    xs = np.concatenate(
        [np.linspace(-2.8, -0.7, 7), np.linspace(-0.55, 0.55, 5), np.linspace(0.7, 2.8, 7)]
    )
    vs = np.array([0.0, 0.04, 0.12, 0.3, 0.55, 1.0])
    neck_half = 0.7
    top = 1.5 + 0.6 * _smoothstep((np.abs(xs) - neck_half) / 1.6) ** 0.8
    top = np.where(np.abs(xs) < neck_half, 1.5 + 0.45 * (1 - (xs / neck_half) ** 2), top)
    x, v = np.meshgrid(xs, vs, indexing="ij")
    y = top[:, None] + v * (5.0 - top[:, None])
    z = centre[2] + 0.1 - 0.75 * np.sqrt(np.clip(1 - (x / 3.0) ** 2, 0, 1)) - 0.1 * v
    pts = np.stack([x, y, z], -1).transpose(1, 0, 2).reshape(-1, 3)
    tris = _grid_triangles(len(vs), len(xs), closed=False)
    tris = orient(pts, tris, np.array([0.0, 3.0, centre[2] + 1.5]))
    # Fabric: gentle folds, a ribbed neckline, shade towards the arms.
    grid_v = np.repeat(vs[:, None], len(xs), 1).reshape(-1)
    folds = 1 + 0.05 * np.sin(pts[:, 0] * 5.0 + 1.3 * grid_v) * grid_v
    collar = 1 - 0.25 * np.exp(-((grid_v / 0.06) ** 2)) * (np.abs(pts[:, 0]) < 1.2)
    shade = (0.8 + 0.2 * np.cos(pts[:, 0] / 3.0 * np.pi / 2)) * folds * collar
    tint = np.ones((len(pts), 3)) * shade[:, None]
    return Part(pts, tris, CLOTH, tint=tint, body=1.0)
