"""Starting a training run from a pretrained model's weights (``--init NAME_OR_DIR``).

The init model decides the architecture (preset widths, resolution, face type); a requested
config that differs is an error rather than a silent partial load. The weights of the encoder,
bottleneck and both decoders are copied; the optimizer starts fresh. The model card records
which model the run started from.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ..errors import InputError
from ..models import checkpoint as ckpt
from ..models.config import ModelConfig
from ..models.swap_model import load_network_weights, read_model_config, resolve_model_path
from .config import TrainConfig
from .parts import TrainParts
from .state import read_train_config
from .trainstate import TrainState


@dataclass(frozen=True)
class InitModel:
    """A pretrained model to start from: where it is, its configs and its card."""

    name: str
    path: Path
    model_config: ModelConfig
    train_config: TrainConfig | None
    card: dict[str, Any]

    def record(self) -> dict[str, Any]:
        """What the new model's card says about its start."""
        pretraining = self.card.get("pretraining") or {}
        # A folder is named by its name only: a card travels, the build machine's paths do not.
        return {
            "model": self.path.name if Path(self.name).is_absolute() else self.name,
            "steps": self.card.get("steps"),
            "pretraining": pretraining.get("summary"),
            "target_seed": self.card.get("target_seed"),
        }


def find_init(name_or_dir: str | Path, models_dir: str | Path | None = None) -> InitModel:
    """Resolve ``name_or_dir`` like :func:`~faceswap_kit.models.load_model` does (a folder, or a
    bundled name in ``models_dir``, ``$FSK_MODELS_DIR`` and the bundled models)."""
    path = resolve_model_path(name_or_dir, models_dir)
    model_config, data = read_model_config(path)
    train = data.get("train")
    card_path = path / ckpt.CARD
    card = ckpt.read_json(card_path) if card_path.is_file() else {}
    return InitModel(
        name=str(name_or_dir),
        path=path,
        model_config=model_config,
        train_config=TrainConfig.from_dict(train) if isinstance(train, dict) else None,
        card=card,
    )


def differences(init: ModelConfig, requested: ModelConfig) -> list[str]:
    """Fields (besides the free-form name) where ``requested`` differs from ``init``."""
    return [
        f"{f.name} {getattr(requested, f.name)!r} (init: {getattr(init, f.name)!r})"
        for f in dataclasses.fields(ModelConfig)
        if f.name != "name" and getattr(init, f.name) != getattr(requested, f.name)
    ]


def check_conflicts(init: InitModel, requested: ModelConfig | None) -> None:
    """Raise a one-line :class:`InputError` when ``requested`` differs from the init model."""
    if requested is None:
        return
    changed = differences(init.model_config, requested)
    if changed:
        c = init.model_config
        raise InputError(
            f"--init {init.name} is a {c.architecture} {c.resolution} px {c.face_type} model; the "
            f"requested config differs in {', '.join(changed)}. Drop --preset/--architecture/"
            "--resolution (the init model decides them), or train without --init"
        )


def apply_init(parts: TrainParts, state: TrainState, init: InitModel) -> None:
    """Copy the init model's weights into a run's network (and its weight average) and record
    the start in its card (``state.card_extra["init"]``)."""
    weights = ckpt.read_weights(init.path / ckpt.WEIGHTS)
    load_network_weights(parts.network, weights, init.path / ckpt.WEIGHTS)
    if parts.ema is not None:
        with torch.no_grad():
            parts.ema.load_state_dict(parts.network.state_dict())
    state.card_extra["init"] = init.record()


def resolve_init_config(init: InitModel, requested: ModelConfig | None, name: str) -> ModelConfig:
    """The config to train with: the init model's (renamed to ``name``), after the conflict check."""
    check_conflicts(init, requested)
    return dataclasses.replace(init.model_config, name=name)


def with_learning_rate(
    rate: float | None,
    *,
    model_dir: str | Path | None = None,
    init: str | Path | None = None,
    preset: str = "lite",
    default: TrainConfig | None = None,
) -> TrainConfig | None:
    """The training settings a run would use, at learning rate ``rate``; ``None`` when ``rate``
    is ``None`` (the run then decides as usual). The settings are ``model_dir``'s when resuming
    it, else the ``init`` model's, else ``default`` or the ``preset``'s."""
    if rate is None:
        return None
    if model_dir is not None:
        base = read_train_config(Path(model_dir))
    else:
        base = (find_init(init).train_config if init is not None else None) or default
    return dataclasses.replace(base or TrainConfig.preset(preset), learning_rate=rate)
