"""Generated people against mediapipe face mesh (a small sample of the benchmark's 500)."""

from __future__ import annotations

import numpy as np

from faceswap_kit.synth.check import check_renders


def test_mediapipe_finds_generated_faces_and_agrees_with_ground_truth():
    result = check_renders(20, size=192, first_seed=1000)
    assert result.detected >= 0.95
    # The wide identity space (docs/synth.md) moves faces further from the average face than
    # mediapipe's own shape prior follows: about 7 % on the benchmark's 500 renders.
    assert result.mean_error <= 0.09, np.round(result.errors, 3)
