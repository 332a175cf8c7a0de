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


def test_demo_runs_end_to_end_through_the_cli(tmp_path):
    """synth -> extract -> train -> convert -> live on generated people, as `make demo` runs it."""
    out = tmp_path / "demo"
    result = run_cli("demo", str(out), "--quick")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "XNNPACK" not in result.stderr and "inference_feedback" not in result.stderr
    for name in ("people.png", "person_a.mp4", "person_b.mp4", "swap_b_to_a.mp4", "live.mp4"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "model" / "model.safetensors").exists()
    import json

    summary = json.loads((out / "summary.json").read_text())
    assert list(summary["stages"]) == ["synth", "extract", "train", "convert", "score", "live"]
    assert summary["stages"]["convert"]["frames_with_face"] > 0
    score = summary["stages"]["score"]
    assert set(score["ideal_swap"]["methods"]) >= {"model", "warp2d", "unchanged", "ideal"}
    assert score["ideal_swap"]["direction"] == "b_to_a"
    assert score["video"]["left"]["id_retrieval"] == 0.0  # the original clip is never judged A
    assert (out / "score.md").read_text().startswith("# How good is the demo's swap?")
    # running it again reuses the folder (resumes training) instead of failing
    again = run_cli("demo", str(out), "--quick")
    assert again.returncode == 0, again.stderr[-2000:]


def test_demo_refuses_a_folder_of_other_data(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run_cli("demo", str(tmp_path), "--quick")
    assert result.returncode == 2
    assert "not a demo folder" in result.stderr and "Traceback" not in result.stderr


def test_bench_without_benchmarks_says_how_to_get_them(tmp_path):
    result = run_cli("bench", "extract", cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "git clone" in result.stderr and "--benchmarks" in result.stderr


def test_bench_runs_a_script_from_the_given_folder(tmp_path):
    (tmp_path / "bench_hello.py").write_text("import sys\nprint('hello', sys.argv[1:])\n")
    result = run_cli("bench", "--benchmarks", str(tmp_path), "hello", "--fast", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "hello ['--fast']" in result.stdout
