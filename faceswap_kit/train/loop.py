"""The training loop: AdamW, bf16 autocast and channels-last on CUDA, optional ``torch.compile``,
periodic atomic checkpoints, exact resume, save-on-interrupt and rollback on non-finite losses.

A :class:`Trainer` holds the run's data, its :class:`~.parts.TrainParts` (network, average,
optimizers) and its :class:`~.trainstate.TrainState` (step, clock, history, data RNG);
:mod:`.state` writes both into a checkpoint, :mod:`.card` describes them.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch

from ..errors import CheckpointError, TrainingError
from ..models import checkpoint as ckpt
from ..models.config import ModelConfig
from ..models.swap_model import SwapModel, parameter_count
from .card import build_card
from .config import TrainConfig
from .data import Batch, FacePairData
from .distributed import DistributedContext
from .memory import explain_out_of_memory
from .parts import TrainParts, build_parts
from .preview import render_preview
from .progress import RunProgress, TrainSummary
from .state import load_training_state, read_train_config, save_training_state
from .step import optimisation_step
from .trainstate import TrainState

log = logging.getLogger(__name__)


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While training in the main thread, SIGTERM (``kill``, a cloud runtime or container
    stopping, a job scheduler) raises ``KeyboardInterrupt``, so the run saves its checkpoint
    before it ends, as on Ctrl-C. Elsewhere (a worker thread, a platform without it): no change."""
    term = getattr(signal, "SIGTERM", None)
    if term is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(term, interrupt)
    try:
        yield
    finally:
        signal.signal(term, previous)


Callback = Callable[["Trainer", dict[str, Any]], None]


def _field(holder: str, name: str) -> property:
    """``trainer.<name>`` reads and writes ``trainer.<holder>.<name>``."""
    return property(
        lambda self: getattr(getattr(self, holder), name),
        lambda self, value: setattr(getattr(self, holder), name, value),
        doc=f"``{holder}.{name}``",
    )


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

    # shortcuts to the run's state and parts (the notebooks, the CLI and the scripts read them)
    step = _field("state", "step")
    elapsed = _field("state", "elapsed")
    history = _field("state", "history")
    scores = _field("state", "scores")
    card_extra = _field("state", "card_extra")
    rollbacks = _field("state", "rollbacks")
    network = _field("parts", "network")
    ema = _field("parts", "ema")
    optimizer = _field("parts", "optimizer")
    averaged = _field("parts", "averaged")  # what checkpoints save: the average, or the network
    parameters = property(lambda self: parameter_count(self.network), doc="network parameters")

    def __init__(
        self,
        data: FacePairData,
        model_dir: str | Path,
        model_config: ModelConfig,
        train_config: TrainConfig,
        resume: bool = False,
        provenance: dict[str, Any] | None = None,
    ) -> None:
        self.data, self.device = data, data.device
        self.model_dir = Path(model_dir)
        self.model_config, self.config = model_config, train_config
        self.provenance = dict(provenance or {})
        self.timings: dict[str, float] = {}
        self.profile = False
        self.scorer: Callable[[SwapModel], dict[str, Any]] | None = None
        self.checkpoints = 0
        self.distributed = DistributedContext.from_environment(self.device)
        self.state = TrainState.start(train_config.seed + self.distributed.rank)
        self.parts: TrainParts = build_parts(model_config, train_config, self.device)
        self._model: torch.nn.Module = self.distributed.wrap(self.network, self.device)
        self._discriminator = None
        if self.parts.discriminator is not None:
            self._discriminator = self.distributed.wrap(self.parts.discriminator, self.device)
        if train_config.compile:
            self._model = torch.compile(self._model)
        if resume:
            self._load()
        elif (self.model_dir / ckpt.STATE).exists():
            raise CheckpointError(
                f"{self.model_dir} already holds a trained model; pass resume=True (--resume) to "
                "continue it, or choose an empty model directory"
            )

    def _mark(self, key: str, start: float) -> float:
        if self.profile and self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        now = time.perf_counter()
        self.timings[key] = (now - start) * 1000
        return now

    def sample_batch(self) -> Batch:
        """The next augmented batch, drawn with the run's data generator."""
        batch = self.data.sample(self.config.batch_size, self.state.generator, self.config)
        cuda_layout = self.device.type == "cuda" and self.config.channels_last
        return batch.channels_last() if cuda_layout else batch

    def train_step(self) -> dict[str, float]:
        """One optimisation step (:func:`.step.optimisation_step`); returns the loss terms.
        Raises ``FloatingPointError`` on a non-finite loss (the caller rolls back)."""
        self.network.train()
        start = time.perf_counter()
        batch = self.sample_batch()
        self._mark("data_ms", start)
        values = optimisation_step(
            self.parts, self._model, self._discriminator, batch, self.config, self.step, self._mark
        )
        self.step += 1
        return values

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
        card_info = getattr(self.data, "card_info", None)  # a generated crowd describes itself
        card = build_card(
            self.state, self.model_config, self.config, identities=self.data.identities,
            provenance=self.provenance, parameters=self.parameters, device=self.device,
            pretraining=card_info() if callable(card_info) else None,
        )  # fmt: skip
        save_training_state(
            self.model_dir, self.parts, self.state, self.model_config, self.config, card, self.data
        )
        self.checkpoints += 1

    def _load(self) -> None:
        saved_rate = read_train_config(self.model_dir).learning_rate
        load_training_state(
            self.model_dir, self.parts, self.state, self.model_config, self.device, self.data
        )
        # The optimizer resumes with the rate it had (halved after a rollback), unless the run
        # is resumed with another learning rate than the one it was saved with: then that one.
        if self.config.learning_rate != saved_rate:
            for optimizer in (self.parts.optimizer, self.parts.d_optimizer):
                for group in optimizer.param_groups if optimizer is not None else ():
                    group["lr"] = self.config.learning_rate
            log.info(
                "learning rate %g (the checkpoint was trained at %g)",
                self.config.learning_rate, saved_rate,
            )  # fmt: skip

    def rollback(self, reason: str) -> None:
        """Go back to the last checkpoint after a non-finite loss, halving the learning rate."""
        self.rollbacks += 1
        if self.rollbacks > self.config.max_rollbacks:
            raise TrainingError(
                f"the loss became non-finite {self.rollbacks} times ({reason}); resume with a "
                f"lower learning rate (--learning-rate {self.config.learning_rate / 10:g}) or "
                "with mixed precision off"
            )
        if not (self.model_dir / ckpt.STATE).exists():
            raise TrainingError(f"the loss became non-finite ({reason}) before any checkpoint")
        bad_step = self.step
        self._load()
        for group in self.optimizer.param_groups:
            group["lr"] = group["lr"] / 2
        log.warning(
            "non-finite loss at step %d (%s): rolled back to the checkpoint of step %d and halved "
            "the learning rate to %.3g",
            bad_step, reason, self.step, self.optimizer.param_groups[0]["lr"],
        )  # fmt: skip

    def swap_model(self) -> SwapModel:
        """The model as a checkpoint saves it (the weight average; see ``TrainConfig.ema_decay``),
        wrapped for :meth:`SwapModel.swap`; it shares the trainer's tensors."""
        model = SwapModel(self.averaged, card={}, path=self.model_dir)
        self.network.train()
        return model

    def preview(self, count: int = 4) -> dict[str, torch.Tensor]:
        """Fixed faces of both sets and what the saved network makes of them
        (:func:`~.preview.render_preview`)."""
        return render_preview(self.averaged, self.data, count)

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
        if not (self.model_dir / ckpt.STATE).exists():
            self.save()  # the rollback point for a non-finite loss in the first minutes
        run = RunProgress(
            self.state, steps, 2 * self.config.batch_size, self.config.log_every, bar=progress
        )
        last_save, stopped_by, values = run.start, "steps", {}
        with terminate_as_interrupt():  # a `kill` or a stopped container saves like Ctrl-C
            try:
                while steps is None or self.step < steps:
                    out_of_time = minutes is not None and run.seconds() >= minutes * 60
                    stopped = stop_event is not None and stop_event.is_set()
                    if self.distributed.agree(out_of_time or stopped, self.device):
                        stopped_by = "stop" if stopped else "minutes"
                        break
                    try:
                        with explain_out_of_memory(self.model_config, self.config, self.device):
                            values = self.train_step()
                    except FloatingPointError as exc:
                        self.rollback(str(exc))
                        run.window.clear()
                        continue
                    record = run.stepped(values)
                    if record is not None and callback is not None:
                        callback(self, record)
                        run.pause_ended()  # previews are not training time
                    if run.now - last_save >= self.config.checkpoint_minutes * 60:
                        self._periodic_save()
                        last_save = run.pause_ended()
            except KeyboardInterrupt:
                log.warning("interrupted at step %d: saving before stopping", self.step)
                self.save()
                raise
            finally:
                run.close()
        record = run.flush()
        if record is not None and callback is not None:
            callback(self, record)
        self.save()
        return run.summary(
            self.model_dir, values, stopped_by, parameters=self.parameters,
            checkpoints=self.checkpoints, rollbacks=self.rollbacks,
            world_size=self.distributed.world_size,
        )  # fmt: skip

    def _periodic_save(self) -> None:
        try:
            self.save()
        except CheckpointError as exc:
            log.error("%s (training goes on; the next save will try again)", exc)
