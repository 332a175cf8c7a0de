"""``faceswap-kit bench NAME``: run one of the benchmark scripts of a source checkout and print its
table (the scripts live in ``benchmarks/bench_NAME.py``)."""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

from ..errors import InputError

BENCHMARKS_DIR = Path(__file__).resolve().parents[2] / "benchmarks"


def available() -> list[str]:
    """Names of the benchmarks found next to the package (empty for an installed wheel)."""
    if not BENCHMARKS_DIR.is_dir():
        return []
    return sorted(p.stem.removeprefix("bench_") for p in BENCHMARKS_DIR.glob("bench_*.py"))


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="run a benchmark and print its table",
        description="Run a benchmark script from benchmarks/ and print its table. Arguments after "
        "NAME go to the script (see 'faceswap-kit bench NAME --help').",
    )
    parser.add_argument("name", metavar="NAME", help=f"one of: {', '.join(available()) or 'none'}")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the benchmark")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    names = available()
    if not names:
        raise InputError(
            f"no benchmarks found at {BENCHMARKS_DIR}; they ship with a source checkout "
            "(git clone), not with an installed package"
        )
    if args.name not in names:
        raise InputError(f"unknown benchmark {args.name!r}; expected one of: {', '.join(names)}")
    script = BENCHMARKS_DIR / f"bench_{args.name}.py"
    saved = sys.argv
    sys.argv = [str(script), *args.args]
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    finally:
        sys.argv = saved
    return 0
