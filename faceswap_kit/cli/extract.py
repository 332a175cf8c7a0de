"""``faceswap-kit extract``: a curated face set of one person from a video, photos or a folder."""

from __future__ import annotations

import argparse

from ..errors import InputError, NoFaceFoundError
from .options import integer, number

# The command's implementation is imported inside the functions that run it: it pulls in torch
# (and more), and `faceswap-kit --help`, which imports every command module, stays fast.


def register(subparsers: argparse._SubParsersAction) -> None:
    from ..align import FACE_TYPES

    parser = subparsers.add_parser(
        "extract",
        help="find, align and mask the face in every frame; write a face set",
        description="Detect the face in every frame of SRC (a video, an image, or a folder of "
        "them), align it to the canonical face, and write OUT_DIR: aligned images, JSON metadata "
        "per face and a manifest (see docs/dataset.md). Rerunning resumes; unreadable files and "
        "frames without a usable face are skipped and reported.",
    )
    parser.add_argument("source", metavar="SRC", help="video file, image file or folder")
    parser.add_argument("out", metavar="OUT_DIR", help="face set folder (new, empty or resumed)")
    parser.add_argument("--face-type", default="whole_face", choices=FACE_TYPES,
                        help="what the crop covers (default whole_face)")  # fmt: skip
    parser.add_argument(
        "--size", type=integer(16, 2048), default=256, help="crop side in pixels (default 256)"
    )
    parser.add_argument("--format", dest="image_format", default=None, choices=("jpg", "png"),
                        help="jpg: quality 95 (default for a new set); png: lossless, slower")  # fmt: skip
    parser.add_argument("--every", type=integer(1), default=1, help="keep every n-th video frame")
    parser.add_argument("--max-frames", type=integer(1), default=None, help="stop each video early")
    parser.add_argument("--min-face", type=number(0), default=40.0,
                        help="skip faces smaller than this many pixels (default 40)")  # fmt: skip
    parser.add_argument("--choose", default="largest",
                        help="with several faces: 'largest' or an index, left to right")  # fmt: skip
    parser.add_argument("--faces-per-frame", type=integer(1, 16), default=1,
                        help="faces to look for in each frame (default 1, fastest)")  # fmt: skip
    parser.add_argument("--reference", metavar="IMAGE",
                        help="keep the face most like the person in IMAGE")  # fmt: skip
    parser.add_argument("--name", help="identity name recorded in the manifest")
    parser.add_argument("--synthetic", action="store_true",
                        help="the person does not exist (generated)")  # fmt: skip
    parser.add_argument("--consent", help="how consent was given, e.g. 'self' (recorded)")
    parser.add_argument("--device", default="cpu", help="where alignment runs (default cpu)")
    parser.add_argument("--threads", type=integer(1, 256), default=1,
                        help="torch CPU threads (default 1: leaves a core to the detector)")  # fmt: skip
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..dataset import ExtractConfig, Identity, extract
    from ..threads import extraction_threads

    choose: str | int = args.choose
    if choose not in ("largest",):
        try:
            choose = int(choose)
        except ValueError:
            raise InputError(f"--choose must be 'largest' or an integer, got {choose!r}") from None
    reference = None
    if args.reference:
        from ..io import read_image

        reference = read_image(args.reference)
    identity = None
    if args.name or args.synthetic or args.consent:
        consent = args.consent or (
            "not applicable: generated person" if args.synthetic else "not recorded"
        )
        identity = Identity(name=args.name or "unnamed", synthetic=args.synthetic, consent=consent)
    config = ExtractConfig(
        face_type=args.face_type,
        size=args.size,
        image_format=args.image_format,
        min_face_size=args.min_face,
        choose=choose,
        faces_per_frame=max(args.faces_per_frame, 2 if isinstance(choose, int) else 1),
        every=args.every,
        max_frames=args.max_frames,
        device=args.device,
    )
    with extraction_threads(args.threads):  # the detector gets the other core
        summary = extract(
            args.source, args.out, config=config, identity=identity, reference=reference,
            progress=True,
        )  # fmt: skip
    if not summary.faces_total:
        raise NoFaceFoundError(
            "no usable face in the source; " + "; ".join(str(summary).splitlines()[1:])
        )
    print(summary)
    return 0
