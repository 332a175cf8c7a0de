"""Training refuses what cannot work before it starts, in one line, and accepts a resume typed
the way people type it."""

import json

import pytest
import torch

from faceswap_kit.cli import main
from faceswap_kit.errors import TrainingError
from faceswap_kit.models.config import ModelConfig
from faceswap_kit.train import TrainConfig, make_trainer
from faceswap_kit.train.synthfaces import synth_faceset
from testing.toyfaces import toy_faceset

QUIET = ["--no-progress", "--score-pairs", "0"]


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    from test_cli_train import write_dataset

    root = tmp_path_factory.mktemp("data")
    return (
        write_dataset(root / "a", synth_faceset(3, 4, 64), 3),
        write_dataset(root / "b", synth_faceset(5, 4, 64), 5),
    )


def _one_error_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line]
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]


def test_a_batch_too_big_for_memory_is_refused_before_training(datasets, tmp_path, capsys):
    a, b = datasets
    model = tmp_path / "m"
    code = main(["train", str(a), str(b), str(model), "--steps", "1", "--batch-size", "100000"])
    assert code == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "a batch of 100000 faces per person" in line and "GB of memory" in line
    assert "GB is free" in line and "lower --batch-size to" in line
    assert not (model / "state.json").exists()


def test_out_of_memory_during_a_step_names_the_need_and_the_option(tmp_path, monkeypatch):
    trainer = make_trainer(toy_faceset(1, 4, 64), toy_faceset(2, 4, 64), tmp_path / "m")

    def allocate(*_):
        raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 9e12")

    monkeypatch.setattr(trainer, "train_step", allocate)
    with pytest.raises(TrainingError, match=r"out of memory: a batch of 8 .* --batch-size"):
        trainer.run(steps=1)


def test_resume_accepts_the_options_that_agree_with_the_saved_model(datasets, tmp_path, capsys):
    a, b = datasets
    model = tmp_path / "m"
    command = ["train", str(a), str(b), str(model), "--preset", "tiny", "--batch-size", "2"]
    assert main([*command, "--steps", "1", *QUIET]) == 0
    same = [*command, "--architecture", "df", "--resolution", "64", "--gan-power", "0"]
    assert main([*same, "--steps", "2", "--resume", *QUIET]) == 0
    assert json.loads((model / "state.json").read_text())["step"] == 2
    capsys.readouterr()
    other = ["train", str(a), str(b), str(model), "--steps", "3", "--resume", *QUIET]
    assert main([*other, "--preset", "lite"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "--preset lite asks for" in line and "resolution 128 (saved: 64)" in line
    assert "drop those options" in line
    assert main([*other, "--gan-power", "0.5"]) == 2
    assert "gan_power 0.5 (saved: 0)" in _one_error_line(capsys.readouterr().err)
    assert json.loads((model / "state.json").read_text())["step"] == 2


def test_an_unwritable_model_folder_is_refused_before_training(datasets, tmp_path, capsys):
    """A folder whose parent is a file cannot be written, even by root (for whom permission bits
    do not count)."""
    a, b = datasets
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    code = main(["train", str(a), str(b), str(blocker / "model"), "--steps", "1", *QUIET])
    assert code == 2
    captured = capsys.readouterr()
    line = _one_error_line(captured.err)
    assert "is not writable" in line and "free disk space" not in line
    assert "training" not in captured.out  # stopped before the first step


def test_a_folder_made_for_the_check_is_not_left_behind(tmp_path):
    from faceswap_kit.errors import DatasetError

    with pytest.raises(DatasetError):
        make_trainer(tmp_path / "no-a", tmp_path / "no-b", tmp_path / "new" / "model")
    assert not (tmp_path / "new").exists()


def test_the_same_face_set_as_a_and_b_is_warned_about(datasets, tmp_path, capsys):
    a, _ = datasets
    args = ["train", str(a), str(a), str(tmp_path / "m"), "--steps", "1", "--batch-size", "2"]
    assert main([*args, *QUIET]) == 0
    err = capsys.readouterr().err
    assert "are the same face set" in err and "two different people" in err


def test_the_check_uses_the_devices_free_memory(monkeypatch):
    from faceswap_kit.train import memory

    monkeypatch.setattr(memory, "available_memory", lambda device: 10**9)
    config, small = ModelConfig.tiny(), TrainConfig.tiny(batch_size=4)
    memory.check_batch_fits(config, small, torch.device("cpu"))
    with pytest.raises(TrainingError, match="1.0 GB is free; lower --batch-size to"):
        memory.check_batch_fits(config, TrainConfig.tiny(batch_size=4000), "cpu")
