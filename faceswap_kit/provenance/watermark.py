"""An invisible, keyed spread-spectrum watermark for the frames the kit writes.

This module sits at the I/O edge, next to ``faceswap_kit.io``: it works on uint8 RGB ``(H, W, 3)``
frames just before they are encoded, and on decoded frames when a file is verified.

How it works. Every frame is read at a *canonical* size of 256x192 pixels, whatever its own size
(rescaling the frame, down or up, rescales the mark with it). At that size the mark is a tile of
8x8 cells of 4x4 pixels, repeated 8x6 times: every cell carries one bit of a 32-bit payload with a
keyed random sign, every bit is in 2 cells of each tile (96 cells of the frame); the 16 id bits
also carry a keyed sign per tile, so a picture that repeats with the tile's period cannot mimic
them. The mark is that
grid of +/- a few grey levels, smoothly interpolated to the frame's size and added to R, G and B
alike (median PSNR 39 dB on the benchmark's frames; lower on busy photos, where texture hides it).

Embedding is *informed* and *masked*: it first measures what the frame's own content already says
along each bit's cells and adds just enough to leave every bit a fixed margin, up to twice as
much where the picture is busy (where the eye does not see it) and never more than a pixel's
headroom below 0 or above 255 allows. That is worked out at the canonical size; the full frame
only receives one resized pattern (two saturating uint8 adds).

To read it, the frame is brought to the canonical size, its coarse content is subtracted and its
fine detail is divided by the local texture strength (busy areas count no more than flat ones).
Each cell's mean is correlated with the keyed signs; the noise level is estimated from how much a
bit's cells disagree, so a bit's score is a z-score and the 16 fixed bits add up to one sync score
(about N(0, 1) on an unmarked frame). A cropped frame shows the same tile, shifted: the reader
folds the frame onto one tile (adding up all tiles) and finds the shift with one 32x32 FFT
cross-correlation per pair of candidate crop scales (0.76 to 1, width and height apart); a
searched reading must also show id bits that stand out from noise, a test the search (which only
looked at the fixed bits) cannot bias. A copy shrunk into a frame of another shape
(letterboxed, pillarboxed) is read inside its plain bars (:mod:`.bars`), directly and then by the
search. Clips add the evidence of many frames before deciding, and fall back on single frames.

The payload is 16 fixed bits that say "made with faceswap_kit" and a 16-bit id that links the file
to its record (the C2PA manifest and the ``.json`` beside it). See ``docs/provenance.md`` for the
measured robustness, false positives and cost, and for what the mark cannot do: anyone who knows
the method and the key (they are public, in ``pattern.py``) can remove or forge it.
"""

from __future__ import annotations

import numpy as np

from ..frames import check_rgb_frame, rgb_frames
from .bars import content_box
from .pattern import (
    ACTIVITY_SIGMA,
    CANONICAL,
    CELL_PX,
    CLIP_LEVEL,
    DEFAULT_STRENGTH,
    EMBED_STEPS,
    GRID_COLS,
    GRID_ROWS,
    HIGHPASS_SIGMA,
    ID_BITS,
    KEY,
    LUMA_WEIGHTS,
    MAGIC,
    MAGIC_BITS,
    MASKING_MAX,
    MAX_STRENGTH,
    MIN_SIDE,
    NOISE_FLOOR,
    PAYLOAD_BITS,
    TILE_CELLS,
    TILE_GRID,
    TILE_PX,
    _cells,
    _gain,
    _layout,
    _residual,
    _texture_divisor,
    cell_pattern,
    payload_bits,
)
from .reading import (
    THRESHOLD_CONFIRM,
    THRESHOLD_DIRECT,
    THRESHOLD_SEARCH,
    WatermarkReading,
    _direct,
)
from .search import search_cropped

__all__ = [
    "ACTIVITY_SIGMA",
    "CANONICAL",
    "CELL_PX",
    "CLIP_LEVEL",
    "DEFAULT_STRENGTH",
    "EMBED_STEPS",
    "GRID_COLS",
    "GRID_ROWS",
    "HIGHPASS_SIGMA",
    "ID_BITS",
    "KEY",
    "LUMA_WEIGHTS",
    "MAGIC",
    "MAGIC_BITS",
    "MASKING_MAX",
    "MAX_STRENGTH",
    "MIN_SIDE",
    "NOISE_FLOOR",
    "PAYLOAD_BITS",
    "THRESHOLD_CONFIRM",
    "THRESHOLD_DIRECT",
    "THRESHOLD_SEARCH",
    "TILE_CELLS",
    "TILE_GRID",
    "TILE_PX",
    "WatermarkReading",
    "cell_pattern",
    "embed",
    "payload_bits",
    "read",
    "search_cropped",
]


def embed(
    frame: np.ndarray,
    payload_id: int,
    strength: float = DEFAULT_STRENGTH,
    max_strength: float = MAX_STRENGTH,
) -> np.ndarray:
    """Return a copy of a uint8 RGB ``(H, W, 3)`` frame carrying the mark with ``payload_id``.

    The embedding is informed: it first reads what the frame's own content already says along
    each bit's cells and adds just enough to every bit (at most ``max_strength`` grey levels at a
    cell centre in flat areas, up to ``MASKING_MAX`` times that in busy texture) to leave each bit
    a margin of ``strength`` grey levels as a reader sees it. All of that works at the canonical
    256x192 size; the full-size frame only receives one resized, precomputed pattern (a few ms
    for 640x480, see ``benchmarks/bench_provenance.py``).

    >>> frame = np.full((120, 160, 3), 128, np.uint8)
    >>> marked = embed(frame, 7)
    >>> marked.shape, marked.dtype, read(marked).payload_id
    ((120, 160, 3), dtype('uint8'), 7)
    """
    import cv2

    check_rgb_frame(frame, min_side=8)
    height, width = frame.shape[:2]
    mark = _canonical_mark(frame, int(payload_id), float(strength), float(max_strength))
    delta = cv2.resize(mark, (width, height), interpolation=cv2.INTER_LINEAR)
    # saturating uint8 adds of the positive and negative parts: no wider copy of the frame
    up = cv2.cvtColor(cv2.convertScaleAbs(cv2.max(delta, 0.0)), cv2.COLOR_GRAY2RGB)
    down = cv2.cvtColor(cv2.convertScaleAbs(cv2.min(delta, 0.0)), cv2.COLOR_GRAY2RGB)
    return cv2.subtract(cv2.add(frame, up), down)


def _canonical_mark(
    frame: np.ndarray, payload_id: int, strength: float, max_strength: float
) -> np.ndarray:
    """The grey levels to add, at the canonical size ``(h, w)`` float32.

    A reader sees the frame's fine detail divided by its local texture strength; the mark is
    linear, but that division, the reader's clipping and pixels already near 0 or 255 are not, so
    a few corrections (``EMBED_STEPS``) find how much each bit really needs.
    """
    import cv2

    bit_of, sign = _layout()
    flat = bit_of.ravel()
    counts = np.bincount(flat, minlength=PAYLOAD_BITS)
    colour = cv2.resize(frame, CANONICAL, interpolation=cv2.INTER_AREA)
    red, green, blue = cv2.split(colour)
    rgb = colour.astype(np.float32)
    small = cv2.cvtColor(colour, cv2.COLOR_RGB2GRAY).astype(np.float32)  # (h, w) luma
    fine = small - cv2.GaussianBlur(small, (0, 0), sigmaX=HIGHPASS_SIGMA * CELL_PX)
    divisor = _texture_divisor(fine, CELL_PX)
    masking = np.minimum(divisor, MASKING_MAX)

    def pattern(amplitude: np.ndarray) -> np.ndarray:
        cells = (sign * amplitude[bit_of]).astype(np.float32)
        return cv2.resize(cells, CANONICAL, interpolation=cv2.INTER_LINEAR) * masking

    # where a channel is so close to 0 or 255 that the mark would saturate it
    margin = max_strength * MASKING_MAX
    darkest, brightest = cv2.min(cv2.min(red, green), blue), cv2.max(cv2.max(red, green), blue)
    near = (darkest < margin) | (brightest > 255 - margin)
    low, high = -rgb[near], 255.0 - rgb[near]

    def seen(mark: np.ndarray | None) -> np.ndarray:
        seen_fine = fine
        if mark is not None:
            # the same grey level added to R, G and B changes luma less where channels saturate
            change = mark.copy()
            change[near] = np.minimum(np.maximum(mark[near][:, None], low), high) @ LUMA_WEIGHTS
            blurred = cv2.GaussianBlur(change, (0, 0), sigmaX=HIGHPASS_SIGMA * CELL_PX)
            seen_fine = fine + change - blurred
        values = np.minimum(np.maximum(seen_fine / divisor, -CLIP_LEVEL), CLIP_LEVEL)
        return np.bincount(flat, (_cells(values) * sign).ravel(), PAYLOAD_BITS) / counts

    gain = _gain()
    target = (payload_bits(payload_id) * 2.0 - 1.0) * strength
    host = seen(None)
    amplitude = np.clip((target - host) / gain, -max_strength, max_strength)
    for _ in range(EMBED_STEPS):
        now = seen(pattern(amplitude))
        # each bit's own gain, lower where texture, clipping or saturation hide part of the mark
        moved = np.abs(amplitude) > 1e-3
        own = np.where(moved, (now - host) / np.where(moved, amplitude, 1.0), gain)
        own = np.clip(own, 0.25 * gain, gain)
        amplitude = np.clip(amplitude + (target - now) / own, -max_strength, max_strength)
    return pattern(amplitude)


def read(frames, search: bool = True) -> WatermarkReading:
    """Read the mark from one uint8 RGB frame or a sequence of frames of one clip.

    The frames' evidence is added up before deciding, so a clip is read far more reliably than
    one frame. A frame that does not show the mark where expected is read again inside plain bars
    around the picture, if it has any (a letterboxed or pillarboxed copy, see :mod:`.bars`). With
    ``search``, it is then searched at crop scales from 0.76 to 1 and every shift within one tile
    (a cropped frame), with a higher threshold (``THRESHOLD_SEARCH``) for the many positions
    tried.

    Returns:
        A :class:`WatermarkReading`.
    """
    frames = rgb_frames(frames, "read", min_side=8)
    best = _read_direct(frames, "direct")
    if best.found:
        return best
    candidates = [frames]
    box = content_box(frames) if len({f.shape for f in frames}) == 1 else None
    if box is not None:
        top, bottom, left, right = box
        inside = [frame[top:bottom, left:right] for frame in frames]
        note = f"inside bars: {right - left}x{bottom - top} at ({left},{top})"
        boxed = _read_direct(inside, f"direct, {note}")
        if boxed.found or boxed.score > best.score:
            best = boxed
        if best.found:
            return best
        candidates = [inside, frames]
    if not search:
        return best
    for candidate in candidates:  # inside the bars and the whole frame: the better one wins
        searched = search_cropped(candidate)
        if (searched.found, searched.score) > (best.found, best.score):
            best = searched
    return best


def _read_direct(frames: list[np.ndarray], alignment: str) -> WatermarkReading:
    """The direct reading of frames (all the same size): the clip's mean residual, then, when
    that finds nothing, each frame alone."""
    residuals = [_residual(frame) for frame in frames]
    best = _direct(np.mean(residuals, axis=0), alignment, len(frames))
    if not best.found and len(frames) > 1:
        # an encoder's motion compensation can drag the mark along with moving content, frame
        # after frame until the next key frame: then single frames (the key frame) say more
        for residual in residuals:
            single = _direct(residual, f"{alignment}, one frame", 1)
            if single.score > best.score:
                best = single
    return best
