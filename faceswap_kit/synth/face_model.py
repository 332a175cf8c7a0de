"""The deformable face: identity shape on the base mesh, then expression (jaw, smile, blink, brows).

All positions are in model space: x to the image right, y down, z away from the camera, in units of
the base mesh's outer-eye-corner distance.
"""

from __future__ import annotations

import functools

import numpy as np

from .base_mesh import load_base_mesh
from .params import SHAPE_NAMES, Expression, Identity

JAW_PIVOT = np.array([0.0, 0.45, 0.95])
JAW_MAX_DEGREES = 20.0
#: Scale of each shape field (per unit of its parameter), chosen so that +-2.5 stays a plausible
#: face while spanning about the range of real adult faces.
SHAPE_GAIN = {name: 2.0 for name in SHAPE_NAMES} | {
    # In-plane proportions: kept moderate (a face-mesh tracker cannot follow them far).
    "eye_spacing": 0.8, "face_width": 1.0, "brow_height": 1.0, "jaw_width": 1.0,
    "face_length": 0.9, "chin_length": 0.8, "forehead_height": 0.6, "nose_length": 1.0,
    "cheekbone": 0.8, "mouth_height": 0.8, "eye_tilt": 1.2, "eye_size": 1.4,
    "cheek_fullness": 0.8, "mouth_width": 1.3, "nose_width": 1.5, "lip_fullness": 1.5,
    "head_width": 1.0, "head_length": 1.0, "ear_size": 1.0, "temple_width": 0.5,
    # Relief (depth) and the finer shapes of nose, lips, lids and chin: wider.
    "brow_ridge": 2.0, "nose_bridge": 2.5, "nose_hump": 2.0, "chin_projection": 1.6,
    "cheek_hollow": 1.2, "face_depth": 2.5, "eye_depth": 2.0, "chin_width": 1.5,
    "upper_lip": 1.0, "lower_lip": 1.0, "nose_tip": 1.5, "lid_fold": 1.2, "nostril_flare": 0.7,
    "jowls": 0.8, "eye_open": 0.9, "nose_projection": 2.0,
}  # fmt: skip


def _smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _bump(points: np.ndarray, centre, sigma) -> np.ndarray:
    """Gaussian weight of each point around ``centre`` (x taken as |x| for symmetric bumps)."""
    diff = (np.stack([np.abs(points[:, 0]), points[:, 1]], 1) - np.asarray(centre)) / sigma
    return np.exp(-0.5 * (diff**2).sum(1))


def _oval(points: np.ndarray, centre, sigma_x: float, sigma_y: float) -> np.ndarray:
    """Anisotropic Gaussian weight around ``centre`` (x taken as |x|, so symmetric)."""
    dx = (np.abs(points[:, 0]) - centre[0]) / sigma_x
    dy = (points[:, 1] - centre[1]) / sigma_y
    return np.exp(-0.5 * (dx**2 + dy**2))


@functools.lru_cache(maxsize=1)
def shape_basis() -> np.ndarray:
    """One ``(478, 3)`` displacement field per identity shape parameter: ``(K, 478, 3)``."""
    base = np.array(load_base_mesh().vertices)
    x, y, z = base[:, 0], base[:, 1], base[:, 2]
    sx = np.sign(x)
    zero = np.zeros_like(x)
    lower = _smoothstep((y - 0.3) / 0.9)
    eye = _bump(base, (0.35, 0.0), 0.16)
    eye_c = np.where(sx >= 0, 1.0, -1.0)
    mouth = _bump(base, (0.0, 0.72), 0.22) + _bump(base, (0.2, 0.72), 0.2)
    mouth = mouth / mouth.max()
    fields = {
        "face_width": (0.05 * x, zero, zero),
        "face_length": (zero, 0.07 * np.maximum(y, 0), zero),
        "face_depth": (zero, zero, 0.06 * (z - 0.3)),
        "jaw_width": (0.09 * x * lower, zero, -0.02 * lower * np.abs(x)),
        "chin_length": (zero, 0.07 * _smoothstep((y - 0.8) / 0.4), zero),
        "chin_width": (0.12 * x * _bump(base, (0.0, 1.15), 0.25), zero, zero),
        "cheek_fullness": (0.04 * sx * _bump(base, (0.55, 0.55), 0.2), zero,
                           -0.04 * _bump(base, (0.5, 0.5), 0.2)),
        "cheekbone": (0.035 * sx * _bump(base, (0.6, 0.2), 0.15), zero,
                      -0.035 * _bump(base, (0.55, 0.2), 0.15)),
        "forehead_height": (zero, -0.07 * _smoothstep(-(y + 0.1) / 0.4), zero),
        "nose_length": (zero, 0.04 * _bump(base, (0.0, 0.42), 0.12), zero),
        "nose_width": (0.06 * x * _bump(base, (0.08, 0.42), 0.1), zero, zero),
        "nose_projection": (zero, zero, -0.06 * _bump(base, (0.0, 0.38), 0.12)),
        "nose_bridge": (zero, zero, -0.04 * _bump(base, (0.0, 0.1), 0.12)),
        "eye_size": (0.06 * (x - 0.35 * eye_c) * eye, 0.06 * y * eye, zero),
        "eye_spacing": (0.035 * eye_c * eye, zero, zero),
        "eye_tilt": (zero, -0.06 * (np.abs(x) - 0.35) * eye, zero),
        "eye_depth": (zero, zero, 0.025 * eye),
        "brow_height": (zero, -0.035 * _bump(base, (0.35, -0.22), 0.14), zero),
        "mouth_width": (0.06 * x * mouth, zero, zero),
        "lip_fullness": (zero, 0.12 * (y - 0.73) * _bump(base, (0.0, 0.73), 0.12), -0.015 * mouth),
        "mouth_height": (zero, 0.03 * mouth, zero),
        "head_width": (zero, zero, zero),
        "head_length": (zero, zero, zero),
        "ear_size": (zero, zero, zero),
        "nose_tip": (0.10 * x * _bump(base, (0.0, 0.47), 0.09),
                     0.06 * (y - 0.47) * _bump(base, (0.0, 0.47), 0.09),
                     -0.03 * _bump(base, (0.0, 0.47), 0.07)),
        "nostril_flare": (0.045 * sx * _oval(base, (0.23, 0.41), 0.07, 0.06), zero,
                          -0.01 * _oval(base, (0.23, 0.41), 0.07, 0.06)),
        "nose_hump": (zero, zero, -0.03 * _oval(base, (0.0, 0.22), 0.07, 0.1)),
        "upper_lip": (zero, -0.03 * _oval(base, (0.06, 0.655), 0.2, 0.035), zero),
        "lower_lip": (zero, 0.035 * _oval(base, (0.05, 0.85), 0.2, 0.04),
                      -0.012 * _oval(base, (0.05, 0.82), 0.2, 0.06)),
        "eye_open": (zero, 0.16 * y * _oval(base, (0.35, 0.0), 0.13, 0.07), zero),
        "lid_fold": (zero, 0.02 * _oval(base, (0.36, -0.13), 0.14, 0.03),
                     -0.01 * _oval(base, (0.36, -0.13), 0.14, 0.04)),
        "brow_ridge": (zero, zero, -0.045 * _oval(base, (0.22, -0.19), 0.28, 0.09)),
        "chin_projection": (zero, 0.02 * _bump(base, (0.0, 1.12), 0.16),
                            -0.06 * _bump(base, (0.0, 1.1), 0.18)),
        "jowls": (0.025 * sx * _oval(base, (0.5, 0.92), 0.16, 0.14),
                  0.035 * _oval(base, (0.45, 0.9), 0.18, 0.16), zero),
        "temple_width": (0.04 * sx * _oval(base, (0.66, -0.28), 0.15, 0.22), zero, zero),
        "cheek_hollow": (-0.015 * sx * _oval(base, (0.5, 0.58), 0.12, 0.12), zero,
                         0.04 * _oval(base, (0.45, 0.56), 0.13, 0.12)),
    }  # fmt: skip
    basis = np.stack(
        [np.stack(fields[name], 1) * SHAPE_GAIN.get(name, 1.0) for name in SHAPE_NAMES]
    )
    basis[:, load_base_mesh().mirror == np.arange(len(x)), 0] = 0.0
    return basis


@functools.lru_cache(maxsize=64)
def identity_vertices(identity: Identity) -> np.ndarray:
    """The neutral face of ``identity``: ``(478, 3)`` float64 (read-only)."""
    base = np.array(load_base_mesh().vertices)
    vertices = base + np.tensordot(np.asarray(identity.shape), shape_basis(), axes=1)
    eye_h, brow, corner, jaw = identity.asymmetry
    left = base[:, 0] > 0
    vertices[:, 1] += 0.012 * eye_h * _bump(base, (0.35, 0.0), 0.15) * np.where(left, 1, -1)
    vertices[:, 1] += 0.012 * brow * _bump(base, (0.35, -0.22), 0.14) * left
    vertices[:, 1] += 0.012 * corner * _bump(base, (0.33, 0.7), 0.1) * left
    vertices[:, 0] += 0.02 * jaw * _smoothstep((base[:, 1] - 0.5) / 0.7)
    # Keep the lips closed in the neutral face whatever the shape did to them: move the jaw
    # (everything below the mouth line) so the inner lips meet as they do on the base mesh.
    opened = (vertices[14] - vertices[13]) - (base[14] - base[13])
    opened[0] = 0.0
    vertices -= expression_fields()["jaw"][:, None] * opened[None]
    # Keep each eye between 45 % and 135 % as open as the base mesh's (lids never cross at rest,
    # and no eye stares wide open): move the upper lid.
    groups = load_base_mesh().groups
    for side in ("left", "right"):
        loop = groups[f"eye_{side}"]
        opening, base_opening = np.ptp(vertices[loop, 1]), np.ptp(base[loop, 1])
        change = np.clip(opening, 0.45 * base_opening, 1.35 * base_opening) - opening
        if change:
            vertices[:, 1] -= change * expression_fields()[f"blink_{side}"]
    vertices.setflags(write=False)
    return vertices


@functools.lru_cache(maxsize=1)
def expression_fields() -> dict[str, np.ndarray]:
    """Precomputed weights used by :func:`apply_expression` (from the base mesh)."""
    mesh = load_base_mesh()
    base = np.array(mesh.vertices)
    x, y = base[:, 0], base[:, 1]
    g = mesh.groups
    # Jaw weight: 1 below the mouth line, 0 above; lips assigned explicitly.
    corner_y = base[61, 1]
    centre_y = (base[13, 1] + base[14, 1]) / 2
    mouth_line = np.where(
        np.abs(x) < 0.33,
        centre_y - (centre_y - corner_y) * (x / 0.33) ** 2,
        corner_y - 0.55 * (np.abs(x) - 0.33),
    )
    jaw = _smoothstep((y - mouth_line) / 0.14 + 0.5)
    lips_outer, lips_inner = list(g["lips_outer"]), list(g["lips_inner"])
    upper = set(lips_outer[lips_outer.index(291) :] + lips_outer[: lips_outer.index(61) + 1])
    upper |= set(lips_inner[lips_inner.index(308) :] + lips_inner[: lips_inner.index(78) + 1])
    lower = set(lips_outer + lips_inner) - upper
    for index in upper:
        jaw[index] = 0.0
    for index in lower:
        jaw[index] = 1.0
    for index in (61, 291, 78, 308):
        jaw[index] = 0.35
    jaw[468:] = 0.0
    # Lips closed in the neutral face: the angle that brings 14 onto 13.
    pivot_to_14 = base[14] - JAW_PIVOT
    gap = base[14, 1] - base[13, 1]
    close = -np.arctan2(gap, np.hypot(pivot_to_14[1], pivot_to_14[2]))
    smile = np.maximum(_bump(base, (0.33, 0.69), 0.13), 0.45 * _bump(base, (0.45, 0.45), 0.15))
    brows = _bump(base, (0.33, -0.22), 0.16) * (y < 0.05)
    frown = _bump(base, (0.14, -0.17), 0.08)
    fields = {"jaw": jaw, "close": np.array(close), "smile": smile, "brows": brows, "frown": frown}
    for side in ("left", "right"):
        loop = g[f"eye_{side}"]
        pts = base[loop]
        corners = loop[[np.argmin(pts[:, 0]), np.argmax(pts[:, 0])]]
        lid_line = np.interp(x, base[corners, 0], base[corners, 1])
        upper_mask = pts[:, 1] < np.interp(pts[:, 0], base[corners, 0], base[corners, 1])
        up = loop[upper_mask]
        down = loop[~upper_mask]
        order_u, order_d = np.argsort(base[up, 0]), np.argsort(base[down, 0])
        xs = np.concatenate([[base[corners[0], 0]], base[up[order_u], 0], [base[corners[1], 0]]])
        ys_u = np.concatenate([[base[corners[0], 1]], base[up[order_u], 1], [base[corners[1], 1]]])
        xs_d = np.concatenate(
            [[base[corners[0], 0]], base[down[order_d], 0], [base[corners[1], 0]]]
        )
        ys_d = np.concatenate(
            [[base[corners[0], 1]], base[down[order_d], 1], [base[corners[1], 1]]]
        )
        upper_y = np.interp(x, xs, ys_u)
        lower_y = np.interp(x, xs_d, ys_d)
        within = (x > xs[0] - 0.03) & (x < xs[-1] + 0.03) & (y <= lid_line + 1e-9)
        above = np.maximum(upper_y - y, 0.0)
        weight = np.exp(-((above / 0.07) ** 2)) * within
        weight[loop[~upper_mask]] = 0.0
        weight[corners] = 0.0
        fields[f"blink_{side}"] = weight
        fields[f"blink_{side}_travel"] = np.maximum(lower_y - upper_y, 0.0)
        centre = (xs[0] + xs[-1]) / 2
        half = (xs[-1] - xs[0]) / 2
        fields[f"blink_{side}_bulge"] = np.clip(1 - ((x - centre) / half) ** 2, 0, 1)
    return fields


def _rotate_x(points: np.ndarray, pivot: np.ndarray, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    rel = points - pivot
    return (
        np.stack([rel[:, 0], c * rel[:, 1] - s * rel[:, 2], s * rel[:, 1] + c * rel[:, 2]], 1)
        + pivot
    )


def jaw_angle(expression: Expression) -> float:
    """Jaw rotation in radians (about the x axis through :data:`JAW_PIVOT`), lips-closed at 0."""
    close = float(expression_fields()["close"])
    return close + np.radians(JAW_MAX_DEGREES) * expression.jaw_open


def apply_expression(vertices: np.ndarray, expression: Expression) -> np.ndarray:
    """Move a neutral face into ``expression``.

    Args:
        vertices: ``(478, 3)`` neutral face (from :func:`identity_vertices`).
        expression: the expression.

    Returns:
        ``(478, 3)`` float64 new positions.
    """
    f = expression_fields()
    out = np.array(vertices, dtype=np.float64)
    e = expression
    # Smile: corners out, up and back; cheeks up.
    sx = np.sign(out[:, 0])
    s = e.smile * f["smile"]
    out[:, 0] += 0.06 * s * sx
    out[:, 1] -= 0.07 * s
    out[:, 2] += 0.035 * s
    # Brows up (positive) or frown (negative: inner brows down and together).
    out[:, 1] -= 0.06 * e.brows * f["brows"]
    frown = max(-e.brows, 0.0) * f["frown"]
    out[:, 0] -= 0.03 * frown * sx
    # Blinks (the lid travels this face's own eye opening, not the base mesh's).
    groups = load_base_mesh().groups
    base_y = np.asarray(load_base_mesh().vertices)[:, 1]
    for side, amount in (("left", e.blink_left), ("right", e.blink_right)):
        if amount > 0:
            loop = groups[f"eye_{side}"]
            opening = np.ptp(vertices[loop, 1]) / max(np.ptp(base_y[loop]), 1e-9)
            w = amount * f[f"blink_{side}"]
            out[:, 1] += w * f[f"blink_{side}_travel"] * opening
            out[:, 2] -= 0.03 * w * f[f"blink_{side}_bulge"]
    # Jaw: rotate the lower face about the jaw pivot, blended by the jaw weight.
    jaw = f["jaw"][:, None]
    opened = _rotate_x(out, JAW_PIVOT, jaw_angle(e))
    out = out * (1 - jaw) + opened * jaw
    return out


@functools.lru_cache(maxsize=1)
def cavity_occlusion() -> np.ndarray:
    """Per face vertex ambient-occlusion factor in (0, 1] from the base mesh's concavity: ``(468,)``.

    A vertex sitting below the average of its neighbours (along its normal) is in a crease
    (eye socket, nostril, mouth corner, nasolabial fold) and receives less ambient light.
    """
    mesh = load_base_mesh()
    points = np.asarray(mesh.vertices)[:468]
    tris = np.asarray(mesh.triangles)
    a, b, c = (points[tris[:, k]] for k in range(3))
    face_normal = np.cross(b - a, c - a)
    normal = np.zeros_like(points)
    neighbour_sum = np.zeros_like(points)
    count = np.zeros(len(points))
    for k in range(3):
        np.add.at(normal, tris[:, k], face_normal)
        for other in range(3):
            if other != k:
                np.add.at(neighbour_sum, tris[:, k], points[tris[:, other]])
                np.add.at(count, tris[:, k], 1.0)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    laplacian = neighbour_sum / count[:, None] - points
    edge = np.linalg.norm(b - a, axis=1).mean()
    # Normals point out of the head (towards -z at the front): a crease has neighbours "outside".
    concave = (laplacian * normal).sum(1) / edge
    smooth = concave.copy()
    for _ in range(2):  # spread a little over the neighbours
        acc, cnt = np.zeros(len(points)), np.zeros(len(points))
        for k in range(3):
            for other in range(3):
                np.add.at(acc, tris[:, k], smooth[tris[:, other]])
                np.add.at(cnt, tris[:, k], 1.0)
        smooth = acc / cnt
    occlusion = np.clip(1.0 - 2.5 * np.clip(smooth, 0, None), 0.55, 1.0)
    # The open border (face oval) has neighbours on one side only: no estimate there.
    border = np.asarray(mesh.groups["oval"])
    near = np.isin(tris, border).any(1)
    occlusion[np.unique(tris[near])] = 1.0
    return occlusion
