"""The command line as a user meets it: a subprocess, one-line errors, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), FSK_DEVICE="cpu", MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, "-m", "faceswap_kit", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )


def test_help_lists_the_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "COMMAND" in result.stdout


def test_unknown_command_is_one_line():
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "invalid choice" in result.stderr and "Traceback" not in result.stderr


def test_unknown_option_is_one_line():
    result = run_cli("--no-such-option")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_command_is_one_line():
    result = run_cli()
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
