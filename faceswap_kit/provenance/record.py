"""What the kit says about a file it writes: one :class:`Provenance` per output.

A writer creates one (``Provenance.new(...)``) and hands it to ``VideoWriter`` or ``write_image``:
every frame is watermarked with its short id (unless the user removed the mark explicitly, which
is then recorded), the container metadata says the file is synthetic, and the finished file gets
signed Content Credentials (C2PA). The record is also appended to ``records.jsonl`` in the
provenance folder (see :mod:`faceswap_kit.provenance.keys`), so ``faceswap-kit verify`` can link a
watermark id found in a re-encoded copy back to the file it came from.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .. import __version__
from . import watermark
from .credentials import ASSERTION_LABEL, sign_in_place
from .keys import provenance_dir

log = logging.getLogger(__name__)

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
RECORDS_NAME = "records.jsonl"


@dataclass
class Provenance:
    """The provenance of one output file.

    Attributes:
        action: what made it, e.g. ``"convert"``, ``"live recording"``, ``"synth"``.
        description: one sentence for people, e.g. "face swap of clip.mp4 with model X".
        identities: who appears (generated people, or names from the model card).
        consent: the consent summary (from the model card or the face set).
        watermark: mark every frame (False only when the user removed it explicitly).
        payload_id: the 16-bit id carried by the watermark.
        record_id: a UUID for the record.
        created: ISO time, UTC.
        output: the final file name, when it is written under a temporary name first.
    """

    action: str
    description: str
    identities: list[str] = field(default_factory=list)
    consent: str = "all people shown are generated and do not exist"
    watermark: bool = True
    payload_id: int = 0
    record_id: str = ""
    created: str = ""
    output: str = ""

    @classmethod
    def new(cls, action: str, description: str, **kwargs) -> Provenance:
        """A record with a fresh id and time."""
        return cls(
            action=action,
            description=description,
            payload_id=secrets.randbelow(2**watermark.ID_BITS),
            record_id=str(uuid.uuid4()),
            created=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            **kwargs,
        )

    @property
    def short_id(self) -> str:
        """The watermark's id as 4 hex digits, e.g. ``"fsk-03a9"``."""
        return f"fsk-{self.payload_id:04x}"

    def mark(self, frame: np.ndarray) -> np.ndarray:
        """The frame with the watermark (or unchanged when the mark was removed on request)."""
        return watermark.embed(frame, self.payload_id) if self.watermark else frame

    def metadata(self) -> dict[str, str]:
        """The container's ``comment`` tag: synthetic, what made it, the mark, the record."""
        mark = (
            f"watermark {self.short_id}"
            if self.watermark
            else "watermark REMOVED at the user's request"
        )
        return {
            "comment": f"AI-generated (synthetic) by faceswap_kit {self.action}; {mark}; "
            f"record {self.record_id}",
        }

    def to_dict(self) -> dict:
        record = asdict(self)
        record["short_id"] = self.short_id
        record["synthetic"] = True
        if not self.watermark:
            record["watermark_removed"] = "the user chose to write without the invisible watermark"
        return record

    def manifest(self, title: str) -> dict:
        """The C2PA manifest definition: the creating action, its source type and this record."""
        return {
            "claim_generator_info": [{"name": "faceswap_kit", "version": __version__}],
            "title": title,
            "assertions": [
                {
                    "label": "c2pa.actions.v2",
                    "data": {
                        "actions": [
                            {
                                "action": "c2pa.created",
                                "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                                "softwareAgent": {"name": "faceswap_kit", "version": __version__},
                                "description": self.description,
                            }
                        ]
                    },
                },
                {"label": ASSERTION_LABEL, "data": self.to_dict()},
            ],
        }

    def finish(self, path: str | os.PathLike, final: str | os.PathLike | None = None) -> bool:
        """Sign ``path`` in place with Content Credentials and append the record; True if signed.

        ``final`` is the name the file will have (it may be written under a temporary name).
        """
        path = Path(path)
        final = Path(self.output or final or path)
        signed = sign_in_place(path, self.manifest(final.name))
        append_record({**self.to_dict(), "file": str(final.resolve()), "signed": signed})
        return signed


def records_path() -> Path:
    return provenance_dir() / RECORDS_NAME


def append_record(record: dict) -> None:
    """Append one JSON line to the records file (best effort: a read-only home only logs)."""
    path = records_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
    except OSError as exc:
        log.warning("could not append the provenance record to %s: %s", path, exc)


def find_records(payload_id: int) -> list[dict]:
    """Records written on this machine whose watermark id is ``payload_id`` (newest last)."""
    path = records_path()
    if not path.is_file():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if record.get("payload_id") == payload_id:
            found.append(record)
    return found


def from_model_card(
    card: dict, action: str, description: str, watermark: bool = True
) -> Provenance:
    """A record whose identities and consent summary come from a model card."""
    identities, consents = [], []
    for side, who in sorted((card.get("identities") or {}).items()):
        name = who.get("name", side)
        kind = "generated, does not exist" if who.get("synthetic") else "real person"
        identities.append(f"{side}: {name} ({kind})")
        if who.get("consent"):
            consents.append(f"{name}: {who['consent']}")
    consent = "; ".join(consents) or "not recorded in the model card"
    return Provenance.new(
        action, description, identities=identities, consent=consent, watermark=watermark
    )
