"""Checkpoints written by earlier versions of the trainer still load and resume exactly."""

import json
import shutil
from pathlib import Path

import torch

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
    history = json.loads((model_dir / "state.json").read_text())["history"]
    assert [h["total"] for h in history] == expected["history_total"]
    weights = load_model(model_dir).network.state_dict()
    sums = {name: float(value.double().sum()) for name, value in weights.items()}
    assert sums == expected["weight_sums"]
    assert torch.isfinite(torch.tensor(list(sums.values()))).all()
