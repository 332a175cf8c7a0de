"""benchmarks/gpu.sh: what can be checked without a GPU (it skips cleanly; its live step runs)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present: gpu.sh would run")
def test_gpu_script_skips_cleanly_without_cuda():
    env = dict(os.environ, PY=sys.executable)
    done = subprocess.run(["bash", str(ROOT / "benchmarks" / "gpu.sh")], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0 and "skipped" in done.stdout, done.stderr


def test_the_per_preset_live_benchmark_runs(tmp_path):
    """The live step of gpu.sh, on the CPU with one preset and a few frames."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_live.py"), "--presets", "tiny",
         "--device", "cpu", "--model-frames", "3", "--passes", "1"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "tiny preset on cpu" in done.stdout and "FPS" in done.stdout
