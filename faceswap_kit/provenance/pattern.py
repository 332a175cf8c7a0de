"""The watermark's pattern: payload, cell layout and the image measurements that writing and
reading share (see :mod:`faceswap_kit.provenance.watermark` for how it works).

>>> payload_bits(0xBEEF)[16:20].tolist()
[1, 0, 1, 1]
"""

from __future__ import annotations

import functools

import numpy as np

from ..errors import InputError

CANONICAL = (256, 192)  # (w, h): the size every frame is read at
CELL_PX = 4  # canonical pixels per cell side
TILE_CELLS = 8  # cells per tile side: a tile is 32x32 canonical pixels
TILE_PX = CELL_PX * TILE_CELLS
GRID_COLS, GRID_ROWS = CANONICAL[0] // CELL_PX, CANONICAL[1] // CELL_PX  # 64 x 48 cells
MAGIC_BITS = 16
ID_BITS = 16
PAYLOAD_BITS = MAGIC_BITS + ID_BITS
MAGIC = 0xFA5C  # "made with faceswap_kit": 16 fixed bits, half ones, half zeros
KEY = 0x5EED_F5C  # the public key of the pattern (cell order and signs)
DEFAULT_STRENGTH = 0.9  # margin per bit, in grey levels of a cell as a reader sees it
MAX_STRENGTH = 5.0  # at most this many grey levels (of 255) at a cell centre, flat areas
HIGHPASS_SIGMA = 1.0  # cells: coarser content than this is the picture, not the mark
CLIP_LEVEL = 6.0  # grey levels: a strong edge counts no more than this
MIN_SIDE = 64  # smaller frames carry too few pixels per cell to be read reliably
TILE_GRID = 16  # per-tile signs of the id bits repeat after this many tiles
NOISE_FLOOR = 0.25  # grey levels: the least noise a cell is assumed to carry
ACTIVITY_SIGMA = 2.0  # cells: the neighbourhood whose texture strength is divided out
MASKING_MAX = 2.0  # the mark is at most this many times stronger in busy texture
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], np.float32)  # R, G, B (as OpenCV's RGB2GRAY)
EMBED_STEPS = 3  # corrections of the informed embedding (canonical size, cheap)


def payload_bits(payload_id: int) -> np.ndarray:
    """The 32 payload bits (0/1) for an id: 16 fixed bits, then the id, most significant first.

    >>> payload_bits(1)[-3:].tolist()
    [0, 0, 1]
    """
    if not 0 <= int(payload_id) < 2**ID_BITS:
        raise InputError(f"expected a payload id in [0, {2**ID_BITS}), got {payload_id}")
    word = (MAGIC << ID_BITS) | int(payload_id)
    return np.array([(word >> (PAYLOAD_BITS - 1 - i)) & 1 for i in range(PAYLOAD_BITS)], np.int8)


@functools.lru_cache(maxsize=1)
def _tile_layout() -> tuple[np.ndarray, np.ndarray]:
    """Which bit each cell of a tile carries and its keyed sign, both ``(TILE_CELLS, TILE_CELLS)``."""
    rng = np.random.default_rng(KEY)
    cells = TILE_CELLS * TILE_CELLS
    bit_of = rng.permutation(np.arange(cells) % PAYLOAD_BITS).reshape(TILE_CELLS, TILE_CELLS)
    sign = rng.choice(np.array([-1.0, 1.0], np.float32), size=(TILE_CELLS, TILE_CELLS))
    return bit_of, sign


@functools.lru_cache(maxsize=1)
def _tile_signs() -> np.ndarray:
    """A keyed +/-1 per tile ``(TILE_GRID, TILE_GRID)``, by tile row and column in the frame.

    The id bits' cells of each tile are multiplied by their tile's sign, so a picture that repeats
    itself with the tile's period (text lines, bricks) cannot line up with the id bits in every
    tile; the fixed bits stay the same in every tile, which is what lets a reader fold tiles.
    """
    rng = np.random.default_rng(KEY + 1)
    return rng.choice(np.array([-1.0, 1.0], np.float32), size=(TILE_GRID, TILE_GRID))


def _signs(bit_of: np.ndarray, sign: np.ndarray, tile_rows, tile_cols) -> np.ndarray:
    """Cell signs with the id bits' per-tile sign applied (tile indices wrap at ``TILE_GRID``)."""
    per_tile = _tile_signs()[np.asarray(tile_rows) % TILE_GRID, np.asarray(tile_cols) % TILE_GRID]
    return np.where(bit_of >= MAGIC_BITS, sign * per_tile, sign).astype(np.float32)


@functools.lru_cache(maxsize=1)
def _layout() -> tuple[np.ndarray, np.ndarray]:
    """Bit and sign of every cell of the canonical frame, both ``(GRID_ROWS, GRID_COLS)``."""
    bit_of, sign = _tile_layout()
    reps = (GRID_ROWS // TILE_CELLS, GRID_COLS // TILE_CELLS)
    bit_of, sign = np.tile(bit_of, reps), np.tile(sign, reps)
    rows, cols = np.indices(bit_of.shape) // TILE_CELLS
    return bit_of, _signs(bit_of, sign, rows, cols)


def cell_pattern(payload_id: int) -> np.ndarray:
    """The mark at cell resolution: +/-1 per cell, ``(GRID_ROWS, GRID_COLS)`` float32."""
    bit_of, sign = _layout()
    bits = payload_bits(payload_id).astype(np.float32) * 2 - 1
    return (sign * bits[bit_of]).astype(np.float32)


@functools.lru_cache(maxsize=1)
def _gain() -> float:
    """How much of a cell's added grey level a reader sees in that cell (flat area)."""
    import cv2

    _, sign = _layout()
    mark = cv2.resize(sign * 10.0, CANONICAL, interpolation=cv2.INTER_LINEAR).astype(np.float32)
    coarse = cv2.GaussianBlur(mark, (0, 0), sigmaX=HIGHPASS_SIGMA * CELL_PX)
    return float((_cells(mark - coarse) * sign).mean() / 10.0)


def _luma(frame: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)


def _residual(frame: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """Luma at ``size`` (w, h) with its coarse content removed: where the mark's cells live."""
    return _residual_luma(_luma(frame), size)


def _canonical_luma(luma: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    import cv2

    size = size or CANONICAL
    return cv2.resize(luma, size, interpolation=cv2.INTER_AREA).astype(np.float32)


def _texture_divisor(fine: np.ndarray, px: float) -> np.ndarray:
    """How much busier than flat each place is (>= 1): local RMS of the fine detail, in units of
    ``CLIP_LEVEL``, plus one."""
    import cv2

    activity = np.sqrt(cv2.GaussianBlur(fine * fine, (0, 0), sigmaX=ACTIVITY_SIGMA * px))
    return (activity + CLIP_LEVEL) / CLIP_LEVEL


def _highpass(small: np.ndarray, px: float = CELL_PX) -> np.ndarray:
    """The fine part of a luma image divided by the local texture's own strength: in flat areas
    grey levels pass unchanged, in busy ones the picture's detail counts no more than the mark."""
    import cv2

    fine = small - cv2.GaussianBlur(small, (0, 0), sigmaX=HIGHPASS_SIGMA * px)
    return np.clip(fine / _texture_divisor(fine, px), -CLIP_LEVEL, CLIP_LEVEL)


def _residual_luma(luma: np.ndarray, size: tuple[int, int], px: float = CELL_PX) -> np.ndarray:
    return _highpass(_canonical_luma(luma, size), px)


def _cells(residual: np.ndarray) -> np.ndarray:
    """Mean residual per cell of a canonical-size residual, ``(GRID_ROWS, GRID_COLS)``."""
    import cv2

    return cv2.resize(residual, (GRID_COLS, GRID_ROWS), interpolation=cv2.INTER_AREA)


def _shifted_cells(residual: np.ndarray, dx: int, dy: int):
    """Whole cells of a residual whose tile grid starts at pixel ``(dx, dy)`` (mod one tile).

    Returns the cells' mean residuals and, for each, the bit it carries, its sign within the
    tile and its tile's row and column counted from the first tile that starts at ``(dx, dy)``
    (-1 for a tile cut by the frame's edge), all 1-D.
    """
    height, width = residual.shape
    x0, y0 = dx % CELL_PX, dy % CELL_PX
    cols, rows = (width - x0) // CELL_PX, (height - y0) // CELL_PX
    block = residual[y0 : y0 + rows * CELL_PX, x0 : x0 + cols * CELL_PX]
    means = block.reshape(rows, CELL_PX, cols, CELL_PX).mean(axis=(1, 3))
    bit_of, sign = _tile_layout()
    # cell (r, c) of the block is cell (y0 + r*CELL - dy) / CELL of the grid that starts at dy
    r = (y0 - dy) // CELL_PX + np.arange(rows)
    c = (x0 - dx) // CELL_PX + np.arange(cols)
    rr, cc = np.meshgrid(r, c, indexing="ij")
    tr, tc = rr // TILE_CELLS, cc // TILE_CELLS
    rr, cc = rr % TILE_CELLS, cc % TILE_CELLS
    return means.ravel(), bit_of[rr, cc].ravel(), sign[rr, cc].ravel(), tr.ravel(), tc.ravel()


def _bit_scores(values: np.ndarray, bit_of: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """Per-bit z-scores (positive: bit 1) from cell values, their bits and signs.

    The noise level is how much the cells of one bit disagree with their bit's mean, pooled over
    all bits, so a strong mark does not inflate its own noise estimate.
    """
    signed = values * sign
    counts = np.bincount(bit_of, minlength=PAYLOAD_BITS).astype(np.float64)
    counts = np.maximum(counts, 1)
    means = np.bincount(bit_of, signed, PAYLOAD_BITS) / counts
    spread = signed - means[bit_of]
    dof = max(1.0, len(values) - PAYLOAD_BITS)
    # never below NOISE_FLOOR: a black sky with a few stars is not a quiet, reliable channel
    noise = max(float(np.sqrt((spread**2).sum() / dof)), NOISE_FLOOR)
    return means * np.sqrt(counts) / noise
