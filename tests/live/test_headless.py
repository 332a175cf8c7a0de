import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from faceswap_kit.errors import InputError, WidgetError
from faceswap_kit.live.headless import run_headless
from faceswap_kit.live.recorder import DatasetRecorder
from faceswap_kit.live.sources import GeneratedPersonSource, open_source
from faceswap_kit.live.virtualcam import VirtualCameraSink, virtual_camera_status


def test_the_2d_mode_swaps_a_generated_person_and_writes_a_labelled_clip(tmp_path):
    from faceswap_kit.io.video import VideoReader

    report = run_headless(tmp_path / "live.mp4", frames=4, size=(256, 192), warmup=1)
    assert report.frames == 4 and report.faces_found == 4
    assert {"detect", "swap", "overlay", "encode", "total"} <= set(report.stats.stage_names)
    assert report.fps > 0 and "| detect |" in report.table()
    frames = list(VideoReader(report.output))
    assert len(frames) == 5 and frames[0].shape == (192, 256, 3)
    # the swap changed the face but not the corners of the frame
    source = GeneratedPersonSource(seed=0, size=(256, 192)).frame(4)
    diff = np.abs(report.last_frame.astype(int) - source.astype(int)).sum(-1)
    assert diff[60:140, 90:170].mean() > 10
    assert report.last_frame[-15:, -80:].max() > 200  # label


def test_bad_arguments_raise_input_errors():
    with pytest.raises(InputError):
        run_headless(frames=0)
    with pytest.raises(InputError):
        run_headless(frames=1, mode="nonsense")
    with pytest.raises(InputError):
        run_headless(frames=1, mode="model")
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


def test_cli_live_prints_timings_and_rejects_bad_input(tmp_path):
    root = pathlib.Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = tmp_path / "cli.mp4"
    command = [sys.executable, "-m", "faceswap_kit", "live", "--frames", "2", "--mode"]
    done = subprocess.run(
        command + ["passthrough", "--out", str(out), "--width", "96", "--height", "64"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "| total |" in done.stdout and out.exists()
    bad = subprocess.run(
        command + ["passthrough", "--width", "8"], capture_output=True, text=True, cwd=root, env=env
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "--width" in bad.stderr
