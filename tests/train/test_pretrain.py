"""Pretraining on a generated crowd, fine-tuning from it (--init) and any-face models."""

import dataclasses
import json
import time

import pytest
import torch

from faceswap_kit.cli import main
from faceswap_kit.errors import InputError
from faceswap_kit.evaluate import score_anyface, unseen_people
from faceswap_kit.models import ModelConfig, load_model
from faceswap_kit.train import CrowdConfig, TrainConfig, make_pretrainer, pretrain, train
from faceswap_kit.train.crowd import CrowdRenderer, render_crowd_faces
from faceswap_kit.train.crowddata import CrowdData
from faceswap_kit.train.synthfaces import synth_faceset

SMALL = dict(pool_size=8, min_pool=4, people=40)


@pytest.fixture(scope="module")
def crowd_model(tmp_path_factory):
    """A tiny crowd-pretrained model (a few steps)."""
    model_dir = tmp_path_factory.mktemp("crowd") / "crowd-tiny"
    pretrain(
        model_dir, ModelConfig.tiny(), TrainConfig.tiny(batch_size=2), CrowdConfig(**SMALL),
        steps=3, command="faceswap-kit pretrain crowd-tiny --preset tiny --steps 3",
    )  # fmt: skip
    return model_dir


def test_crowd_faces_and_ideal_targets():
    config = CrowdConfig(min_pool=1, pool_size=1, people=10, faces_per_person=2)
    faces = render_crowd_faces(config, 0, 2, 64)
    assert faces["images"].shape == (2, 3, 64, 64) and faces["images"].dtype == torch.uint8
    assert set(faces) == {"images", "masks", "regions"}
    assert config.person(0) == config.person(1) == 1000 and config.person(2) == 1001
    assert config.people_seen(3) == 2 and config.person(20) == 1000  # wraps around the crowd
    anyface = render_crowd_faces(CrowdConfig(min_pool=1, pool_size=1, target_seed=7), 0, 1, 64)
    assert anyface["ideal"].shape == (1, 3, 64, 64)
    assert torch.equal(anyface["images"], faces["images"][:1])  # the same crowd face
    assert (anyface["ideal"].float() - anyface["images"].float()).abs().mean() > 2  # another face


@pytest.mark.parametrize(
    "bad",
    [dict(min_pool=0), dict(min_pool=9, pool_size=8), dict(render_share=0), dict(people=0),
     dict(target_seed=1005)],
)  # fmt: skip
def test_crowd_config_rejects_bad_values(bad):
    with pytest.raises(InputError, match="expected"):
        CrowdConfig(**{"pool_size": 8, "min_pool": 4, **bad})


def test_pool_rotates_and_batches_follow_the_modes():
    data = CrowdData(CrowdConfig(pool_size=4, min_pool=4, people=40), 64, "whole_face", "cpu")
    faces = render_crowd_faces(data.config, 0, 6, 64)
    data._absorb(0, {k: v[:4] for k, v in faces.items()})
    first = data.pool["images"].clone()
    data._absorb(4, {k: v[4:] for k, v in faces.items()})
    assert data.filled == 4 and data.next_index == 6
    assert torch.equal(data.pool["images"][:2], faces["images"][4:])  # the oldest replaced
    assert torch.equal(data.pool["images"][2:], first[2:])
    generator = torch.Generator().manual_seed(0)
    batch = data.sample(3, generator, TrainConfig.tiny(warp=0, rotation=0, scale=0, shift=0))
    assert batch.warped_a.shape == batch.target_b.shape == (3, 3, 64, 64)
    assert batch.mask_a.shape == batch.region_b.shape == (3, 1, 64, 64)
    config = CrowdConfig(pool_size=2, min_pool=2, people=40, target_seed=7)
    anyface = CrowdData(config, 64, "whole_face", "cpu")
    anyface._absorb(0, render_crowd_faces(config, 0, 2, 64))
    plain = TrainConfig.tiny(warp=0, rotation=0, scale=0, shift=0, flip=False, color_transfer=0)
    batch = anyface.sample(2, torch.Generator().manual_seed(0), plain)
    # side B: a crowd face in, the target person's ideal swap out
    assert (batch.warped_b - batch.target_b).abs().mean() > 0.01
    assert (batch.warped_a - batch.target_a).abs().max() < 0.02


def test_renderer_rests_to_its_share():
    config = CrowdConfig(pool_size=64, min_pool=1, people=40, render_share=0.25)
    renderer = CrowdRenderer(config, 64, "whole_face", chunk=1, queue_chunks=100).start()
    start = time.perf_counter()
    time.sleep(2.5)
    renderer.stop()
    wall = time.perf_counter() - start
    assert renderer.background_faces >= 1
    assert renderer.render_seconds / wall < 0.25 + 0.12
    chunks = renderer.take()
    assert [c[0] for c in chunks] == list(range(0, len(chunks)))  # numbered in order


def test_renderer_error_reaches_the_training_thread(monkeypatch):
    import faceswap_kit.train.crowd as crowd

    def broken(*args, **kwargs):
        raise ValueError("broken renderer")

    monkeypatch.setattr(crowd, "render_crowd_faces", broken)
    renderer = CrowdRenderer(CrowdConfig(**SMALL), 64, "whole_face").start()
    renderer._thread.join(5)
    with pytest.raises(RuntimeError, match="broken renderer"):
        renderer.take()


def test_pretrain_card_interrupt_and_resume(crowd_model, tmp_path):
    card = json.loads((crowd_model / "card.json").read_text())
    assert card["pretraining"]["kind"] == "crowd" and card["pretraining"]["seeds"] == [1000, 1039]
    assert "generated people" in card["pretraining"]["summary"]
    assert card["commands"] == ["faceswap-kit pretrain crowd-tiny --preset tiny --steps 3"]
    assert "Pretrained on" in (crowd_model / "README.md").read_text()
    model_dir = tmp_path / "run"
    trainer = make_pretrainer(
        model_dir, ModelConfig.tiny(), TrainConfig.tiny(batch_size=2, log_every=1),
        CrowdConfig(**SMALL),
    )  # fmt: skip

    def interrupt(trainer, record):
        if trainer.step == 2:
            raise KeyboardInterrupt

    with trainer.data, pytest.raises(KeyboardInterrupt):
        trainer.run(steps=10, callback=interrupt)
    state = json.loads((model_dir / "state.json").read_text())
    assert state["step"] == 2 and state["data"]["next_index"] >= 4  # saved before stopping
    summary = pretrain(model_dir, steps=4, resume=True)
    assert summary.step == 4 and summary.steps_this_run == 2
    resumed = json.loads((model_dir / "state.json").read_text())
    assert resumed["data"]["next_index"] > state["data"]["next_index"]  # new people, not again
    with pytest.raises(InputError, match="crowd"):
        pretrain(model_dir, crowd=CrowdConfig(**{**SMALL, "people": 41}), steps=5, resume=True)


def test_init_copies_weights_and_records_the_start(crowd_model, tmp_path):
    a, b = synth_faceset(3, 4, 64), synth_faceset(5, 4, 64)
    from faceswap_kit.train import make_trainer

    trainer = make_trainer(a, b, tmp_path / "pair", init=str(crowd_model))
    pretrained = load_model(crowd_model).network.state_dict()
    for name, value in trainer.network.state_dict().items():
        assert torch.equal(value, pretrained[name]), name
    summary = train(a, b, tmp_path / "pair2", steps=1, init=str(crowd_model))
    card = json.loads((tmp_path / "pair2" / "card.json").read_text())
    assert summary.step == 1 and card["init"]["steps"] == 3
    assert "generated people" in card["init"]["pretraining"]
    with pytest.raises(InputError, match="differs in"):
        train(a, b, tmp_path / "pair3", ModelConfig.lite(), steps=1, init=str(crowd_model))


def test_with_learning_rate_starts_from_the_settings_the_run_would_use(crowd_model):
    from faceswap_kit.train.init import with_learning_rate

    assert with_learning_rate(None, model_dir=crowd_model) is None  # the run decides
    resumed = with_learning_rate(1e-5, model_dir=crowd_model)
    assert resumed.learning_rate == 1e-5 and resumed.batch_size == 2  # the folder's batch
    assert with_learning_rate(1e-5, init=str(crowd_model)).batch_size == 2  # the init model's
    assert with_learning_rate(1e-5, preset="tiny") == TrainConfig.tiny(learning_rate=1e-5)
    own = TrainConfig.tiny(batch_size=3)
    assert with_learning_rate(1e-5, default=own) == TrainConfig.tiny(
        batch_size=3, learning_rate=1e-5
    )


def test_init_through_the_cli(crowd_model, tmp_path, capsys, monkeypatch):
    from tests.train.test_cli_train import write_dataset

    a = write_dataset(tmp_path / "a", synth_faceset(3, 4, 64), 3)
    b = write_dataset(tmp_path / "b", synth_faceset(5, 4, 64), 5)
    monkeypatch.setenv("FSK_MODELS_DIR", str(crowd_model.parent))
    base = ["train", str(a), str(b), "--steps", "1", "--no-progress", "--score-pairs", "0"]
    assert main([*base[:3], str(tmp_path / "m"), *base[3:], "--init", "crowd-tiny"]) == 0
    card = json.loads((tmp_path / "m" / "card.json").read_text())
    assert card["init"]["model"] == "crowd-tiny" and card["resolution"] == 64
    assert card["commands"][0].startswith("faceswap-kit train ")
    capsys.readouterr()
    for extra in (["--preset", "lite"], ["--resolution", "128"], ["--resume"]):
        code = main([*base[:3], str(tmp_path / "m2"), *base[3:], "--init", "crowd-tiny", *extra])
        err = capsys.readouterr().err.strip()
        assert code == 2 and len(err.splitlines()) == 1 and "--init" in err, err
    assert main([*base[:3], str(tmp_path / "m3"), *base[3:], "--init", "no-such-model"]) == 2
    assert "no model directory" in capsys.readouterr().err


def test_anyface_model_through_cli_and_convert(crowd_model, tmp_path, capsys):
    model_dir = tmp_path / "anyface"
    args = ["pretrain", str(model_dir), "--init", str(crowd_model), "--target-seed", "7"]
    args += ["--steps", "2", "--pool", "4", "--batch-size", "2", "--score-people", "2"]
    assert main([*args, "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "any-face score on unseen people" in out and "people" in out
    card = json.loads((model_dir / "card.json").read_text())
    assert card["target_seed"] == 7 and card["identities"]["b"]["seed"] == 7
    assert (
        card["init"]["model"] == crowd_model.name and "path" not in card["init"]
    )  # no local paths
    assert set(card["scores"]["methods"]) >= {"model", "warp2d", "unchanged"}
    low = ["pretrain", str(model_dir), "--resume", "--steps", "3", "--learning-rate", "1e-5"]
    assert main([*low, "--score-people", "0", "--no-progress"]) == 0  # a final low-rate phase
    saved = json.loads((model_dir / "config.json").read_text())["train"]
    assert saved["learning_rate"] == 1e-5 and saved["batch_size"] == 2
    assert json.loads((model_dir / "state.json").read_text())["param_groups"][0]["lr"] == 1e-5
    model = load_model(model_dir)
    score = score_anyface(model, people=2)
    assert score["target_seed"] == 7 and score["test_seeds"] == [0, 1]
    assert 0 < score["methods"]["model"]["ssim"] < 1
    from faceswap_kit.synth import write_clip

    clip = write_clip(tmp_path / "someone.mp4", seed=12, frames=3, size=128)
    out_video = tmp_path / "swapped.mp4"
    assert main(["convert", str(model_dir), str(clip), str(out_video), "--quiet"]) == 0
    assert out_video.is_file()


def test_unseen_people_are_outside_the_crowd():
    seeds = unseen_people(3, 10)
    assert 3 not in seeds and max(seeds) < CrowdConfig().first_seed and len(seeds) == 10
    with pytest.raises(InputError, match="expected"):
        unseen_people(3, 5, first_seed=998)


def test_demo_uses_the_crowd_model_when_present(crowd_model, monkeypatch, caplog):
    from faceswap_kit.demo import DemoConfig, _find_init

    monkeypatch.setenv("FSK_MODELS_DIR", str(crowd_model.parent))
    found = _find_init(DemoConfig.tiny(init="crowd-tiny"), face_size=64)
    assert found is not None and found.model_config.resolution == 64
    assert _find_init(DemoConfig.tiny(init="crowd-tiny"), face_size=32) is None  # faces too small
    with caplog.at_level("WARNING"):
        assert _find_init(DemoConfig.tiny(init="no-such-model"), face_size=64) is None
    assert "from scratch" in caplog.text


def test_the_demo_run_again_goes_on_training_its_fine_tuned_model(crowd_model, tmp_path):
    """A second `make demo` resumes the model the first one fine-tuned from the init model,
    though the init's preset is not the demo's own `preset` (it once asked for that preset and
    refused to resume)."""
    from faceswap_kit.demo import DemoConfig, run_demo

    config = DemoConfig.tiny(
        init=str(crowd_model), preset="lite", frames=12, train_steps=2, live_frames=2
    )
    first = run_demo(tmp_path / "demo", config, report=lambda line: None)
    assert first.stages["train"]["init"] == str(crowd_model)
    again = run_demo(
        tmp_path / "demo", dataclasses.replace(config, train_steps=4), report=lambda line: None
    )
    assert again.stages["train"]["step"] == 4 and again.stages["train"]["init"] is None
    assert "from the last run's model" in again.stages["train"]["what"]
    assert "from scratch" not in again.stages["train"]["what"]
    assert load_model(tmp_path / "demo" / "model").config.resolution == 64  # still the init's


def test_live_model_mode_defaults_to_the_anyface_model(crowd_model, tmp_path, monkeypatch):
    import shutil

    import faceswap_kit.models.search as search
    from faceswap_kit.live.headless import default_live_model, make_processor

    monkeypatch.setattr(search, "bundled_models_dir", lambda: None)
    monkeypatch.setenv("FSK_MODELS_DIR", str(tmp_path / "models"))
    assert default_live_model() is None
    with pytest.raises(InputError, match="anyface-lite"):
        make_processor("model")
    shutil.copytree(crowd_model, tmp_path / "models" / "anyface-lite")
    assert default_live_model() == str(tmp_path / "models" / "anyface-lite")
    processor = make_processor("model")
    assert processor is not None


def test_pretrain_cli_user_errors_are_one_line(crowd_model, tmp_path, capsys):
    cases = [
        (["pretrain", str(tmp_path / "m")], "budget"),
        (["pretrain", str(tmp_path / "m"), "--steps", "1", "--resume"], "no crowd"),
        (["pretrain", str(crowd_model), "--steps", "9", "--resume", "--people", "9"], "--resume"),
        (["pretrain", str(tmp_path / "m"), "--steps", "1", "--init", "x", "--preset", "lite"], "--init"),
        (["pretrain", str(tmp_path / "m"), "--steps", "1", "--target-seed", "1500"], "outside"),
        (["pretrain", str(crowd_model), "--steps", "9", "--preset", "tiny"], "already holds"),
    ]  # fmt: skip
    for args, message in cases:
        assert main(args) == 2, args
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and message in err, (args, err)
