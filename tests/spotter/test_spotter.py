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


def _write_recording(folder, seed=70, frames=4, consent=True):
    """A recording as the live app's record_dataset writes it, of a generated person."""
    from faceswap_kit.io import tensor_to_image, write_image
    from faceswap_kit.synth import render_clip

    (folder / "frames").mkdir(parents=True)
    for index, shot in enumerate(render_clip(seed, frames, size=160)):
        write_image(folder / "frames" / f"{index:06d}.jpg", tensor_to_image(shot.image))
    if consent:
        (folder / "consent.json").write_text(json.dumps({"name": "me", "consent": True}))
    return folder


def test_a_recording_of_yourself_gives_real_and_fake_crops_the_spotter_can_score(tmp_path):
    from faceswap_kit.spotter import RECORDED, recording_crops

    folder = _write_recording(tmp_path / "me")
    kinds = ("2D warp", "model:synth-4-7-df-tiny")
    crops = recording_crops(folder, frames=4, crop=48, kinds=kinds)
    assert crops.crops.shape == (12, 3, 48, 48)
    assert crops.kinds.count("real") == 4 and int(crops.labels.sum()) == 8
    assert set(crops.people.tolist()) == {RECORDED}
    # the real crops are the recording's own pixels, the fakes are not
    real, model = (
        crops.crops[:4],
        crops.crops[torch.tensor([k.startswith("model") for k in crops.kinds])],
    )
    assert (real - model).abs().mean() > 0.01
    spotter, card = load_spotter()
    scores = spot(
        spotter, recording_crops(folder, frames=4, crop=card["config"]["crop"], kinds=kinds).crops
    )
    assert scores.shape == (12,)


def test_a_recording_without_consent_or_frames_is_refused(tmp_path):
    from faceswap_kit.spotter import recording_crops

    with pytest.raises(InputError, match="consent"):
        recording_crops(_write_recording(tmp_path / "a", consent=False))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "consent.json").write_text("{}")
    with pytest.raises(InputError, match="no .jpg frames"):
        recording_crops(tmp_path / "b")
