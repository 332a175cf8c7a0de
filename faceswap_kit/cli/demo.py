"""``faceswap-kit demo [OUT_DIR]``: the end-to-end main job on people who do not exist."""

from __future__ import annotations

import argparse

from ..errors import InputError
from .options import integer, number

# The command's implementation is imported inside the functions that run it: it pulls in torch
# (and more), and `faceswap-kit --help`, which imports every command module, stays fast.


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the whole pipeline on generated people",
        description="Generate two people who do not exist, extract their faces, train a small "
        "swap model, swap a video and run the live loop headless. Results go to OUT_DIR.",
    )
    parser.add_argument("out_dir", nargs="?", default="out/demo", metavar="OUT_DIR")
    parser.add_argument(
        "--minutes",
        type=number(0, low_open=True),
        default=None,
        help="training budget (default 3.5)",
    )
    parser.add_argument("--steps", type=integer(1), default=None, help="training step cap")
    parser.add_argument("--preset", choices=("tiny", "lite", "default"), default=None)
    parser.add_argument("--quick", action="store_true", help="seconds-long smoke run (for tests)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..demo import DemoConfig, run_demo

    config = DemoConfig.tiny() if args.quick else DemoConfig.default()
    overrides = {}
    if args.minutes is not None:
        if args.minutes <= 0:
            raise InputError(f"--minutes must be positive, got {args.minutes}")
        overrides["train_minutes"] = args.minutes
    if args.steps is not None:
        if args.steps < 1:
            raise InputError(f"--steps must be at least 1, got {args.steps}")
        overrides["train_steps"] = args.steps
    if args.preset is not None:
        overrides["preset"] = args.preset
    if overrides:
        config = DemoConfig(**{**config.__dict__, **overrides})
    print(f"faceswap_kit demo -> {args.out_dir} (people who do not exist; outputs are synthetic)")
    result = run_demo(args.out_dir, config)
    print(f"done: open {result.out_dir}/ (summary.json lists every file)")
    return 0
