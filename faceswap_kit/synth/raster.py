"""A small z-buffered triangle rasteriser in numpy (deterministic, float64 where it matters).

Pixel ``(row, col)`` has its centre at ``(x, y) = (col + 0.5, row + 0.5)``, the same convention as
mediapipe's normalised landmarks multiplied by the image size.
"""

from __future__ import annotations

import numpy as np


def rasterize(
    points: np.ndarray,
    depth: np.ndarray,
    triangles: np.ndarray,
    height: int,
    width: int,
    cull: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Find, for every pixel, the nearest triangle and the barycentric coordinates inside it.

    Args:
        points: ``(V, 2)`` float64 vertex positions in pixels (x, y).
        depth: ``(V,)`` float64, larger is farther; only relative order matters.
        triangles: ``(T, 3)`` int vertex indices.
        height, width: output size in pixels.
        cull: optional ``(T,)`` bool; where True, triangles seen from behind (clockwise on
            screen with y down, i.e. not counter-clockwise as seen by the camera) are skipped.

    Returns:
        ``(ids, bary)``: ``ids`` ``(H, W)`` int64 triangle index or -1 for empty pixels;
        ``bary`` ``(H, W, 3)`` float64 barycentric weights (zero where empty).

    >>> pts = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    >>> ids, bary = rasterize(pts, np.zeros(3), np.array([[0, 1, 2]]), 4, 4)
    >>> int((ids == 0).sum()), bool(np.allclose(bary[ids == 0].sum(-1), 1.0))
    (10, True)
    """
    ids = np.full(height * width, -1, dtype=np.int64)
    bary_out = np.zeros((height * width, 3), dtype=np.float64)
    if len(triangles) == 0:
        return ids.reshape(height, width), bary_out.reshape(height, width, 3)
    a, b, c = (points[triangles[:, k]] for k in range(3))
    area = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    keep = np.abs(area) > 1e-12
    if cull is not None:
        keep &= ~cull | (area < 0)
    # Rows each triangle covers (pixel centres inside its y range).
    y_lo = np.maximum(np.floor(np.minimum(np.minimum(a[:, 1], b[:, 1]), c[:, 1]) - 0.5) + 1, 0)
    y_hi = np.minimum(np.floor(np.maximum(np.maximum(a[:, 1], b[:, 1]), c[:, 1]) - 0.5), height - 1)
    x_min = np.minimum(np.minimum(a[:, 0], b[:, 0]), c[:, 0])
    x_max = np.maximum(np.maximum(a[:, 0], b[:, 0]), c[:, 0])
    keep &= (y_hi >= y_lo) & (x_max > 0) & (x_min < width)
    tri = np.nonzero(keep)[0]
    if len(tri) == 0:
        return ids.reshape(height, width), bary_out.reshape(height, width, 3)
    row_counts = (y_hi[tri] - y_lo[tri] + 1).astype(np.int64)
    row_tri = np.repeat(tri, row_counts)
    row_y = y_lo[row_tri] + (
        np.arange(row_counts.sum()) - np.repeat(np.cumsum(row_counts) - row_counts, row_counts)
    )
    centre_y = row_y + 0.5
    # Exact x extent of the triangle on each row, from its three edges.
    left = np.full(len(row_tri), np.inf)
    right = np.full(len(row_tri), -np.inf)
    for p, q in ((a, b), (b, c), (c, a)):
        py_, qy_ = p[row_tri, 1], q[row_tri, 1]
        px_, qx_ = p[row_tri, 0], q[row_tri, 0]
        lo_y, hi_y = np.minimum(py_, qy_), np.maximum(py_, qy_)
        crosses = (centre_y >= lo_y) & (centre_y <= hi_y) & (hi_y > lo_y)
        t = np.where(crosses, (centre_y - py_) / np.where(hi_y > lo_y, qy_ - py_, 1.0), 0.0)
        x = px_ + t * (qx_ - px_)
        left = np.where(crosses, np.minimum(left, x), left)
        right = np.where(crosses, np.maximum(right, x), right)
    col_lo = np.maximum(np.floor(left - 0.5) + 1, 0)
    col_hi = np.minimum(np.floor(right - 0.5), width - 1)
    counts = np.where(col_hi >= col_lo, col_hi - col_lo + 1, 0).astype(np.int64)
    owner = np.repeat(row_tri, counts)
    cols = np.repeat(col_lo.astype(np.int64), counts) + (
        np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    )
    rows = np.repeat(row_y.astype(np.int64), counts)
    px, py = cols + 0.5, rows + 0.5
    ax, ay = a[owner, 0], a[owner, 1]
    bx, by = b[owner, 0], b[owner, 1]
    cx, cy = c[owner, 0], c[owner, 1]
    inv = 1.0 / area[owner]
    w0 = ((bx - px) * (cy - py) - (by - py) * (cx - px)) * inv
    w1 = ((cx - px) * (ay - py) - (cy - py) * (ax - px)) * inv
    w2 = 1.0 - w0 - w1
    inside = (w0 >= -1e-9) & (w1 >= -1e-9) & (w2 >= -1e-9)
    owner, w0, w1, w2 = owner[inside], w0[inside], w1[inside], w2[inside]
    pixel = rows[inside] * width + cols[inside]
    z = w0 * depth[triangles[owner, 0]] + w1 * depth[triangles[owner, 1]]
    z += w2 * depth[triangles[owner, 2]]
    zbuf = np.full(height * width, np.inf)
    np.minimum.at(zbuf, pixel, z)
    win = z <= zbuf[pixel]
    pixel, owner = pixel[win], owner[win]
    np.maximum.at(ids, pixel, owner)
    final = ids[pixel] == owner
    pixel = pixel[final]
    bary_out[pixel] = np.stack([w0[win][final], w1[win][final], w2[win][final]], axis=1)
    return ids.reshape(height, width), bary_out.reshape(height, width, 3)
