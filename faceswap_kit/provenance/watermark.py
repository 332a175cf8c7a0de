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
looked at the fixed bits) cannot bias. Clips add the evidence of many frames before deciding, and
fall back on single frames.

The payload is 16 fixed bits that say "made with faceswap_kit" and a 16-bit id that links the file
to its record (the C2PA manifest and the ``.json`` beside it). See ``docs/provenance.md`` for the
measured robustness, false positives and cost, and for what the mark cannot do: anyone who knows
the method and the key (they are public, in ``pattern.py``) can remove or forge it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..frames import check_rgb_frame
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
    _bit_scores,
    _cells,
    _gain,
    _layout,
    _luma,
    _residual,
    _residual_luma,
    _shifted_cells,
    _signs,
    _texture_divisor,
    _tile_layout,
    cell_pattern,
    payload_bits,
)

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

#: Sync z-score over the 16 fixed bits a direct reading needs (about N(0, 1) on unmarked frames:
#: chance reaches 4 about 3 times in 100,000). A searched reading needs a sync score of
#: ``THRESHOLD_SEARCH`` and an id confirmation of ``THRESHOLD_CONFIRM`` (see WatermarkReading).
#: On the 244 unmarked files of ``benchmarks/bench_provenance.py`` the highest direct score was
#: 2.7, and no searched reading reached both (the closest: 0.92 of them together).
THRESHOLD_DIRECT = 4.0
THRESHOLD_SEARCH = 5.0
THRESHOLD_CONFIRM = 6.0
CROP_SCALES = tuple(np.round(np.arange(0.76, 1.001, 0.012), 3))
SEARCH_FRAMES = 16
SEARCH_TILES = 3  # a crop may have taken 0, 1 or 2 whole tiles off the top and the left
SEARCH_READS = 4  # crop scales (the sharpest correlation peaks) whose cells are read in full


@dataclass(frozen=True)
class WatermarkReading:
    """What reading the mark found.

    Attributes:
        found: the "made with faceswap_kit" bits are there: the sync score reaches the threshold
            (and, for a searched reading, the id bits confirm it).
        score: the sync z-score (about 0 +/- 1 on unmarked frames, tens on marked ones).
        magic_agreement: fraction of the 16 fixed bits read correctly.
        payload_id: the 16-bit id (meaningful only when ``found``).
        bit_confidence: mean |z| of the 32 bits (how clearly they were read).
        alignment: ``"direct"`` or ``"search scale=S shift=(dx,dy)"`` (a cropped frame).
        frames: how many frames were combined.
        threshold: the sync score a reading needs to count as found (direct or searched).
        confirmation: how far the 16 id bits stand out from noise, whatever their values (their
            squared z-scores, a chi-square with 16 degrees of freedom, as a z-score: about 0 on
            noise). The search picks the shift and scale by the fixed bits only, so this stays an
            unbiased second opinion there; a searched reading needs ``THRESHOLD_CONFIRM``.
    """

    found: bool
    score: float
    magic_agreement: float
    payload_id: int
    bit_confidence: float
    alignment: str
    frames: int
    threshold: float = THRESHOLD_DIRECT
    confirmation: float = 0.0

    def bits_agreement(self, payload_id: int) -> float:
        """Fraction of all 32 bits that agree with the payload carrying ``payload_id``."""
        expected = payload_bits(payload_id)
        return float(np.mean(self._bits == expected))

    _bits: np.ndarray = None  # type: ignore[assignment]


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


def _reading(
    values: np.ndarray,
    bit_of: np.ndarray,
    sign: np.ndarray,
    alignment: str,
    frames: int,
    threshold: float,
    confirm: float | None = None,
) -> WatermarkReading:
    z = _bit_scores(values, bit_of, sign)
    magic = payload_bits(0)[:MAGIC_BITS].astype(np.float32) * 2 - 1
    # the sync score: the fixed bits' evidence added up, as one z-score
    score = float((z[:MAGIC_BITS] * magic).sum() / np.sqrt(MAGIC_BITS))
    # the id bits' energy, whatever their signs: chi-square(16) under noise, as a z-score
    confirmation = float(((z[MAGIC_BITS:] ** 2).sum() - ID_BITS) / np.sqrt(2 * ID_BITS))
    bits = (z > 0).astype(np.int8)
    payload_id = int("".join(str(b) for b in bits[MAGIC_BITS:]), 2)
    reading = WatermarkReading(
        found=score >= threshold and (confirm is None or confirmation >= confirm),
        score=score,
        magic_agreement=float(np.mean(bits[:MAGIC_BITS] == (magic > 0))),
        payload_id=payload_id,
        bit_confidence=float(np.abs(z).mean()),
        alignment=alignment,
        frames=frames,
        threshold=threshold,
        confirmation=confirmation,
    )
    object.__setattr__(reading, "_bits", bits)
    return reading


def _direct(residual: np.ndarray, alignment: str, frames: int) -> WatermarkReading:
    bit_of, sign = _layout()
    values = _cells(residual).ravel()
    return _reading(values, bit_of.ravel(), sign.ravel(), alignment, frames, THRESHOLD_DIRECT)


@functools.lru_cache(maxsize=1)
def _sync_tile_spectrum() -> np.ndarray:
    """Conjugate spectrum of one tile of the fixed bits' mark, high-passed like a read frame."""
    import cv2

    bit_of, sign = _tile_layout()
    magic = payload_bits(0)[:MAGIC_BITS].astype(np.float32) * 2 - 1
    cells = np.where(bit_of < MAGIC_BITS, sign * magic[np.minimum(bit_of, MAGIC_BITS - 1)], 0.0)
    tiled = np.tile(cells.astype(np.float32), (3, 3))  # interpolate across the tile's edges
    up = cv2.resize(tiled, (3 * TILE_PX, 3 * TILE_PX), interpolation=cv2.INTER_LINEAR)
    up -= cv2.GaussianBlur(up, (0, 0), sigmaX=HIGHPASS_SIGMA * CELL_PX)
    tile = up[TILE_PX : 2 * TILE_PX, TILE_PX : 2 * TILE_PX]
    return np.conj(np.fft.rfft2(tile))


def _fold(residual: np.ndarray) -> np.ndarray:
    """Add up every tile-sized piece of a residual into one ``(TILE_PX, TILE_PX)`` tile."""
    height, width = residual.shape
    rows, cols = -(-height // TILE_PX), -(-width // TILE_PX)
    canvas = np.zeros((rows * TILE_PX, cols * TILE_PX), np.float32)
    canvas[:height, :width] = residual
    return canvas.reshape(rows, TILE_PX, cols, TILE_PX).sum(axis=(0, 2))


def read(frames, search: bool = True) -> WatermarkReading:
    """Read the mark from one uint8 RGB frame or a sequence of frames of one clip.

    The frames' evidence is added up before deciding, so a clip is read far more reliably than
    one frame. With ``search``, a frame that does not show the mark where expected is searched at
    crop scales from 0.76 to 1 and every shift within one tile (a cropped frame), with a higher
    threshold (``THRESHOLD_SEARCH``) for the many positions tried.

    Returns:
        A :class:`WatermarkReading`.
    """
    frames = [frames] if isinstance(frames, np.ndarray) and frames.ndim == 3 else list(frames)
    if not frames:
        raise InputError("expected at least one frame to read, got none")
    for frame in frames:
        check_rgb_frame(frame, min_side=8)
    residuals = [_residual(frame) for frame in frames]
    best = _direct(np.mean(residuals, axis=0), "direct", len(frames))
    if not best.found and len(frames) > 1:
        # an encoder's motion compensation can drag the mark along with moving content, frame
        # after frame until the next key frame: then single frames (the key frame) say more
        for residual in residuals:
            single = _direct(residual, "direct, one frame", 1)
            if single.score > best.score:
                best = single
    if best.found or not search:
        return best
    searched = search_cropped(frames)
    return searched if searched.found or searched.score > best.score else best


def search_cropped(frames) -> WatermarkReading:
    """Find a cropped mark in one frame or a clip's frames (the first ``SEARCH_FRAMES``).

    For each crop scale in ``CROP_SCALES`` (first the same for width and height, then, if nothing
    was found, every pair of different ones) the frames' mean residual is folded onto one tile
    and the shift that best matches the fixed bits is found by FFT cross-correlation; the cells
    of the ``SEARCH_READS`` sharpest peaks are read (the clip's mean and each frame alone) and the
    best-scoring reading wins. Its score is judged against ``THRESHOLD_SEARCH`` (higher than the
    direct one: many positions were tried).
    """

    frames = [frames] if isinstance(frames, np.ndarray) and frames.ndim == 3 else list(frames)
    if not frames:
        raise InputError("expected at least one frame to search, got none")
    frames = frames[:SEARCH_FRAMES]
    for frame in frames:
        check_rgb_frame(frame, min_side=8)

    width, height = CANONICAL
    # every frame's residual once, at twice the canonical size; each scale resamples them
    fines = [_residual_luma(_luma(f), (2 * width, 2 * height), 2 * CELL_PX) for f in frames]
    best = _search_scales(fines, [(scale, scale) for scale in CROP_SCALES])
    if not best.found:  # a crop may take more off one side than the other
        pairs = [(sx, sy) for sx in CROP_SCALES for sy in CROP_SCALES if sx != sy]
        other = _search_scales(fines, pairs)
        best = other if other.score > best.score else best
    return best


def _search_scales(fines: list[np.ndarray], scales: list[tuple[float, float]]) -> WatermarkReading:
    """The best reading over crop ``scales`` (width, height) of residuals at twice the canonical
    size: every scale's sharpest FFT peak ranks it, the ``SEARCH_READS`` best are read in full."""
    import cv2

    width, height = CANONICAL
    fine = np.mean(fines, axis=0) if len(fines) > 1 else fines[0]
    template = _sync_tile_spectrum()
    candidates = []
    for scale_x, scale_y in scales:
        size = (max(8, round(scale_x * width)), max(8, round(scale_y * height)))
        residual = cv2.resize(fine, size, interpolation=cv2.INTER_AREA)
        corr = np.fft.irfft2(np.fft.rfft2(_fold(residual)) * template, s=(TILE_PX, TILE_PX))
        peak = int(np.argmax(corr))
        sharpness = (corr.flat[peak] - corr.mean()) / (corr.std() + 1e-9)
        candidates.append((float(sharpness), scale_x, scale_y, residual, peak))
    candidates.sort(key=lambda c: -c[0])
    best = None
    for _, scale_x, scale_y, residual, peak in candidates[:SEARCH_READS]:
        dy, dx = (int(v) for v in np.unravel_index(peak, (TILE_PX, TILE_PX)))
        alignment = f"search scale=({scale_x:.3f},{scale_y:.3f}) shift=({dx},{dy})"
        # the clip's mean, then (as in a direct read) each frame alone at the same alignment
        singles = [] if len(fines) == 1 else fines
        for source in [residual, *singles]:
            alone = source is not residual
            if alone:
                source = cv2.resize(source, residual.shape[::-1], interpolation=cv2.INTER_AREA)
            values, bit_of, sign, tile_rows, tile_cols = _shifted_cells(source, dx, dy)
            note, count = (", one frame", 1) if alone else ("", len(fines))
            # which tile of the original frame comes first is unknown: a crop took 0-2 of them
            for first_row in range(SEARCH_TILES):
                for first_col in range(SEARCH_TILES):
                    signs = _signs(bit_of, sign, tile_rows + first_row, tile_cols + first_col)
                    reading = _reading(
                        values, bit_of, signs, f"{alignment}{note}, first tile "
                        f"({first_col},{first_row})", count, THRESHOLD_SEARCH, THRESHOLD_CONFIRM,
                    )  # fmt: skip
                    key = (reading.found, reading.score + reading.confirmation)
                    if best is None or key > (best.found, best.score + best.confirmation):
                        best = reading
    return best
