"""``faceswap-kit convert``: swap the faces of a video with a trained model."""

from __future__ import annotations

import argparse
import sys

from ..merge.config import (
    BLEND_MODES,
    COLOR_MODES,
    MASK_MODES,
    MAX_BLUR,
    MAX_ERODE,
    MAX_SHARPEN,
    MergeConfig,
)
from . import EXIT_INTERRUPTED
from .options import integer, number

# The command's implementation is imported inside the functions that run it: it pulls in torch
# (and more), and `faceswap-kit --help`, which imports every command module, stays fast.


def register(subparsers: argparse._SubParsersAction) -> None:
    defaults = MergeConfig.default()
    parser = subparsers.add_parser(
        "convert",
        help="swap the faces of a video with a trained model (H.264 mp4, audio kept)",
        description="Convert IN_VIDEO into OUT_VIDEO: every frame is tracked, the face aligned, "
        "redrawn by the model in MODEL_DIR and merged back (colour transfer, mask, blend). "
        "Frames without a face pass through; audio is copied; the file is tagged as synthetic "
        "and OUT.json records how it was made. Ctrl+C leaves OUT.partial.mp4 with the frames "
        "done so far and exits with status 130.",
    )
    parser.add_argument("model_dir", metavar="MODEL_DIR", help="trained model folder (or name)")
    parser.add_argument("in_video", metavar="IN_VIDEO", help="video to convert")
    parser.add_argument("out_video", metavar="OUT_VIDEO", help="video to write (.mp4)")
    parser.add_argument("--color", choices=COLOR_MODES, default=defaults.color,
                        help=f"colour transfer (default {defaults.color})")  # fmt: skip
    parser.add_argument("--mask", choices=MASK_MODES, default=defaults.mask,
                        help=f"which mask (default {defaults.mask})")  # fmt: skip
    parser.add_argument("--erode", type=integer(-MAX_ERODE, MAX_ERODE), default=defaults.erode,
                        help=f"shrink the mask by N px, negative grows (default {defaults.erode})")  # fmt: skip
    parser.add_argument("--blur", type=integer(0, MAX_BLUR), default=defaults.blur,
                        help=f"feather width in px (default {defaults.blur})")  # fmt: skip
    parser.add_argument("--blend", choices=BLEND_MODES, default=defaults.blend,
                        help=f"blend mode (default {defaults.blend})")  # fmt: skip
    parser.add_argument("--opacity", type=number(0, 1), default=defaults.opacity,
                        help="0 = original, 1 = full swap (default 1)")  # fmt: skip
    parser.add_argument("--sharpen", type=number(0, MAX_SHARPEN), default=defaults.sharpen,
                        help="unsharp-mask amount on the new face (default 0)")  # fmt: skip
    parser.add_argument("--direction", default="a_to_b", choices=("a_to_b", "b_to_a"),
                        help="a_to_b: the video shows person A, the output person B")  # fmt: skip
    parser.add_argument("--side-by-side", action="store_true",
                        help="write original | swapped side by side")  # fmt: skip
    parser.add_argument("--no-smoothing", action="store_true",
                        help="use raw landmarks (no One-Euro smoothing)")  # fmt: skip
    parser.add_argument("--max-frames", type=integer(1), default=None, help="stop after N frames")
    parser.add_argument("--device", default=None, help="cpu, cuda or mps (default: best)")
    parser.add_argument("--overwrite", action="store_true", help="replace OUT_VIDEO if it exists")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--no-watermark", action="store_true",
                        help="write without the invisible watermark (recorded in the file's "
                        "Content Credentials and metadata)")  # fmt: skip
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..convert import convert_video
    from ..device import get_device

    config = MergeConfig(
        color=args.color, mask=args.mask, erode=args.erode, blur=args.blur, blend=args.blend,
        opacity=args.opacity, sharpen=args.sharpen,
    )  # fmt: skip
    kwargs = {"smoothing": None} if args.no_smoothing else {}
    summary = convert_video(
        args.model_dir, args.in_video, args.out_video, config,
        overwrite=args.overwrite, side_by_side=args.side_by_side, direction=args.direction,
        max_frames=args.max_frames, device=get_device(args.device), progress=not args.quiet,
        watermark=not args.no_watermark, model_threads="auto", **kwargs,
    )  # fmt: skip
    stages = ", ".join(f"{k} {v:.1f}" for k, v in summary.stage_ms.items())
    state = "INTERRUPTED, partial file" if summary.interrupted else "wrote"
    print(
        f"{state} {summary.output_path}: {summary.frames} frames ({summary.frames_with_face} with "
        f"a face) at {summary.fps:.1f} frames/s; ms per frame: {stages}. Synthetic media - label "
        "it as such when you share it."
    )
    if summary.interrupted:  # a partial video is not a result: `convert && next` must stop here
        print(
            f"faceswap-kit convert: interrupted after {summary.frames} frames; {args.out_video} "
            f"was not written, the frames done are in {summary.output_path}",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    return 0
