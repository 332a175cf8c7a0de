"""``faceswap-kit bench NAME``: run one of the benchmark scripts of a source checkout and print its
table. The scripts are ``bench_NAME.py`` in the ``benchmarks/`` folder of the current directory
(run the command from the checkout's root), or in the folder given by ``--benchmarks DIR``."""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

from ..errors import InputError

DEFAULT_DIR = Path("benchmarks")  # relative to the current directory


def available(folder: Path = DEFAULT_DIR) -> list[str]:
    """Names of the benchmarks in ``folder`` (empty when it does not exist)."""
    if not folder.is_dir():
        return []
    return sorted(p.stem.removeprefix("bench_") for p in folder.glob("bench_*.py"))


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="run a benchmark and print its table",
        description="Run a benchmark script from a source checkout's benchmarks/ and print its "
        "table. Arguments after NAME go to the script (see 'faceswap-kit bench NAME --help').",
    )
    parser.add_argument(
        "--benchmarks",
        metavar="DIR",
        type=Path,
        default=DEFAULT_DIR,
        help="folder of the bench_*.py scripts (default: benchmarks/ in the current directory)",
    )
    names = ", ".join(available()) or "see benchmarks/ in a source checkout"
    parser.add_argument("name", metavar="NAME", help=f"one of: {names}")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the benchmark")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    folder = args.benchmarks
    names = available(folder)
    if not names:
        raise InputError(
            f"no benchmark scripts (bench_*.py) in {folder.resolve()}; the benchmarks ship with "
            "the source checkout, not with an installed package: git clone the repository and "
            "run 'faceswap-kit bench NAME' from its root, or pass --benchmarks PATH/benchmarks"
        )
    if args.name not in names:
        raise InputError(f"unknown benchmark {args.name!r}; expected one of: {', '.join(names)}")
    script = folder / f"bench_{args.name}.py"
    saved = sys.argv
    sys.argv = [str(script), *args.args]
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    finally:
        sys.argv = saved
    return 0
