"""The merge pictures and the slider preview (matplotlib Agg, ipywidgets without a front end)."""

from dataclasses import dataclass

import cv2
import numpy as np
import pytest
import torch

from faceswap_kit.errors import WidgetError
from faceswap_kit.merge import MergeConfig


@dataclass(frozen=True)
class _Config:
    resolution: int = 64
    face_type: str = "whole_face"


class _GreyModel:
    config = _Config()

    def swap(self, aligned, direction="a_to_b"):
        return torch.full_like(aligned, 0.5), torch.ones_like(aligned[:, :1])


@dataclass
class _Face:
    landmarks: np.ndarray


@pytest.fixture(scope="module")
def swapped():
    from faceswap_kit.pipeline import FrameSwapper
    from faceswap_kit.synth import Identity, render

    out = render(Identity.from_seed(2), size=96)
    frame = (out.image[0].permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)
    landmarks = out.landmarks[0].numpy().astype(np.float32)
    swapper = FrameSwapper(_GreyModel(), lambda f: [_Face(landmarks)], MergeConfig.tiny())
    return frame, swapper.swap_frame(frame)


def test_figures(swapped):
    import matplotlib.pyplot as plt

    from faceswap_kit.viz import merge as viz

    frame, result = swapped
    for make in (viz.swap_steps_figure, viz.color_modes_figure, viz.blend_modes_figure):
        fig = make(frame, result, MergeConfig.tiny())
        assert len(fig.axes) >= 3
        plt.close(fig)
    fig = viz.color_transfer_grid(result.predicted, result.aligned)
    plt.close(fig)
    raw = torch.rand(10, 5, 2)
    plt.close(viz.jitter_figure(raw, raw))


def test_preview_follows_the_sliders(swapped):
    from faceswap_kit.widgets.merge_preview import MergePreview

    frame, result = swapped
    preview = MergePreview(frame, result, MergeConfig(color="none", blend="feather"))
    full = preview.update()
    assert np.abs(full.astype(int) - frame.astype(int)).max() > 30
    preview.controls["opacity"].value = 0.0  # observed: re-merges at once
    assert preview.config.opacity == 0.0
    assert np.abs(preview.update().astype(int) - frame.astype(int)).max() <= 1
    assert "merge:" in preview.status.value
    side_by_side = cv2.imdecode(np.frombuffer(preview.side_by_side_png(), np.uint8), 1)
    assert side_by_side.shape[1] == 2 * frame.shape[1] + 4  # before | after, a picture that stays


def test_preview_needs_a_face(swapped):
    from faceswap_kit.pipeline import SwapResult
    from faceswap_kit.widgets.merge_preview import MergePreview

    frame, _ = swapped
    with pytest.raises(WidgetError):
        MergePreview(frame, SwapResult(frame))


def test_before_after_crops(swapped):
    import matplotlib.pyplot as plt

    from faceswap_kit.viz import merge as viz

    frame, result = swapped
    plain = viz.merged_face(frame, result, MergeConfig(color="none", blend="feather"))
    other = viz.merged_face(frame, result, MergeConfig(color="none", blend="feather"),
                            predicted=torch.zeros_like(result.predicted))  # fmt: skip
    assert plain.shape == other.shape and plain.shape[0] < frame.shape[0]
    assert np.abs(plain.astype(int) - other.astype(int)).max() > 30  # the face replaced
    fig = viz.before_after_figure({"dark face": (plain, other)})
    assert len(fig.axes) == 2
    plt.close(fig)
