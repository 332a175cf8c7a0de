"""``faceswap-kit train DATA_A DATA_B MODEL_DIR``: train (or resume) a DF/LIAE swap model."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
from pathlib import Path

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
    parser.add_argument("--resolution", type=int, default=None, help="face size in px (64-256)")
    parser.add_argument("--batch-size", type=int, default=None, help="faces per person per step")
    parser.add_argument("--steps", type=int, default=None, help="train until this total step")
    parser.add_argument("--minutes", type=float, default=None, help="wall-clock budget of this run")
    parser.add_argument("--resume", action="store_true", help="continue the model in MODEL_DIR")
    parser.add_argument(
        "--init", default=None,
        help="start from a pretrained model (bundled name such as crowd-lite, or a folder); "
        "its preset, resolution and face type are used",
    )  # fmt: skip
    parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: best available)")
    parser.add_argument("--compile", action="store_true", help="use torch.compile")
    parser.add_argument(
        "--threads", type=int, default=None,
        help="torch CPU threads (on a busy shared CPU, 1 avoids spin-waiting and is often fastest)",
    )  # fmt: skip
    parser.add_argument("--gan-power", type=float, default=None, help="patch-GAN loss weight")
    parser.add_argument(
        "--checkpoint-minutes", type=float, default=None, help="minutes between checkpoints"
    )
    parser.add_argument(
        "--score-pairs",
        type=int,
        default=8,
        help="score each checkpoint on this many ideal swaps when both people are generated "
        "(0 disables)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from ..device import get_device
    from ..errors import InputError
    from ..models.config import ModelConfig
    from ..train import TrainConfig, make_trainer
    from ..train.score import synth_scorer, synthetic_seeds
    from ..train.state import read_train_config

    if args.steps is None and args.minutes is None:
        raise InputError("give a budget: --steps N (total steps) and/or --minutes M")
    if args.resume and (args.preset or args.architecture or args.resolution):
        raise InputError(
            "--resume continues the model as saved; drop --preset/--architecture/--resolution"
        )
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
            ("checkpoint_minutes", args.checkpoint_minutes),
            ("compile", True if args.compile else None),
        )
        if v is not None
    }
    if args.resume and "gan_power" in changes:
        raise InputError("--gan-power cannot change on --resume (the discriminator is saved)")
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
        methods = trainer.scores[-1]["methods"]
        print(
            "score (SSIM in face mask): "
            + ", ".join(f"{k} {v['ssim']:.3f}" for k, v in methods.items())
        )
    return 0


def _init_configs(args: argparse.Namespace):
    """With ``--init``: the init model's configs; --preset/--architecture/--resolution that
    disagree with it are a one-line error (:func:`faceswap_kit.train.init.check_conflicts`)."""
    import dataclasses

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
