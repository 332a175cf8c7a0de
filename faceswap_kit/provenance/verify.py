"""``verify(FILE)``: does a file carry the kit's watermark, its Content Credentials, its label?"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, MediaError
from ..io.images import IMAGE_SUFFIXES, read_image
from ..io.video import VIDEO_SUFFIXES, VideoReader
from .credentials import CredentialsReading, read_credentials
from .record import find_records
from .watermark import MIN_SIDE, WatermarkReading, read

#: frames of a video that are read for the mark (from the start, where the key frame is)
VIDEO_FRAMES = 16


@dataclass
class VerifyReport:
    """Everything ``faceswap-kit verify`` prints, as data.

    Attributes:
        path: the file.
        watermark: the watermark reading (``None`` when frames could not be read).
        credentials: the C2PA reading.
        metadata: the container tags that mention synthetic media / faceswap_kit.
        records: local records whose id matches the watermark's.
        notes: plain sentences worth knowing (small frames, removed mark...).
    """

    path: Path
    watermark: WatermarkReading | None
    credentials: CredentialsReading
    metadata: dict[str, str] = field(default_factory=dict)
    records: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        """The kit's watermark or its manifest was found (exit code 0)."""
        mark = self.watermark is not None and self.watermark.found
        return mark or self.credentials.from_kit

    def lines(self) -> list[str]:
        out = [f"file: {self.path}"]
        mark = self.watermark
        if mark is None:
            out.append("watermark: not read (no frames)")
        elif mark.found:
            agree = (
                f", all 32 bits agree with record {self.records[-1]['short_id']}"
                if self.records and mark.bits_agreement(self.records[-1]["payload_id"]) == 1.0
                else ""
            )
            out.append(
                f"watermark: FOUND 'made with faceswap_kit', id fsk-{mark.payload_id:04x} "
                f"(score {mark.score:.1f}, fixed bits {mark.magic_agreement:.0%} agree{agree}; "
                f"{mark.frames} frame(s), {mark.alignment})"
            )
        else:
            out.append(
                f"watermark: not found (score {mark.score:.1f}, fixed bits "
                f"{mark.magic_agreement:.0%} agree; chance is ~50%)"
            )
        cred = self.credentials
        if not cred.present:
            out.append(f"content credentials: {cred.state}")
        else:
            who = "faceswap_kit" if cred.from_kit else "another tool"
            status = "TAMPERED (changed after signing)" if cred.tampered else "intact"
            out.append(f"content credentials: present, made by {who}, {status} [{cred.state}]")
            if cred.digital_source_type:
                out.append(f"  source type: {cred.digital_source_type.rsplit('/', 1)[-1]}")
            if cred.record:
                rec = cred.record
                out.append(
                    f"  action: {rec.get('action')} - {rec.get('description')} "
                    f"(id {rec.get('short_id')}, {rec.get('created')})"
                )
                out.append(f"  identities: {', '.join(rec.get('identities') or ['-'])}")
                out.append(f"  consent: {rec.get('consent')}")
                if rec.get("watermark_removed"):
                    out.append(f"  watermark removed: {rec['watermark_removed']}")
            if cred.untrusted_signer:
                out.append("  signer: a local certificate on no public trust list")
            real = [c for c in cred.failures if "untrusted" not in c]
            if real:
                out.append(f"  failures: {', '.join(real)}")
        if self.metadata:
            out.append("metadata: " + "; ".join(f"{k}={v!r}" for k, v in self.metadata.items()))
        else:
            out.append("metadata: no synthetic-media tag")
        for record in self.records[-3:]:
            out.append(
                f"record: {record.get('short_id')} {record.get('file')} ({record.get('created')})"
            )
        out += [f"note: {note}" for note in self.notes]
        out.append(
            "verdict: "
            + ("made with faceswap_kit" if self.found else "no faceswap_kit mark or manifest found")
        )
        return out


def verify(path: str | os.PathLike) -> VerifyReport:
    """Check a video or image for the kit's watermark, Content Credentials and metadata tag.

    Raises:
        MediaError: the file is missing, empty or not a readable video or image.
    """

    path = Path(path)
    if not path.is_file():
        raise MediaError(f"expected an existing video or image file, got {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        frames, metadata = _video_frames(path)
    elif suffix in IMAGE_SUFFIXES:
        try:
            frames, metadata = [read_image(path)], _image_metadata(path)
        except MediaError:
            if not read_credentials(path).present:
                raise
            frames, metadata = [], {}  # a damaged file can still show whose manifest it had
    else:
        raise InputError(
            f"expected a video {VIDEO_SUFFIXES} or an image {IMAGE_SUFFIXES}, got {path.suffix!r}"
        )
    notes = [] if frames else ["the pixels cannot be decoded (the file is damaged)"]
    reading = read(frames) if frames else None
    if frames and min(frames[0].shape[:2]) < MIN_SIDE:
        notes.append(f"frames under {MIN_SIDE} px carry too little of the mark to read reliably")
    credentials = read_credentials(path)
    records = []
    if reading is not None and reading.found:
        records = find_records(reading.payload_id)
    if credentials.record.get("watermark_removed"):
        notes.append("the watermark was removed on purpose; the manifest records it")
    return VerifyReport(path, reading, credentials, metadata, records, notes)


def _video_frames(path: Path):

    reader = VideoReader(path)
    frames = []
    for frame in reader:
        frames.append(frame)
        if len(frames) >= VIDEO_FRAMES:
            break
    import av

    with av.open(str(path)) as container:
        tags = dict(container.metadata)
    return frames, _relevant(tags)


def _image_metadata(path: Path) -> dict[str, str]:
    from PIL import Image

    with Image.open(path) as image:
        tags = {k: v for k, v in image.info.items() if isinstance(v, str)}
    return _relevant(tags)


def _relevant(tags: dict) -> dict[str, str]:
    words = ("synthetic", "faceswap_kit", "ai-generated")
    return {k: str(v) for k, v in tags.items() if any(w in str(v).lower() for w in words)}
