"""``faceswap-kit pretrain MODEL_DIR``: pretrain on a crowd of generated people, or build an
any-face model (``--target-seed S``)."""

from __future__ import annotations

import argparse
import dataclasses
import logging

from ..errors import InputError
from .options import number

# The command's implementation is imported inside the functions that run it: it pulls in torch
# (and more), and `faceswap-kit --help`, which imports every command module, stays fast.

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pretrain",
        help="pretrain a model on a crowd of generated people (or an any-face model)",
        description=(
            "Train the shared encoder and both decoders on thousands of generated people, "
            "rendered in memory by a background thread (nothing is written but checkpoints). "
            "With --target-seed S the model learns many people in, person S out (the "
            "generator's ideal swap as the target): an any-face model. Checkpoints are atomic, "
            "saved every few minutes and on Ctrl-C; --resume continues a run."
        ),
    )
    parser.add_argument("model_dir", help="model directory (created; checkpoints go here)")
    parser.add_argument(
        "--preset", choices=("tiny", "lite", "default"), default=None,
        help="model and training size (default: lite for a new model)",
    )  # fmt: skip
    parser.add_argument("--steps", type=int, default=None, help="train until this total step")
    parser.add_argument("--minutes", type=float, default=None, help="wall-clock budget of this run")
    parser.add_argument("--resume", action="store_true", help="continue the model in MODEL_DIR")
    parser.add_argument(
        "--target-seed", type=int, default=None,
        help="build an any-face model whose output is this generated person",
    )  # fmt: skip
    parser.add_argument(
        "--init", default=None, help="start from this pretrained model (bundled name or folder)"
    )
    parser.add_argument("--people", type=int, default=None, help="people in the crowd (5000)")
    parser.add_argument(
        "--first-seed", type=int, default=None,
        help="seed of the first crowd person (1000; scoring uses people below 1000)",
    )  # fmt: skip
    parser.add_argument("--pool", type=int, default=None, help="faces held in memory")
    parser.add_argument(
        "--render-share", type=float, default=None,
        help="fraction of one CPU core the background renderer may use (0.5)",
    )  # fmt: skip
    parser.add_argument("--batch-size", type=int, default=None, help="faces per side per step")
    parser.add_argument(
        "--checkpoint-minutes", type=float, default=None, help="minutes between checkpoints"
    )
    parser.add_argument(
        "--learning-rate", type=number(0, 1, low_open=True), default=None,
        help="AdamW learning rate (with --resume: continue at this rate, e.g. a third of it for "
        "a final phase)",
    )  # fmt: skip
    parser.add_argument(
        "--score-people", type=int, default=8,
        help="any-face: score each checkpoint on this many unseen people (0 disables)",
    )  # fmt: skip
    parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: best available)")
    parser.add_argument(
        "--threads", type=int, default=None,
        help="torch CPU threads (on a busy shared CPU, 1 avoids spin-waiting and is often fastest)",
    )  # fmt: skip
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from ..device import get_device
    from ..evaluate import anyface_scorer
    from ..models.config import ModelConfig
    from ..train import TrainConfig
    from ..train.init import with_learning_rate
    from ..train.pretrain import crowd_for, make_pretrainer

    if args.steps is None and args.minutes is None:
        raise InputError("give a budget: --steps N (total steps) and/or --minutes M")
    crowd_options = {
        "people": args.people,
        "first_seed": args.first_seed,
        "pool_size": args.pool,
        "render_share": args.render_share,
        "target_seed": args.target_seed,
    }
    crowd_changed = any(v is not None for v in crowd_options.values())
    if args.resume and (args.preset or args.init or crowd_changed):
        raise InputError(
            "--resume continues the model as saved; drop --preset/--init and the crowd options"
        )
    if args.init and args.preset:
        raise InputError("--init decides the model size; drop --preset")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = get_device(args.device)
    preset = args.preset or "lite"
    model_config = crowd = None
    train_config = None  # when resuming: the directory's
    if not args.resume:
        crowd = crowd_for(preset, **crowd_options)
        if not args.init:
            model_config = ModelConfig.preset(preset)
        train_config = TrainConfig.preset(preset) if not args.init else None
    if args.learning_rate is not None:  # the optimizer is built with it (or switched to it)
        train_config = with_learning_rate(
            args.learning_rate, model_dir=args.model_dir if args.resume else None,
            init=args.init, preset=preset,
        )  # fmt: skip
    changes = {"batch_size": args.batch_size, "checkpoint_minutes": args.checkpoint_minutes}
    changes = {k: v for k, v in changes.items() if v is not None}
    trainer = make_pretrainer(
        args.model_dir, model_config, train_config, crowd, resume=args.resume, device=device,
        init=args.init, command=args.command_line,
    )  # fmt: skip
    if changes:
        trainer.config = dataclasses.replace(trainer.config, **changes)
    data = trainer.data
    target = data.config.target_seed
    if target is not None and args.score_people > 0:
        trainer.scorer = anyface_scorer(target, people=args.score_people)
    c = trainer.model_config
    kind = f"any-face (output: person {target})" if target is not None else "crowd"
    print(
        f"pretraining {kind} {c.architecture} {c.resolution}px ({trainer.parameters / 1e6:.2f} M "
        f"params) on {device}: crowd seeds {data.config.first_seed}.."
        f"{data.config.first_seed + data.config.people - 1}, pool {data.config.pool_size} faces, "
        f"from step {trainer.step}"
    )
    with data:
        summary = trainer.run(steps=args.steps, minutes=args.minutes, progress=not args.no_progress)
        stats = data.stats()
    print(summary)
    info = data.card_info()
    print(
        f"crowd: {info['people_seen']} people, {info['faces_rendered']} faces so far; renderer "
        f"{stats.get('render_ms_per_face', 0):.0f} ms a face, "
        f"{stats.get('faces_per_second', 0):.1f} faces/s, "
        f"{100 * stats.get('render_cpu_share', 0):.0f}% of one core; each face drawn "
        f"{stats['samples_per_face']:.1f} times on average"
    )
    if trainer.scores:
        from ..evaluate import score_summary

        print("any-face score on unseen people:\n" + score_summary(trainer.scores[-1]))
    return 0
