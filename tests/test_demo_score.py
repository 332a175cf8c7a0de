"""The demo's one-line verdicts from the judge's scores, whatever the judge found."""

from faceswap_kit.demo import _judged


def test_a_half_where_the_judge_found_no_face_is_said_so():
    scores = {"id_retrieval": 0.0, "id_to_intended": None, "id_to_original": None,
              "id_found": 0.0, "frames": 24}  # fmt: skip
    assert _judged(scores).startswith("no face found by the judge in 24 frames")


def test_a_judged_half_gives_share_and_distances():
    scores = {"id_retrieval": 0.99, "id_to_intended": 0.4284, "id_to_original": 0.5435,
              "id_found": 1.0, "frames": 120}  # fmt: skip
    assert _judged(scores) == "A in 99% of 120 frames, distance 0.43 to A and 0.54 to B"
    scores["id_found"] = 0.5
    assert ", a face found in 50% of them," in _judged(scores)
