import pytest
import torch
from swap_oracle import Oracle

from faceswap_kit.evaluate import score_model, synthetic_seeds
from faceswap_kit.models import ModelConfig, SwapModel, build_network
from faceswap_kit.train.synthfaces import synth_faceset


def test_synth_faceset_is_aligned_and_labelled():
    faces = synth_faceset(3, 3, 64)
    assert faces.images.shape == (3, 3, 64, 64) and faces.identity["synthetic"] is True
    # aligned: the eye corners (mediapipe 33 and 263) sit at about the same place in every crop
    eyes = faces.landmarks[:, [33, 263]]
    assert float((eyes - eyes.mean(0)).abs().max()) < 64 * 0.08
    inside = faces.masks.float().mean() / 255
    assert 0.2 < float(inside) < 0.8


def test_score_identity_model_equals_unchanged_baseline():
    model = SwapModel(Oracle(ModelConfig.tiny()))
    score = score_model(model, 3, 5, pairs=2, identity=False)
    methods = score["methods"]
    assert methods["model"] == methods["unchanged"]
    assert score["identity"]["judged"] is False
    assert 0 < methods["warp2d"]["ssim"] < 1 and 5 < methods["warp2d"]["psnr"] < 40


def test_untrained_model_scores_low():
    torch.manual_seed(0)
    score = score_model(
        SwapModel(build_network(ModelConfig.tiny())), 3, 5, pairs=2, baselines=False,
        identity=False,
    )  # fmt: skip
    assert set(score["methods"]) == {"model"}
    assert score["methods"]["model"]["ssim"] < 0.5


def test_the_judge_says_no_swap_for_the_unchanged_frame_and_a_swap_for_the_ideal():
    pytest.importorskip("dlib")
    model = SwapModel(Oracle(ModelConfig.tiny()))
    score = score_model(model, 3, 5, pairs=3, identity=True)
    methods = score["methods"]
    assert score["identity"]["judged"] is True
    for name in ("model", "unchanged"):  # the oracle returns its input: no swap either
        assert methods[name]["id_retrieval"] == 0.0 == methods[name]["id_nearer_intended"]
        assert methods[name]["id_to_original"] < min(0.6, methods[name]["id_to_intended"])
    assert methods["ideal"]["id_retrieval"] >= 2 / 3
    assert methods["ideal"]["id_nearer_intended"] == 1.0
    assert methods["ideal"]["id_to_intended"] < methods["ideal"]["id_to_original"]
    assert set(methods["warp2d"]) >= {"psnr", "ssim", "id_retrieval", "id_found"}


def test_score_table_and_summary_say_how_to_enable_identity():
    from faceswap_kit.evaluate import score_summary, score_table

    score = {
        "identity": {"judged": False, "how_to_enable": "pip install x"},
        "methods": {"model": {"psnr": 20.0, "ssim": 0.5}, "unchanged": {"psnr": 18, "ssim": 0.6}},
    }
    table = "\n".join(score_table(score))
    assert "| model | – | – | – | – | 20.00 | 0.500 | – |" in table and "pip install x" in table
    assert "pip install x" in score_summary(score) and "SSIM 0.600" in score_summary(score)


@pytest.mark.parametrize(
    ("identities", "expected"),
    [
        ({"a": {"synthetic": True, "seed": 1}, "b": {"synthetic": True, "seed": 2}}, (1, 2)),
        (
            {"a": {"synthetic": True, "name": "synthetic-4"}, "b": {"synthetic": True, "seed": 2}},
            (4, 2),
        ),
        ({"a": {"synthetic": False, "seed": 1}, "b": {"synthetic": True, "seed": 2}}, None),
        (
            {
                "a": {"synthetic": True, "seed": 1, "kind": "toy"},
                "b": {"synthetic": True, "seed": 2},
            },
            None,
        ),
    ],
)
def test_synthetic_seeds(identities, expected):
    assert synthetic_seeds(identities) == expected
