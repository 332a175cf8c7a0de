"""``train(data_a, data_b, model_dir, ...)``: the one call behind the CLI, the notebook and the demo."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import tempfile
from pathlib import Path
from typing import Any

import torch

from ..dataset.faceset import FaceSet
from ..errors import CheckpointError, DatasetError, InputError
from ..models import checkpoint as ckpt
from ..models.config import ModelConfig
from ..models.swap_model import read_model_config
from .config import TrainConfig
from .data import FacePairData, load_faceset_any
from .init import apply_init, find_init, resolve_init_config
from .loop import Callback, Trainer
from .memory import check_batch_fits
from .progress import TrainSummary
from .state import read_train_config

log = logging.getLogger(__name__)


def _describe(source: FaceSet | str | Path, faceset: FaceSet) -> dict[str, Any]:
    return {
        "source": str(source)
        if not isinstance(source, FaceSet)
        else faceset.identity.get("source", "in-memory FaceSet"),
        "faces": len(faceset),
        "size": faceset.size,
        "face_type": faceset.face_type,
    }


def make_trainer(
    data_a: FaceSet | str | Path,
    data_b: FaceSet | str | Path,
    model_dir: str | Path,
    model_config: ModelConfig | None = None,
    train_config: TrainConfig | None = None,
    resume: bool = False,
    device: torch.device | str | None = None,
    init: str | Path | None = None,
) -> Trainer:
    """Load both face sets onto the training device and build (or resume) a :class:`Trainer`.

    Args:
        data_a, data_b: :class:`FaceSet` objects or dataset folders.
        model_dir: checkpoint directory.
        model_config: architecture (default ``ModelConfig.tiny()``; when resuming, the
            directory's config is used and an explicit different one is an error).
        train_config: settings (default: the directory's when resuming, else ``TrainConfig.tiny()``).
        resume: continue the checkpoint in ``model_dir``.
        device: training device; default: the device of ``data_a`` (CPU for folders).
        init: a pretrained model (bundled name or folder, e.g. ``"crowd-lite"``) to start from:
            its config is used (a different ``model_config`` is an error) and its weights are
            copied before the first step (see :mod:`faceswap_kit.train.init`).
    """
    model_dir = Path(model_dir)
    _check_writable(model_dir)  # now, not at the first checkpoint minutes later
    if _same_folder(data_a, data_b):
        log.warning(
            "DATA_A and DATA_B are the same face set (%s): the model will only learn to redraw "
            "that person as themselves; give the faces of two different people",
            data_a,
        )
    if init is not None and resume:
        raise InputError("--init starts a new model; drop it when resuming")
    init_model = None
    if init is not None:
        init_model = find_init(init)
        model_config = resolve_init_config(init_model, model_config, model_dir.name)
        train_config = train_config or init_model.train_config
    if resume:
        if not (model_dir / ckpt.STATE).exists():
            raise InputError(f"--resume was given but {model_dir} holds no checkpoint (state.json)")
        saved, _ = read_model_config(model_dir)
        if model_config is not None and model_config != saved:
            raise CheckpointError(
                f"{model_dir} holds a {saved.architecture} {saved.resolution} px model "
                f"({saved}); the requested config differs ({model_config}). Resume without "
                "--preset, or train into another directory"
            )
        model_config = saved
        train_config = train_config or read_train_config(model_dir)
    model_config = model_config or ModelConfig.tiny()
    train_config = train_config or TrainConfig.tiny()
    if device is None:
        device = data_a.images.device if isinstance(data_a, FaceSet) else torch.device("cpu")
    check_batch_fits(model_config, train_config, device)  # before any face is loaded
    a = load_faceset_any(data_a, device)
    b = load_faceset_any(data_b, device)
    if a.face_type != model_config.face_type:
        if init_model is not None:
            raise DatasetError(
                f"expected {model_config.face_type!r} faces (the face type of --init "
                f"{init}), got {a.face_type!r}; extract the data with --face-type "
                f"{model_config.face_type}"
            )
        model_config = _with_face_type(model_config, a.face_type, resume)
    data = FacePairData(a, b, model_config.resolution, device)
    provenance = {"a": _describe(data_a, a), "b": _describe(data_b, b)}
    trainer = Trainer(
        data, model_dir, model_config, train_config, resume=resume, provenance=provenance
    )
    if init_model is not None:
        apply_init(trainer.parts, trainer.state, init_model)
    return trainer


def _check_writable(model_dir: Path) -> None:
    """Raise :class:`CheckpointError` unless files can be created in ``model_dir`` (by trying:
    permission bits say nothing for root or a read-only disk). Folders made for the try are
    removed again; the first checkpoint makes them."""
    created = [p for p in (model_dir, *model_dir.parents) if not p.exists()]
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=model_dir):
            pass
        for folder in created:  # deepest first
            with contextlib.suppress(OSError):
                folder.rmdir()
    except OSError as exc:
        raise CheckpointError(
            f"model directory {str(model_dir)!r} is not writable ({exc.strerror or exc}); "
            "choose a folder you can write to (nothing was trained)"
        ) from None


def _same_folder(a: FaceSet | str | Path, b: FaceSet | str | Path) -> bool:
    if isinstance(a, FaceSet) or isinstance(b, FaceSet):
        return a is b
    try:
        return Path(a).samefile(b)
    except OSError:
        return False


def _with_face_type(config: ModelConfig, face_type: str, resume: bool) -> ModelConfig:
    if resume:
        raise DatasetError(
            f"the model was trained on {config.face_type!r} faces but the data is {face_type!r}; "
            "extract the data with the model's face type"
        )
    return dataclasses.replace(config, face_type=face_type)


def train(
    data_a: FaceSet | str | Path,
    data_b: FaceSet | str | Path,
    model_dir: str | Path,
    model_config: ModelConfig | None = None,
    train_config: TrainConfig | None = None,
    steps: int | None = None,
    minutes: float | None = None,
    resume: bool = False,
    device: torch.device | str | None = None,
    callback: Callback | None = None,
    stop_event: Any = None,
    progress: bool = False,
    scorer: Any = None,
    init: str | Path | None = None,
) -> TrainSummary:
    """Train a swap model of A and B into ``model_dir`` and return a summary.

    ``steps`` is the total step count to reach, ``minutes`` the wall-clock budget of this call;
    give either or both. Ctrl-C saves a checkpoint before stopping. ``scorer(swap_model) -> dict``
    (e.g. :func:`faceswap_kit.evaluate.synth_scorer`) scores every checkpoint into the model
    card. ``init`` starts from a pretrained model's weights (e.g. ``"crowd-lite"``). See
    :func:`make_trainer` for the other arguments.

    >>> import tempfile
    >>> from faceswap_kit.train.synthfaces import synth_faceset
    >>> out = tempfile.mkdtemp()
    >>> summary = train(synth_faceset(4, 8, 64), synth_faceset(7, 8, 64), out, steps=2)
    >>> summary.step
    2
    """
    trainer = make_trainer(
        data_a, data_b, model_dir, model_config, train_config, resume=resume, device=device,
        init=init,
    )  # fmt: skip
    if steps is None and minutes is None:
        raise InputError("give a budget: steps=N (total) and/or minutes=M")
    trainer.scorer = scorer
    return trainer.run(
        steps=steps, minutes=minutes, stop_event=stop_event, callback=callback, progress=progress
    )
