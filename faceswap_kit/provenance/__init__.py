"""Provenance: an invisible watermark in every frame the kit writes, signed Content Credentials
(C2PA) on every MP4, PNG and JPEG, a metadata label, and ``verify`` to check all three.

>>> from faceswap_kit.provenance import Provenance
>>> Provenance.new("synth", "a person who does not exist").short_id.startswith("fsk-")
True
"""

from __future__ import annotations

from .record import Provenance, find_records, from_model_card
from .verify import VerifyReport, verify

__all__ = ["Provenance", "VerifyReport", "find_records", "from_model_card", "verify"]
