"""Checkpoints written by earlier versions of the trainer still load and resume exactly."""

import json
import shutil
from pathlib import Path

import pytest

from faceswap_kit.models import load_model
from faceswap_kit.train import train
from testing.toyfaces import toy_faceset

DATA = Path(__file__).parent / "data"


def test_a_checkpoint_of_commit_c83bb62_resumes_as_its_straight_run(tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(DATA / "checkpoint-c83bb62", model_dir)
    expected = json.loads((DATA / "checkpoint-c83bb62-straight.json").read_text())
    faces = toy_faceset(1, 12, 64), toy_faceset(2, 12, 64)
    summary = train(*faces, model_dir, steps=expected["steps"], resume=True)
    assert summary.step == expected["steps"] and summary.steps_this_run == 2
    # the same batches (the data generator resumed exactly) give the same losses and weights; a
    # tolerance, because CPU kernels sum in another order under another thread count or CPU
    history = json.loads((model_dir / "state.json").read_text())["history"]
    totals = [h["total"] for h in history]
    assert totals == pytest.approx(expected["history_total"], abs=1e-5)
    weights = load_model(model_dir).network.state_dict()
    sums = {name: float(value.double().sum()) for name, value in weights.items()}
    assert sums.keys() == expected["weight_sums"].keys()
    for name, value in sums.items():
        assert value == pytest.approx(expected["weight_sums"][name], rel=1e-5, abs=1e-6), name
