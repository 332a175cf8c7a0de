"""Extraction: source frames -> detect -> choose a face -> align -> mask -> score -> face set on disk.

Frames stream through (a video is never held whole); faces are aligned in batches with one kornia
warp on the chosen device; images and metadata are written by a small thread pool, atomically.
Rerunning on the same output folder skips work already done; a crash loses nothing finished.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ..detect import MediaPipeDetector
from ..device import get_device
from ..errors import DatasetError, FaceswapKitError, NoFaceFoundError
from .config import ExtractConfig
from .format import (
    FACES,
    MANIFEST_FORMAT,
    Identity,
    check_output_folder,
    face_paths,
    read_json,
)
from .lock import faceset_lock
from .runner import ExtractJob, ExtractSummary, _now
from .select import choose_face, face_signature
from .sources import Problem, SourceItem, recorded_consent, resolve_sources

log = logging.getLogger(__name__)


def _identity(
    identity: Identity | dict | None, items: list[SourceItem], manifest, source
) -> Identity:
    if isinstance(identity, dict):
        return Identity(**identity)
    if isinstance(identity, Identity):
        return identity
    if manifest is not None and manifest.get("identity"):
        return Identity(**manifest["identity"])
    consent = recorded_consent(source)
    if consent is not None:
        return Identity(
            name=str(consent.get("subject", "me")),
            synthetic=False,
            consent=f"{consent.get('consent', 'recorded')} ({consent.get('recorded_at', '')})",
        )
    seeds = {item.synthetic_seed for item in items if item.synthetic_seed is not None}
    if seeds and len(seeds) == 1 and all(item.synthetic_seed is not None for item in items):
        return Identity.synthetic_person(seeds.pop())
    log.warning("no identity given: recording 'unnamed', consent 'not recorded'")
    return Identity()


def _done_faces(folder: Path) -> tuple[set[tuple[str, int]], int]:
    """Faces already extracted (including those curation moved to ``removed/``)."""
    done, next_id = set(), 0
    removed = sorted((folder / "removed").glob("[0-9]*.json"))
    for path in face_paths(folder) + removed:
        try:
            meta = read_json(path)
            done.add((str(meta["source"]["key"]), int(meta["source"]["frame"])))
            next_id = max(next_id, int(path.stem) + 1)
        except (DatasetError, KeyError, ValueError, TypeError):
            log.warning("ignoring damaged metadata %s", path)
    return done, next_id


def extract(
    source: str | os.PathLike | Iterable[np.ndarray],
    out_dir: str | os.PathLike,
    face_type: str | None = None,
    size: int | None = None,
    *,
    config: ExtractConfig | None = None,
    identity: Identity | dict | None = None,
    reference: np.ndarray | None = None,
    detector: Any = None,
    progress: bool = False,
    name: str | None = None,
    **settings: Any,
) -> ExtractSummary:
    """Extract an aligned, masked, scored face set of one person from a source.

    Args:
        source: video file, image file, folder, or iterable of uint8 RGB frames (webcam).
        out_dir: the face set folder (created; if it exists it must be empty or a face set made
            with the same ``face_type``, ``size`` and ``image_format``, which is then resumed).
        face_type, size: shortcuts for the :class:`ExtractConfig` fields of those names.
        config: the run's settings (default ``ExtractConfig()``); ``face_type``, ``size`` and
            keyword ``settings`` (any other :class:`ExtractConfig` field, e.g. ``max_frames=5``)
            replace its fields.
        identity: who the faces show (name, synthetic, consent); generated clips fill it in.
        reference: an uint8 RGB image of the wanted person (implies ``choose="reference"``).
        detector: a :class:`faceswap_kit.detect.Detector` to use instead of mediapipe.
        progress: show a tqdm progress bar.
        name: source key for an iterable of frames (default ``frames-<UTC time>``; give the same
            name again to resume an interrupted recording).

    Torch threads and Python's thread switch interval are the caller's choice: on a small CPU
    ``with faceswap_kit.threads.extraction_threads(1): extract(...)`` (what the ``extract``
    command does) is ~2-3x faster than torch's default.

    Returns:
        An :class:`ExtractSummary` (print it).

    Raises:
        InputError: bad parameters. MediaError: the source cannot be read at all.
        DatasetError: the output folder holds other data or another kind of face set.
    """
    shortcuts = {"face_type": face_type, "size": size}
    changes = {key: value for key, value in shortcuts.items() if value is not None}
    config = (config or ExtractConfig()).replace(**changes, **settings)
    if config.device is not None:
        get_device(config.device)  # an unknown or absent device: one clear error
    folder = Path(out_dir)
    check_output_folder(folder)  # a folder of other data is refused before anything is created
    with faceset_lock(folder):  # one extraction at a time per face set
        return _extract(source, folder, config, identity, reference, detector, progress, name)


def _extract(
    source, folder: Path, config: ExtractConfig, identity, reference, detector, progress, name
) -> ExtractSummary:
    start = time.perf_counter()
    face_type, size = config.face_type, config.size
    device = None if config.device is None else get_device(config.device)
    choose, faces_per_frame = config.choose, config.faces_per_frame
    manifest = check_output_folder(folder)
    image_format = config.image_format or (manifest or {}).get("image_format", "jpg")
    if manifest is not None:
        settings = (manifest.get("face_type"), manifest.get("size"), manifest.get("image_format"))
        if settings != (face_type, size, image_format):
            raise DatasetError(
                f"{str(folder)!r} is a face set of {settings}, not {(face_type, size, image_format)}"
                "; use those settings to add to it, or another output folder"
            )
    name = name or f"frames-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}"
    items, problems = resolve_sources(source, name=name)
    who = _identity(identity, items, manifest, source)
    if manifest is not None and manifest.get("identity") and who.to_dict() != manifest["identity"]:
        raise DatasetError(
            f"{str(folder)!r} holds faces of {manifest['identity']}, not {who.to_dict()}; a face "
            "set holds one identity: use another output folder"
        )
    (folder / FACES).mkdir(parents=True, exist_ok=True)
    manifest = manifest or {
        "format": MANIFEST_FORMAT,
        "created": _now(),
        "face_type": face_type,
        "size": size,
        "image_format": image_format,
        "landmarks": "478 points, mediapipe face-mesh order (468-477 irises), pixel centres at "
        "integer coordinates",
        "sources": {},
    }
    manifest["identity"] = who.to_dict()
    summary = ExtractSummary(out_dir=folder, skipped_files=list(problems))
    done, next_id = _done_faces(folder)
    summary.faces_before = len(done)
    job = ExtractJob(
        folder, manifest, summary, face_type, size, image_format, config.batch_size, device
    )
    job.next_id = next_id
    job.save()
    own_detector = detector is None
    signature = None
    if reference is not None:
        signature, choose = _reference_signature(reference), "reference"
    if choose != "largest" and faces_per_frame == 1:
        faces_per_frame = 3  # choosing among faces needs the detector to look for several
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=sum(i.frame_count for i in items) or None, unit="frame", desc="extract")
    pool = ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="faceset-writer")
    job.pool = pool
    try:
        for item in items:
            record = manifest["sources"].setdefault(item.key, {"kind": item.kind})
            if record.get("complete"):
                if bar is not None:
                    bar.update(item.frame_count)
                continue
            det = detector
            if own_detector:
                mode = "video" if item.kind in ("video", "frames") else "image"
                det = MediaPipeDetector(mode=mode, max_faces=max(1, faces_per_frame))
            try:
                job.run_item(
                    item,
                    record,
                    det,
                    done,
                    choose,
                    signature,
                    config.min_face_size,
                    config.every,
                    config.max_frames,
                    bar,
                )
                summary.sources += 1
            except FaceswapKitError as exc:
                summary.skipped_files.append(Problem(item.key, str(exc)))
                record["problem"] = str(exc)
            finally:
                if own_detector:
                    det.close()
                elif hasattr(det, "reset"):
                    det.reset()
            job.flush()
            job.save()
    finally:
        job.flush()
        job.aligner.shutdown(wait=True)
        pool.shutdown(wait=True)
        job.save()
        if bar is not None:
            bar.close()
    summary.seconds = time.perf_counter() - start
    return summary


def _reference_signature(reference: np.ndarray) -> np.ndarray:

    with MediaPipeDetector(mode="image", max_faces=4) as det:
        faces = det(reference)
    face = choose_face(faces, "largest")
    if face is None:
        raise NoFaceFoundError(
            "the reference image shows no face; give a clear photo of the person"
        )
    return face_signature(reference, face)
