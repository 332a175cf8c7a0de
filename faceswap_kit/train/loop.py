"""The training loop: AdamW, bf16 autocast and channels-last on CUDA, optional ``torch.compile``,
periodic atomic checkpoints, exact resume, save-on-interrupt and rollback on non-finite losses."""

from __future__ import annotations

import contextlib
import copy
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from ..errors import CheckpointError, TrainingError
from ..models.config import ModelConfig
from ..models.swap_model import SwapModel, build_network, parameter_count
from .config import TrainConfig
from .data import Batch, FacePairData
from .distributed import DistributedContext
from .losses import discriminator_gan_term, generator_gan_term, reconstruction_terms
from .state import load_training_state, save_training_state

log = logging.getLogger(__name__)

Callback = Callable[["Trainer", dict[str, Any]], None]


@dataclass
class TrainSummary:
    """What a training run did (printed by the CLI and the demo)."""

    model_dir: str
    step: int
    steps_this_run: int
    seconds_this_run: float
    samples_per_second: float
    losses: dict[str, float]
    stopped_by: str
    parameters: int
    checkpoints: int = 0
    rollbacks: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        loss = " ".join(f"{k}={v:.4f}" for k, v in self.losses.items())
        return (
            f"trained to step {self.step} (+{self.steps_this_run} in {self.seconds_this_run:.0f} s, "
            f"{self.samples_per_second:.1f} samples/s, stopped by {self.stopped_by}); {loss}; "
            f"saved in {self.model_dir}"
        )


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class Trainer:
    """Trains one swap model on two face sets.

    Args:
        data: both face sets on the training device.
        model_dir: where checkpoints go.
        model_config: architecture (ignored when resuming: the directory's config wins, and a
            different explicit one is an error).
        train_config: training settings.
        resume: continue from the checkpoint in ``model_dir``.
        provenance: data provenance for the model card (paths, counts, identities).
    """

    def __init__(
        self,
        data: FacePairData,
        model_dir: str | Path,
        model_config: ModelConfig,
        train_config: TrainConfig,
        resume: bool = False,
        provenance: dict[str, Any] | None = None,
    ) -> None:
        self.data = data
        self.device = data.device
        self.model_dir = Path(model_dir)
        self.model_config = model_config
        self.config = train_config
        self.provenance = dict(provenance or {})
        self.step = 0
        self.elapsed = 0.0
        self.history: list[dict[str, float]] = []
        self.scores: list[dict[str, Any]] = []
        self.timings: dict[str, float] = {}
        self.profile = False
        self.scorer: Callable[[SwapModel], dict[str, Any]] | None = None
        self.checkpoints = 0
        self.rollbacks = 0
        # extra card fields that persist across resumes (init model, command lines, target)
        self.card_extra: dict[str, Any] = {}
        self.distributed = DistributedContext.from_environment(self.device)
        torch.manual_seed(train_config.seed)  # same initial weights on every rank
        self.generator = torch.Generator().manual_seed(train_config.seed + self.distributed.rank)
        self.network = build_network(model_config).to(self.device)
        self.discriminator: torch.nn.Module | None = None
        if train_config.gan_power > 0:
            from ..models.discriminator import PatchDiscriminator

            self.discriminator = PatchDiscriminator(max(16, model_config.decoder_dims)).to(
                self.device
            )
        cuda = self.device.type == "cuda"
        if cuda and train_config.channels_last:
            self.network.to(memory_format=torch.channels_last)
        self.optimizer = self._make_optimizer(self.network)
        # the averaged weights: what checkpoints save, scores measure and previews show
        self.ema: torch.nn.Module | None = None
        if train_config.ema_decay > 0:
            self.ema = copy.deepcopy(self.network).eval().requires_grad_(False)
        self.d_optimizer = (
            self._make_optimizer(self.discriminator) if self.discriminator is not None else None
        )
        self.autocast_dtype: torch.dtype | None = None
        if cuda and train_config.mixed_precision:
            self.autocast_dtype = (
                torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
            )
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.autocast_dtype == torch.float16)
        self._model: torch.nn.Module = self.distributed.wrap(self.network, self.device)
        self._discriminator = (
            self.distributed.wrap(self.discriminator, self.device)
            if self.discriminator is not None
            else None
        )
        if train_config.compile:
            self._model = torch.compile(self._model)
        if resume:
            load_training_state(self)
        elif (self.model_dir / "state.json").exists():
            raise CheckpointError(
                f"{self.model_dir} already holds a trained model; pass resume=True (--resume) to "
                "continue it, or choose an empty model directory"
            )

    def _make_optimizer(self, module: torch.nn.Module) -> torch.optim.Optimizer:
        c = self.config
        return torch.optim.AdamW(
            module.parameters(),
            lr=c.learning_rate,
            betas=(c.beta1, c.beta2),
            weight_decay=c.weight_decay,
        )

    @property
    def parameters(self) -> int:
        return parameter_count(self.network)

    def _autocast(self) -> contextlib.AbstractContextManager:
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast("cuda", dtype=self.autocast_dtype)

    def _mark(self, key: str, start: float) -> float:
        if self.profile:
            _sync(self.device)
        now = time.perf_counter()
        self.timings[key] = (now - start) * 1000
        return now

    def sample_batch(self) -> Batch:
        batch = self.data.sample(self.config.batch_size, self.generator, self.config)
        if self.device.type == "cuda" and self.config.channels_last:
            for name in ("warped_a", "warped_b"):
                setattr(
                    batch, name, getattr(batch, name).contiguous(memory_format=torch.channels_last)
                )
        return batch

    def train_step(self) -> dict[str, float]:
        """One optimisation step; returns the loss terms. Raises ``FloatingPointError`` on a
        non-finite loss (the caller rolls back)."""
        self.network.train()
        start = time.perf_counter()
        batch = self.sample_batch()
        now = self._mark("data_ms", start)
        with self._autocast():
            rgb_a, mask_a, rgb_b, mask_b = self._model(batch.warped_a, b=batch.warped_b)
            terms_a = reconstruction_terms(
                rgb_a, mask_a, batch.target_a, batch.mask_a, batch.region_a, self.config
            )
            terms_b = reconstruction_terms(
                rgb_b, mask_b, batch.target_b, batch.mask_b, batch.region_b, self.config
            )
            terms = {f"{k}_a": v for k, v in terms_a.items()}
            terms.update({f"{k}_b": v for k, v in terms_b.items()})
            if self._discriminator is not None:
                fake = torch.cat([rgb_a, rgb_b])
                terms["gan"] = self.config.gan_power * generator_gan_term(self._discriminator(fake))
            loss = sum(terms.values())
        now = self._mark("forward_ms", now)
        if not torch.isfinite(loss):
            raise FloatingPointError("; ".join(f"{k}={float(v):.4g}" for k, v in terms.items()))
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        now = self._mark("backward_ms", now)
        if self.config.clip_grad > 0:
            self.scaler.unscale_(self.optimizer)
            torch.nn.utils.clip_grad_norm_(self.network.parameters(), self.config.clip_grad)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        if self._discriminator is not None and self.d_optimizer is not None:
            with self._autocast():
                real = torch.cat([batch.target_a, batch.target_b])
                d_loss = discriminator_gan_term(
                    self._discriminator(real), self._discriminator(fake.detach())
                )
            self.d_optimizer.zero_grad(set_to_none=True)
            d_loss.backward()
            self.d_optimizer.step()
            terms["discriminator"] = d_loss.detach()
        self._update_ema()
        self._mark("optimizer_ms", now)
        self.step += 1
        values = {k: float(v.detach()) for k, v in terms.items()}
        values["total"] = float(loss.detach())
        return values

    @torch.no_grad()
    def _update_ema(self) -> None:
        if self.ema is None:
            return
        decay = min(self.config.ema_decay, (1 + self.step) / (10 + self.step))
        for average, current in zip(self.ema.parameters(), self.network.parameters(), strict=True):
            average.lerp_(current.detach(), 1.0 - decay)
        for average, current in zip(self.ema.buffers(), self.network.buffers(), strict=True):
            average.copy_(current)

    @property
    def averaged(self) -> torch.nn.Module:
        """The network a checkpoint saves: the weight average, or the raw network without one."""
        return self.ema if self.ema is not None else self.network

    def save(self) -> None:
        """Write an atomic checkpoint (weights, configs, optimizer, state, model card); when a
        ``scorer`` is set, score the model first so the card carries the score. Under DDP only
        rank 0 writes."""
        if not self.distributed.is_main:
            return
        if self.scorer is not None and not any(s.get("step") == self.step for s in self.scores):
            score = self.scorer(self.swap_model())
            self.scores.append({"step": self.step, "seconds": round(self.elapsed, 1), **score})
            log.info("step %d scores: %s", self.step, score.get("methods"))
        save_training_state(self)
        self.checkpoints += 1

    def rollback(self, reason: str) -> None:
        """Go back to the last checkpoint after a non-finite loss, halving the learning rate."""
        self.rollbacks += 1
        if self.rollbacks > self.config.max_rollbacks:
            raise TrainingError(
                f"the loss became non-finite {self.rollbacks} times ({reason}); lower the "
                "learning rate (e.g. learning_rate / 10) or turn off mixed precision, then resume"
            )
        if not (self.model_dir / "state.json").exists():
            raise TrainingError(f"the loss became non-finite ({reason}) before any checkpoint")
        bad_step = self.step
        load_training_state(self)
        for group in self.optimizer.param_groups:
            group["lr"] = group["lr"] / 2
        log.warning(
            "non-finite loss at step %d (%s): rolled back to the checkpoint of step %d and halved "
            "the learning rate to %.3g",
            bad_step,
            reason,
            self.step,
            self.optimizer.param_groups[0]["lr"],
        )

    def swap_model(self) -> SwapModel:
        """The model as a checkpoint saves it (the weight average; see ``TrainConfig.ema_decay``),
        wrapped for :meth:`SwapModel.swap`; it shares the trainer's tensors."""
        model = SwapModel(self.averaged, card={}, path=self.model_dir)
        self.network.train()
        return model

    @torch.no_grad()
    def preview(self, count: int = 4) -> dict[str, torch.Tensor]:
        """Fixed faces of both sets and what the network makes of them.

        Returns:
            ``{"a", "a_to_a", "a_to_b", "mask_a", "b", "b_to_b", "b_to_a", "mask_b"}`` tensors,
            images ``(n, 3, S, S)`` and predicted masks ``(n, 1, S, S)``, on CPU.
        """
        was_training = self.network.training
        self.network.eval()
        network = self.averaged
        out: dict[str, torch.Tensor] = {}
        for side, other in (("a", "b"), ("b", "a")):
            faces, _ = self.data.fixed(side, count)
            same, mask = network.render(faces, side)
            swapped, _ = network.render(faces, other)
            out[side] = faces.cpu()
            out[f"{side}_to_{side}"] = same.float().cpu()
            out[f"{side}_to_{other}"] = swapped.float().cpu()
            out[f"mask_{side}"] = mask.float().cpu()
        self.network.train(was_training)
        return out

    def _record(self, window: list[dict[str, float]]) -> dict[str, Any]:
        record: dict[str, Any] = {"step": self.step, "seconds": round(self.elapsed, 2)}
        for key in window[-1]:
            record[key] = round(sum(w[key] for w in window) / len(window), 6)
        self.history.append(record)
        if len(self.history) > 4000:  # keep state.json small on long runs
            self.history = self.history[::2]
        return record

    def run(
        self,
        steps: int | None = None,
        minutes: float | None = None,
        stop_event: Any = None,
        callback: Callback | None = None,
        progress: bool = False,
    ) -> TrainSummary:
        """Train until ``steps`` (total), ``minutes`` (this run) or ``stop_event`` is set.

        Saves a checkpoint every ``checkpoint_minutes``, at the end, and before re-raising a
        ``KeyboardInterrupt``. ``callback(trainer, record)`` runs after each logged record.
        """
        if steps is None and minutes is None and stop_event is None:
            raise TrainingError("give a budget: steps, minutes or a stop event")
        if not (self.model_dir / "state.json").exists():
            self.save()  # the rollback point for a non-finite loss in the first minutes
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(
                total=None if steps is None else max(0, steps - self.step),
                unit="step",
                dynamic_ncols=True,
            )
        start_step, start = self.step, time.perf_counter()
        last_save, last_tick = start, start
        window: list[dict[str, float]] = []
        stopped_by = "steps"
        values: dict[str, float] = {}
        try:
            while True:
                if steps is not None and self.step >= steps:
                    break
                out_of_time = minutes is not None and time.perf_counter() - start >= minutes * 60
                stopped = stop_event is not None and stop_event.is_set()
                if self.distributed.agree(out_of_time or stopped, self.device):
                    stopped_by = "stop" if stopped else "minutes"
                    break
                try:
                    values = self._guarded_step()
                except FloatingPointError as exc:
                    self.rollback(str(exc))
                    window.clear()
                    continue
                now = time.perf_counter()
                self.elapsed += now - last_tick
                last_tick = now
                window.append(values)
                if bar is not None:
                    rate = (self.step - start_step) * 2 * self.config.batch_size / (now - start)
                    bar.update(1)
                    bar.set_postfix(loss=f"{values['total']:.4f}", samples_s=f"{rate:.1f}")
                if len(window) >= self.config.log_every:
                    record = self._record(window)
                    window.clear()
                    if callback is not None:
                        callback(self, record)
                        last_tick = time.perf_counter()  # previews are not training time
                if now - last_save >= self.config.checkpoint_minutes * 60:
                    self._periodic_save()
                    last_save = last_tick = time.perf_counter()
        except KeyboardInterrupt:
            log.warning("interrupted at step %d: saving before stopping", self.step)
            self.save()
            raise
        finally:
            if bar is not None:
                bar.close()
        if window:
            record = self._record(window)
            if callback is not None:
                callback(self, record)
        self.save()
        seconds = time.perf_counter() - start
        done = self.step - start_step
        return TrainSummary(
            model_dir=str(self.model_dir),
            step=self.step,
            steps_this_run=done,
            seconds_this_run=seconds,
            samples_per_second=done
            * 2
            * self.config.batch_size
            * self.distributed.world_size
            / max(seconds, 1e-9),
            losses={k: v for k, v in values.items()},
            stopped_by=stopped_by,
            parameters=self.parameters,
            checkpoints=self.checkpoints,
            rollbacks=self.rollbacks,
        )

    def _guarded_step(self) -> dict[str, float]:
        try:
            values = self.train_step()
        except RuntimeError as exc:  # torch.OutOfMemoryError too
            text = str(exc).lower()
            if isinstance(exc, torch.OutOfMemoryError) or any(
                words in text
                for words in ("out of memory", "not enough memory", "can't allocate memory")
            ):
                from .memory import describe_need

                need = describe_need(self.model_config, self.config, self.device)
                raise TrainingError(f"out of memory: {need}") from exc
            raise
        if not math.isfinite(values["total"]):  # pragma: no cover - caught in train_step
            raise FloatingPointError(str(values))
        return values

    def _periodic_save(self) -> None:
        try:
            self.save()
        except CheckpointError as exc:
            log.error("%s (training goes on; the next save will try again)", exc)
