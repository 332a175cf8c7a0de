import json
import os
import signal
import threading
import time

import pytest
import torch

from faceswap_kit.dataset.faceset import FaceSet
from faceswap_kit.errors import CheckpointError, DatasetError, InputError, TrainingError
from faceswap_kit.models import ModelConfig, load_model
from faceswap_kit.train import TrainConfig, make_trainer, train
from testing.toyfaces import toy_faceset

SMALL = dict(encoder_dims=4, bottleneck_dims=16, decoder_dims=4, mask_dims=2)


@pytest.fixture(scope="module")
def faces():
    return toy_faceset(1, 12, 64), toy_faceset(2, 12, 64)


def small_configs(**train_overrides):
    values = dict(batch_size=2, log_every=1)
    values.update(train_overrides)
    return ModelConfig.tiny(**SMALL), TrainConfig.tiny(**values)


def test_exact_resume(faces, tmp_path):
    model_config, train_config = small_configs()
    straight = train(*faces, tmp_path / "straight", model_config, train_config, steps=3)
    train(*faces, tmp_path / "split", model_config, train_config, steps=2)
    resumed = train(*faces, tmp_path / "split", steps=3, resume=True)
    assert straight.step == resumed.step == 3
    a, b = load_model(tmp_path / "straight"), load_model(tmp_path / "split")
    for name, value in a.network.state_dict().items():
        assert torch.equal(value, b.network.state_dict()[name]), name
    history = [
        json.loads((tmp_path / d / "state.json").read_text())["history"]
        for d in ("straight", "split")
    ]
    assert [h["total"] for h in history[0]] == [h["total"] for h in history[1]]


def test_training_neither_reads_nor_changes_the_global_rng(faces, tmp_path):
    model_config, train_config = small_configs()
    torch.manual_seed(1)
    first = make_trainer(*faces, tmp_path / "first", model_config, train_config)
    torch.manual_seed(2)
    before = torch.get_rng_state()
    second = make_trainer(*faces, tmp_path / "second", model_config, train_config)
    for name, value in first.network.state_dict().items():  # the seed alone decides
        assert torch.equal(value, second.network.state_dict()[name]), name
    second.run(steps=2)
    assert torch.equal(torch.get_rng_state(), before)


def test_loss_goes_down(faces, tmp_path):
    model_config = ModelConfig.tiny(encoder_dims=8, bottleneck_dims=32, decoder_dims=8, mask_dims=4)
    train_config = TrainConfig.tiny(batch_size=4, log_every=5, learning_rate=1e-3)
    trainer = make_trainer(*faces, tmp_path, model_config, train_config)
    trainer.run(steps=25)
    first, last = trainer.history[0]["total"], trainer.history[-1]["total"]
    assert last < 0.8 * first


def test_model_card_and_layout(faces, tmp_path):
    model_config, train_config = small_configs()
    train(*faces, tmp_path, model_config, train_config, steps=1)
    names = {p.name for p in tmp_path.iterdir()}
    assert {
        "model.safetensors",
        "config.json",
        "optimizer.safetensors",
        "state.json",
        "card.json",
        "README.md",
    } <= names
    card = json.loads((tmp_path / "card.json").read_text())
    assert card["synthetic"] is True and card["steps"] == 1
    assert card["identities"]["a"]["name"] == "toy-1" and card["resolution"] == 64
    assert "generated person" in (tmp_path / "README.md").read_text()
    # optimizer state is tensors only, in safetensors (no pickle anywhere in a checkpoint)
    from safetensors.torch import load_file

    state = load_file(tmp_path / "optimizer.safetensors")
    assert state and all(isinstance(v, torch.Tensor) for v in state.values())
    assert not list(tmp_path.glob("*.pt"))


def test_non_finite_loss_rolls_back(faces, tmp_path, monkeypatch, caplog):
    model_config, train_config = small_configs()
    trainer = make_trainer(*faces, tmp_path, model_config, train_config)
    trainer.run(steps=2)
    good = {k: v.clone() for k, v in trainer.network.state_dict().items()}
    lr = trainer.optimizer.param_groups[0]["lr"]
    real_step = trainer.train_step
    calls = {"n": 0}

    def poisoned():
        calls["n"] += 1
        if calls["n"] == 2:
            with torch.no_grad():
                for p in trainer.network.parameters():
                    p.fill_(float("nan"))
            raise FloatingPointError("total=nan")
        return real_step()

    monkeypatch.setattr(trainer, "train_step", poisoned)
    with caplog.at_level("WARNING"):
        trainer.run(steps=4)
    assert "rolled back to the checkpoint of step 2" in caplog.text
    assert trainer.rollbacks == 1 and trainer.step == 4 and calls["n"] == 4
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(lr / 2)
    assert all(torch.isfinite(p).all() for p in trainer.network.parameters())
    assert any(not torch.equal(good[k], v) for k, v in trainer.network.state_dict().items())


def test_persistent_nan_gives_up(faces, tmp_path, monkeypatch):
    model_config, train_config = small_configs(max_rollbacks=2)
    trainer = make_trainer(*faces, tmp_path, model_config, train_config)

    def always_nan():
        raise FloatingPointError("total=nan")

    monkeypatch.setattr(trainer, "train_step", always_nan)
    with pytest.raises(TrainingError, match="non-finite 3 times"):
        trainer.run(steps=5)


def test_interrupt_saves_first(faces, tmp_path):
    model_config, train_config = small_configs()

    def interrupt(trainer, record):
        if trainer.step == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(*faces, tmp_path, model_config, train_config, steps=10, callback=interrupt)
    assert json.loads((tmp_path / "state.json").read_text())["step"] == 3


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name == "nt", reason="POSIX signals")
def test_sigterm_saves_like_ctrl_c(faces, tmp_path):
    """`kill PID` (or a stopping container) reaches the run as an interrupt: the checkpoint of
    the step it stopped at is saved, and the process's own SIGTERM handler is back afterwards."""
    model_config, train_config = small_configs()
    before = signal.getsignal(signal.SIGTERM)

    def terminate(trainer, record):
        if trainer.step == 3:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)  # the handler runs between bytecodes, well within this

    with pytest.raises(KeyboardInterrupt):
        train(*faces, tmp_path, model_config, train_config, steps=10, callback=terminate)
    assert json.loads((tmp_path / "state.json").read_text())["step"] == 3
    assert signal.getsignal(signal.SIGTERM) == before


def test_stop_event_and_minutes(faces, tmp_path):
    model_config, train_config = small_configs()
    stop = threading.Event()

    def stopper(trainer, record):
        if trainer.step == 2:
            stop.set()

    summary = train(
        *faces,
        tmp_path / "s",
        model_config,
        train_config,
        stop_event=stop,
        callback=stopper,
        steps=50,
    )
    assert summary.stopped_by == "stop" and summary.step == 2
    summary = train(*faces, tmp_path / "m", model_config, train_config, minutes=1e-6)
    assert summary.stopped_by == "minutes"


def test_liae_with_gan_resumes(faces, tmp_path):
    model_config = ModelConfig.tiny(architecture="liae", **SMALL)
    train_config = TrainConfig.tiny(batch_size=2, gan_power=0.1)
    summary = train(*faces, tmp_path, model_config, train_config, steps=1)
    assert "gan" in summary.losses and "discriminator" in summary.losses
    summary = train(*faces, tmp_path, steps=2, resume=True)
    assert summary.step == 2


def test_bad_data(faces, tmp_path):
    a, b = faces
    half = FaceSet(b.images, b.masks, b.regions, b.landmarks, face_type="half", identity=b.identity)
    with pytest.raises(DatasetError, match="face type"):
        make_trainer(a, half, tmp_path)
    with pytest.raises(DatasetError, match="crop size"):
        make_trainer(a, toy_faceset(2, 4, 128), tmp_path)
    with pytest.raises(DatasetError, match="does not exist"):
        make_trainer(tmp_path / "nothing", a, tmp_path)
    with pytest.raises(DatasetError, match="empty"):
        FaceSet(a.images[:0], a.masks[:0], a.regions[:0], a.landmarks[:0])
    small = toy_faceset(3, 4, 32)
    with pytest.raises(DatasetError, match="smaller|model is 64"):
        make_trainer(small, toy_faceset(4, 4, 32), tmp_path)


def test_resume_guards(faces, tmp_path):
    model_config, train_config = small_configs()
    train(*faces, tmp_path, model_config, train_config, steps=1)
    with pytest.raises(CheckpointError, match="already holds"):
        train(*faces, tmp_path, model_config, train_config, steps=2)
    with pytest.raises(CheckpointError, match="liae"):
        train(
            *faces, tmp_path, ModelConfig.tiny(architecture="liae", **SMALL), steps=2, resume=True
        )
    (tmp_path / "optimizer.safetensors").write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match="optimizer.safetensors"):
        train(*faces, tmp_path, steps=2, resume=True)


def test_larger_crops_are_resized(tmp_path):
    summary = train(
        toy_faceset(1, 4, 128), toy_faceset(2, 4, 128), tmp_path, *small_configs(), steps=1
    )
    assert summary.step == 1


def test_distributed_data_parallel_path(faces, tmp_path, monkeypatch):
    """One gloo process: the DDP wrapping, rank-0 saving and stop agreement all run."""
    import socket

    dist = torch.distributed
    if not dist.is_available():
        pytest.skip("torch.distributed is not available")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    monkeypatch.setenv("MASTER_PORT", str(port))
    dist.init_process_group("gloo", rank=0, world_size=1)
    try:
        model_config, train_config = small_configs()
        trainer = make_trainer(*faces, tmp_path, model_config, train_config)
        assert trainer.distributed.enabled
        assert isinstance(trainer._model, torch.nn.parallel.DistributedDataParallel)
        summary = trainer.run(steps=2)
        assert summary.step == 2 and (tmp_path / "state.json").exists()
        assert load_model(tmp_path).config == model_config
    finally:
        dist.destroy_process_group()


def test_an_older_pickled_optimizer_file_is_never_loaded(faces, tmp_path, caplog):
    """Checkpoints from before the safetensors optimizer file resume with fresh moments."""
    model_config, train_config = small_configs()
    train(*faces, tmp_path, model_config, train_config, steps=1)
    (tmp_path / "optimizer.safetensors").unlink()
    (tmp_path / "optimizer.pt").write_bytes(b"not even a pickle: reading it would fail")
    state = json.loads((tmp_path / "state.json").read_text())
    state["files"]["optimizer.pt"] = state["files"].pop("optimizer.safetensors")
    (tmp_path / "state.json").write_text(json.dumps(state))
    with caplog.at_level("WARNING"):
        summary = train(*faces, tmp_path, steps=2, resume=True)
    assert summary.step == 2 and summary.steps_this_run == 1
    assert "is not read" in caplog.text and (tmp_path / "optimizer.safetensors").is_file()


def test_with_ema_the_saved_model_is_the_average_and_the_raw_weights_resume(faces, tmp_path):
    from safetensors.torch import load_file

    model_config, train_config = small_configs(ema_decay=0.999)
    trainer = make_trainer(*faces, tmp_path / "avg", model_config, train_config)
    trainer.run(steps=4)
    saved = load_file(tmp_path / "avg" / "model.safetensors")
    state = load_file(tmp_path / "avg" / "optimizer.safetensors")
    average, raw = trainer.ema.state_dict(), trainer.network.state_dict()
    assert all(torch.equal(saved[k], average[k]) for k in raw)
    assert all(torch.equal(state[f"net.{k}"], raw[k]) for k in raw)
    assert any(not torch.equal(average[k], raw[k]) for k in raw)  # an average, not a copy
    resumed = make_trainer(*faces, tmp_path / "avg", resume=True)
    assert all(torch.equal(resumed.network.state_dict()[k], raw[k]) for k in raw)
    assert all(torch.equal(resumed.ema.state_dict()[k], average[k]) for k in raw)

    plain = make_trainer(*faces, tmp_path / "plain", model_config, small_configs(ema_decay=0.0)[1])
    plain.run(steps=2)
    assert plain.ema is None
    assert not any(
        k.startswith("net.") for k in load_file(tmp_path / "plain" / "optimizer.safetensors")
    )
    saved = load_file(tmp_path / "plain" / "model.safetensors")
    assert all(torch.equal(saved[k], v) for k, v in plain.network.state_dict().items())
    with pytest.raises(InputError, match="ema_decay"):
        TrainConfig(ema_decay=1.0)


def test_resuming_with_another_learning_rate_uses_it(faces, tmp_path, caplog):
    """A run resumed at a lower rate (the rollback error's advice, or a final low-rate phase)
    trains at that rate; resumed with its own config it keeps the optimizer's saved rate (which a
    rollback may have halved)."""
    model_config, train_config = small_configs(learning_rate=4e-4)
    trainer = make_trainer(*faces, tmp_path, model_config, train_config)
    trainer.run(steps=2)
    for group in trainer.optimizer.param_groups:  # as after a rollback
        group["lr"] = 2e-4
    trainer.save()
    same = make_trainer(*faces, tmp_path, resume=True)
    assert same.optimizer.param_groups[0]["lr"] == pytest.approx(2e-4)
    lower = small_configs(learning_rate=5e-5)[1]
    with caplog.at_level("INFO"):
        resumed = make_trainer(*faces, tmp_path, train_config=lower, resume=True)
    assert [g["lr"] for g in resumed.optimizer.param_groups] == pytest.approx([5e-5])
    assert "learning rate 5e-05 (the checkpoint was trained at 0.0004)" in caplog.text
    resumed.run(steps=3)
    again = make_trainer(*faces, tmp_path, resume=True)  # the new rate is now the saved one
    assert again.config.learning_rate == pytest.approx(5e-5)
    assert again.optimizer.param_groups[0]["lr"] == pytest.approx(5e-5)
