"""Saving and restoring everything a training run needs to continue exactly where it stopped:
its :class:`~faceswap_kit.train.trainstate.TrainState` (step, clock, loss and score history, the
data RNG), the tensors of its :class:`~faceswap_kit.train.parts.TrainParts` (weights, optimizer
moments) and its model card.
See :mod:`faceswap_kit.models.checkpoint` for the atomic layout.

``state.json`` keeps one layout across versions. Older checkpoints also hold ``rng.torch``, the
global torch RNG of the time; it is read past: training draws only from the data generator (the
initial weights come from a forked RNG, :func:`~faceswap_kit.train.parts.build_parts`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import torch

from ..errors import CheckpointError
from ..models import checkpoint as ckpt
from ..models.config import ModelConfig
from ..models.swap_model import load_network_weights, read_model_config
from .card import card_markdown
from .config import TrainConfig
from .parts import TrainParts
from .trainstate import TrainState

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


def save_training_state(
    model_dir: Path,
    parts: TrainParts,
    state: TrainState,
    model_config: ModelConfig,
    train_config: TrainConfig,
    card: dict[str, Any],
    data: Any = None,
) -> None:
    """Write a full checkpoint of a run into ``model_dir``, atomically: the averaged weights,
    the configs, optimizer moments (and the raw weights beside an average), ``state``, the card,
    and where a generated crowd's rendering stopped (``data.state_dict()``, when it has one)."""
    config = {
        "format": ckpt.FORMAT,
        "version": CONFIG_VERSION,
        "model": model_config.to_dict(),
        "train": train_config.to_dict(),
    }
    tensors = flatten_optimizer(parts.optimizer, "opt")
    if parts.discriminator is not None and parts.d_optimizer is not None:
        tensors.update(flatten_optimizer(parts.d_optimizer, "dopt"))
        for name, value in parts.discriminator.state_dict().items():
            tensors[f"disc.{name}"] = value
    if parts.ema is not None:  # the saved model is the average: keep the raw weights here
        for name, value in parts.network.state_dict().items():
            tensors[f"{RAW_PREFIX}{name}"] = value
    saved = state.to_json()
    saved["param_groups"] = _groups(parts.optimizer)
    saved["grad_scale"] = float(parts.scaler.get_scale()) if parts.scaler.is_enabled() else None
    if hasattr(data, "state_dict"):  # a generated crowd: where its rendering stopped
        saved["data"] = data.state_dict()
    files = {
        ckpt.WEIGHTS: ckpt.weights_bytes(parts.averaged.state_dict(), {"format": ckpt.FORMAT}),
        ckpt.CONFIG: ckpt.json_bytes(config),
        ckpt.OPTIMIZER: ckpt.tensors_bytes(tensors),
        ckpt.CARD: ckpt.json_bytes(card),
        ckpt.CARD_MARKDOWN: card_markdown(card).encode("utf-8"),
    }
    ckpt.write_checkpoint(model_dir, files, saved, keep_backups=train_config.keep_backups)
    log.info("checkpoint of step %d saved in %s", state.step, model_dir)


def read_train_config(model_dir: Any) -> TrainConfig:
    _, data = read_model_config(model_dir)
    return TrainConfig.from_dict(data.get("train", {}))


def load_training_state(
    model_dir: Path,
    parts: TrainParts,
    state: TrainState,
    model_config: ModelConfig,
    device: torch.device,
    data: Any = None,
) -> None:
    """Restore ``parts`` and ``state`` (and ``data``'s rendering state, when saved) from the
    checkpoint in ``model_dir``, which must hold a ``model_config`` model."""
    if not (model_dir / ckpt.STATE).exists():
        raise CheckpointError(
            f"{model_dir} holds no checkpoint to resume (no state.json); train without --resume"
        )
    saved_config, _ = read_model_config(model_dir)
    if saved_config != model_config:
        raise CheckpointError(
            f"{model_dir} holds a {saved_config.architecture} {saved_config.resolution} px model "
            f"({saved_config}), not the requested {model_config}; resume without a "
            "preset/architecture override, or train into another directory"
        )
    saved = ckpt.read_json(model_dir / ckpt.STATE)
    ckpt.verify_files(model_dir, saved, (ckpt.WEIGHTS, ckpt.OPTIMIZER))
    weights = ckpt.read_weights(model_dir / ckpt.WEIGHTS)
    load_network_weights(parts.averaged, weights, model_dir / ckpt.WEIGHTS)
    raw = weights  # a checkpoint without a weight average saved the raw weights
    optimizer_path = model_dir / ckpt.OPTIMIZER
    if optimizer_path.exists():
        flat = ckpt.read_tensors(optimizer_path)
        saved_raw = {k[len(RAW_PREFIX) :]: v for k, v in flat.items() if k.startswith(RAW_PREFIX)}
        raw = saved_raw or raw
        flat = {k: v.to(device) if k.startswith("disc.") else v for k, v in flat.items()}
        restore_optimizer(parts.optimizer, flat, "opt", saved.get("param_groups"))
        if parts.discriminator is not None and parts.d_optimizer is not None:
            disc = {k[5:]: v for k, v in flat.items() if k.startswith("disc.")}
            if disc:
                parts.discriminator.load_state_dict(disc)
                restore_optimizer(parts.d_optimizer, flat, "dopt", None)
    elif (model_dir / ckpt.LEGACY_OPTIMIZER).exists():
        log.warning(
            "%s of an older checkpoint is not read (a pickle container, which this kit never "
            "loads): the optimizer restarts from zero moments",
            model_dir / ckpt.LEGACY_OPTIMIZER,
        )
    else:
        log.warning("%s is missing: the optimizer restarts from zero moments", optimizer_path)
    if parts.ema is not None:
        load_network_weights(parts.network, raw, optimizer_path)
    try:
        state.restore(saved)
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise CheckpointError(
            f"{model_dir / ckpt.STATE} is incomplete ({exc}); restore it from backup-1"
        ) from exc
    if saved.get("grad_scale") and parts.scaler.is_enabled():
        parts.scaler.update(float(saved["grad_scale"]))
    if "data" in saved and hasattr(data, "load_state_dict"):
        data.load_state_dict(saved["data"])
    log.info("resumed %s at step %d", model_dir, state.step)
