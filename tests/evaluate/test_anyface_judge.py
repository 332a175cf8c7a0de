"""The any-face showcase: swap whole frames and let the independent judge say who they show."""

from __future__ import annotations

import pytest
import torch
from swap_oracle import Oracle

from faceswap_kit.errors import InputError
from faceswap_kit.evaluate import anyface_on_frames
from faceswap_kit.models import ModelConfig, SwapModel
from faceswap_kit.synth import Identity, render


def test_a_swap_that_changes_nobody_is_judged_the_input():
    pytest.importorskip("dlib")
    model = SwapModel(Oracle(ModelConfig.tiny()), card={"target_seed": 7})
    frames = torch.cat([render(Identity.from_seed(s), size=192).image for s in (101, 202)])
    result = anyface_on_frames(model, frames)
    assert result["swapped"].shape == frames.shape and result["target_seed"] == 7
    assert result["judged_target"] == [False, False]
    assert all(i < 0.3 < t for t, i in zip(result["to_target"], result["to_input"], strict=True))


def test_a_model_without_a_target_is_refused():
    model = SwapModel(Oracle(ModelConfig.tiny()))
    with pytest.raises(InputError, match="target_seed"):
        anyface_on_frames(model, torch.zeros(1, 3, 64, 64))
