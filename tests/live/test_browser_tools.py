"""The real-browser helpers that need no browser: the fake-camera file and the skip reason."""

import numpy as np

from testing.browser import browser_unavailable_reason, write_notebook, write_y4m


def test_y4m_frames_round_trip_through_yuv420(tmp_path):
    import cv2

    frames = [np.full((48, 64, 3), (200, 40, 90), np.uint8), np.zeros((48, 64, 3), np.uint8)]
    path = write_y4m(tmp_path / "cam.y4m", frames, fps=25)
    data = path.read_bytes()
    header, rest = data.split(b"\n", 1)
    assert header == b"YUV4MPEG2 W64 H48 F25:1 Ip A1:1 C420jpeg"
    frame_bytes = 64 * 48 * 3 // 2
    assert len(rest) == 2 * (len(b"FRAME\n") + frame_bytes)
    first = np.frombuffer(rest[6 : 6 + frame_bytes], np.uint8).reshape(72, 64)
    rgb = cv2.cvtColor(first, cv2.COLOR_YUV2RGB_I420)
    assert np.abs(rgb.astype(int) - (200, 40, 90)).max() <= 3


def test_helper_notebook_and_skip_reason(tmp_path):
    import nbformat

    path = write_notebook(tmp_path / "n.ipynb", "print(1)")
    notebook = nbformat.read(path, as_version=4)
    assert notebook.cells[0].source == "print(1)"
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    reason = browser_unavailable_reason()
    assert reason is None or "chromium" in reason.lower() or "installed" in reason
