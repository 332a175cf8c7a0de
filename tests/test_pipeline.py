import os
from dataclasses import dataclass

import numpy as np
import pytest
import torch

from faceswap_kit.align import crop_box
from faceswap_kit.errors import InputError
from faceswap_kit.merge import MergeConfig
from faceswap_kit.pipeline import FrameSwapper, Swapper


@dataclass(frozen=True)
class _Config:
    resolution: int = 64
    face_type: str = "whole_face"


class IdentityModel:
    """Stand-in with the SwapModel interface: returns the crop itself and a full mask."""

    config = _Config()

    def swap(self, aligned, direction="a_to_b"):
        return aligned, torch.ones_like(aligned[:, :1])


class ConstantModel(IdentityModel):
    def swap(self, aligned, direction="a_to_b"):
        return torch.full_like(aligned, 0.9), torch.ones_like(aligned[:, :1])


@dataclass
class _Face:
    landmarks: np.ndarray


class FixedDetector:
    def __init__(self, landmarks):
        self.landmarks = landmarks
        self.calls = 0

    def __call__(self, frame):
        self.calls += 1
        return [] if self.landmarks is None else [_Face(self.landmarks)]


@pytest.fixture(scope="module")
def person():
    from faceswap_kit.synth import Identity, Pose, render

    out = render(Identity.from_seed(3), pose=Pose(yaw=10.0), size=128)
    frame = (out.image[0].permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)
    return frame, out.landmarks[0].numpy().astype(np.float32)


def test_identity_model_gives_back_the_frame(person):
    frame, landmarks = person
    config = MergeConfig(color="none", erode=0, blur=0, blend="feather")
    swapper = FrameSwapper(IdentityModel(), FixedDetector(landmarks), config, smoothing=None)
    output, timings = swapper(frame)
    assert set(timings) == {"detect", "align", "model", "merge"}
    assert output.shape == frame.shape and output.dtype == np.uint8
    diff = np.abs(output.astype(int) - frame.astype(int))
    assert diff.mean() < 1.5  # only interpolation error where the crop was pasted back


def test_face_is_replaced_where_the_landmarks_are(person):
    frame, landmarks = person
    swapper = FrameSwapper(
        ConstantModel(), FixedDetector(landmarks), MergeConfig(color="none", blend="feather")
    )
    result = swapper.swap_frame(frame)
    nose = landmarks[1].round().astype(int)  # mediapipe point 1: nose tip
    assert np.abs(result.output[nose[1], nose[0]].astype(int) - 230).max() <= 2
    assert np.array_equal(result.output[:3, :3], frame[:3, :3])
    assert result.faces == 1 and result.aligned.shape == (1, 3, 64, 64)


def test_no_face_passes_frame_untouched(person):
    frame, _ = person
    swapper = FrameSwapper(ConstantModel(), FixedDetector(None))
    output, timings = swapper(frame)
    assert output is frame and "model" not in timings


def test_smoothing_follows_a_still_face(person):
    frame, landmarks = person
    g = np.random.default_rng(0)
    detector = FixedDetector(landmarks)
    swapper = FrameSwapper(IdentityModel(), detector, MergeConfig.tiny())
    seen = []
    for _ in range(30):
        detector.landmarks = landmarks + g.normal(0, 0.8, landmarks.shape).astype(np.float32)
        seen.append(swapper.swap_frame(frame).landmarks[0])
    spread = torch.stack(seen[10:]).std(0).norm(dim=-1).mean()
    assert float(spread) < 0.6  # raw noise: 0.8 * sqrt(2) = 1.13 px


def test_live_sliders_can_replace_the_config(person):
    frame, landmarks = person
    swapper = FrameSwapper(
        ConstantModel(), FixedDetector(landmarks), MergeConfig(color="none", blend="feather")
    )
    swapper.merge_config = MergeConfig(color="none", opacity=0.0)
    output, _ = swapper(frame)
    assert np.abs(output.astype(int) - frame.astype(int)).max() <= 1


def test_crop_box_covers_the_crop():
    matrix = torch.tensor([[[0.5, 0.0, -10.0], [0.0, 0.5, -5.0]]])  # crop 64 px = 128 frame px
    x0, y0, x1, y1 = crop_box(matrix, 64, 300, 400)
    assert x0 <= 20 and y0 <= 10 and x1 >= 20 + 126 and y1 >= 10 + 126


def test_bad_inputs(person):
    frame, landmarks = person
    with pytest.raises(InputError):
        FrameSwapper(object())
    swapper = FrameSwapper(IdentityModel(), FixedDetector(landmarks))
    with pytest.raises(InputError):
        swapper(frame.astype(np.float32))
    with pytest.raises(InputError):
        swapper(frame[..., :2].copy())


def test_hull_mask_from_mediapipe_landmarks(person):
    """mask="hull" draws the face-type hull of the 468 landmarks: the face changes, the hair not."""
    frame, landmarks = person
    config = MergeConfig(color="none", mask="hull", blend="feather", erode=0, blur=0)
    swapper = FrameSwapper(ConstantModel(), FixedDetector(landmarks), config, smoothing=None)
    output = swapper(frame)[0].astype(int)
    nose = landmarks[1].round().astype(int)
    assert abs(output[nose[1], nose[0]] - 230).max() <= 2
    top = landmarks[:, 1].min()  # above the forehead landmarks: hair, untouched
    x = int(landmarks[1, 0])
    row = max(int(top) - 6, 0)
    assert np.abs(output[row, x] - frame[row, x].astype(int)).max() <= 2


def test_the_network_runs_on_its_own_thread_count(person):
    frame, landmarks = person
    seen = []

    class CountingModel(IdentityModel):
        def swap(self, aligned, direction="a_to_b"):
            seen.append(torch.get_num_threads())
            return super().swap(aligned, direction)

    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        swapper = FrameSwapper(
            CountingModel(), FixedDetector(landmarks), MergeConfig.live(), model_threads=2,
            adapt_threads=False,
        )  # fmt: skip
        swapper(frame)
        assert seen == [2] and torch.get_num_threads() == 1  # restored for the rest
        FrameSwapper(CountingModel(), FixedDetector(landmarks), adapt_threads=False)(frame)
        assert seen == [2, 1]  # None: left alone
        with pytest.raises(InputError, match="model_threads"):
            FrameSwapper(CountingModel(), model_threads=0)
    finally:
        torch.set_num_threads(saved)


class FixedLoad:
    def __init__(self, free: float) -> None:
        self.free = free

    def free_cores(self) -> float:
        return self.free


def test_a_busy_machine_drops_the_network_and_the_merge_to_one_thread(person):
    frame, landmarks = person
    seen = []

    class CountingModel(IdentityModel):
        def swap(self, aligned, direction="a_to_b"):
            seen.append(torch.get_num_threads())
            return super().swap(aligned, direction)

    saved = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        swapper = FrameSwapper(CountingModel(), FixedDetector(landmarks), model_threads="auto")
        swapper.threads.load = FixedLoad(1.0)  # one of two cores taken by another program
        swapper(frame)
        assert seen == [1] and swapper.threads.last == {"frame": 1, "network": 1}
        assert torch.get_num_threads() == 2  # the caller's setting is back
        swapper.threads.load = FixedLoad(2.0)  # quiet again
        swapper(frame)
        assert seen[-1] == min(2, len(os.sched_getaffinity(0)))
    finally:
        torch.set_num_threads(saved)


def test_the_live_merge_settings_blend_without_the_poisson_solve():
    live = MergeConfig.live()
    assert live.blend == "feather" and live.color == MergeConfig.default().color


def test_the_2d_warp_is_one_swapper_among_the_others(person):
    """The chain runs the 2D warp like a model: the same pixels as calling warp2d_swap directly
    on the region around the face."""
    from faceswap_kit.align import landmark_box
    from faceswap_kit.io import image_to_tensor, tensor_to_image
    from faceswap_kit.synth import Identity, render
    from faceswap_kit.warp2d import Warp2DSwapper, warp2d_swap

    frame, landmarks = person
    donor = render(Identity.from_seed(8), size=96)
    warp = Warp2DSwapper(donor.image, donor.landmarks)
    assert isinstance(warp, Swapper) and not isinstance(IdentityModel(), Swapper)
    result = FrameSwapper(warp, FixedDetector(landmarks), smoothing=None).swap_frame(frame)
    assert set(result.timings) == {"detect", "align", "swap", "merge"}
    points = torch.from_numpy(landmarks)[None]
    x0, y0, x1, y1 = landmark_box(points, *frame.shape[:2])
    region = image_to_tensor(frame[y0:y1, x0:x1])
    direct = warp2d_swap(region, points[:, :468] - torch.tensor([x0, y0]), donor.image,
                         donor.landmarks, triangles=warp.triangles)  # fmt: skip
    assert result.box == (x0, y0, x1, y1)
    assert np.array_equal(result.output[y0:y1, x0:x1], tensor_to_image(direct))
    assert np.array_equal(result.output[:y0], frame[:y0])
