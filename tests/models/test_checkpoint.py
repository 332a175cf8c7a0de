import errno
import json

import pytest
import torch

from faceswap_kit.errors import CheckpointError
from faceswap_kit.models import ModelConfig, build_network, load_model
from faceswap_kit.models import checkpoint as ckpt

SMALL = dict(encoder_dims=4, bottleneck_dims=16, decoder_dims=4, mask_dims=2)


def write_model(model_dir, config, seed=0, step=1, keep_backups=2):
    torch.manual_seed(seed)
    network = build_network(config)
    files = {
        ckpt.WEIGHTS: ckpt.weights_bytes(network.state_dict()),
        ckpt.CONFIG: ckpt.json_bytes({"format": ckpt.FORMAT, "model": config.to_dict()}),
        ckpt.CARD: ckpt.json_bytes({"name": "test", "steps": step}),
    }
    ckpt.write_checkpoint(model_dir, files, {"step": step}, keep_backups=keep_backups)
    return network


def test_round_trip_and_backups(tmp_path):
    config = ModelConfig.tiny(**SMALL)
    for step in range(1, 5):
        network = write_model(tmp_path, config, seed=step, step=step)
    model = load_model(tmp_path)
    for name, value in network.state_dict().items():
        assert torch.equal(model.network.state_dict()[name], value)
    assert model.card["steps"] == 4
    backups = sorted(p.name for p in tmp_path.glob("backup-*"))
    assert backups == ["backup-1", "backup-2"]
    assert json.loads((tmp_path / "backup-1" / "state.json").read_text())["step"] == 3
    assert json.loads((tmp_path / "backup-2" / "state.json").read_text())["step"] == 2
    assert not (tmp_path / ckpt.INCOMING).exists()


def test_corrupted_weights_name_the_file(tmp_path):
    write_model(tmp_path, ModelConfig.tiny(**SMALL))
    path = tmp_path / ckpt.WEIGHTS
    data = bytearray(path.read_bytes())
    data[-10:] = b"0123456789"
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="model.safetensors.*backup-1"):
        load_model(tmp_path)
    (tmp_path / ckpt.STATE).unlink()  # without checksums the safetensors reader still catches it
    path.write_bytes(b"not a safetensors file")
    with pytest.raises(CheckpointError, match="model.safetensors"):
        load_model(tmp_path)


def test_corrupted_config(tmp_path):
    write_model(tmp_path, ModelConfig.tiny(**SMALL))
    (tmp_path / ckpt.CONFIG).write_text("{not json")
    with pytest.raises(CheckpointError, match="config.json is corrupted"):
        load_model(tmp_path)


def test_weights_of_another_architecture(tmp_path):
    write_model(tmp_path, ModelConfig.tiny(**SMALL))
    other = ModelConfig.tiny(architecture="liae", **SMALL)
    (tmp_path / ckpt.CONFIG).write_text(
        json.dumps({"format": ckpt.FORMAT, "model": other.to_dict()})
    )
    with pytest.raises(CheckpointError, match="another architecture"):
        load_model(tmp_path)


def test_disk_full_keeps_previous_checkpoint(tmp_path, monkeypatch):
    config = ModelConfig.tiny(**SMALL)
    network = write_model(tmp_path, config, seed=1, step=1)
    real_write = ckpt._fsync_write
    calls = {"n": 0}

    def failing_write(path, data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(ckpt, "_fsync_write", failing_write)
    with pytest.raises(CheckpointError, match="previous checkpoint is intact"):
        write_model(tmp_path, config, seed=2, step=2)
    monkeypatch.undo()
    model = load_model(tmp_path)
    assert model.card["steps"] == 1
    for name, value in network.state_dict().items():
        assert torch.equal(model.network.state_dict()[name], value)
    assert not (tmp_path / ckpt.INCOMING).exists()


def test_load_by_name(tmp_path, monkeypatch):
    write_model(tmp_path / "pair", ModelConfig.tiny(**SMALL))
    assert load_model("pair", models_dir=tmp_path).path == tmp_path / "pair"
    monkeypatch.setenv("FSK_MODELS_DIR", str(tmp_path))
    assert load_model("pair").config.resolution == 64
    with pytest.raises(CheckpointError, match="no model directory"):
        load_model("nobody-here")


def test_export_is_small_and_equivalent(tmp_path):
    from faceswap_kit.models.export import export_model

    config = ModelConfig.tiny(**SMALL)
    write_model(tmp_path / "run", config)
    (tmp_path / "run" / ckpt.OPTIMIZER).write_bytes(ckpt.tensors_bytes({"x": torch.zeros(1000)}))
    out = export_model(tmp_path / "run", tmp_path / "export")
    assert sorted(p.name for p in out.iterdir()) == [
        "card.json",
        "config.json",
        "model.safetensors",
    ]
    assert (out / ckpt.WEIGHTS).stat().st_size < 0.6 * (
        tmp_path / "run" / ckpt.WEIGHTS
    ).stat().st_size
    x = torch.rand(2, 3, 64, 64)
    full, half = load_model(tmp_path / "run"), load_model(out)
    torch.testing.assert_close(half.swap(x)[0], full.swap(x)[0], atol=2e-2, rtol=0)


@pytest.mark.parametrize("name", ["synth-4-7-df-tiny", "synth-4-7-df-lite"])
def test_bundled_models_load_by_name(name):
    from faceswap_kit.models.search import bundled_models

    if name not in bundled_models():
        pytest.skip("bundled model not present in this checkout")
    model = load_model(name)
    assert model.card["synthetic"] is True and model.card["scores"]["methods"]["model"]["ssim"] > 0
    size = model.config.resolution
    face, mask = model.swap(torch.rand(1, 3, size, size), "a_to_b")
    assert face.shape == (1, 3, size, size) and mask.shape == (1, 1, size, size)
    if name.endswith("lite"):
        assert model.config == ModelConfig.lite(name=name)  # the live model is the lite preset


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_bundled_cards_name_no_build_machine_paths():
    """A card travels with its model: a path of the machine that trained it means nothing
    elsewhere (and says who built it)."""
    from pathlib import PurePosixPath, PureWindowsPath

    from faceswap_kit.models.search import bundled_models, bundled_models_dir

    folder = bundled_models_dir()
    if folder is None:
        pytest.skip("no bundled models in this checkout")
    cards = [folder / name / ckpt.CARD for name in bundled_models()]
    assert cards, "no bundled models found"
    for card in cards:
        if not card.is_file():
            continue
        data = json.loads(card.read_text())
        for text in _strings(data):
            for word in text.split():
                word = word.strip("`'\"(),;")
                folder = PurePosixPath(word).is_absolute() and len(PurePosixPath(word).parts) > 2
                assert not (folder or PureWindowsPath(word).drive), f"{card}: {word!r}"
        readme = card.with_name("README.md")
        if readme.is_file():
            assert "/work/" not in readme.read_text() and "/home/" not in readme.read_text()


def test_an_old_init_record_loses_its_path_in_the_card():
    from faceswap_kit.train.card import _portable_init

    assert _portable_init(
        {"model": "/srv/build/work/crowd-lite", "path": "/srv/x", "steps": 3}
    ) == {
        "model": "crowd-lite",
        "steps": 3,
    }
    assert _portable_init({"model": "crowd-lite", "steps": 3})["model"] == "crowd-lite"
