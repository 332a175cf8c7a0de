"""The camera widget in a real JupyterLab, driven by headless Debian Chromium with a fake camera
that plays a generated person (a Y4M file), and without any camera."""

import pytest

from faceswap_kit.live.sources import GeneratedPersonSource
from testing.browser import (
    browser_unavailable_reason,
    jupyter_lab,
    run_widget_page,
    write_notebook,
    write_y4m,
)

REASON = browser_unavailable_reason()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(REASON is not None, reason=f"real-browser test skipped: {REASON}"),
]

# The camera plays a generated person; the kernel swaps the face with the 2D warp and, only when
# it found the face, tints the picture magenta: a magenta canvas proves the whole round trip.
CELL = """
from faceswap_kit.live import LiveConfig, LiveSwap
from faceswap_kit.live.headless import make_processor

swap = make_processor("warp2d")

def swap_and_tint(frame):
    out, timings = swap(frame)
    if swap.face_found:
        out = out // 4
        out[..., 0] += 180
        out[..., 2] += 180
    return out, timings

live = LiveSwap(processor=swap_and_tint, fallback=None, config=LiveConfig(hud=False))
live.start()
live.widget
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    write_notebook(root / "live_test.ipynb", CELL)
    person = GeneratedPersonSource(seed=0, size=(640, 480), frames=12, loop_frames=12)
    camera_file = write_y4m(root / "person.y4m", person)
    with jupyter_lab(root) as server:
        yield server, camera_file


def test_frames_flow_both_ways_and_the_processed_image_is_drawn(lab):
    server, camera_file = lab
    state = run_widget_page(
        server,
        "live_test.ipynb",
        camera=True,
        camera_file=camera_file,
        until_frames=30,
        timeout=120,
    )
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
    server, _ = lab
    state = run_widget_page(
        server, "live_test.ipynb", camera=False, until_frames=10**6, timeout=120
    )
    assert state["status"] == "no-camera", state
    assert "no camera found" in state["text"] and "NotFoundError" in state["text"], state
    assert state["drawn"] == 0, state
