"""``faceswap-kit live``: the live loop headless — time it, or process a file or a generated person.

    faceswap-kit live --frames 120 --out out/live.mp4            # generated person, 2D warp
    faceswap-kit live --input clip.mp4 --out swapped.mp4          # a video file
    faceswap-kit live --mode model --model synth-4-7-df-lite --frames 60

The interactive version (browser camera) is notebook 04 or ``faceswap_kit.live.LiveSwap``.
"""

from __future__ import annotations

import argparse

from ..errors import InputError
from .options import integer

# The command's implementation is imported inside the functions that run it: it pulls in torch
# (and more), and `faceswap-kit --help`, which imports every command module, stays fast.


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "live",
        help="run the live swap loop headless and print per-stage timings",
        description="Run the realtime loop over a generated person or a video file, without a "
        "browser; print per-stage milliseconds and optionally write the labelled output.",
    )
    parser.add_argument("--mode", choices=("warp2d", "model", "passthrough"), default="warp2d")
    parser.add_argument(
        "--model",
        help="model directory or bundled name for --mode model (default: anyface-lite, the "
        "any-face model, when installed)",
    )
    parser.add_argument("--input", help="video file to process (default: a generated person)")
    parser.add_argument("--out", help="write the output mp4 here")
    parser.add_argument(
        "--frames", type=integer(1), default=120, help="frames to process (default 120)"
    )
    parser.add_argument("--seed", type=integer(0), default=0, help="generated person (default 0)")
    parser.add_argument("--width", type=integer(32, 4096), default=640)
    parser.add_argument("--height", type=integer(32, 4096), default=480)
    parser.add_argument("--no-hud", action="store_true", help="do not draw the timing HUD")
    parser.add_argument(
        "--threads",
        type=integer(1, 256),
        default=1,
        help="torch CPU threads (default 1: the loop's small operations slow down with more "
        "threads on a busy CPU)",
    )
    parser.add_argument(
        "--virtual-camera", action="store_true", help="say whether a virtual camera can be used"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..live.headless import run_headless
    from ..live.runner import LiveConfig

    if args.virtual_camera:
        from ..live.virtualcam import virtual_camera_status

        print(virtual_camera_status()[1])
        return 0
    if args.frames < 1:
        raise InputError(f"--frames must be >= 1, got {args.frames}")
    if args.threads < 1:
        raise InputError(f"--threads must be >= 1, got {args.threads}")
    import torch

    torch.set_num_threads(args.threads)
    if args.width < 32 or args.height < 32:
        raise InputError(f"--width/--height must be >= 32, got {args.width}x{args.height}")
    source = None
    if args.input:
        from ..live.sources import VideoFileSource

        source = VideoFileSource(args.input, loop=False)
    report = run_headless(
        out_path=args.out,
        frames=args.frames,
        mode=args.mode,
        model=args.model,
        seed=args.seed,
        size=(args.width, args.height),
        config=LiveConfig(auto_quality=False, hud=not args.no_hud),
        source=source,
    )
    print(report.table())
    if report.output is not None:
        print(f"wrote {report.output} (labelled AI-generated)")
    return 0
