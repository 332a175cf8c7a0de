"""Plain bars around a picture: letterboxed (bars above and below) and pillarboxed (bars at the
sides) copies.

A clip re-published in another aspect ratio (4:3 inside 16:9, a phone's portrait video inside a
landscape frame) keeps the marked picture whole but shrinks it into part of a new frame. The
reader works on the frame's canonical size, so the mark's grid no longer lines up; cutting the
bars off gives the marked picture back, at its own proportions.

>>> frame = np.zeros((90, 160, 3), np.uint8)
>>> frame[:, 20:140] = np.random.default_rng(0).integers(0, 255, (90, 120, 3))
>>> content_box(frame)
(0, 90, 20, 140)
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..frames import rgb_frames
from .pattern import LUMA_WEIGHTS

#: Grey levels a bar's pixels may stray from the bar's colour (compression leaves them not quite
#: flat, and rings a few pixels into them next to the picture).
BAR_TOLERANCE = 10
#: Share of a bar line's pixels (over all frames looked at) that may stray further (specks).
BAR_SPECKS = 0.005
#: A bar must be at least this many pixels and this fraction of the frame's side to count.
MIN_BAR_PX = 2
MIN_BAR_FRACTION = 0.02
#: How much thicker one bar of a pair may be than the other (rounding, compression at the edge).
BAR_UNEVEN_PX = 3
BAR_UNEVEN_FRACTION = 0.01
#: Up to this many frames of a clip are looked at (bars stay put; the picture moves).
BAR_FRAMES = 16


def _flat_run(off: np.ndarray) -> int:
    """How many lines from the start are flat (``off``: share of each line's pixels that stray)."""
    flat = off <= BAR_SPECKS
    return len(flat) if flat.all() else int(np.argmin(flat))


def content_box(frames) -> tuple[int, int, int, int] | None:
    """Where the picture is inside plain bars: ``(top, bottom, left, right)`` pixel bounds (the
    picture is ``frame[top:bottom, left:right]``), or ``None`` when the frame has no bars.

    A bar is a run of whole rows (or columns) at the frame's edge that stay within
    ``BAR_TOLERANCE`` grey levels of the edge's own colour in every frame looked at (black,
    white or any colour). Bars come in pairs around a centred picture: above and below, or left
    and right, of one colour and within ``BAR_UNEVEN_PX`` pixels (or ``BAR_UNEVEN_FRACTION`` of
    the side) of the same thickness. Bars thinner than ``MIN_BAR_PX`` pixels or
    ``MIN_BAR_FRACTION`` of the side are ignored, and so is a "picture" smaller than a quarter of
    the frame (a plain frame).
    """
    import cv2

    frames = rgb_frames(frames, "look for bars in", min_side=8, limit=BAR_FRAMES)
    if len({frame.shape for frame in frames}) != 1:
        raise InputError("the frames of one clip must all have the same size")
    height, width = frames[0].shape[:2]
    # each edge's bar colour: the median of its outermost line over all frames
    edges = {
        "top": np.stack([f[0] for f in frames]),
        "bottom": np.stack([f[-1] for f in frames]),
        "left": np.stack([f[:, 0] for f in frames]),
        "right": np.stack([f[:, -1] for f in frames]),
    }
    colour, flat_edge = {}, False
    for side, line in edges.items():
        grey = line.astype(np.float32) @ LUMA_WEIGHTS
        colour[side] = int(np.median(grey))
        flat_edge |= bool((np.abs(grey - colour[side]) > BAR_TOLERANCE).mean() <= BAR_SPECKS)
    if not flat_edge:
        return None  # no edge is plain: no bars (most frames stop here, cheaply)
    lumas = np.stack([cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames]).astype(np.int16)

    def off(side: str, axis: tuple[int, int]) -> np.ndarray:
        return (np.abs(lumas - colour[side]) > BAR_TOLERANCE).mean(axis=axis)

    top = _flat_run(off("top", (0, 2)))
    bottom = height - _flat_run(off("bottom", (0, 2))[::-1])
    left = _flat_run(off("left", (0, 1)))
    right = width - _flat_run(off("right", (0, 1))[::-1])

    def pair(first: int, second: int, side: int, colours: tuple[int, int]) -> bool:
        """Bars come in pairs: the picture is centred, so both bars are there, about as thick
        (a plain sky or wall at one edge of a picture is not a bar), and of one colour."""
        thick = min(first, second) >= max(MIN_BAR_PX, MIN_BAR_FRACTION * side)
        even = abs(first - second) <= max(BAR_UNEVEN_PX, BAR_UNEVEN_FRACTION * side)
        return thick and even and abs(colours[0] - colours[1]) <= BAR_TOLERANCE

    if not pair(top, height - bottom, height, (colour["top"], colour["bottom"])):
        top, bottom = 0, height
    if not pair(left, width - right, width, (colour["left"], colour["right"])):
        left, right = 0, width
    if (top, bottom, left, right) == (0, height, 0, width):
        return None
    if bottom - top < height / 4 or right - left < width / 4:
        return None  # a plain frame, or almost: nothing inside to read
    return top, bottom, left, right
