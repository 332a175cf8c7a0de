"""A crowd of generated people, rendered straight into aligned faces for pretraining.

Face number ``k`` of a crowd is person ``first_seed + (k // faces_per_person) % people`` in the
random scene ``scene_seed(person, k, CROWD_STREAM)``: a run that has rendered ``k`` faces has
seen ``min(people, k / faces_per_person)`` people, and a resumed run carries on at face ``k``.
Landmarks come from the generator's ground truth (no detector), and nothing is written to disk.

With ``target_seed`` set, each face also carries the **ideal swap** of that person into the
crowd face's head, pose, expression, light and background (``synth.render_ideal_swap``),
aligned with the crowd face's matrix: the supervised target of an any-face model.

Seeds: the crowd starts at ``first_seed = 1000``; scoring uses people below 1000 (see
:mod:`faceswap_kit.evaluate`), so test people are never in the training crowd.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import torch

from ..align import transform_points, warp_to_aligned
from ..errors import InputError
from ..masks import face_mask, feather, region_masks
from ..synth import Identity, Scene, render, render_ideal_swap
from .synthfaces import render_aligned, scene_seed

log = logging.getLogger(__name__)
CROWD_STREAM = 3
FIRST_CROWD_SEED = 1000


@dataclass(frozen=True)
class CrowdConfig:
    """Who is in the crowd, how it is rendered, and how the in-memory pool rotates.

    Attributes:
        first_seed: identity seed of the first person (the crowd is ``first_seed ..
            first_seed + people - 1``; keep it >= 1000 so scoring people, below 1000, are unseen).
        people: number of distinct people.
        faces_per_person: consecutive faces (random scenes) of each person.
        pool_size: aligned faces held in memory; new faces replace the oldest.
        min_pool: faces rendered before training starts (the pool then grows in the background).
        render_share: fraction of one CPU core the background renderer may keep busy (it sleeps
            the rest; 0.5 on a 2-core machine is a quarter of the CPU).
        render_size: frame side rendered before alignment (0: ``2.5 * resolution``, >= 128).
        target_seed: the output person of an any-face model (``None``: plain crowd pretraining).
        max_yaw, max_pitch: pose range in degrees.
    """

    first_seed: int = FIRST_CROWD_SEED
    people: int = 5000
    faces_per_person: int = 2
    pool_size: int = 1024
    min_pool: int = 64
    render_share: float = 0.5
    render_size: int = 0
    target_seed: int | None = None
    max_yaw: float = 40.0
    max_pitch: float = 20.0

    def __post_init__(self) -> None:
        if self.first_seed < 0 or self.people < 1 or self.faces_per_person < 1:
            raise InputError(
                "expected first_seed >= 0, people >= 1 and faces_per_person >= 1, got "
                f"{self.first_seed}, {self.people}, {self.faces_per_person}"
            )
        if not 1 <= self.min_pool <= self.pool_size:
            raise InputError(
                f"expected 1 <= min_pool <= pool_size, got {self.min_pool} and {self.pool_size}"
            )
        if not 0 < self.render_share <= 1:
            raise InputError(f"expected render_share in (0, 1], got {self.render_share}")
        if self.target_seed is not None and (
            self.first_seed <= self.target_seed < self.first_seed + self.people
        ):
            raise InputError(
                f"expected the target person outside the crowd (seeds {self.first_seed}.."
                f"{self.first_seed + self.people - 1}), got target_seed {self.target_seed}"
            )

    @classmethod
    def preset(cls, preset: str, /, **overrides: Any) -> CrowdConfig:
        """Pool sizes per model preset: ``tiny`` (64 px) 512, ``lite`` 1024, ``default`` 2048."""
        pools = {"tiny": 512, "lite": 1024, "default": 2048}
        if preset not in pools:
            raise InputError(f"preset {preset!r} is unknown; expected one of {tuple(pools)}")
        values: dict[str, Any] = {"pool_size": pools[preset]}
        values.update(overrides)
        return cls(**values)

    @property
    def anyface(self) -> bool:
        return self.target_seed is not None

    def person(self, index: int) -> int:
        """Identity seed of face number ``index``."""
        return self.first_seed + (index // self.faces_per_person) % self.people

    def people_seen(self, faces: int) -> int:
        return min(self.people, -(-faces // self.faces_per_person))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CrowdConfig:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def _to_u8(x: torch.Tensor) -> torch.Tensor:
    return (x.clamp(0, 1) * 255).round().to(torch.uint8)


def render_crowd_faces(
    config: CrowdConfig, start: int, count: int, size: int, face_type: str = "whole_face"
) -> dict[str, torch.Tensor]:
    """Faces ``start .. start + count - 1`` of the crowd, aligned at ``size`` px, as uint8.

    Returns:
        ``{"images" (N,3,S,S), "masks" (N,1,S,S), "regions" (N,1,S,S)}`` on CPU, and with a
        ``target_seed`` also ``"ideal"`` (N,3,S,S), ``"ideal_masks"``, ``"ideal_regions"``: the
        target person's inner face in each crowd face's shot, aligned with the same matrix.

    >>> faces = render_crowd_faces(CrowdConfig(min_pool=1, pool_size=1), 0, 2, 64)
    >>> tuple(faces["images"].shape), faces["images"].dtype
    ((2, 3, 64, 64), torch.uint8)
    """
    render_size = config.render_size or max(128, int(size * 2.5))
    target = Identity.from_seed(config.target_seed) if config.anyface else None
    renders, ideals = [], []
    person: Identity | None = None
    person_seed = -1
    for index in range(start, start + count):
        seed = config.person(index)
        if seed != person_seed:
            person, person_seed = Identity.from_seed(seed), seed
        scene = Scene.random(
            scene_seed(seed, index, CROWD_STREAM),
            max_yaw=config.max_yaw,
            max_pitch=config.max_pitch,
        )
        shot = (scene.expression, scene.pose, scene.lighting, scene.background, render_size)
        renders.append(render(person, *shot))
        if target is not None:
            ideals.append(render_ideal_swap(target, person, *shot))
    aligned, landmarks, matrix, _ = render_aligned(renders, face_type, size)
    blur = max(1.0, size / 64)
    out = {
        "images": _to_u8(aligned),
        "masks": _to_u8(feather(face_mask(landmarks, size, face_type), blur)),
        "regions": _to_u8(region_masks(landmarks, size)),
    }
    if ideals:
        frames = torch.cat([r.image for r in ideals])
        ideal_landmarks = transform_points(torch.cat([r.landmarks for r in ideals]), matrix)
        out["ideal"] = _to_u8(warp_to_aligned(frames, matrix, size))
        out["ideal_masks"] = _to_u8(feather(face_mask(ideal_landmarks, size, face_type), blur))
        out["ideal_regions"] = _to_u8(region_masks(ideal_landmarks, size))
    return out


class CrowdRenderer:
    """Renders crowd faces on a background thread, busy at most ``render_share`` of the time.

    Finished chunks wait in a short queue; :meth:`take` hands them to the training thread
    without blocking. When the queue is full the renderer waits (it never renders faces that
    nobody will see), so neither side stalls the other.

    Args:
        config: the crowd.
        size, face_type: aligned crop.
        next_index: the first face number to render.
        chunk: faces per render call.
        queue_chunks: finished chunks kept waiting at most.
    """

    def __init__(
        self,
        config: CrowdConfig,
        size: int,
        face_type: str,
        next_index: int = 0,
        chunk: int = 4,
        queue_chunks: int = 4,
    ) -> None:
        self.config, self.size, self.face_type = config, size, face_type
        self.next_index = next_index
        self.chunk, self.queue_chunks = chunk, queue_chunks
        self._queue: list[tuple[int, dict[str, torch.Tensor]]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.faces_rendered = 0
        self.background_faces = 0  # rendered on the thread (not the initial fill)
        self.render_seconds = 0.0  # wall time spent rendering (the busy share)
        self.cpu_seconds = 0.0  # CPU time of the render thread itself
        self.started = 0.0

    def render_now(self, count: int) -> dict[str, torch.Tensor]:
        """Render ``count`` faces on the calling thread (the initial fill) and advance."""
        start = time.perf_counter()
        faces = render_crowd_faces(self.config, self.next_index, count, self.size, self.face_type)
        self.render_seconds += time.perf_counter() - start
        self.next_index += count
        self.faces_rendered += count
        return faces

    @property
    def ms_per_face(self) -> float:
        return 1000 * self.render_seconds / max(1, self.faces_rendered)

    def start(self) -> CrowdRenderer:
        if self._thread is not None and self._thread.is_alive():
            return self
        self._stop.clear()
        self.started = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name="faceswap-kit-crowd", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def take(self) -> list[tuple[int, dict[str, torch.Tensor]]]:
        """The finished ``(first face number, faces)`` chunks in order (possibly none);
        re-raises a render error on the caller."""
        if self.error is not None:
            raise RuntimeError(f"the crowd renderer stopped: {self.error}") from self.error
        with self._lock:
            chunks, self._queue = self._queue, []
        return chunks

    def _run(self) -> None:
        share = self.config.render_share
        try:
            while not self._stop.is_set():
                with self._lock:
                    full = len(self._queue) >= self.queue_chunks
                if full:
                    self._stop.wait(0.05)
                    continue
                wall, cpu = time.perf_counter(), time.thread_time()
                with self._lock:
                    index = self.next_index
                    self.next_index += self.chunk
                faces = render_crowd_faces(
                    self.config, index, self.chunk, self.size, self.face_type
                )
                busy = time.perf_counter() - wall
                self.cpu_seconds += time.thread_time() - cpu
                self.render_seconds += busy
                self.faces_rendered += self.chunk
                self.background_faces += self.chunk
                with self._lock:
                    self._queue.append((index, faces))
                self._stop.wait(busy * (1 - share) / share)  # rest so that busy <= share
        except BaseException as exc:  # handed to the training thread by take()
            self.error = exc
            log.error("crowd renderer failed: %s", exc)
