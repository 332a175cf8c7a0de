"""Put the parts of a head together into one mesh with per-vertex attributes."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .accessories import glasses
from .base_mesh import load_base_mesh
from .face_model import _smoothstep, apply_expression, cavity_occlusion, identity_vertices
from .hair import hair_parts
from .head import (
    SKIN,
    TEX,
    Part,
    ears,
    eye_socket,
    eyeball,
    face_uv,
    head_frame,
    mouth,
    neck,
    orient,
    shoulders,
    skull,
)
from .imageops import draw_mask
from .params import Expression, Identity
from .texture import texture_atlas

#: Atlas texel of plain skin (outside the face, far from painted features).
PLAIN_SKIN_UV = (3.0, TEX * 0.55)


@dataclass
class HeadMesh:
    """One mesh for the whole person, in model space.

    Attributes:
        points: ``(V, 3)``. triangles: ``(T, 3)``. material, group (which part), cull, face:
            per triangle.
        uv: ``(V, 2)`` atlas pixels. tint: ``(V, 3)``. canon: ``(V, 3)`` rest positions / eye
        directions. hairable: ``(T,)`` bool, triangles where painted hair may cover the skin.
        body: ``(V,)`` float, 1 for vertices that follow the body rather than the head.
        atlas: ``(256, 512, 3)`` albedo. iris: RGB. gaze: ``(3,)`` unit eye direction.
    """

    points: np.ndarray
    triangles: np.ndarray
    material: np.ndarray
    group: np.ndarray
    cull: np.ndarray
    face: np.ndarray
    uv: np.ndarray
    tint: np.ndarray
    canon: np.ndarray
    hairable: np.ndarray
    body: np.ndarray
    atlas: np.ndarray
    iris: tuple[float, float, float]
    gaze: np.ndarray
    hair_identity: Identity


def _distance_to_oval(points: np.ndarray) -> np.ndarray:
    """Distance of ``(N, 2)`` model-space points to the base face oval polyline."""
    mesh = load_base_mesh()
    oval = np.asarray(mesh.vertices)[mesh.groups["oval"], :2]
    a, b = oval, np.roll(oval, -1, axis=0)
    p = points[:, None, :2]
    t = np.clip(((p - a) * (b - a)).sum(-1) / ((b - a) ** 2).sum(-1), 0, 1)
    return np.linalg.norm(p - (a + t[..., None] * (b - a)), axis=-1).min(1)


@functools.lru_cache(maxsize=1)
def interior_weight() -> np.ndarray:
    """Per face vertex: 1 inside the face, falling to 0 at the face oval: ``(478,)``."""
    mesh = load_base_mesh()
    weight = _smoothstep(_distance_to_oval(np.asarray(mesh.vertices)) / 0.22)
    weight[mesh.groups["oval"]] = 0.0
    return weight


@functools.lru_cache(maxsize=1)
def interior_weight_texture() -> np.ndarray:
    """The same weight over the face-texture square: ``(256, 256, 1)`` float64."""
    import cv2

    mesh = load_base_mesh()
    oval = np.asarray(mesh.vertices)[mesh.groups["oval"], :2]
    uv = face_uv(np.concatenate([oval, np.zeros((len(oval), 1))], 1))
    inside = draw_mask(
        lambda c: cv2.fillPoly(c, [np.round(uv * 4).astype(np.int32)], 255, shift=2), TEX, TEX
    )
    v, u = np.mgrid[0:TEX, 0:TEX]
    x = (u + 0.5) / TEX * 3.0 - 1.5
    y = (v + 0.5) / TEX * 3.2 - 1.3
    dist = _distance_to_oval(np.stack([x.ravel(), y.ravel()], 1)).reshape(TEX, TEX)
    return (_smoothstep(dist / 0.22) * (inside > 0.5))[..., None]


@functools.lru_cache(maxsize=16)
def swap_atlas(source: Identity, target: Identity) -> np.ndarray:
    """Source face texture inside the target's (skin outside the face, hair)."""
    w = interior_weight_texture()
    a, b = texture_atlas(source), texture_atlas(target)
    face = a[:, :TEX] * w + b[:, :TEX] * (1 - w)
    atlas = np.concatenate([face, b[:, TEX:]], axis=1)
    atlas.setflags(write=False)
    return atlas


def gaze_vector(expression: Expression) -> np.ndarray:
    """Unit eye direction in model space (towards the camera when both gaze angles are 0)."""
    gx, gy = np.radians(expression.gaze_x), np.radians(expression.gaze_y)
    return np.array([np.sin(gx) * np.cos(gy), np.sin(gy), -np.cos(gx) * np.cos(gy)])


@functools.lru_cache(maxsize=16)
def _static_parts(identity: Identity) -> tuple[Part, ...]:
    """Parts that depend on the identity only (ears, neck, shoulders); treat as read-only."""
    return (*ears(identity), neck(identity), shoulders(identity))


def build_head(
    identity: Identity, expression: Expression, face_source: Identity | None = None
) -> HeadMesh:
    """Assemble the whole person.

    Args:
        identity: the person (head, hair, ears, neck, skin outside the face).
        expression: the expression.
        face_source: when given, the inner face (shape, colours, eyes) of this identity is
            rendered inside ``identity``'s head: the ideal swap.
    """
    rest = identity_vertices(identity)
    atlas = texture_atlas(identity)
    iris = identity.iris
    if face_source is not None:
        w = interior_weight()[:, None]
        rest = identity_vertices(face_source) * w + rest * (1 - w)
        atlas = swap_atlas(face_source, identity)
        iris = face_source.iris
    face = apply_expression(rest, expression)
    base = np.asarray(load_base_mesh().vertices)
    mesh = load_base_mesh()
    parts: list[tuple[Part, np.ndarray | None]] = []
    occlusion = cavity_occlusion()[:, None] ** np.array([1.0, 1.25, 1.4])
    face_part = Part(
        face[:468],
        np.asarray(mesh.triangles),
        SKIN,
        uv=face_uv(base[:468]),
        tint=occlusion,
        canon=rest[:468],
        face=1.0,
    )
    parts.append((face_part, None))
    head = skull(face, identity)
    n_oval = len(mesh.groups["oval"])
    local = head.triangles
    remap = np.where(
        local < n_oval,
        np.asarray(mesh.groups["oval"])[np.minimum(local, n_oval - 1)],
        468 + local - n_oval,
    )
    centre, _ = head_frame(identity)
    head.triangles = orient(np.concatenate([face[:468], head.points]), remap, centre)
    parts.append((head, "skull"))
    grid = np.concatenate([face[mesh.groups["oval"]], head.points])
    rows = len(grid) // n_oval
    for part in hair_parts(grid, rows, n_oval, identity):
        parts.append((part, None))
    for side in ("left", "right"):
        eye, eye_centre = eyeball(face, mesh.groups[f"eye_{side}"])
        parts.append((eye, None))
        parts.append((eye_socket(face, mesh.groups[f"eye_{side}"], eye_centre), None))
    for part in mouth(face, expression):
        parts.append((part, None))
    for part in glasses(face, face_source or identity):
        parts.append((part, None))
    for part in _static_parts(identity):
        parts.append((part, None))
    return _concatenate(parts, atlas, iris, gaze_vector(expression), identity)


def _concatenate(parts, atlas, iris, gaze, identity) -> HeadMesh:
    points, tris, material, cull, face, uv, tint, canon, hairable, body = ([] for _ in range(10))
    group = []
    offset = 0
    for index, (part, kind) in enumerate(parts):
        n = len(part.points)
        if kind == "skull":
            tris.append(part.triangles)  # already global (face indices + appended after face)
        else:
            tris.append(part.triangles + offset)
        t = len(part.triangles)
        points.append(part.points)
        material.append(np.full(t, part.material, np.int64))
        group.append(np.full(t, 0 if kind == "skull" else index, np.int64))
        cull.append(np.full(t, part.cull))
        face.append(np.full(t, part.face, np.float64))
        uv.append(part.uv if part.uv is not None else np.tile([PLAIN_SKIN_UV], (n, 1)))
        tint.append(part.tint if part.tint is not None else np.ones((n, 3)))
        canon.append(part.canon if part.canon is not None else part.points)
        hairable.append(np.full(t, kind == "skull"))
        body.append(np.broadcast_to(np.asarray(part.body, np.float64), (n,)))
        offset += n
    return HeadMesh(
        points=np.concatenate(points),
        triangles=np.concatenate(tris),
        material=np.concatenate(material),
        group=np.concatenate(group),
        cull=np.concatenate(cull),
        face=np.concatenate(face),
        uv=np.concatenate(uv),
        tint=np.concatenate(tint),
        canon=np.concatenate(canon),
        hairable=np.concatenate(hairable),
        body=np.concatenate(body),
        atlas=atlas,
        iris=iris,
        gaze=gaze,
        hair_identity=identity,
    )
