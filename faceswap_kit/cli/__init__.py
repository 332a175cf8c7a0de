"""The ``faceswap-kit`` command line. Each stage lives in its own module ``faceswap_kit.cli.<name>``
that defines ``register(subparsers)``; this module only dispatches and turns user errors into one
line on stderr and a non-zero exit (never a traceback)."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import logging
import os
import re
import shlex
import sys
import threading
from collections.abc import Iterator, Sequence

from ..errors import FaceswapKitError
from ..threads import prefer_passive_wait

COMMANDS = ("synth", "extract", "train", "pretrain", "convert", "verify", "live", "bench", "demo")
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are a single line that points at ``--help``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="faceswap-kit",
        description="Make face swaps step by step: synth, extract, train, pretrain, convert, live.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=OneLineParser
    )
    subparsers.required = True
    for name in COMMANDS:
        module_name = f"{__name__}.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue
        importlib.import_module(module_name).register(subparsers)
    return parser


#: Start-up chatter that mediapipe's native libraries write straight to file descriptor 2.
NATIVE_NOISE = re.compile(
    rb"XNNPACK delegate|absl::InitializeLog|inference_feedback_manager|"
    rb"gl_context|Created TensorFlow Lite|All log messages before"
)


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Drop the native libraries' start-up chatter from stderr, keep every other line.

    File descriptor 2 (where native code writes) is routed through a pipe; a thread forwards each
    line to the real stderr unless it matches :data:`NATIVE_NOISE`. Python's own ``sys.stderr``
    (progress bars, logging, errors) writes to the real stderr directly, so nothing is delayed.
    Everything is flushed and restored on exit.
    """
    try:
        saved = os.dup(2)
        read_end, write_end = os.pipe()
    except OSError:
        yield
        return

    def forward() -> None:
        with os.fdopen(read_end, "rb") as pipe:
            for line in pipe:
                if not NATIVE_NOISE.search(line):
                    os.write(saved, line)

    thread = threading.Thread(target=forward, name="stderr-filter", daemon=True)
    thread.start()
    sys.stderr.flush()
    python_stderr = sys.stderr
    os.dup2(write_end, 2)
    os.close(write_end)
    sys.stderr = open(  # noqa: SIM115 - closed below
        os.dup(saved), "w", buffering=1, encoding=python_stderr.encoding, errors="backslashreplace"
    )
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr.close()
        sys.stderr = python_stderr
        os.dup2(saved, 2)  # closes the pipe's last write end: the thread sees EOF
        thread.join(timeout=5)
        os.close(saved)


def main(argv: Sequence[str] | None = None, quiet: bool | None = None) -> int:
    """Run the command line. ``argv`` defaults to ``sys.argv[1:]``.

    ``quiet`` filters the native libraries' start-up chatter out of stderr; by default it is on
    when run as a program (``argv`` not given) and off when called from Python with ``argv``, so
    tests that capture ``sys.stderr`` see every line. Run as a program, torch's threads sleep
    rather than spin while they wait (:func:`faceswap_kit.threads.prefer_passive_wait`), so a
    busy machine does not stall them.
    """
    if argv is None:
        prefer_passive_wait()
    parser = build_parser()
    args = parser.parse_args(argv)
    # the exact command, for model cards
    args.command_line = shlex.join(["faceswap-kit", *(sys.argv[1:] if argv is None else argv)])
    if quiet is None:
        quiet = argv is None
    if args.verbose or not quiet:
        return _run(args)
    with quiet_native_logs():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    try:
        return int(args.func(args) or 0)
    except FaceswapKitError as exc:
        print(f"faceswap-kit {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(f"faceswap-kit {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # unwritable path, disk full...: a user-facing problem, one line
        print(f"faceswap-kit {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
