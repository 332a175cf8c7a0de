"""The training data of a pretraining run: a rotating pool of crowd faces on the training device.

:class:`CrowdData` answers the :class:`~faceswap_kit.train.loop.Trainer` like
:class:`~faceswap_kit.train.data.FacePairData` does (``sample``, ``fixed``, ``count``,
``identities``), so the same loop, checkpoints, resume and Ctrl-C handling train on it:

- **crowd pretraining** (no ``target_seed``): both sides draw crowd faces; the shared encoder and
  both decoders learn to redraw thousands of people;
- **any-face** (``target_seed``): side A redraws the crowd face (keeps the encoder general), side
  B turns the crowd face into the ideal swap of the target person. ``a_to_b`` of the resulting
  model is the any-face swap.

Before each batch the pool takes in whatever the background :class:`CrowdRenderer` has
finished, replacing the oldest faces, so the model sees new people all the time.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import torch

from .augment import match_color, warp_batch
from .config import TrainConfig
from .crowd import CrowdConfig, CrowdRenderer
from .data import Batch

log = logging.getLogger(__name__)
KEYS = ("images", "masks", "regions")
IDEAL_KEYS = ("ideal", "ideal_masks", "ideal_regions")


class CrowdData:
    """A pool of ``config.pool_size`` aligned crowd faces (uint8) on ``device``, refreshed from a
    background renderer.

    Args:
        config: the crowd and its pool.
        resolution: model resolution (faces are rendered and aligned at this size).
        face_type: crop type.
        device: training device.
        next_index: first face number to render (a resumed run carries on where it stopped).
    """

    def __init__(
        self,
        config: CrowdConfig,
        resolution: int,
        face_type: str,
        device: torch.device | str,
        next_index: int = 0,
    ) -> None:
        self.config = config
        self.resolution = resolution
        self.face_type = face_type
        self.device = torch.device(device)
        self.keys = KEYS + (IDEAL_KEYS if config.anyface else ())
        self.pool: dict[str, torch.Tensor] = {}
        self.filled = 0  # faces in the pool so far (grows to pool_size)
        self.cursor = 0  # the next slot to replace once full
        self.next_index = next_index  # face number after the last face taken into the pool
        self.faces_taken = 0
        self.samples_drawn = 0
        self.renderer: CrowdRenderer | None = None
        self._started = 0.0

    # -- the renderer ---------------------------------------------------------------------------
    def start(self) -> CrowdData:
        """Render the first ``min_pool`` faces here, then keep rendering in the background."""
        if self.renderer is not None:
            return self
        self.renderer = CrowdRenderer(
            self.config, self.resolution, self.face_type, next_index=self.next_index
        )
        if self.filled < self.config.min_pool:
            start = self.renderer.next_index
            self._absorb(start, self.renderer.render_now(self.config.min_pool - self.filled))
            log.info(
                "crowd pool: %d faces rendered in %.1f s (%.0f ms a face)",
                self.filled,
                self.renderer.render_seconds,
                self.renderer.ms_per_face,
            )
        self._started = time.perf_counter()
        self.renderer.start()
        return self

    def stop(self) -> None:
        """Stop the background renderer (unfinished faces are dropped; resume re-renders them)."""
        if self.renderer is not None:
            self.renderer.stop()
            self.renderer = None

    def __enter__(self) -> CrowdData:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def refresh(self) -> int:
        """Take the faces the renderer has finished into the pool; returns how many."""
        if self.renderer is None:
            return 0
        taken = 0
        for start, faces in self.renderer.take():
            taken += self._absorb(start, faces)
        return taken

    def _absorb(self, start: int, faces: dict[str, torch.Tensor]) -> int:
        count = int(faces["images"].shape[0])
        capacity = self.config.pool_size
        if not self.pool:
            for key in self.keys:
                shape = (capacity, *faces[key].shape[1:])
                self.pool[key] = torch.zeros(shape, dtype=torch.uint8, device=self.device)
        if self.filled < capacity:
            slots = torch.arange(self.filled, self.filled + count) % capacity
            self.filled = min(capacity, self.filled + count)
        else:
            slots = torch.arange(self.cursor, self.cursor + count) % capacity
            self.cursor = (self.cursor + count) % capacity
        slots = slots.to(self.device)
        for key in self.keys:
            self.pool[key].index_copy_(0, slots, faces[key].to(self.device))
        self.next_index = max(self.next_index, start + count)
        self.faces_taken += count
        return count

    # -- what the trainer asks ------------------------------------------------------------------
    @property
    def identities(self) -> dict[str, dict[str, Any]]:
        c = self.config
        crowd = {
            "name": "crowd",
            "synthetic": True,
            "consent": "not needed: generated people who do not exist",
            "seeds": [c.first_seed, c.first_seed + c.people - 1],
            "source": f"faceswap_kit.synth crowd, seeds {c.first_seed}..{c.first_seed + c.people - 1}",
        }
        if not c.anyface:
            return {"a": crowd, "b": dict(crowd)}
        target = {
            "name": f"synth-{c.target_seed}",
            "seed": c.target_seed,
            "synthetic": True,
            "consent": "not needed: generated person who does not exist",
            "source": f"faceswap_kit.synth, seed {c.target_seed}, as the ideal swap into each "
            "crowd face's shot",
        }
        return {"a": crowd, "b": target}

    def count(self, side: str) -> int:
        return self.filled

    def card_info(self) -> dict[str, Any]:
        """What the model card says about the pretraining data."""
        c = self.config
        seen = c.people_seen(self.next_index)
        info: dict[str, Any] = {
            "kind": "any-face" if c.anyface else "crowd",
            "people_seen": seen,
            "faces_rendered": self.next_index,
            "seeds": [c.first_seed, c.first_seed + c.people - 1],
            "crowd": c.to_dict(),
            "summary": f"a crowd of {seen} generated people (seeds {c.first_seed}.."
            f"{c.first_seed + c.people - 1}, {self.next_index} faces in random scenes, "
            f"{c.faces_per_person} per person)",
        }
        if self.renderer is not None:
            info["render_ms_per_face"] = round(self.renderer.ms_per_face, 1)
        return info

    def state_dict(self) -> dict[str, Any]:
        """Saved in ``state.json``: the crowd and where its rendering stopped."""
        return {"crowd": self.config.to_dict(), "next_index": self.next_index}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if self.renderer is None:
            self.next_index = int(state.get("next_index", self.next_index))

    def stats(self, seconds: float | None = None) -> dict[str, float]:
        """Renderer throughput against what training consumes (for logs and the CLI)."""
        renderer = self.renderer
        elapsed = seconds or max(1e-9, time.perf_counter() - self._started)
        out = {"pool": float(self.filled), "faces_taken": float(self.faces_taken)}
        if renderer is not None:
            out["render_ms_per_face"] = renderer.ms_per_face
            out["render_cpu_share"] = renderer.cpu_seconds / elapsed
            out["faces_per_second"] = renderer.background_faces / max(elapsed, 1e-9)
        out["samples_per_face"] = self.samples_drawn / max(1, self.faces_taken)
        return out

    def _gather(self, index: torch.Tensor, keys: tuple[str, ...]) -> torch.Tensor:
        index = index.to(self.device)
        parts = [self.pool[key].index_select(0, index) for key in keys]
        return torch.cat(parts, dim=1).float().div_(255)

    def sample(self, batch_size: int, generator: torch.Generator, config: TrainConfig) -> Batch:
        """An augmented batch: side A redraws crowd faces; side B redraws other crowd faces, or
        (any-face) turns them into the target person's ideal swap."""
        self.refresh()
        n = batch_size
        index = torch.randint(self.filled, (2, n), generator=generator)
        self.samples_drawn += 2 * n
        images_a = self._gather(index[0], ("images",))
        extras_a = self._gather(index[0], ("masks", "regions"))
        images_b = self._gather(index[1], ("images",))
        b_target = IDEAL_KEYS if self.config.anyface else ("masks", "regions")
        extras_b = self._gather(index[1], b_target)
        if self.config.anyface:
            ideal_b, extras_b = extras_b[:, :3], extras_b[:, 3:]
        if config.color_transfer > 0:
            recolour = torch.rand(2, n, generator=generator) < config.color_transfer
            sides = [(images_a, extras_a, images_b, extras_b)]
            if not self.config.anyface:  # the ideal swap keeps its own colours
                sides.append((images_b, extras_b, images_a, extras_a))
            for row, (images, extras, ref, ref_extras) in enumerate(sides):
                chosen = recolour[row].nonzero().flatten().to(self.device)
                if chosen.numel():
                    images[chosen] = match_color(
                        images[chosen], extras[chosen, :1], ref[chosen], ref_extras[chosen, :1]
                    )
        target_b = ideal_b if self.config.anyface else images_b
        warped, target, extras = warp_batch(
            torch.cat([images_a, images_b]),
            torch.cat([torch.cat([images_a, extras_a], 1), torch.cat([target_b, extras_b], 1)]),
            generator,
            rotation=config.rotation,
            scale=config.scale,
            shift=config.shift,
            flip=config.flip,
            warp=config.warp,
        )
        target = extras[:, :3]  # the (jittered) target images: crowd faces or ideal swaps
        return Batch(
            warped_a=warped[:n],
            target_a=target[:n],
            mask_a=extras[:n, 3:4],
            region_a=extras[:n, 4:],
            warped_b=warped[n:],
            target_b=target[n:],
            mask_b=extras[n:, 3:4],
            region_b=extras[n:, 4:],
        )

    def fixed(self, side: str, count: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``count`` evenly spaced, unaugmented pool faces and masks (for previews)."""
        index = torch.linspace(0, self.filled - 1, min(count, self.filled)).round().long()
        images = self._gather(index, ("images",))
        return images, self._gather(index, ("masks",))
