"""What reading the watermark finds: bit scores to a sync score, an id and a verdict.

Shared by the direct reader (:mod:`.watermark`) and the crop search (:mod:`.search`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .pattern import ID_BITS, MAGIC_BITS, _bit_scores, _cells, _layout, payload_bits

#: Sync z-score over the 16 fixed bits a direct reading needs (about N(0, 1) on unmarked frames:
#: chance reaches 4 about 3 times in 100,000). A searched reading needs a sync score of
#: ``THRESHOLD_SEARCH`` and an id confirmation of ``THRESHOLD_CONFIRM`` (see WatermarkReading).
#: On the 244 unmarked files of ``benchmarks/bench_provenance.py`` the highest direct score was
#: 2.7, and no searched reading reached both (the closest: 0.92 of them together).
THRESHOLD_DIRECT = 4.0
THRESHOLD_SEARCH = 5.0
THRESHOLD_CONFIRM = 6.0


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
