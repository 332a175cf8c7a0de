"""The widget's message protocol (docs/live.md), driven without a browser."""

import pathlib
import time

import numpy as np
import pytest

from faceswap_kit.errors import WidgetError
from faceswap_kit.live.app import LiveSwap
from faceswap_kit.live.camera import CameraWidget
from faceswap_kit.live.codec import decode_jpeg, encode_jpeg
from faceswap_kit.live.runner import LiveConfig


class Recorder:
    """Stands in for the comm: keeps what the kernel would send to the browser."""

    def __init__(self, widget):
        self.messages = []
        widget.send = self

    def __call__(self, content, buffers=None):
        self.messages.append((content, [bytes(b) for b in buffers or []]))

    def wait(self, count, timeout=10.0):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.messages


def _jpeg(value=120):
    frame = np.full((48, 64, 3), value, np.uint8)
    return encode_jpeg(frame, 95)


def _browser_frame(widget, frame_id, data=None):
    content = {"type": "frame", "id": frame_id, "width": 64, "height": 48, "t": 1.0}
    widget._handle_message(widget, content, [memoryview(data or _jpeg())])


def test_frames_reach_the_callback_as_bytes_with_their_meta():
    widget = CameraWidget()
    received = []
    widget.on_frame(lambda data, meta: received.append((data, meta)))
    _browser_frame(widget, 7)
    ((data, meta),) = received
    assert isinstance(data, bytes) and decode_jpeg(data).shape == (48, 64, 3)
    assert meta == {"id": 7, "width": 64, "height": 48, "t": 1.0}
    assert widget.frames_received == 1


def test_unknown_messages_and_frames_without_buffers_are_ignored_and_counted():
    widget = CameraWidget()
    received = []
    widget.on_frame(lambda data, meta: received.append(meta))
    widget._handle_message(widget, {"type": "hello"}, [])
    widget._handle_message(widget, {"type": "frame", "id": 1}, [])
    widget._handle_message(widget, "not a dict", [])
    assert received == [] and widget.protocol_errors == 3


def test_a_frame_nobody_processes_is_answered_with_a_drop():
    widget = CameraWidget()
    sent = Recorder(widget)
    _browser_frame(widget, 3)
    assert sent.messages == [({"type": "drop", "id": 3}, [])]


def test_send_frame_encodes_arrays_and_echoes_the_frame_id():
    widget = CameraWidget()
    sent = Recorder(widget)
    widget.send_frame(np.zeros((10, 12, 3), np.uint8), {"id": 5}, stats={"fps": 30.0})
    widget.send_frame(_jpeg(), None)
    widget.send_drop(None)  # kernel-side frames have no id: nothing to drop
    (first, buffers), (second, _) = sent.messages
    assert first == {"type": "frame", "id": 5, "mime": "image/jpeg", "stats": {"fps": 30.0}}
    assert decode_jpeg(buffers[0]).shape == (10, 12, 3)
    assert second["id"] is None and len(sent.messages) == 2


def test_traits_are_validated():
    with pytest.raises(WidgetError):
        CameraWidget(max_in_flight=0)
    with pytest.raises(WidgetError):
        CameraWidget(source="webrtc")
    with pytest.raises(WidgetError):
        CameraWidget(quality=3.0)


def test_live_swap_answers_each_browser_frame_with_a_labelled_processed_jpeg():
    live = LiveSwap(mode="passthrough", config=LiveConfig(hud=False))
    sent = Recorder(live.widget)
    live.start()
    try:
        assert live.widget.running and live.widget.source == "browser"
        for frame_id in range(3):
            _browser_frame(live.widget, frame_id)
            sent.wait(frame_id + 1)
    finally:
        live.stop()
    frames = [(c, b) for c, b in sent.messages if c["type"] == "frame"]
    drops = [c for c, _ in sent.messages if c["type"] == "drop"]
    # every browser frame is answered exactly once: processed or dropped
    assert sorted([c["id"] for c, _ in frames] + [c["id"] for c in drops]) == [0, 1, 2]
    content, buffers = frames[-1]
    image = decode_jpeg(buffers[0])
    assert image.shape == (48, 64, 3)
    assert image[-12:, -40:].max() > 230  # the AI-generated label
    assert 110 < np.median(image[:20, :20]) < 130  # the picture itself came back
    assert content["stats"]["total_ms"] > 0
    assert live.widget.status == "streaming" or live.widget.running is False


def test_no_browser_camera_falls_back_to_a_generated_person_and_says_so():
    live = LiveSwap(mode="passthrough", config=LiveConfig(hud=False), width=160, height=120)
    sent = Recorder(live.widget)
    live.start()
    try:
        live.widget.status = "no-camera"  # what camera.js sets on NotFoundError
        assert live.widget.source == "kernel"
        assert "generated person" in live.widget.message
        sent.wait(2)
    finally:
        live.stop()
    frames = [(c, b) for c, b in sent.messages if c["type"] == "frame"]
    assert len(frames) >= 2 and all(c["id"] is None for c, _ in frames)
    assert decode_jpeg(frames[0][1][0]).shape == (120, 160, 3)


def test_snapshot_and_recording_keep_the_labelled_output(tmp_path):
    from faceswap_kit.io.video import VideoReader

    live = LiveSwap(
        mode="passthrough",
        source="generated",
        source_options={"size": (160, 120)},
        config=LiveConfig(hud=False),
    )
    Recorder(live.widget)
    with pytest.raises(WidgetError):
        live.snapshot(tmp_path / "none.png")
    live.start_recording(tmp_path / "clip.mp4", fps=10)
    live.start()
    try:
        assert live.wait_frames(4, timeout=20) >= 4
    finally:
        live.stop()
    snap = live.snapshot(tmp_path / "snap.png")
    assert snap.exists()
    frames = list(VideoReader(tmp_path / "clip.mp4"))
    assert len(frames) >= 4 and frames[0].shape == (120, 160, 3)
    assert frames[0][-15:, -80:].max() > 200


def test_the_control_panel_writes_its_settings_into_the_runner_and_the_processor():
    from faceswap_kit.live.controls import build_controls

    live = LiveSwap(mode="warp2d", source="generated")
    panel = build_controls(live, models_root="no-such-folder")
    controls = {
        getattr(child, "description", ""): child
        for box in panel.children
        for child in (box.children if hasattr(box, "children") else [box])
    }
    controls["mirror"].value = True
    controls["side by side"].value = True
    controls["AI-generated label"].value = False
    controls["opacity"].value = 0.5
    controls["colour"].value = "none"
    controls["show landmarks"].value = True
    config = live.runner.config
    assert config.mirror and config.side_by_side and not config.label
    processor = live.runner.process
    assert processor.opacity == 0.5 and processor.color_transfer is False
    assert processor.show_landmarks
    assert live.widget.source == "kernel"
    controls["source"].value = "browser"
    assert live.widget.source == "browser" and live.source_kind == "browser"
    controls["record my dataset"].click()  # consent box not ticked: refused, and said so
    assert live.dataset_recorder is None
    assert "consent" in panel.children[-1].value


def test_the_control_panel_sets_the_model_merge_config():
    from faceswap_kit.live.controls import build_controls
    from faceswap_kit.live.processors import ModelProcessor
    from faceswap_kit.models import ModelConfig, SwapModel, build_network
    from faceswap_kit.pipeline import FrameSwapper

    swapper = FrameSwapper(SwapModel(build_network(ModelConfig.tiny())))
    live = LiveSwap(processor=ModelProcessor(swapper), source="generated")
    panel = build_controls(live, models_root="no-such-folder")
    controls = {
        getattr(child, "description", ""): child
        for box in panel.children
        for child in (box.children if hasattr(box, "children") else [box])
    }
    controls["colour"].value = "lct"
    controls["mask erode (model)"].value = 5
    controls["mask blur"].value = 0.125
    controls["opacity"].value = 0.25
    assert controls["blend (model)"].value == "seamless"  # shows the processor's own setting
    controls["blend (model)"].value = "feather"
    config = swapper.merge_config
    assert (config.color, config.erode, config.opacity) == ("lct", 5, 0.25)
    assert config.blend == "feather"
    assert config.blur == round(0.125 * swapper.size)


def test_a_recorded_dataset_of_yourself_feeds_the_extraction_stage(tmp_path):
    from faceswap_kit.dataset.extract import extract

    live = LiveSwap(
        mode="passthrough",
        source="generated",
        source_options={"size": (256, 192), "loop_frames": 3},
        config=LiveConfig(hud=False),
    )
    Recorder(live.widget)
    live.record_dataset(tmp_path / "me", consent=True, every=1, max_frames=3, name="tester")
    live.start()
    try:
        live.wait_frames(5, timeout=20)
    finally:
        live.stop()
    frames = sorted((tmp_path / "me" / "frames").iterdir())
    assert len(frames) == 3
    summary = extract(tmp_path / "me", tmp_path / "faces", size=64, workers=1)
    faces = sorted((tmp_path / "faces" / "faces").glob("*.jpg"))
    assert len(faces) == 3, summary


def test_the_widget_button_starts_and_stops_a_kernel_side_source():
    live = LiveSwap(
        mode="passthrough",
        source="generated",
        source_options={"size": (96, 64), "loop_frames": 2},
        config=LiveConfig(hud=False),
    )
    Recorder(live.widget)
    live.start()
    try:
        assert live.wait_frames(2, timeout=20) >= 2
        live.widget.running = False  # what the widget's Stop button does
        assert live._pump is None and live.widget.status == "stopped"
        time.sleep(0.2)
        assert live.wait_frames(1, timeout=0.3) == 0
        live.widget.running = True  # Start again
        assert live.wait_frames(2, timeout=20) >= 2
    finally:
        live.stop()


def test_the_model_list_offers_the_bundled_models_from_any_folder(tmp_path, monkeypatch):
    from faceswap_kit.live.controls import find_models
    from faceswap_kit.models.search import bundled_models_dir

    own = tmp_path / "mine" / "my-model"
    own.mkdir(parents=True)
    (own / "config.json").write_text("{}")
    monkeypatch.chdir(tmp_path)  # as a notebook in notebooks/: no models/ beside it
    monkeypatch.delenv("FSK_MODELS_DIR", raising=False)
    found = find_models("mine")
    assert found[0] == str(pathlib.Path("mine") / "my-model")
    shipped = bundled_models_dir()  # inside the installed package, or the editable checkout's
    assert shipped is not None, "run the tests on an installed kit (make venv: pip install -e .)"
    bundled = sorted(p for p in shipped.iterdir() if (p / "config.json").is_file())
    assert found[1:] == [str(p) for p in bundled]
    assert find_models(shipped) == [str(p) for p in bundled]  # each directory once
