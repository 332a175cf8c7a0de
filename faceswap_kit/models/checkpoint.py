"""Atomic checkpoints of a model directory, with rolling backups.

Layout of a model directory::

    model.safetensors   weights (safetensors: data, never code)
    config.json         architecture + training config
    optimizer.safetensors  optimizer state: a flat dict of tensors (safetensors too: no pickle)
    state.json          step, RNG states, loss history, SHA-256 of every other file (written last)
    card.json           model card as data; README.md the same card for people
    backup-1/ ...       the previous checkpoints (backup-1 is the newest)

A save writes everything into ``.incoming/`` first (flush + fsync), rotates the backups, then moves
the files in with ``os.replace`` and ``state.json`` last. A kill or a full disk at any moment leaves
a loadable checkpoint: either the previous one (in place or in ``backup-1``) or the new one, and
the checksums in ``state.json`` tell a half-moved set from a whole one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

import torch

from ..errors import CheckpointError

log = logging.getLogger(__name__)

WEIGHTS = "model.safetensors"
CONFIG = "config.json"
OPTIMIZER = "optimizer.safetensors"
LEGACY_OPTIMIZER = "optimizer.pt"  # older checkpoints (a pickle container): never read
STATE = "state.json"
CARD = "card.json"
CARD_MARKDOWN = "README.md"
FORMAT = "faceswap_kit.model"
INCOMING = ".incoming"


def _fsync_write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and ``os.replace``."""
    path = Path(path)
    temp = path.with_name(f".{path.name}.tmp")
    try:
        _fsync_write(temp, data)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=False) + "\n").encode("utf-8")


def weights_bytes(
    weights: dict[str, torch.Tensor], metadata: dict[str, str] | None = None
) -> bytes:
    from safetensors.torch import save

    tensors = {k: v.detach().to("cpu").contiguous() for k, v in weights.items()}
    return save(tensors, metadata=metadata)


def tensors_bytes(tensors: dict[str, torch.Tensor]) -> bytes:
    """A flat dict of tensors (the optimizer state) as safetensors bytes."""
    return weights_bytes(tensors)


def _rotate_backups(model_dir: Path, keep: int) -> None:
    """Move the current checkpoint into ``backup-1`` (hard links, so it costs no copy)."""
    if not (model_dir / STATE).exists() or keep <= 0:
        return
    oldest = model_dir / f"backup-{keep}"
    if oldest.exists():
        shutil.rmtree(oldest)
    for k in range(keep - 1, 0, -1):
        src = model_dir / f"backup-{k}"
        if src.exists():
            os.replace(src, model_dir / f"backup-{k + 1}")
    staging = model_dir / ".backup-staging"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    for name in (WEIGHTS, CONFIG, OPTIMIZER, CARD, CARD_MARKDOWN, STATE):
        src = model_dir / name
        if src.exists():
            try:
                os.link(src, staging / name)
            except OSError:
                shutil.copy2(src, staging / name)
    os.replace(staging, model_dir / "backup-1")


def write_checkpoint(
    model_dir: str | Path,
    files: dict[str, bytes],
    state: dict[str, Any],
    keep_backups: int = 3,
) -> Path:
    """Atomically replace the checkpoint in ``model_dir`` with ``files`` + ``state.json``.

    Args:
        model_dir: the model directory (created when missing).
        files: file name -> content, e.g. ``{"model.safetensors": ..., "config.json": ...}``.
        state: written as ``state.json`` with ``"files"`` (SHA-256 per file) added.
        keep_backups: how many previous checkpoints to keep as ``backup-1`` ... ``backup-N``.

    Raises:
        CheckpointError: the files could not be written (e.g. disk full); the previous
            checkpoint is untouched.
    """
    model_dir = Path(model_dir)
    incoming = model_dir / INCOMING
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
        if incoming.exists():
            shutil.rmtree(incoming)
        incoming.mkdir()
        state = dict(state, format=FORMAT, files={})
        for name, data in files.items():
            _fsync_write(incoming / name, data)
            state["files"][name] = hashlib.sha256(data).hexdigest()
        _fsync_write(incoming / STATE, json_bytes(state))
        _fsync_dir(incoming)
    except OSError as exc:
        shutil.rmtree(incoming, ignore_errors=True)
        raise CheckpointError(
            f"could not save the checkpoint in {model_dir}: {exc}. The previous checkpoint is "
            "intact; free disk space (or choose another model directory) and save again"
        ) from exc
    _rotate_backups(model_dir, keep_backups)
    for name in files:
        os.replace(incoming / name, model_dir / name)
    os.replace(incoming / STATE, model_dir / STATE)
    _fsync_dir(model_dir)
    shutil.rmtree(incoming, ignore_errors=True)
    return model_dir


def read_json(path: Path) -> dict[str, Any]:
    """Read a JSON object, turning a missing or corrupted file into a :class:`CheckpointError`."""
    if not path.is_file():
        raise CheckpointError(
            f"{path} is missing; is {path.parent} a model directory written by faceswap-kit train?"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(
            f"{path} is corrupted ({exc}); restore it from {path.parent}/backup-1 or retrain"
        ) from exc
    if not isinstance(data, dict):
        raise CheckpointError(f"{path} should hold a JSON object, got {type(data).__name__}")
    return data


def verify_files(model_dir: Path, state: dict[str, Any], names: tuple[str, ...]) -> None:
    """Check the SHA-256 recorded in ``state.json`` for each of ``names`` that it lists."""
    recorded = state.get("files", {})
    for name in names:
        if name not in recorded:
            continue
        path = model_dir / name
        if not path.is_file():
            raise CheckpointError(
                f"{path} is missing but state.json lists it; restore the folder from "
                f"{model_dir}/backup-1 or retrain"
            )
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != recorded[name]:
            raise CheckpointError(
                f"{path} does not match its checksum in state.json (corrupted, or a save was "
                f"interrupted); copy the files of {model_dir}/backup-1 over it, or retrain"
            )


def _load_safetensors(path: Path, advice: str) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    try:
        return load_file(str(path), device="cpu")
    except Exception as exc:  # safetensors raises its own error types
        raise CheckpointError(
            f"{path} is not a readable safetensors file ({exc}); {advice}"
        ) from exc


def read_weights(path: Path) -> dict[str, torch.Tensor]:
    """Load a safetensors file on CPU, with a :class:`CheckpointError` naming a bad file."""
    if not path.is_file():
        raise CheckpointError(f"{path} is missing; the model directory has no weights")
    return _load_safetensors(path, f"restore it from {path.parent}/backup-1 or retrain")


def read_tensors(path: Path) -> dict[str, torch.Tensor]:
    """Load ``optimizer.safetensors`` (a flat dict of tensors) on CPU."""
    return _load_safetensors(
        path, f"delete it to restart the optimizer, or restore it from {path.parent}/backup-1"
    )
