"""Two real processes under torchrun (gloo on CPU): DDP keeps the ranks' weights identical and
only rank 0 writes the checkpoint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from faceswap_kit.models import load_model

WORKER = Path(__file__).with_name("ddp_worker.py")
ROOT = Path(__file__).resolve().parents[2]


def _torchrun() -> list[str]:
    script = Path(sys.executable).with_name("torchrun")
    if script.is_file():
        return [str(script)]
    found = shutil.which("torchrun")
    return [found] if found else [sys.executable, "-m", "torch.distributed.run"]


@pytest.mark.skipif(not torch.distributed.is_available(), reason="no torch.distributed")
def test_two_ranks_under_torchrun_hold_the_same_weights_and_rank_0_alone_saves(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", FSK_DEVICE="cpu")
    done = subprocess.run(
        [*_torchrun(), "--standalone", "--nproc_per_node", "2", str(WORKER), str(tmp_path), "3"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [r["world_size"] for r in ranks] == [2, 2] and [r["step"] for r in ranks] == [3, 3]
    assert all(r["changed"] for r in ranks)  # the weights did train
    assert ranks[0]["first_batch_sum"] != ranks[1]["first_batch_sum"]  # each rank its own batches
    assert ranks[0]["saves"] and ranks[1]["saves"] == []  # rank 0 alone writes
    weights = [load_file(str(tmp_path / f"rank{r}.safetensors")) for r in (0, 1)]
    assert weights[0].keys() == weights[1].keys()
    for name, value in weights[0].items():
        assert torch.equal(value, weights[1][name]), name  # DDP averaged the gradients
    saved = load_model(tmp_path / "model").network.state_dict()
    for name, value in saved.items():
        torch.testing.assert_close(value.float(), weights[0][name].float(), rtol=1e-2, atol=1e-3)
