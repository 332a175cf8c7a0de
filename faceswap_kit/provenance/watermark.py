"""An invisible, keyed spread-spectrum watermark for the frames the kit writes.

This module sits at the I/O edge, next to ``faceswap_kit.io``: it works on uint8 RGB ``(H, W, 3)``
frames just before they are encoded, and on decoded frames when a file is verified.

How it works. The frame is divided, relative to its own width and height, into a grid of
``GRID_COLS x GRID_ROWS`` cells. Every cell carries one bit of a 32-bit payload with a keyed random
sign; the mark is that grid of +/- ``strength`` grey levels, smoothly interpolated to the frame size
and added to R, G and B alike (about 41 dB PSNR at the default strength). Because the grid follows
the frame's own proportions, rescaling (down, up, a screen recording) keeps it in place; H.264
removes fine detail but not a pattern of 20-pixel cells. To read it, the frame is brought to a small
canonical size, its coarse content is subtracted, and each cell's residual is correlated with the
keyed signs. A cropped frame is found by searching a range of scales and every shift (one FFT
cross-correlation per scale) for the 16 fixed "made with faceswap_kit" bits. Clips add the
evidence of many frames before deciding.

The payload is 16 fixed bits that say "made with faceswap_kit" and a 16-bit id that links the file
to its record (the C2PA manifest and the ``.json`` beside it). See ``docs/provenance.md`` for the
measured robustness and cost, and for what the mark cannot do: anyone who knows the method and the
key (they are public, in this file) can remove or forge it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..frames import check_rgb_frame

GRID_COLS, GRID_ROWS = 64, 48
CELL_PX = 4  # canonical pixels per cell when reading
MAGIC_BITS = 16
ID_BITS = 16
PAYLOAD_BITS = MAGIC_BITS + ID_BITS
MAGIC = 0xFA5C  # "made with faceswap_kit": 16 fixed bits, half ones, half zeros
KEY = 0x5EED_F5C  # the public key of the pattern (cell order and signs)
DEFAULT_STRENGTH = 3.0  # margin per bit, in grey levels of a cell as a reader sees it
MAX_STRENGTH = 10.0  # at most this many grey levels (of 255) added at a cell centre
HIGHPASS_SIGMA = 1.0  # cells: coarser content than this is the picture, not the mark
CLIP_LEVEL = 6.0  # grey levels: a strong edge counts no more than this
MIN_SIDE = 64  # smaller frames carry too few pixels per cell to be read reliably
#: sync z-score over the magic bits above which a frame or clip counts as marked (calibrated in
#: benchmarks/bench_provenance.py on 200+ unmarked images and clips).
THRESHOLD_DIRECT = 4.0
THRESHOLD_SEARCH = 6.0
CROP_SCALES = tuple(np.round(np.arange(0.78, 1.001, 0.01), 2))


@dataclass(frozen=True)
class WatermarkReading:
    """What reading the mark found.

    Attributes:
        found: the "made with faceswap_kit" bits are there (sync score over the threshold).
        score: the sync z-score (about 0 +/- 1 on unmarked frames, tens on marked ones).
        magic_agreement: fraction of the 16 fixed bits read correctly.
        payload_id: the 16-bit id (meaningful only when ``found``).
        bit_confidence: mean |z| of the 32 bits (how clearly they were read).
        alignment: ``"direct"`` or ``"search scale=S shift=(dx,dy)"`` (a cropped frame).
        frames: how many frames were combined.
    """

    found: bool
    score: float
    magic_agreement: float
    payload_id: int
    bit_confidence: float
    alignment: str
    frames: int

    def bits_agreement(self, payload_id: int) -> float:
        """Fraction of all 32 bits that agree with the payload carrying ``payload_id``."""
        expected = payload_bits(payload_id)
        return float(np.mean(self._bits == expected))

    _bits: np.ndarray = None  # type: ignore[assignment]


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
def _layout() -> tuple[np.ndarray, np.ndarray]:
    """Which bit each cell carries and its keyed sign, both ``(GRID_ROWS, GRID_COLS)``."""
    rng = np.random.default_rng(KEY)
    cells = GRID_ROWS * GRID_COLS
    bit_of = rng.permutation(np.arange(cells) % PAYLOAD_BITS).reshape(GRID_ROWS, GRID_COLS)
    sign = rng.choice(np.array([-1.0, 1.0], np.float32), size=(GRID_ROWS, GRID_COLS))
    return bit_of, sign


def cell_pattern(payload_id: int) -> np.ndarray:
    """The mark at cell resolution: +/-1 per cell, ``(GRID_ROWS, GRID_COLS)`` float32."""
    bit_of, sign = _layout()
    bits = payload_bits(payload_id).astype(np.float32) * 2 - 1
    return (sign * bits[bit_of]).astype(np.float32)


def embed(
    frame: np.ndarray,
    payload_id: int,
    strength: float = DEFAULT_STRENGTH,
    max_strength: float = MAX_STRENGTH,
) -> np.ndarray:
    """Return a copy of a uint8 RGB ``(H, W, 3)`` frame carrying the mark with ``payload_id``.

    The embedding is informed: it first reads what the frame's own content already says along
    each bit's pattern and adds just enough to every bit (at most ``max_strength`` grey levels) to
    leave each bit with a margin of ``strength`` grey levels. About 2 ms for 640x480 on one core.

    >>> frame = np.full((120, 160, 3), 128, np.uint8)
    >>> marked = embed(frame, 7)
    >>> marked.shape, marked.dtype, read(marked).payload_id
    ((120, 160, 3), dtype('uint8'), 7)
    """
    import cv2

    check_rgb_frame(frame, min_side=8)
    height, width = frame.shape[:2]
    bit_of, sign = _layout()
    host = _cells(_residual(frame, _canonical_size()))
    host_sums = np.bincount(bit_of.ravel(), weights=(host * sign).ravel(), minlength=PAYLOAD_BITS)
    counts = np.bincount(bit_of.ravel(), minlength=PAYLOAD_BITS)
    gain = _gain(width, height)
    target = (payload_bits(int(payload_id)) * 2.0 - 1.0) * float(strength) * gain * counts
    amplitude = np.clip((target - host_sums) / (gain * counts), -max_strength, max_strength)
    cells = (sign * amplitude[bit_of]).astype(np.float32)
    delta = cv2.resize(cells, (width, height), interpolation=cv2.INTER_LINEAR)
    out = frame.astype(np.int16)
    out += np.rint(delta).astype(np.int16)[..., None]
    np.clip(out, 0, 255, out=out)
    return out.astype(np.uint8)


@functools.lru_cache(maxsize=8)
def _gain(width: int, height: int) -> float:
    """How much of a cell's added grey level a reader sees in that cell (for this frame size)."""
    import cv2

    _, sign = _layout()
    delta = cv2.resize(sign * 10.0, (width, height), interpolation=cv2.INTER_LINEAR)
    seen = _cells(_residual_luma(delta.astype(np.float32), _canonical_size()))
    return float((seen * sign).mean() / 10.0)


def _residual(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Luma at ``size`` (w, h) with its coarse content removed: where the mark's cells live."""
    import cv2

    luma = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    return _residual_luma(luma, size)


def _residual_luma(luma: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    import cv2

    small = cv2.resize(luma, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    coarse = cv2.GaussianBlur(small, (0, 0), sigmaX=HIGHPASS_SIGMA * CELL_PX)
    return np.clip(small - coarse, -CLIP_LEVEL, CLIP_LEVEL)


def _canonical_size() -> tuple[int, int]:
    return GRID_COLS * CELL_PX, GRID_ROWS * CELL_PX


def _cells(residual: np.ndarray) -> np.ndarray:
    """Mean residual per cell ``(GRID_ROWS, GRID_COLS)``."""
    return residual.reshape(GRID_ROWS, CELL_PX, GRID_COLS, CELL_PX).mean(axis=(1, 3))


def _bit_scores(cells: np.ndarray) -> tuple[np.ndarray, float]:
    """Per-bit z-scores (positive: bit 1) and the cells' noise level."""
    bit_of, sign = _layout()
    flat_bits, signed = bit_of.ravel(), (cells * sign).ravel()
    centred = cells - cells.mean()
    noise = float(centred.std()) + 1e-6
    sums = np.bincount(flat_bits, weights=signed, minlength=PAYLOAD_BITS)
    counts = np.bincount(flat_bits, minlength=PAYLOAD_BITS)
    return sums / (noise * np.sqrt(counts)), noise


def _reading(cells: np.ndarray, alignment: str, frames: int, threshold: float) -> WatermarkReading:
    z, _ = _bit_scores(cells)
    magic = payload_bits(0)[:MAGIC_BITS].astype(np.float32) * 2 - 1
    # the sync score: the magic bits' evidence added up, as one z-score
    score = float((z[:MAGIC_BITS] * magic).sum() / np.sqrt(MAGIC_BITS))
    bits = (z > 0).astype(np.int8)
    payload_id = int("".join(str(b) for b in bits[MAGIC_BITS:]), 2)
    reading = WatermarkReading(
        found=score >= threshold,
        score=score,
        magic_agreement=float(np.mean(bits[:MAGIC_BITS] == (magic > 0))),
        payload_id=payload_id,
        bit_confidence=float(np.abs(z).mean()),
        alignment=alignment,
        frames=frames,
    )
    object.__setattr__(reading, "_bits", bits)
    return reading


@functools.lru_cache(maxsize=1)
def _sync_template() -> np.ndarray:
    """The magic bits' part of the mark at canonical size, high-passed like a read frame."""
    import cv2

    bit_of, sign = _layout()
    magic = payload_bits(0)[:MAGIC_BITS].astype(np.float32) * 2 - 1
    cells = np.where(bit_of < MAGIC_BITS, sign * magic[np.minimum(bit_of, MAGIC_BITS - 1)], 0.0)
    width, height = _canonical_size()
    up = cv2.resize(cells.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    return up - cv2.GaussianBlur(up, (0, 0), sigmaX=HIGHPASS_SIGMA * CELL_PX)


def read(frames, search: bool = True) -> WatermarkReading:
    """Read the mark from one uint8 RGB frame or a sequence of frames of one clip.

    The frames' evidence is added up before deciding, so a clip is read far more reliably than
    one frame. With ``search``, a frame that does not show the mark where expected is searched at
    scales from 0.78 to 1 and every shift (a cropped frame).

    Returns:
        A :class:`WatermarkReading`.
    """
    frames = [frames] if isinstance(frames, np.ndarray) and frames.ndim == 3 else list(frames)
    if not frames:
        raise InputError("expected at least one frame to read, got none")
    for frame in frames:
        check_rgb_frame(frame, min_side=8)
    size = _canonical_size()
    residuals = [_residual(frame, size) for frame in frames]
    best = _reading(_cells(np.mean(residuals, axis=0)), "direct", len(frames), THRESHOLD_DIRECT)
    if not best.found and len(frames) > 1:
        # an encoder's motion compensation can drag the mark along with moving content, frame
        # after frame until the next key frame: then single frames (the key frame) say more
        for residual in residuals:
            single = _reading(_cells(residual), "direct, one frame", 1, THRESHOLD_DIRECT)
            if single.score > best.score:
                best = single
    if best.found or not search:
        return best
    searched = _search(frames[:4])
    return searched if searched.found or searched.score > best.score else best


def _search(frames: list[np.ndarray]) -> WatermarkReading:
    """Find a cropped mark: for each scale, the shift that best matches the fixed bits."""
    width, height = _canonical_size()
    template_f = np.conj(np.fft.rfft2(_sync_template()))
    best = (-np.inf, 1.0, (0, 0))
    canvases = {}
    for scale in CROP_SCALES:
        w, h = max(8, round(scale * width)), max(8, round(scale * height))
        residual = np.mean([_residual(frame, (w, h)) for frame in frames], axis=0)
        canvas = np.zeros((height, width), np.float32)
        canvas[:h, :w] = residual
        corr = np.fft.irfft2(np.fft.rfft2(canvas) * template_f, s=(height, width))
        peak = np.unravel_index(int(np.argmax(corr)), corr.shape)
        value = float((corr[peak] - corr.mean()) / (corr.std() + 1e-9))
        canvases[float(scale)] = canvas
        if value > best[0]:
            best = (value, float(scale), (int(peak[1]), int(peak[0])))
    _, scale, (dx, dy) = best
    aligned = np.roll(canvases[scale], shift=(-dy, -dx), axis=(0, 1))
    alignment = f"search scale={scale:.2f} shift=({-dx if dx < width // 2 else width - dx},"
    alignment += f"{-dy if dy < height // 2 else height - dy})"
    return _reading(_cells(aligned), alignment, len(frames), THRESHOLD_SEARCH)
