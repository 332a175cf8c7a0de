"""Export a trained model directory as a small, inference-only model (weights, config, card)."""

from __future__ import annotations

import shutil
from pathlib import Path

import torch

from ..errors import CheckpointError
from . import checkpoint as ckpt
from .swap_model import load_model


def export_model(
    model_dir: str | Path, out_dir: str | Path, dtype: torch.dtype = torch.float16
) -> Path:
    """Copy a model for use (``load_model(out_dir)``): weights cast to ``dtype``, config, card.

    Training state (optimizer, RNG, backups) is left behind, so an export is a fraction of the
    size of a checkpoint. The weights are checked by loading them before anything is written.
    """
    model_dir, out_dir = Path(model_dir), Path(out_dir)
    model = load_model(model_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / ckpt.CONFIG).exists():
        raise CheckpointError(f"{out_dir} holds other files; export into an empty or new folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    weights = {
        k: v.to(dtype) if v.is_floating_point() else v
        for k, v in model.network.state_dict().items()
    }
    ckpt.atomic_write_bytes(
        out_dir / ckpt.WEIGHTS, ckpt.weights_bytes(weights, {"format": ckpt.FORMAT})
    )
    for name in (ckpt.CONFIG, ckpt.CARD, ckpt.CARD_MARKDOWN):
        if (model_dir / name).exists():
            ckpt.atomic_write_bytes(out_dir / name, (model_dir / name).read_bytes())
    for stale in (ckpt.STATE, ckpt.OPTIMIZER, ckpt.LEGACY_OPTIMIZER):
        (out_dir / stale).unlink(missing_ok=True)
    for backup in out_dir.glob("backup-*"):
        shutil.rmtree(backup)
    return out_dir
