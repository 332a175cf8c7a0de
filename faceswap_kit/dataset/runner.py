"""The machinery of one extraction run: the summary it returns, frame prefetching, and the job
that detects on the calling thread, aligns on a second thread and writes on a pool (so the stages
overlap), with checkpoints that make the run resumable."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..errors import DatasetError
from .format import FACES, MANIFEST, face_paths, write_json_atomic
from .select import choose_face
from .sources import Problem
from .writer import FaceBatch, align_batch, write_face

log = logging.getLogger(__name__)

SAVE_EVERY_FRAMES = 250


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


class ExtractJob:
    """State of one extraction run: pending faces, the alignment thread, the writer pool, the
    manifest and its checkpoints. Used by :func:`faceswap_kit.dataset.extract`."""

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
        seen_before = int(record.get("frames_seen", 0))
        skipped = Counter(record.get("skipped", {}))
        # faces of this source already on disk (also those curation moved to removed/): the
        # record counts what is there, whatever an interrupted run managed to note down
        faces = sum(1 for key, _ in done if key == item.key)
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
                reason = self._detect(item, index, frame, det, choose, signature, min_size)
                if reason:
                    skipped[reason] += 1
                    self.summary.skipped_frames[reason] += 1
                else:
                    faces += 1
                seen = index + 1  # every frame before this one is handled
                if len(self.pending) >= self.batch_size:
                    self._align_pending()
                if self.summary.frames_seen % SAVE_EVERY_FRAMES == 0:
                    self.flush()
                    record.update(frames_seen=seen, skipped=dict(skipped), faces=faces)
                    self.save()
        finally:
            stream.close()  # stops the decoding thread when we stop early
            # also when interrupted: the pending faces are written before the manifest is saved
            record.update(frames_seen=seen, skipped=dict(skipped), faces=faces)
        if item.kind == "video" and item.frame_count and count < item.frame_count and limit is None:
            problem = f"truncated: read {count} of {item.frame_count} frames"
            self.summary.skipped_files.append(Problem(item.key, problem))
            record["problem"] = problem
        if count == 0 and seen_before == 0:
            raise DatasetError(f"{item.key} gave no frames")
        self.flush()
        record.update(complete=limit is None)

    def _detect(self, item, index, frame, det, choose, signature, min_size) -> str | None:
        """Detect and choose the face of one frame and queue it; the reason when there is none."""

        now = time.perf_counter()
        found = det(frame)
        self.summary.stage_seconds["detect"] += time.perf_counter() - now
        face = choose_face(found, choose, frame=frame, reference=signature)
        if face is None:
            return "no face found" if not found else "no face matching the choice"
        if face.size < min_size:
            return f"face too small (< {min_size:g} px)"
        self.pending.append((item, index, frame, face))
        return None

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
                    meta, self.image_format, aligned.landmarks_json(k),
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
