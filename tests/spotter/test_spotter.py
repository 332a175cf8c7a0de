import json

import pytest
import torch

from faceswap_kit.errors import CheckpointError, InputError
from faceswap_kit.spotter import (
    CropSet,
    SpotterConfig,
    SpotterNet,
    evaluate,
    load_spotter,
    make_crops,
    save_spotter,
    spot,
    train_spotter,
)


@pytest.fixture(scope="module")
def crops():
    """Real, 2D-warp and model-swap crops of 8 training people and 4 never seen (disjoint seeds)."""
    kinds = ("2D warp", "model:synth-4-7-df-tiny")
    options = {"frames": 2, "size": 96, "crop": 48, "kinds": kinds, "feathers": (0.0, 0.04)}
    generator = torch.Generator().manual_seed(0)
    train = make_crops(range(40, 48), generator=generator, **options)
    test = make_crops(range(60, 64), generator=generator, **options)
    return train, test


def test_crops_have_labels_kinds_and_people(crops):
    train, _ = crops
    assert train.crops.shape == (48, 3, 48, 48)
    assert train.crops.min() >= 0 and train.crops.max() <= 1
    assert int(train.labels.sum()) == 32 and train.kinds.count("real") == 16
    assert train.kinds.count("model:synth-4-7-df-tiny") == 16
    assert set(train.people.tolist()) == set(range(40, 48))
    assert all(k in ("real", "model:synth-4-7-df-tiny") or "feather" in k for k in train.kinds)


def test_spotter_learns_and_beats_chance_on_people_it_never_saw(crops):
    train, test = crops
    assert not set(train.people.tolist()) & set(test.people.tolist())
    torch.set_num_threads(1)
    model = train_spotter(train, steps=80, batch=16, config=SpotterConfig.tiny())
    result = evaluate(model, test)
    assert result["auc"] > 0.7, result  # chance is 0.5
    assert result["per_kind"]["model:synth-4-7-df-tiny"]["auc"] > 0.8, result["per_kind"]
    warps = {"2D warp, feather 0.00", "2D warp, feather 0.04"}
    assert set(result["per_kind"]) <= warps | {"model:synth-4-7-df-tiny"}
    assert result["scores"].shape == (len(test),)


def test_weights_round_trip_through_safetensors_without_pickle(tmp_path):
    model = SpotterNet(SpotterConfig.tiny()).eval()
    crops = torch.rand(3, 3, 48, 48, generator=torch.Generator().manual_seed(1))
    save_spotter(model, tmp_path / "spot", {"note": "test"})
    assert sorted(p.name for p in (tmp_path / "spot").iterdir()) == [
        "card.json",
        "model.safetensors",
    ]
    loaded, card = load_spotter(tmp_path / "spot")
    assert card["note"] == "test" and card["config"] == {"crop": 48, "width": 8}
    torch.testing.assert_close(spot(loaded, crops), spot(model, crops))


def test_bundled_spotter_loads_and_records_how_it_was_made():
    model, card = load_spotter()
    assert isinstance(model, SpotterNet) and not model.training
    assert card["command"].startswith("PYTHONPATH=. python scripts/make_spotter.py")
    assert card["test_auc"] > 0.8  # on people it never saw
    (a, b), (c, d) = card["train_seeds"], card["test_seeds"]
    assert not set(range(a, b + 1)) & set(range(c, d + 1))


def test_bad_inputs_raise_domain_errors(tmp_path):
    with pytest.raises(InputError, match="expected face crops"):
        SpotterNet()(torch.rand(2, 1, 64, 64))
    only_real = CropSet(torch.rand(4, 3, 48, 48), torch.zeros(4), ["real"] * 4, torch.zeros(4))
    with pytest.raises(InputError, match="expected real and fake crops"):
        train_spotter(only_real, steps=1)
    with pytest.raises(CheckpointError, match="card.json"):
        load_spotter(tmp_path)
    (tmp_path / "card.json").write_text(json.dumps({"format": "other"}))
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(CheckpointError, match="expected a faceswap_kit-spotter card"):
        load_spotter(tmp_path)
    with pytest.raises(InputError, match="expected seeds"):
        make_crops([1], kinds=("deepfake",))
