"""The camera widget in a real JupyterLab, driven by headless Debian Chromium with a fake camera."""

import pytest

from faceswap_kit.live.browser import (
    browser_unavailable_reason,
    jupyter_lab,
    run_widget_page,
    write_notebook,
)

REASON = browser_unavailable_reason()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(REASON is not None, reason=f"real-browser test skipped: {REASON}"),
]

# the processed picture is tinted magenta, so the test can tell it from the camera's own frames
CELL = """
from faceswap_kit.live import LiveConfig, LiveSwap

def tint(frame):
    out = frame // 4
    out[..., 0] += 180
    out[..., 2] += 180
    return out, {"tint": 0.0}

live = LiveSwap(processor=tint, fallback=None, config=LiveConfig(hud=False))
live.start()
live.widget
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    write_notebook(root / "live_test.ipynb", CELL)
    with jupyter_lab(root) as server:
        yield server


def test_frames_flow_both_ways_and_the_processed_image_is_drawn(lab):
    state = run_widget_page(lab, "live_test.ipynb", camera=True, until_frames=30, timeout=120)
    assert state["status"] == "streaming", state
    assert state["drawn"] >= 30, state
    stats = state["stats"]
    assert stats["sent"] >= 30 and stats["received"] >= 30, stats
    assert stats["latency_p50_ms"] is not None and 0 < stats["latency_p50_ms"] < 2000, stats
    assert stats["in_flight"] <= 2, stats
    assert state["canvas"] == [640, 480], state
    red, green, blue, alpha = state["pixel"]
    assert red > 170 and blue > 170 and green < 110 and alpha == 255, state


def test_without_a_camera_the_widget_shows_no_camera(lab):
    state = run_widget_page(lab, "live_test.ipynb", camera=False, until_frames=10**6, timeout=120)
    assert state["status"] == "no-camera", state
    assert "no camera found" in state["text"] and "NotFoundError" in state["text"], state
    assert state["drawn"] == 0, state
