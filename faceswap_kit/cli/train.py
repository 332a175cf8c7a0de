"""``faceswap-kit train DATA_A DATA_B MODEL_DIR``: train (or resume) a DF/LIAE swap model."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
from pathlib import Path

from ..errors import InputError
from .options import integer, number

# The command's implementation is imported inside the functions that run it: it pulls in torch
# (and more), and `faceswap-kit --help`, which imports every command module, stays fast.

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train a face-swap model on two face sets",
        description=(
            "Train a DF or LIAE autoencoder on the aligned faces of person A and person B "
            "(folders written by 'faceswap-kit extract'). Checkpoints are saved atomically every "
            "few minutes and on Ctrl-C; --resume continues exactly where a run stopped."
        ),
    )
    parser.add_argument("data_a", help="dataset folder of person A")
    parser.add_argument("data_b", help="dataset folder of person B")
    parser.add_argument("model_dir", help="model directory (created; checkpoints go here)")
    parser.add_argument(
        "--preset",
        choices=("tiny", "lite", "default"),
        default=None,
        help="model and training size (default: tiny for a new model)",
    )
    parser.add_argument("--architecture", choices=("df", "liae"), default=None)
    parser.add_argument(
        "--resolution", type=integer(32, 512), default=None, help="face size in px (64-256)"
    )
    parser.add_argument(
        "--batch-size", type=integer(1), default=None, help="faces per person per step"
    )
    parser.add_argument(
        "--steps", type=integer(1), default=None, help="train until this total step"
    )
    parser.add_argument(
        "--minutes",
        type=number(0, low_open=True),
        default=None,
        help="wall-clock budget of this run",
    )
    parser.add_argument("--resume", action="store_true", help="continue the model in MODEL_DIR")
    parser.add_argument(
        "--init", default=None,
        help="start from a pretrained model (bundled name such as crowd-lite, or a folder); "
        "its preset, resolution and face type are used",
    )  # fmt: skip
    parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: best available)")
    parser.add_argument("--compile", action="store_true", help="use torch.compile")
    parser.add_argument(
        "--threads", type=integer(1, 256), default=None,
        help="torch CPU threads (on a busy shared CPU, 1 avoids spin-waiting and is often fastest)",
    )  # fmt: skip
    parser.add_argument(
        "--gan-power", type=number(0, 10), default=None, help="patch-GAN loss weight"
    )
    parser.add_argument(
        "--learning-rate", type=number(0, 1, low_open=True), default=None,
        help="AdamW learning rate (with --resume: continue at this rate, e.g. a tenth of it for "
        "a final sharpening phase or after the loss became non-finite)",
    )  # fmt: skip
    parser.add_argument(
        "--checkpoint-minutes",
        type=number(0, low_open=True),
        default=None,
        help="minutes between checkpoints",
    )
    parser.add_argument(
        "--score-pairs",
        type=integer(0, 256),
        default=8,
        help="score each checkpoint on this many ideal swaps when both people are generated "
        "(0 disables)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from ..device import get_device
    from ..evaluate import synth_scorer, synthetic_seeds
    from ..models.config import ModelConfig
    from ..train import TrainConfig, make_trainer
    from ..train.state import read_train_config

    if args.steps is None and args.minutes is None:
        raise InputError("give a budget: --steps N (total steps) and/or --minutes M")
    if args.init and args.resume:
        raise InputError("--init starts a new model; drop it when resuming")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = get_device(args.device)
    if device.type == "cuda" and "LOCAL_RANK" in os.environ:  # one GPU per torchrun process
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(device)
    model_config = None
    if args.resume:
        train_config = read_train_config(Path(args.model_dir))
        check_resume_options(args, Path(args.model_dir), train_config)
    elif args.init:
        model_config, train_config = _init_configs(args)
    else:
        preset = args.preset or "tiny"
        overrides = {
            k: v
            for k, v in (("architecture", args.architecture), ("resolution", args.resolution))
            if v is not None
        }
        model_config = ModelConfig.preset(preset, **overrides)
        train_config = TrainConfig.preset(preset)
    changes = {
        k: v
        for k, v in (
            ("batch_size", args.batch_size),
            ("gan_power", args.gan_power),
            ("learning_rate", args.learning_rate),
            ("checkpoint_minutes", args.checkpoint_minutes),
            ("compile", True if args.compile else None),
        )
        if v is not None
    }
    train_config = dataclasses.replace(train_config, **changes)
    trainer = make_trainer(
        args.data_a, args.data_b, args.model_dir, model_config, train_config,
        resume=args.resume, device=device, init=args.init,
    )  # fmt: skip
    from ..train.pretrain import record_command

    record_command(trainer, getattr(args, "command_line", None))
    seeds = synthetic_seeds(trainer.data.identities)
    if seeds and args.score_pairs > 0:
        trainer.scorer = synth_scorer(*seeds, pairs=args.score_pairs)
    c = trainer.model_config
    print(
        f"training {c.architecture} {c.resolution}px ({trainer.parameters / 1e6:.2f} M params) on "
        f"{device}: {trainer.data.count('a')} faces of A, {trainer.data.count('b')} of B, "
        f"from step {trainer.step}"
    )
    summary = trainer.run(steps=args.steps, minutes=args.minutes, progress=not args.no_progress)
    print(summary)
    if trainer.scores:
        from ..evaluate import score_summary

        print("score:\n" + score_summary(trainer.scores[-1]))
    return 0


MODEL_SIZE_FIELDS = ("architecture", "resolution", "encoder_dims", "bottleneck_dims", "decoder_dims",
                     "mask_dims", "depth")  # fmt: skip


def check_resume_options(args: argparse.Namespace, model_dir: Path, saved_train) -> None:
    """On ``--resume``, options that agree with the saved model are fine (the command that
    started the model works again with ``--resume`` added); a real conflict is an error that
    names the saved value."""
    from ..models.config import ModelConfig
    from ..models.swap_model import read_model_config

    saved, _ = read_model_config(model_dir)
    overrides = {
        k: v
        for k, v in (("architecture", args.architecture), ("resolution", args.resolution))
        if v is not None
    }
    asked = ModelConfig.preset(args.preset, **overrides) if args.preset else None
    conflicts = []
    for name in MODEL_SIZE_FIELDS:
        want = getattr(asked, name) if asked is not None else overrides.get(name)
        if want is not None and want != getattr(saved, name):
            conflicts.append(f"{name} {want} (saved: {getattr(saved, name)})")
    if args.gan_power is not None and args.gan_power != saved_train.gan_power:
        conflicts.append(f"gan_power {args.gan_power:g} (saved: {saved_train.gan_power:g})")
    if conflicts:
        given = " ".join(
            f"--{flag} {value}"
            for flag, value in (
                ("preset", args.preset),
                ("architecture", args.architecture),
                ("resolution", args.resolution),
                ("gan-power", args.gan_power),
            )
            if value is not None
        )
        raise InputError(
            f"{given} asks for {', '.join(conflicts)} but --resume continues the model saved in "
            f"{model_dir}; drop those options, or train a new model into another folder"
        )


def _init_configs(args: argparse.Namespace):
    """With ``--init``: the init model's configs; --preset/--architecture/--resolution that
    disagree with it are a one-line error (:func:`faceswap_kit.train.init.check_conflicts`)."""
    from ..models.config import ModelConfig
    from ..train import TrainConfig
    from ..train.init import check_conflicts, find_init

    init = find_init(args.init)
    requested = init.model_config
    if args.preset:
        requested = ModelConfig.preset(args.preset, name=requested.name)
    overrides = {"architecture": args.architecture, "resolution": args.resolution}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    requested = dataclasses.replace(requested, **overrides)
    check_conflicts(init, requested)
    train_config = init.train_config or TrainConfig.preset(args.preset or "tiny")
    return requested, train_config
