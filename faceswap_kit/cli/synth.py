"""``faceswap-kit synth``: clips (and contact sheets) of people who do not exist."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from ..errors import InputError
from .options import integer, number

# The command's implementation is imported inside the functions that run it: it pulls in torch
# (and more), and `faceswap-kit --help`, which imports every command module, stays fast.

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="render a clip of a person who does not exist, with ground truth",
        description="Render a short clip of a generated person (talking, blinking, turning the head) "
        "as OUT.mp4 with its ground truth beside it (OUT.json: per-frame landmarks, pose, "
        "expression). With --sheet, write a contact sheet of generated people instead.",
    )
    parser.add_argument("out", nargs="?", metavar="OUT.mp4", help="video to write")
    parser.add_argument("--seed", type=integer(0), default=0, help="which person (default 0)")
    parser.add_argument(
        "--frames", type=integer(1, 100_000), default=75, help="number of frames (default 75)"
    )
    parser.add_argument(
        "--size", type=integer(16, 4096), default=256, help="frame side in pixels (default 256)"
    )
    parser.add_argument(
        "--fps", type=number(1, 240), default=25.0, help="frames per second (default 25)"
    )
    parser.add_argument("--supersample", type=int, default=1, choices=(1, 2, 3, 4),
                        help="anti-aliasing factor (slower; default 1)")  # fmt: skip
    parser.add_argument(
        "--sheet", metavar="OUT.png", help="write a contact sheet of people instead"
    )
    parser.add_argument(
        "--people", type=integer(1, 64), default=6, help="rows of the contact sheet (default 6)"
    )
    parser.add_argument("--no-watermark", dest="watermark", action="store_false",
                        help="write without the invisible watermark (recorded in the file's "
                        "Content Credentials and metadata)")  # fmt: skip
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import synth

    if args.seed < 0:
        raise InputError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.sheet:
        from ..io.images import write_image
        from ..synth.sheet import contact_sheet, sheet_array

        if not 1 <= args.people <= 64:
            raise InputError(f"--people must be between 1 and 64, got {args.people}")
        if Path(args.sheet).suffix.lower() not in (".png", ".jpg", ".jpeg"):
            raise InputError(f"--sheet must name a .png or .jpg file, got {args.sheet!r}")
        sheet = contact_sheet(range(args.seed, args.seed + args.people), size=min(args.size, 512))
        from ..provenance import Provenance

        record = Provenance.new(
            "synth", "contact sheet of generated people", watermark=args.watermark
        )
        path = write_image(args.sheet, sheet_array(sheet), provenance=record)
        print(f"wrote {path} ({args.people} people who do not exist)")
        return 0
    if not args.out:
        raise InputError("give OUT.mp4 (the clip to write) or --sheet OUT.png")
    path = synth.write_clip(
        args.out, args.seed, args.frames, args.size, fps=args.fps, supersample=args.supersample,
        progress=True, watermark=args.watermark,
    )  # fmt: skip
    print(f"wrote {path} and {path.with_suffix('.json')} (synthetic person, seed {args.seed})")
    return 0
