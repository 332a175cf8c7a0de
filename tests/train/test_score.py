import pytest
import torch

from faceswap_kit.models import ModelConfig, SwapModel, build_network
from faceswap_kit.train.score import score_model, synthetic_seeds
from faceswap_kit.train.synthfaces import synth_faceset


def test_synth_faceset_is_aligned_and_labelled():
    faces = synth_faceset(3, 3, 64)
    assert faces.images.shape == (3, 3, 64, 64) and faces.identity["synthetic"] is True
    # aligned: the eye corners (mediapipe 33 and 263) sit at about the same place in every crop
    eyes = faces.landmarks[:, [33, 263]]
    assert float((eyes - eyes.mean(0)).abs().max()) < 64 * 0.08
    inside = faces.masks.float().mean() / 255
    assert 0.2 < float(inside) < 0.8


class Oracle(torch.nn.Module):
    """A 'model' that returns its input: the unchanged-frame baseline in model form."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def render(self, x, identity):
        return x, x[:, :1]


def test_score_identity_model_equals_unchanged_baseline():
    model = SwapModel(Oracle(ModelConfig.tiny()))
    score = score_model(model, 3, 5, pairs=2)
    methods = score["methods"]
    assert methods["model"] == methods["unchanged"]
    assert 0 < methods["warp2d"]["ssim"] < 1 and 5 < methods["warp2d"]["psnr"] < 40


def test_untrained_model_scores_low():
    torch.manual_seed(0)
    score = score_model(
        SwapModel(build_network(ModelConfig.tiny())), 3, 5, pairs=2, baselines=False
    )
    assert set(score["methods"]) == {"model"}
    assert score["methods"]["model"]["ssim"] < 0.5


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
