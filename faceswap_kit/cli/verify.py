"""``faceswap-kit verify FILE``: the kit's watermark, Content Credentials and metadata label."""

from __future__ import annotations

import argparse
import json

# The command's implementation is imported inside the functions that run it: it pulls in torch
# (and more), and `faceswap-kit --help`, which imports every command module, stays fast.

EXIT_FOUND, EXIT_NOTHING = 0, 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check a video or image for the kit's watermark and Content Credentials",
        description="Read the invisible watermark, the C2PA manifest (present, valid, tampered) and "
        "the metadata label of FILE. Exit 0 when the kit's mark or manifest is found, 1 when "
        "nothing is found, 2 on bad input.",
    )
    parser.add_argument("file", metavar="FILE", help="video (.mp4 ...) or image (.png, .jpg ...)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..provenance import verify

    report = verify(args.file)
    if args.json:
        mark = report.watermark
        print(
            json.dumps(
                {
                    "file": str(report.path),
                    "found": report.found,
                    "watermark": None
                    if mark is None
                    else {
                        "found": mark.found,
                        "score": round(mark.score, 2),
                        "magic_agreement": mark.magic_agreement,
                        "payload_id": mark.payload_id if mark.found else None,
                        "alignment": mark.alignment,
                        "frames": mark.frames,
                    },
                    "credentials": {
                        "present": report.credentials.present,
                        "state": report.credentials.state,
                        "tampered": report.credentials.tampered,
                        "from_kit": report.credentials.from_kit,
                        "record": report.credentials.record,
                        "failures": list(report.credentials.failures),
                    },
                    "metadata": report.metadata,
                    "records": report.records,
                    "notes": report.notes,
                },
                indent=2,
            )
        )
    else:
        print("\n".join(report.lines()))
    return EXIT_FOUND if report.found else EXIT_NOTHING
