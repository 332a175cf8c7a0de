import json

import numpy as np
import pytest

from faceswap_kit.errors import CheckpointError, InputError, WidgetError
from faceswap_kit.live.headless import run_headless
from faceswap_kit.live.recorder import DatasetRecorder
from faceswap_kit.live.sources import GeneratedPersonSource, open_source
from faceswap_kit.live.virtualcam import VirtualCameraSink, virtual_camera_status


def test_the_2d_mode_swaps_a_generated_person_and_writes_a_labelled_clip(tmp_path):
    from faceswap_kit.io.video import VideoReader

    person = GeneratedPersonSource(seed=0, size=(256, 192), loop_frames=6)
    report = run_headless(tmp_path / "live.mp4", frames=4, size=(256, 192), warmup=1, source=person)
    assert report.frames == 4 and report.faces_found == 4
    assert {"detect", "swap", "overlay", "encode", "total"} <= set(report.stats.stage_names)
    assert report.fps > 0 and "| detect |" in report.table()
    assert len(report.cpu_ms) == 4 and report.cpu_ms_per_frame > 0
    frames = list(VideoReader(report.output))
    assert len(frames) == 5 and frames[0].shape == (192, 256, 3)
    # the swap changed the face but not the corners of the frame
    source = person.frame(4)
    diff = np.abs(report.last_frame.astype(int) - source.astype(int)).sum(-1)
    assert diff[60:140, 90:170].mean() > 10
    assert report.last_frame[-15:, -80:].max() > 200  # label


def test_bad_arguments_raise_input_errors():
    with pytest.raises(InputError):
        run_headless(frames=0)
    with pytest.raises(InputError):
        run_headless(frames=1, mode="nonsense")
    with pytest.raises((InputError, CheckpointError), match="no-such-model"):
        run_headless(frames=1, mode="model", model="no-such-model")
    with pytest.raises(InputError):
        open_source("webcam")


def test_dataset_recording_needs_consent_and_keeps_every_nth_frame(tmp_path):
    with pytest.raises(InputError, match="consent"):
        DatasetRecorder(tmp_path / "me")
    recorder = DatasetRecorder(tmp_path / "me", consent=True, every=2, max_frames=3)
    saved = [recorder.add(np.full((32, 32, 3), i, np.uint8)) for i in range(10)]
    assert saved == [True, False, True, False, True] + [False] * 5
    assert sorted(p.name for p in (tmp_path / "me" / "frames").iterdir()) == [
        "000000.jpg",
        "000001.jpg",
        "000002.jpg",
    ]
    record = json.loads((tmp_path / "me" / "consent.json").read_text())
    assert "permission" in record["consent"]


def test_the_virtual_camera_says_clearly_why_it_is_unavailable():
    available, message = virtual_camera_status()
    if available:
        pytest.skip("pyvirtualcam is installed here")
    assert "pyvirtualcam" in message and "pip install pyvirtualcam" in message
    with pytest.raises(WidgetError, match="v4l2loopback"):
        VirtualCameraSink()


def test_missing_local_camera_is_a_widget_error():
    with pytest.raises(WidgetError, match="no local camera"):
        open_source("local", index=97)


def test_cli_live_prints_timings_and_rejects_bad_input(tmp_path, capsys):
    from faceswap_kit.cli import main

    out = tmp_path / "cli.mp4"
    args = ["live", "--frames", "2", "--mode", "passthrough", "--width", "96", "--height", "64"]
    assert main(args + ["--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "| total |" in printed.out and out.exists()
    with pytest.raises(SystemExit) as stop:  # a user error: one line, exit status 2
        main(["live", "--width", "8"])
    assert stop.value.code == 2
    assert "argument --width: expected an integer from 32 to 4096" in capsys.readouterr().err


def test_the_model_mode_runs_the_frame_swapper_with_each_stage_timed():
    import torch

    from faceswap_kit.live.processors import ModelProcessor
    from faceswap_kit.models import ModelConfig, SwapModel, build_network
    from faceswap_kit.pipeline import FrameSwapper

    torch.manual_seed(0)
    processor = ModelProcessor(FrameSwapper(SwapModel(build_network(ModelConfig.tiny()))))
    person = GeneratedPersonSource(seed=0, size=(256, 192), loop_frames=4)
    report = run_headless(None, frames=2, warmup=1, processor=processor, source=person)
    assert {"detect", "align", "model", "merge", "overlay", "total"} <= set(
        report.stats.stage_names
    )
    source = person.frame(2)
    diff = np.abs(report.last_frame.astype(int) - source.astype(int)).sum(-1)
    assert diff[70:130, 100:160].mean() > 10  # an untrained decoder still repaints the face
    assert diff[150:, :60].mean() < 3  # away from the face, HUD and label: untouched


def test_a_missing_model_directory_is_a_checkpoint_error(tmp_path):
    from faceswap_kit.errors import CheckpointError
    from faceswap_kit.live.processors import ModelProcessor

    with pytest.raises(CheckpointError):
        ModelProcessor.from_directory(tmp_path / "no-model")


def test_a_video_file_goes_through_the_loop(tmp_path):
    from faceswap_kit.io.video import VideoReader, VideoWriter

    clip = tmp_path / "in.mp4"
    with VideoWriter(clip, 10, (128, 96)) as writer:
        for frame in GeneratedPersonSource(seed=1, size=(128, 96), frames=5, loop_frames=5):
            writer.write(frame)
    source = open_source("video", path=clip, loop=False)
    assert source.size == (128, 96)
    report = run_headless(
        tmp_path / "out.mp4", frames=10, mode="passthrough", source=source, warmup=0
    )
    assert report.frames == 5  # the file ends before the frame budget
    assert len(list(VideoReader(report.output))) == 5
