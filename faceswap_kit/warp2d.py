"""The classic 2D landmark warp swap: no training, one still face image.

The source face is cut into triangles over its landmarks; each triangle is mapped by its own
affine transform onto the same triangle of the tracked face in the frame (a piecewise-affine
warp), colour-matched to the frame (per-channel mean/std, Reinhard style) and blended through a feathered mask.
It is what made the first face swaps, it is what notebook 04 runs live the moment it opens, and it
is the "2D warp baseline" every learned swap is scored against.

Only rasterising the triangle index map goes through OpenCV (a loop of ``fillConvexPoly`` on the
CPU); everything else is torch and follows the frame's device and dtype.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .errors import InputError
from .swapper import AlignedFaces, SwappedFaces

MEDIAPIPE_POINTS = 468
#: mediapipe face-mesh indices of the inner lip contour, in order around the mouth opening
INNER_LIPS = (
    78,
    95,
    88,
    178,
    87,
    14,
    317,
    402,
    318,
    324,
    308,
    415,
    310,
    311,
    312,
    13,
    82,
    81,
    80,
    191,
)
_EPS = 1e-6


def delaunay_triangles(landmarks: torch.Tensor) -> torch.Tensor:
    """Delaunay triangles over one landmark set.

    Args:
        landmarks: ``(N, 2)`` or ``(1, N, 2)`` pixel coordinates.

    Returns:
        ``(T, 3)`` int64 vertex indices (on the CPU).

    >>> pts = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])
    >>> delaunay_triangles(pts).shape
    torch.Size([2, 3])
    """
    from scipy.spatial import Delaunay

    points = landmarks.reshape(-1, 2).detach().to("cpu", torch.float64).numpy()
    if points.shape[0] < 3:
        raise InputError(f"need at least 3 landmarks to triangulate, got {points.shape[0]}")
    return torch.from_numpy(Delaunay(points).simplices.astype(np.int64))


def _check_inputs(
    frame: torch.Tensor,
    frame_landmarks: torch.Tensor,
    source_image: torch.Tensor,
    source_landmarks: torch.Tensor,
) -> None:
    if frame.ndim != 4 or frame.shape[1] != 3:
        raise InputError(f"frame must be (B,3,H,W) float RGB in [0,1], got {tuple(frame.shape)}")
    if source_image.ndim != 4 or source_image.shape[:2] != (1, 3):
        raise InputError(
            f"source_image must be (1,3,h,w) float RGB in [0,1], got {tuple(source_image.shape)}"
        )
    batch = frame.shape[0]
    if (
        frame_landmarks.ndim != 3
        or frame_landmarks.shape[0] != batch
        or frame_landmarks.shape[2] != 2
    ):
        raise InputError(
            f"frame_landmarks must be (B,N,2) with B={batch}, got {tuple(frame_landmarks.shape)}"
        )
    if source_landmarks.ndim != 3 or source_landmarks.shape[0] != 1:
        raise InputError(f"source_landmarks must be (1,N,2), got {tuple(source_landmarks.shape)}")
    if source_landmarks.shape[1] != frame_landmarks.shape[1]:
        raise InputError(
            f"source and frame landmarks must use the same topology: got "
            f"{source_landmarks.shape[1]} and {frame_landmarks.shape[1]} points; pass the same "
            "detector's output for both (e.g. the first 468 mediapipe points)"
        )


def _triangle_index_map(
    points: np.ndarray,
    triangles: np.ndarray,
    box: tuple[int, int, int, int],
    hole: np.ndarray | None = None,
) -> np.ndarray:
    """``(h, w)`` int32 map of which triangle covers each pixel of ``box`` (-1: none); pixels
    inside the ``hole`` polygon (indices into ``points``) are left at -1."""
    import cv2

    x0, y0, x1, y1 = box
    index_map = np.full((y1 - y0, x1 - x0), -1, dtype=np.int32)
    # fixed-point coordinates (4 fractional bits) for sub-pixel accurate edges
    shift = 4
    corners = np.round((points[triangles] - (x0, y0)) * (1 << shift)).astype(np.int32)
    for index, corner in enumerate(corners):
        cv2.fillConvexPoly(index_map, corner, int(index), lineType=cv2.LINE_8, shift=shift)
    if hole is not None:
        outline = np.round((points[hole] - (x0, y0)) * (1 << shift)).astype(np.int32)
        cv2.fillPoly(index_map, [outline], -1, lineType=cv2.LINE_8, shift=shift)
    return index_map


def _affine_per_triangle(destination: torch.Tensor, source: torch.Tensor) -> torch.Tensor:
    """``(T,2,3)`` matrices mapping each destination triangle's pixels to source pixels."""
    ones = torch.ones_like(destination[..., :1])
    dst_h = torch.cat([destination, ones], dim=-1)  # (T, 3, 3): rows are corners
    # regularise degenerate (zero-area) triangles so the solve never fails
    eye = torch.eye(3, dtype=dst_h.dtype, device=dst_h.device) * _EPS
    solution = torch.linalg.solve(dst_h + eye, source)  # (T, 3, 2)
    return solution.transpose(1, 2)  # (T, 2, 3)


def _gaussian_kernel(radius: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    sigma = max(radius / 2.0, 0.5)
    x = torch.arange(-radius, radius + 1, dtype=dtype, device=device)
    kernel = torch.exp(-(x**2) / (2 * sigma**2))
    return kernel / kernel.sum()


def feather_mask(mask: torch.Tensor, radius: int) -> torch.Tensor:
    """Erode a hard mask by about ``radius`` px and feather it over the same distance.

    Args:
        mask: ``(B,1,H,W)`` in [0, 1].
        radius: feather radius in pixels (0 keeps the mask as is).

    Returns:
        ``(B,1,H,W)`` soft mask that is 0 on and outside the original boundary.

    >>> m = torch.zeros(1, 1, 32, 32); m[..., 8:24, 8:24] = 1
    >>> soft = feather_mask(m, 3)
    >>> float(soft[0, 0, 16, 16]) > 0.99, float(soft[0, 0, 8, 16]) < 0.05
    (True, True)
    """
    if radius <= 0:
        return mask
    kernel = _gaussian_kernel(radius, mask.dtype, mask.device)
    size = kernel.numel()
    eroded = -F.max_pool2d(-mask, 3, stride=1, padding=1)  # the boundary pixels go to 0 too
    blurred = F.conv2d(
        F.pad(eroded, (radius, radius, 0, 0), mode="replicate"), kernel.view(1, 1, 1, size)
    )
    blurred = F.conv2d(
        F.pad(blurred, (0, 0, radius, radius), mode="replicate"), kernel.view(1, 1, size, 1)
    )
    return ((blurred - 0.5) * 2.0).clamp(0.0, 1.0)


_RGB_TO_YCBCR = torch.tensor(
    [[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]]
)


def _match_color(warped: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Reinhard-style colour transfer: per-channel mean/std of ``warped`` matched to ``target``
    inside ``mask``, in the (linear, opponent) YCbCr space, so the whole map is one affine
    transform per image (cheap enough for the live loop)."""
    forward = _RGB_TO_YCBCR.to(device=warped.device, dtype=warped.dtype)
    # statistics from every second pixel: plenty of samples, a quarter of the work
    weight = mask[..., ::2, ::2]
    weight = weight / weight.sum(dim=(2, 3), keepdim=True).clamp_min(1.0)
    ycc_w = torch.einsum("ij,bjhw->bihw", forward, warped[..., ::2, ::2])
    ycc_t = torch.einsum("ij,bjhw->bihw", forward, target[..., ::2, ::2])
    mean_w = (ycc_w * weight).sum(dim=(2, 3))  # (B, 3)
    mean_t = (ycc_t * weight).sum(dim=(2, 3))
    std_w = (((ycc_w - mean_w[..., None, None]) ** 2) * weight).sum(dim=(2, 3)).sqrt()
    std_t = (((ycc_t - mean_t[..., None, None]) ** 2) * weight).sum(dim=(2, 3)).sqrt()
    gain = std_t / std_w.clamp_min(1e-3)  # (B, 3)
    # rgb -> ycc -> (x - mean_w) * gain + mean_t -> rgb, folded into one 3x3 matrix and offset
    inverse = torch.linalg.inv(forward)
    matrix = inverse @ (gain[..., :, None] * forward)  # (B, 3, 3)
    offset = torch.einsum("ij,bj->bi", inverse, mean_t - gain * mean_w)  # (B, 3)
    out = torch.einsum("bij,bjhw->bihw", matrix, warped) + offset[..., None, None]
    return out.clamp(0, 1)


def warp2d_swap(
    frame: torch.Tensor,
    frame_landmarks: torch.Tensor,
    source_image: torch.Tensor,
    source_landmarks: torch.Tensor,
    *,
    triangles: torch.Tensor | None = None,
    keep_mouth: bool = True,
    color_transfer: bool = True,
    feather: float = 0.06,
    opacity: float = 1.0,
    return_mask: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Paste a still source face onto each frame's face with a piecewise-affine landmark warp.

    Args:
        frame: ``(B,3,H,W)`` float RGB in [0, 1], the target frames.
        frame_landmarks: ``(B,N,2)`` pixel landmarks of the face in each frame.
        source_image: ``(1,3,h,w)`` float RGB in [0, 1], the face to paste.
        source_landmarks: ``(1,N,2)`` pixel landmarks of ``source_image`` (same topology).
        triangles: ``(T,3)`` vertex indices; default: Delaunay of ``source_landmarks``.
            Pass them in when calling repeatedly with the same source (the live loop does).
        keep_mouth: with mediapipe landmarks (N >= 468), leave the frame's own mouth opening
            (a closed source mouth cannot open; stretching it smears lips over the teeth).
        color_transfer: match the pasted face's colour to the frame (mean/std in YCbCr). Right
            for real photos under other light; turn it off to score against the synth's ideal
            swap under equal lighting, which keeps the source's own skin colour.
        feather: feather radius as a fraction of the face's width (0 gives a hard edge).
        opacity: 0 returns the frame, 1 the full swap.
        return_mask: also return the ``(B,1,H,W)`` blend mask.

    Returns:
        ``(B,3,H,W)`` swapped frames (and the mask when asked), same device and dtype as ``frame``.

    >>> g = torch.Generator().manual_seed(0)
    >>> frame, src = torch.rand(1, 3, 64, 64, generator=g), torch.rand(1, 3, 48, 48, generator=g)
    >>> pts = torch.tensor([[[20.0, 20], [44, 20], [32, 44], [32, 30]]])
    >>> out = warp2d_swap(frame, pts, src, pts * 0.75, color_transfer=False)
    >>> out.shape, bool(torch.equal(out[..., :10, :], frame[..., :10, :]))
    (torch.Size([1, 3, 64, 64]), True)
    """
    _check_inputs(frame, frame_landmarks, source_image, source_landmarks)
    batch, _, height, width = frame.shape
    dtype, device = frame.dtype, frame.device
    if triangles is None:
        triangles = delaunay_triangles(source_landmarks[0])
    hole = (
        np.array(INNER_LIPS)
        if keep_mouth and frame_landmarks.shape[1] >= MEDIAPIPE_POINTS
        else None
    )
    triangles_np = triangles.detach().to("cpu", torch.int64).numpy()
    tri_index = triangles.to(device=device, dtype=torch.int64)

    frame_points = frame_landmarks.detach().to("cpu", torch.float64).numpy()
    # one crop box for the whole batch: the union of each face's bounds, clipped to the frame
    x0 = int(np.clip(np.floor(frame_points[..., 0].min()) - 1, 0, width))
    y0 = int(np.clip(np.floor(frame_points[..., 1].min()) - 1, 0, height))
    x1 = int(np.clip(np.ceil(frame_points[..., 0].max()) + 2, 0, width))
    y1 = int(np.clip(np.ceil(frame_points[..., 1].max()) + 2, 0, height))
    mask_full = torch.zeros(batch, 1, height, width, dtype=dtype, device=device)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return (frame.clone(), mask_full) if return_mask else frame.clone()

    index_maps = np.stack(
        [
            _triangle_index_map(frame_points[b], triangles_np, (x0, y0, x1, y1), hole)
            for b in range(batch)
        ]
    )
    index = torch.from_numpy(index_maps).to(device)  # (B, h, w)
    covered = index >= 0

    src_points = source_landmarks[0].to(device=device, dtype=dtype)
    dst_points = frame_landmarks.to(device=device, dtype=dtype)
    src_tri = src_points[tri_index]  # (T, 3, 2)
    crop_h, crop_w = y1 - y0, x1 - x0
    ys = torch.arange(y0, y1, dtype=dtype, device=device).view(crop_h, 1).expand(crop_h, crop_w)
    xs = torch.arange(x0, x1, dtype=dtype, device=device).view(1, crop_w).expand(crop_h, crop_w)
    grids = []
    for b in range(batch):
        matrices = _affine_per_triangle(dst_points[b][tri_index], src_tri)  # (T, 2, 3)
        per_pixel = matrices[index[b].clamp_min(0)]  # (h, w, 2, 3)
        sx = per_pixel[..., 0, 0] * xs + per_pixel[..., 0, 1] * ys + per_pixel[..., 0, 2]
        sy = per_pixel[..., 1, 0] * xs + per_pixel[..., 1, 1] * ys + per_pixel[..., 1, 2]
        grids.append(torch.stack([sx, sy], dim=-1))
    grid = torch.stack(grids)  # (B, h, w, 2) source pixels
    src_h, src_w = source_image.shape[-2:]
    # pixel centres -> grid_sample's [-1, 1] with align_corners=False
    grid = torch.stack(
        [(grid[..., 0] + 0.5) / src_w * 2 - 1, (grid[..., 1] + 0.5) / src_h * 2 - 1], dim=-1
    )
    source = source_image.to(device=device, dtype=dtype).expand(batch, -1, -1, -1)
    warped = F.grid_sample(
        source, grid, mode="bilinear", padding_mode="border", align_corners=False
    )

    target = frame[:, :, y0:y1, x0:x1]
    hard = covered.unsqueeze(1).to(dtype)
    face_width = float(np.max(frame_points[..., 0].max(-1) - frame_points[..., 0].min(-1)))
    radius = int(round(feather * face_width))
    mask = feather_mask(hard, radius) if radius > 0 else hard
    if color_transfer:
        warped = _match_color(warped, target, (mask > 0.5).to(dtype))
    alpha = mask * float(opacity)
    out = frame.clone()
    out[:, :, y0:y1, x0:x1] = target * (1 - alpha) + warped * alpha
    if return_mask:
        mask_full[:, :, y0:y1, x0:x1] = alpha
        return out, mask_full
    return out


class Warp2DSwapper:
    """The 2D warp as a :class:`faceswap_kit.pipeline.Swapper`: it works on the frame region
    around the face (no aligned crop), pasting one still source face onto each tracked face.

    Args:
        source_image: ``(1,3,h,w)`` float RGB in [0, 1], the face to paste.
        source_landmarks: ``(1,N,2)`` its pixel landmarks (the first 468 are used).
        color_transfer, feather, opacity: see :func:`warp2d_swap`; may change between frames.

    >>> g = torch.Generator().manual_seed(0)
    >>> swapper = Warp2DSwapper(torch.rand(1, 3, 48, 48, generator=g),
    ...                         torch.tensor([[[10.0, 10], [38, 10], [24, 38], [24, 22]]]))
    >>> swapper.face_type is None, swapper.stage
    (True, 'swap')
    """

    face_type = None
    size = 0
    stage = "swap"

    def __init__(
        self,
        source_image: torch.Tensor,
        source_landmarks: torch.Tensor,
        color_transfer: bool = True,
        feather: float = 0.06,
        opacity: float = 1.0,
    ) -> None:
        self.source_image = source_image
        self.source_landmarks = source_landmarks[:, :MEDIAPIPE_POINTS]
        self.triangles = delaunay_triangles(self.source_landmarks[0])
        self.color_transfer = color_transfer
        self.feather = feather
        self.opacity = opacity

    def swap(self, faces: AlignedFaces) -> SwappedFaces:
        """The region with the source face pasted on (``faces.landmarks`` in region pixels),
        finished, and its blend mask."""
        swapped, mask = warp2d_swap(
            faces.region,
            faces.landmarks[:1, :MEDIAPIPE_POINTS],
            self.source_image,
            self.source_landmarks,
            triangles=self.triangles,
            color_transfer=self.color_transfer,
            feather=self.feather,
            opacity=self.opacity,
            return_mask=True,
        )
        return SwappedFaces(swapped, mask, in_region=True)
