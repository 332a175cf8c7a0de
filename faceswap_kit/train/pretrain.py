"""``pretrain(model_dir, ...)``: train on a crowd of generated people (the ``pretrain`` command).

Two kinds of pretraining share the loop, the checkpoints, resume and Ctrl-C handling of
:func:`faceswap_kit.train.train`:

- **crowd** (``CrowdConfig()``): the shared encoder and both decoders learn to redraw thousands
  of generated people; fine-tune a pair from it with ``train(..., init=MODEL)``;
- **any-face** (``CrowdConfig(target_seed=S)``): many people in, person ``S`` out, supervised by
  the generator's ideal swap; ``a_to_b`` of the model swaps any face to ``S`` with no training.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import torch

from ..errors import InputError
from ..models import checkpoint as ckpt
from ..models.config import ModelConfig
from ..models.swap_model import read_model_config
from .config import TrainConfig
from .crowd import CrowdConfig
from .crowddata import CrowdData
from .init import apply_init, find_init, resolve_init_config
from .loop import Callback, Trainer
from .progress import TrainSummary
from .state import read_train_config

log = logging.getLogger(__name__)


def saved_crowd(model_dir: str | Path) -> CrowdConfig | None:
    """The crowd a pretraining checkpoint was trained on (``None`` for a pair model)."""
    state_path = Path(model_dir) / ckpt.STATE
    if not state_path.is_file():
        return None
    data = ckpt.read_json(state_path).get("data")
    return CrowdConfig.from_dict(data["crowd"]) if data and "crowd" in data else None


def record_command(trainer: Trainer, command: str | None) -> None:
    """Append the command line of this run to the card (``commands``, in order)."""
    if command:
        trainer.card_extra["commands"] = [*trainer.card_extra.get("commands", []), command]


def make_pretrainer(
    model_dir: str | Path,
    model_config: ModelConfig | None = None,
    train_config: TrainConfig | None = None,
    crowd: CrowdConfig | None = None,
    resume: bool = False,
    device: torch.device | str | None = None,
    init: str | Path | None = None,
    command: str | None = None,
) -> Trainer:
    """A :class:`Trainer` on a generated crowd (its renderer not started yet: see :func:`pretrain`).

    Args:
        model_dir: checkpoint directory.
        model_config: architecture (default ``ModelConfig.lite()``; with ``init`` the init
            model's, and a different one is an error; when resuming, the directory's).
        train_config: default ``TrainConfig.lite()`` (the directory's when resuming).
        crowd: the crowd (default ``CrowdConfig()``; when resuming, the saved one, and a
            different explicit one is an error).
        resume: continue the checkpoint in ``model_dir``.
        device: training device (default CPU).
        init: a pretrained model (name or folder) to start from.
        command: the command line, recorded in the card.
    """
    model_dir = Path(model_dir)
    device = torch.device(device or "cpu")
    if resume:
        saved = saved_crowd(model_dir)
        if saved is None:
            raise InputError(
                f"--resume was given but {model_dir} holds no crowd pretraining checkpoint"
            )
        if init is not None:
            raise InputError("--init starts a new model; drop it when resuming")
        if crowd is not None and crowd != saved:
            raise InputError(
                f"{model_dir} was pretrained on {saved}; resume without changing the crowd"
            )
        saved_model, _ = read_model_config(model_dir)
        if model_config is not None and model_config != saved_model:
            raise InputError(
                f"{model_dir} holds {saved_model}; resume without --preset/--resolution"
            )
        crowd, model_config = saved, saved_model
        train_config = train_config or read_train_config(model_dir)
    init_model = find_init(init) if init is not None else None
    if init_model is not None:
        model_config = resolve_init_config(init_model, model_config, model_dir.name)
        train_config = train_config or init_model.train_config
    model_config = model_config or ModelConfig.lite(name=model_dir.name)
    train_config = train_config or TrainConfig.lite()
    crowd = crowd or CrowdConfig()
    data = CrowdData(crowd, model_config.resolution, model_config.face_type, device)
    provenance = {
        "note": "every face is of a generated person who does not exist (faceswap_kit.synth), "
        "rendered and aligned with the generator's ground-truth landmarks, held in memory only"
    }
    trainer = Trainer(
        data, model_dir, model_config, train_config, resume=resume, provenance=provenance
    )
    if init_model is not None:
        apply_init(trainer.parts, trainer.state, init_model)
    record_command(trainer, command)
    return trainer


def pretrain(
    model_dir: str | Path,
    model_config: ModelConfig | None = None,
    train_config: TrainConfig | None = None,
    crowd: CrowdConfig | None = None,
    steps: int | None = None,
    minutes: float | None = None,
    resume: bool = False,
    device: torch.device | str | None = None,
    init: str | Path | None = None,
    scorer: Any = None,
    callback: Callback | None = None,
    stop_event: Any = None,
    progress: bool = False,
    command: str | None = None,
) -> TrainSummary:
    """Pretrain a model on a crowd of generated people (or an any-face model) into ``model_dir``.

    ``steps`` is the total step count to reach, ``minutes`` the wall-clock budget of this call.
    The renderer runs on a background thread for the whole run and is stopped on the way out
    (also on Ctrl-C, after the checkpoint is saved). See :func:`make_pretrainer` for the rest.

    >>> import tempfile
    >>> crowd = CrowdConfig(pool_size=8, min_pool=4, people=50)
    >>> s = pretrain(tempfile.mkdtemp(), ModelConfig.tiny(), TrainConfig.tiny(batch_size=2),
    ...              crowd, steps=2)
    >>> s.step, s.extra["people_seen"] >= 2
    (2, True)
    """
    if steps is None and minutes is None and stop_event is None:
        raise InputError("give a budget: steps=N (total) and/or minutes=M")
    trainer = make_pretrainer(
        model_dir, model_config, train_config, crowd, resume, device, init, command
    )
    trainer.scorer = scorer
    data: CrowdData = trainer.data  # type: ignore[assignment]
    with data:
        summary = trainer.run(
            steps=steps, minutes=minutes, stop_event=stop_event, callback=callback,
            progress=progress,
        )  # fmt: skip
        stats = data.stats()
    info = data.card_info()
    summary.extra.update(
        people_seen=info["people_seen"],
        faces_rendered=info["faces_rendered"],
        **{k: round(v, 3) for k, v in stats.items()},
    )
    return summary


def crowd_for(preset: str, **overrides: Any) -> CrowdConfig:
    """``CrowdConfig.preset`` with ``None`` overrides dropped (for command-line options); a pool
    smaller than the default first fill is filled completely before training starts.

    >>> crowd_for("lite", pool_size=32, people=None).min_pool
    32
    """
    values = {k: v for k, v in overrides.items() if v is not None}
    if "pool_size" in values and "min_pool" not in values:
        values["min_pool"] = min(CrowdConfig.min_pool, values["pool_size"])
    return CrowdConfig.preset(preset, **values)


__all__ = [
    "CrowdConfig",
    "crowd_for",
    "make_pretrainer",
    "pretrain",
    "record_command",
    "saved_crowd",
]
