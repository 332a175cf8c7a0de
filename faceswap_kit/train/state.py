"""Saving and restoring everything a training run needs to continue exactly where it stopped:
weights, optimizer moments, RNG states, step, clock, loss history (see
:mod:`faceswap_kit.models.checkpoint` for the atomic layout)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import torch

from ..errors import CheckpointError
from ..models import checkpoint as ckpt
from ..models.swap_model import load_network_weights, read_model_config
from .card import build_card, card_markdown
from .config import TrainConfig

if TYPE_CHECKING:
    from .loop import Trainer

log = logging.getLogger(__name__)
CONFIG_VERSION = 1


def flatten_optimizer(optimizer: torch.optim.Optimizer, prefix: str) -> dict[str, torch.Tensor]:
    """``{"<prefix>.<param index>.<key>": tensor}`` from an optimizer's per-parameter state."""
    flat: dict[str, torch.Tensor] = {}
    for index, values in optimizer.state_dict()["state"].items():
        for key, value in values.items():
            tensor = value if isinstance(value, torch.Tensor) else torch.tensor(value)
            flat[f"{prefix}.{index}.{key}"] = tensor
    return flat


def restore_optimizer(
    optimizer: torch.optim.Optimizer,
    flat: dict[str, torch.Tensor],
    prefix: str,
    groups: list[dict[str, Any]] | None,
) -> None:
    template = optimizer.state_dict()
    state: dict[int, dict[str, torch.Tensor]] = {}
    for name, tensor in flat.items():
        head, _, rest = name.partition(".")
        if head != prefix:
            continue
        index, _, key = rest.partition(".")
        state.setdefault(int(index), {})[key] = tensor
    param_groups = template["param_groups"]
    if groups:
        param_groups = [
            dict(saved, params=current["params"])
            for saved, current in zip(groups, param_groups, strict=False)
        ]
        for group in param_groups:
            if "betas" in group:
                group["betas"] = tuple(group["betas"])
    try:
        optimizer.load_state_dict({"state": state, "param_groups": param_groups})
    except (ValueError, KeyError, RuntimeError) as exc:
        raise CheckpointError(
            f"{ckpt.OPTIMIZER} does not fit this model ({exc}); delete it"
        ) from exc


RAW_PREFIX = "net."  # the raw (not averaged) weights in optimizer.safetensors


def _groups(optimizer: torch.optim.Optimizer) -> list[dict[str, Any]]:
    return [
        {k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items() if k != "params"}
        for g in optimizer.state_dict()["param_groups"]
    ]


def save_training_state(trainer: Trainer) -> None:
    """Write ``trainer``'s full state to its model directory, atomically."""
    config = {
        "format": ckpt.FORMAT,
        "version": CONFIG_VERSION,
        "model": trainer.model_config.to_dict(),
        "train": trainer.config.to_dict(),
    }
    tensors = flatten_optimizer(trainer.optimizer, "opt")
    if trainer.discriminator is not None and trainer.d_optimizer is not None:
        tensors.update(flatten_optimizer(trainer.d_optimizer, "dopt"))
        for name, value in trainer.discriminator.state_dict().items():
            tensors[f"disc.{name}"] = value
    if trainer.ema is not None:  # the saved model is the average: keep the raw weights here
        for name, value in trainer.network.state_dict().items():
            tensors[f"{RAW_PREFIX}{name}"] = value
    state = {
        "step": trainer.step,
        "elapsed_seconds": round(trainer.elapsed, 3),
        "rng": {
            "data": trainer.generator.get_state().tolist(),
            "torch": torch.get_rng_state().tolist(),
        },
        "param_groups": _groups(trainer.optimizer),
        "grad_scale": float(trainer.scaler.get_scale()) if trainer.scaler.is_enabled() else None,
        "rollbacks": trainer.rollbacks,
        "history": trainer.history,
        "scores": trainer.scores,
        "card_extra": trainer.card_extra,
    }
    if hasattr(trainer.data, "state_dict"):  # a generated crowd: where its rendering stopped
        state["data"] = trainer.data.state_dict()
    card = build_card(trainer)
    files = {
        ckpt.WEIGHTS: ckpt.weights_bytes(trainer.averaged.state_dict(), {"format": ckpt.FORMAT}),
        ckpt.CONFIG: ckpt.json_bytes(config),
        ckpt.OPTIMIZER: ckpt.tensors_bytes(tensors),
        ckpt.CARD: ckpt.json_bytes(card),
        ckpt.CARD_MARKDOWN: card_markdown(card).encode("utf-8"),
    }
    ckpt.write_checkpoint(trainer.model_dir, files, state, keep_backups=trainer.config.keep_backups)
    log.info("checkpoint of step %d saved in %s", trainer.step, trainer.model_dir)


def read_train_config(model_dir: Any) -> TrainConfig:
    _, data = read_model_config(model_dir)
    return TrainConfig.from_dict(data.get("train", {}))


def load_training_state(trainer: Trainer) -> None:
    """Restore ``trainer`` from its model directory (weights, optimizer, RNG, step, history)."""
    model_dir = trainer.model_dir
    if not (model_dir / ckpt.STATE).exists():
        raise CheckpointError(
            f"{model_dir} holds no checkpoint to resume (no state.json); train without --resume"
        )
    model_config, _ = read_model_config(model_dir)
    if model_config != trainer.model_config:
        raise CheckpointError(
            f"{model_dir} holds a {model_config.architecture} {model_config.resolution} px model "
            f"({model_config}), not the requested {trainer.model_config}; resume without a "
            "preset/architecture override, or train into another directory"
        )
    state = ckpt.read_json(model_dir / ckpt.STATE)
    ckpt.verify_files(model_dir, state, (ckpt.WEIGHTS, ckpt.OPTIMIZER))
    weights = ckpt.read_weights(model_dir / ckpt.WEIGHTS)
    load_network_weights(trainer.averaged, weights, model_dir / ckpt.WEIGHTS)
    raw = weights  # a checkpoint without a weight average saved the raw weights
    optimizer_path = model_dir / ckpt.OPTIMIZER
    if optimizer_path.exists():
        flat = ckpt.read_tensors(optimizer_path)
        saved_raw = {k[len(RAW_PREFIX) :]: v for k, v in flat.items() if k.startswith(RAW_PREFIX)}
        raw = saved_raw or raw
        flat = {k: v.to(trainer.device) if k.startswith("disc.") else v for k, v in flat.items()}
        restore_optimizer(trainer.optimizer, flat, "opt", state.get("param_groups"))
        if trainer.discriminator is not None and trainer.d_optimizer is not None:
            disc = {k[5:]: v for k, v in flat.items() if k.startswith("disc.")}
            if disc:
                trainer.discriminator.load_state_dict(disc)
                restore_optimizer(trainer.d_optimizer, flat, "dopt", None)
    elif (model_dir / ckpt.LEGACY_OPTIMIZER).exists():
        log.warning(
            "%s of an older checkpoint is not read (a pickle container, which this kit never "
            "loads): the optimizer restarts from zero moments",
            model_dir / ckpt.LEGACY_OPTIMIZER,
        )
    else:
        log.warning("%s is missing: the optimizer restarts from zero moments", optimizer_path)
    if trainer.ema is not None:
        load_network_weights(trainer.network, raw, optimizer_path)
    try:
        trainer.generator.set_state(torch.tensor(state["rng"]["data"], dtype=torch.uint8))
        torch.set_rng_state(torch.tensor(state["rng"]["torch"], dtype=torch.uint8))
        trainer.step = int(state["step"])
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise CheckpointError(
            f"{model_dir / ckpt.STATE} is incomplete ({exc}); restore it from backup-1"
        ) from exc
    if state.get("grad_scale") and trainer.scaler.is_enabled():
        trainer.scaler.update(float(state["grad_scale"]))
    trainer.elapsed = float(state.get("elapsed_seconds", 0.0))
    trainer.history = list(state.get("history", []))
    trainer.scores = list(state.get("scores", []))
    trainer.card_extra = dict(state.get("card_extra") or {})
    if "data" in state and hasattr(trainer.data, "load_state_dict"):
        trainer.data.load_state_dict(state["data"])
    log.info("resumed %s at step %d", model_dir, trainer.step)
