import threading
import time

import numpy as np
import pytest

from faceswap_kit.errors import InputError
from faceswap_kit.live.codec import decode_jpeg, encode_jpeg
from faceswap_kit.live.quality import QualityController
from faceswap_kit.live.runner import LiveConfig, RealtimeRunner
from faceswap_kit.live.stats import StageStats


def _frame(value: int = 90, size=(64, 96)) -> np.ndarray:
    frame = np.full((*size, 3), value, np.uint8)
    frame[:, : size[1] // 4] = 10  # a dark left quarter shows mirroring
    return frame


def test_process_one_labels_the_output_and_times_each_stage():
    seen = []

    def process(frame):
        seen.append(frame.shape)
        return frame, {"detect": 1.5, "swap": 2.0}

    runner = RealtimeRunner(process, LiveConfig(hud=False), encode=False)
    out, timings = runner.process_one(_frame(size=(120, 160)))
    assert seen == [(120, 160, 3)]
    assert {"decode", "detect", "swap", "overlay", "total"} <= set(timings)
    assert timings["detect"] == 1.5
    # the "AI-generated" label: white text on a darkened box at the bottom-right corner
    corner = out[-30:, -90:]
    assert corner.max() == 255 and corner.min() < 60
    unlabelled, _ = RealtimeRunner(
        process, LiveConfig(hud=False, label=False), encode=False
    ).process_one(_frame(size=(120, 160)))
    assert unlabelled[-30:, -90:].max() == 90


def test_jpeg_in_jpeg_out_mirror_and_side_by_side():
    runner = RealtimeRunner(config=LiveConfig(hud=False, label=False, mirror=True))
    out, timings = runner.process_one(encode_jpeg(_frame(), 95))
    assert "encode" in timings
    image = decode_jpeg(out)
    assert image[:, :10].mean() > 80 and image[:, -10:].mean() < 25  # flipped left-right
    runner.update(side_by_side=True, mirror=False)
    wide, _ = runner.process_one(_frame())
    assert decode_jpeg(wide).shape == (64, 192, 3)
    with pytest.raises(InputError):
        runner.update(no_such_setting=1)


def test_the_worker_processes_the_newest_frame_and_drops_stale_ones():
    gate = threading.Event()
    processed = []

    def slow(frame):
        gate.wait(2)
        processed.append(int(frame[0, -1, 0]))
        return frame, {}

    results, drops = [], []
    runner = RealtimeRunner(
        slow,
        LiveConfig(hud=False, label=False),
        on_result=lambda out, meta, t: results.append(meta),
        on_drop=drops.append,
        encode=False,
    ).start()
    try:
        runner.submit(_frame(1), {"id": 1})
        time.sleep(0.2)  # the worker holds frame 1 at the gate
        for index in (2, 3, 4):
            runner.submit(_frame(index), {"id": index})
        gate.set()
        deadline = time.monotonic() + 5
        while len(results) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        runner.stop()
    assert processed == [1, 4]
    assert [m["id"] for m in results] == [1, 4]
    assert [m["id"] for m in drops] == [2, 3]
    assert runner.stats.dropped == 2


def test_a_failing_frame_is_reported_and_the_loop_goes_on():
    calls = []

    def flaky(frame):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return frame, {}

    results, drops = [], []
    runner = RealtimeRunner(
        flaky, on_result=lambda o, m, t: results.append(m), on_drop=drops.append, encode=False
    ).start()
    try:
        runner.submit(_frame(), {"id": 0})
        deadline = time.monotonic() + 5
        while not drops and time.monotonic() < deadline:
            time.sleep(0.01)
        runner.submit(_frame(), {"id": 1})
        while not results and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        runner.stop()
    assert drops == [{"id": 0}] and results == [{"id": 1}]
    assert isinstance(runner.last_error, RuntimeError)


def test_quality_steps_down_when_slow_and_back_up_when_fast():
    qc = QualityController(target_fps=30, patience=4)
    assert qc.scale == 1.0
    changes = [qc.update(60.0) for _ in range(4)]
    assert changes == [False, False, False, True] and qc.scale == 0.75
    for _ in range(20):
        qc.update(60.0)
    assert qc.scale == qc.scales[-1]  # never below the cheapest level
    for _ in range(20):
        qc.update(5.0)
    assert qc.level == len(qc.scales) - 2
    with pytest.raises(InputError):
        QualityController(target_fps=0)


def test_the_runner_shrinks_frames_when_over_budget():
    def slow(frame):
        time.sleep(0.03)
        return frame, {}

    runner = RealtimeRunner(slow, LiveConfig(target_fps=100, hud=False), encode=False)
    runner.quality.patience = 2
    processed, shown = [], []
    for _ in range(4):
        output, _ = runner.process_one(_frame(size=(80, 120)))
        processed.append(runner.last_input.shape)
        shown.append(output.shape)
    assert processed[0] == (80, 120, 3) and processed[-1] == (60, 90, 3)
    assert set(shown) == {(80, 120, 3)}  # shown at full size, so the label stays legible


def test_stage_stats_percentiles_and_fps():
    stats = StageStats(window=10)
    for index in range(11):
        stats.record({"detect": float(index)}, now=index / 20)
    assert stats.percentile("detect", 50) == pytest.approx(5.5)
    assert stats.fps() == pytest.approx(20.0)
    assert "| detect |" in stats.table()
    assert np.isnan(stats.percentile("nothing", 50))


def test_slow_frames_step_down_within_a_second():
    qc = QualityController(target_fps=30)  # patience 10 frames
    # a load spike: 300 ms frames. Ten frames would be 3 s; two already pass react_ms (500 ms)
    steps = [qc.update(300.0) for _ in range(2)]
    assert steps == [False, True] and qc.scale == 0.75
    # frames just over budget still wait for ``patience`` frames (no step on a single hiccup)
    qc = QualityController(target_fps=30)
    assert not any(qc.update(40.0) for _ in range(9)) and qc.update(40.0)
