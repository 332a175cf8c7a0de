"""Finding a cropped watermark: fold the frame onto one tile, FFT-correlate, read the best shifts.

A cropped (and rescaled) frame shows the same repeating tile, shifted; see :mod:`.watermark`.
"""

from __future__ import annotations

import functools

import numpy as np

from ..frames import rgb_frames
from .pattern import (
    CANONICAL,
    CELL_PX,
    HIGHPASS_SIGMA,
    MAGIC_BITS,
    TILE_PX,
    _luma,
    _residual_luma,
    _shifted_cells,
    _signs,
    _tile_layout,
    payload_bits,
)
from .reading import THRESHOLD_CONFIRM, THRESHOLD_SEARCH, WatermarkReading, _reading

CROP_SCALES = tuple(np.round(np.arange(0.76, 1.001, 0.012), 3))
SEARCH_FRAMES = 16
SEARCH_TILES = 3  # a crop may have taken 0, 1 or 2 whole tiles off the top and the left
SEARCH_READS = 4  # crop scales (the sharpest correlation peaks) whose cells are read in full


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


def search_cropped(frames) -> WatermarkReading:
    """Find a cropped mark in one frame or a clip's frames (the first ``SEARCH_FRAMES``).

    For each crop scale in ``CROP_SCALES`` (first the same for width and height, then, if nothing
    was found, every pair of different ones) the frames' mean residual is folded onto one tile
    and the shift that best matches the fixed bits is found by FFT cross-correlation; the cells
    of the ``SEARCH_READS`` sharpest peaks are read (the clip's mean and each frame alone) and the
    best-scoring reading wins. Its score is judged against ``THRESHOLD_SEARCH`` (higher than the
    direct one: many positions were tried).
    """

    frames = rgb_frames(frames, "search", min_side=8, limit=SEARCH_FRAMES)

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
