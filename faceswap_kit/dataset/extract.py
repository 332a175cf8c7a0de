"""Extraction: source frames -> detect -> choose a face -> align -> mask -> score -> face set on disk.

Frames stream through (a video is never held whole); faces are aligned in batches with one kornia
warp on the chosen device; images and metadata are written by a small thread pool, atomically.
Rerunning on the same output folder skips work already done; a crash loses nothing finished.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..align import check_face_type, check_size
from ..errors import DatasetError, FaceswapKitError, InputError
from .format import (
    FACES,
    IMAGE_FORMATS,
    MANIFEST,
    MANIFEST_FORMAT,
    Identity,
    check_output_folder,
    face_paths,
    read_json,
    write_json_atomic,
)
from .sources import Problem, SourceItem, recorded_consent, resolve_sources
from .writer import FaceBatch, align_batch, write_face

log = logging.getLogger(__name__)

SAVE_EVERY_FRAMES = 250
SWITCH_INTERVAL = 0.001  # seconds; see extract()


@dataclass
class ExtractSummary:
    """What an extraction did.

    Attributes:
        out_dir: the face set folder.
        faces_written: faces written by this run.
        faces_before: faces that were already there (skipped as done).
        frames_seen: frames looked at by this run.
        sources: number of frame streams (files) processed.
        skipped_frames: reason -> number of frames without a usable face.
        skipped_files: files that could not be read, with the reason.
        seconds: wall time.
        stage_seconds: busy time per stage, summed over its threads: ``decode`` (time the
            detector waited for frames), ``detect``, ``align`` (align, mask, score: one thread),
            ``write`` (encode + write: the writer threads).
    """

    out_dir: Path
    faces_written: int = 0
    faces_before: int = 0
    frames_seen: int = 0
    sources: int = 0
    skipped_frames: Counter = field(default_factory=Counter)
    skipped_files: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    stage_seconds: Counter = field(default_factory=Counter)

    @property
    def faces_total(self) -> int:
        return self.faces_written + self.faces_before

    @property
    def frames_per_second(self) -> float:
        return self.frames_seen / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        lines = [
            f"face set {self.out_dir}: {self.faces_total} faces "
            f"({self.faces_written} new, {self.faces_before} already there)",
            f"  {self.frames_seen} frames from {self.sources} source(s) in {self.seconds:.1f} s "
            f"({self.frames_per_second:.0f} frames/s)",
        ]
        for reason, count in sorted(self.skipped_frames.items()):
            lines.append(f"  skipped {count} frame(s): {reason}")
        for problem in self.skipped_files:
            lines.append(f"  skipped file {problem.source}: {problem.reason}")
        return "\n".join(lines)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _prefetch(frames: Iterator, depth: int = 6) -> Iterator:
    """Decode in a background thread while the caller detects."""
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def run() -> None:
        try:
            for item in frames:
                if stop.is_set():
                    return
                buffer.put(item)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the consumer
            buffer.put(exc)
        buffer.put(done)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                buffer.get_nowait()
            except queue.Empty:
                thread.join(0.05)


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
    face_type: str = "whole_face",
    size: int = 256,
    *,
    identity: Identity | dict | None = None,
    image_format: str = "png",
    min_face_size: float = 40.0,
    choose: str | int = "largest",
    faces_per_frame: int = 1,
    reference: np.ndarray | None = None,
    every: int = 1,
    max_frames: int | None = None,
    batch_size: int = 16,
    workers: int = 2,
    device: torch.device | str | None = None,
    detector: Any = None,
    progress: bool = False,
    name: str | None = None,
    torch_threads: int | None = None,
) -> ExtractSummary:
    """Extract an aligned, masked, scored face set of one person from a source.

    Args:
        source: video file, image file, folder, or iterable of uint8 RGB frames (webcam).
        out_dir: the face set folder (created; if it exists it must be empty or a face set made
            with the same ``face_type``, ``size`` and ``image_format``, which is then resumed).
        face_type: ``half``, ``full``, ``whole_face`` or ``head``.
        size: crop side in pixels (64-512 usual).
        identity: who the faces show (name, synthetic, consent); generated clips fill it in.
        image_format: ``"png"`` (lossless) or ``"jpg"`` (quality 95).
        min_face_size: skip faces smaller than this many source pixels.
        choose: with several faces, ``"largest"``, an index (left to right) or ``"reference"``.
        faces_per_frame: how many faces the detector looks for (1 is fastest).
        reference: an uint8 RGB image of the wanted person (implies ``choose="reference"``).
        every: keep every n-th frame of a video.
        max_frames: stop each stream after this many frames.
        batch_size: faces aligned per warp.
        workers: writer threads.
        device: where alignment runs (default CPU).
        detector: a :class:`faceswap_kit.detect.Detector` to use instead of mediapipe.
        progress: show a tqdm progress bar.
        torch_threads: torch CPU threads during this run (restored afterwards). On a small CPU,
            ``1`` leaves a core to the detector and is ~2-3x faster than torch's default.
            Python's thread switch interval is also lowered to 1 ms during the run (restored).
        name: source key for an iterable of frames (default ``frames-<UTC time>``; give the same
            name again to resume an interrupted recording).

    Returns:
        An :class:`ExtractSummary` (print it).

    Raises:
        InputError: bad parameters. MediaError: the source cannot be read at all.
        DatasetError: the output folder holds other data or another kind of face set.
    """
    if torch_threads is not None and torch_threads < 1:
        raise InputError(f"torch_threads must be >= 1, got {torch_threads}")
    options = {k: v for k, v in locals().items() if k != "torch_threads"}
    saved_threads, saved_interval = torch.get_num_threads(), sys.getswitchinterval()
    # The detector hands its results back through Python callbacks; with the default 5 ms thread
    # switch interval they queue behind the alignment and writer threads (measured: a frame took
    # 22 ms instead of 9 next to a busy Python thread). 1 ms removes the wait.
    sys.setswitchinterval(min(saved_interval, SWITCH_INTERVAL))
    if torch_threads is not None:
        torch.set_num_threads(torch_threads)
    try:
        return _extract(**options)
    finally:
        sys.setswitchinterval(saved_interval)
        torch.set_num_threads(saved_threads)


def _extract(
    source, out_dir, face_type, size, identity, image_format, min_face_size, choose,
    faces_per_frame, reference, every, max_frames, batch_size, workers, device, detector,
    progress, name,
) -> ExtractSummary:  # fmt: skip
    start = time.perf_counter()
    check_face_type(face_type)
    check_size(size)
    if image_format not in IMAGE_FORMATS:
        raise InputError(f"image_format must be one of {IMAGE_FORMATS}, got {image_format!r}")
    if every < 1 or batch_size < 1 or workers < 1:
        raise InputError(
            f"every, batch_size, workers must be >= 1, got {every, batch_size, workers}"
        )
    folder = Path(out_dir)
    manifest = check_output_folder(folder)
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
    job = _Job(folder, manifest, summary, face_type, size, image_format, batch_size, device)
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
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="faceset-writer")
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
                from ..detect import MediaPipeDetector

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
                    min_face_size,
                    every,
                    max_frames,
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
    from ..detect import MediaPipeDetector, choose_face, face_signature
    from ..errors import NoFaceFoundError

    with MediaPipeDetector(mode="image", max_faces=4) as det:
        faces = det(reference)
    face = choose_face(faces, "largest")
    if face is None:
        raise NoFaceFoundError(
            "the reference image shows no face; give a clear photo of the person"
        )
    return face_signature(reference, face)


class _Job:
    """State of one extraction run (kept out of ``extract`` to keep it readable)."""

    def __init__(self, folder, manifest, summary, face_type, size, image_format, batch, device):
        self.folder, self.manifest, self.summary = folder, manifest, summary
        self.face_type, self.size, self.image_format = face_type, size, image_format
        self.batch_size, self.device = batch, device
        self.pending: list[tuple] = []
        self.futures: list[Future] = []
        self.next_id = 0
        self.pool: ThreadPoolExecutor | None = None
        self.aligner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="faceset-align")
        self.aligning: list[Future] = []
        self.synced = 0

    def save(self) -> None:
        self.manifest["updated"] = _now()
        self.manifest["faces"] = len(face_paths(self.folder))
        write_json_atomic(self.folder / MANIFEST, self.manifest)

    def run_item(self, item, record, det, done, choose, signature, min_size, every, limit, bar):
        from ..detect import choose_face

        seen_before = int(record.get("frames_seen", 0))
        skipped = Counter(record.get("skipped", {}))
        faces = int(record.get("faces", 0))
        seen = seen_before
        count = 0
        stream = _prefetch(item.frames())
        try:
            while True:
                now = time.perf_counter()
                index, frame = next(stream, (None, None))
                self.summary.stage_seconds["decode"] += time.perf_counter() - now
                if frame is None:
                    break
                if bar is not None:
                    bar.update(1)
                if limit is not None and count >= limit:
                    break
                count += 1
                if index < seen_before or index % every or (item.key, index) in done:
                    continue
                self.summary.frames_seen += 1
                seen = index + 1
                now = time.perf_counter()
                found = det(frame)
                self.summary.stage_seconds["detect"] += time.perf_counter() - now
                face = choose_face(found, choose, frame=frame, reference=signature)
                if face is None:
                    reason = "no face found" if not found else "no face matching the choice"
                    skipped[reason] += 1
                    self.summary.skipped_frames[reason] += 1
                    continue
                if face.size < min_size:
                    reason = f"face too small (< {min_size:g} px)"
                    skipped[reason] += 1
                    self.summary.skipped_frames[reason] += 1
                    continue
                self.pending.append((item, index, frame, face))
                faces += 1
                if len(self.pending) >= self.batch_size:
                    self._align_pending()
                if self.summary.frames_seen % SAVE_EVERY_FRAMES == 0:
                    self.flush()
                    record.update(frames_seen=seen, skipped=dict(skipped), faces=faces)
                    self.save()
        finally:
            stream.close()  # stops the decoding thread when we stop early
        if item.kind == "video" and item.frame_count and count < item.frame_count and limit is None:
            problem = f"truncated: read {count} of {item.frame_count} frames"
            self.summary.skipped_files.append(Problem(item.key, problem))
            record["problem"] = problem
        if count == 0 and seen_before == 0:
            raise DatasetError(f"{item.key} gave no frames")
        self.flush()
        record.update(frames_seen=seen, skipped=dict(skipped), faces=faces, complete=limit is None)

    def _align_pending(self) -> None:
        """Hand the pending faces to the alignment thread (which overlaps with detection)."""
        if not self.pending:
            return
        batch, first_id = self.pending, self.next_id
        self.next_id += len(batch)
        self.pending = []
        self.aligning.append(self.aligner.submit(self._align_and_write, batch, first_id))
        self.summary.faces_written += len(batch)
        while len(self.aligning) > 2:  # at most two batches in flight: memory stays flat
            self.futures.extend(self.aligning.pop(0).result())
        if len(self.futures) > 4 * self.batch_size:
            self._wait(len(self.futures) - 2 * self.batch_size)

    def _align_and_write(self, pending: list[tuple], first_id: int) -> list[Future]:
        start = time.perf_counter()
        aligned: FaceBatch = align_batch(pending, self.face_type, self.size, device=self.device)
        self.summary.stage_seconds["align"] += time.perf_counter() - start
        futures = []
        for k, (item, index, frame, face) in enumerate(pending):
            meta = aligned.metadata(k, item, index, frame.shape, face)
            meta["id"] = first_id + k
            futures.append(
                self.pool.submit(
                    self._timed_write, self.folder / FACES, f"{first_id + k:06d}", aligned.images[k],
                    meta, self.image_format,
                )
            )  # fmt: skip
        return futures

    def _timed_write(self, *args) -> None:
        start = time.perf_counter()
        write_face(*args)
        self.summary.stage_seconds["write"] += time.perf_counter() - start

    def _wait(self, count: int) -> None:
        for future in self.futures[:count]:
            future.result()
        self.futures = self.futures[count:]

    def flush(self) -> None:
        """Align what is pending, wait for every write, and sync them to disk (a checkpoint)."""
        self._align_pending()
        while self.aligning:
            self.futures.extend(self.aligning.pop(0).result())
        self._wait(len(self.futures))
        if self.summary.faces_written > self.synced:
            os.sync()  # the faces' files reach the disk before the manifest says they are done
            self.synced = self.summary.faces_written
