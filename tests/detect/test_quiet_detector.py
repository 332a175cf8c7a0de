"""Making a detector prints nothing: mediapipe's native start-up log stays off the console."""

import os
import subprocess
import sys
import tempfile

import numpy as np

from faceswap_kit.detect import MediaPipeDetector
from faceswap_kit.detect.mediapipe_backend import native_stderr_silenced

SCRIPT = """
import numpy as np
from faceswap_kit.detect import MediaPipeDetector
for mode in ("image", "video"):
    with MediaPipeDetector(mode=mode) as detector:
        detector(np.zeros((48, 64, 3), np.uint8))
print("done")
"""


def test_making_a_detector_prints_nothing_on_stderr():
    # a fresh process: mediapipe prints some of its lines only the first time a graph starts
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "done"
    assert result.stderr == ""


def test_file_descriptor_2_is_restored():
    with tempfile.TemporaryFile() as capture:
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            with native_stderr_silenced():
                os.write(2, b"hidden\n")
            os.write(2, b"shown\n")
            detector = MediaPipeDetector(mode="image", scores=False)
            detector(np.zeros((32, 32, 3), np.uint8))
            detector.close()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        assert capture.read() == b"shown\n"
