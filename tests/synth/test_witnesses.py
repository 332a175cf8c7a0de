"""The generator's two witnesses as experiments use them: mediapipe on a variant of the generator,
and the identity judge on pairs of people."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from faceswap_kit.metrics import judge_available
from faceswap_kit.synth import Identity
from faceswap_kit.synth.check import check_renders, distinct_pairs

needs_judge = pytest.mark.skipif(not judge_available(), reason="identity judge not installed")


def _average_face(seed: int) -> Identity:
    return dataclasses.replace(Identity.from_seed(seed), shape=(0.0,) * 36)


def test_check_renders_renders_the_given_variant_of_each_seed():
    asked = []

    def people(seed):
        asked.append(seed)
        return _average_face(seed)

    average = check_renders(6, size=192, first_seed=30_000, people=people)
    shipped = check_renders(6, size=192, first_seed=30_000)
    assert asked == list(range(30_000, 30_006))
    assert average.detected == 1.0
    # Same scenes and textures; only the shape differs: mediapipe follows the average face best
    # (about 3 % against 6-7 %, benchmarks/bench_identity_frontier.py).
    assert average.mean_error < shipped.mean_error, (average.errors, shipped.errors)


@needs_judge
def test_distinct_pairs_measures_every_pair_once():
    result = distinct_pairs([3, 3, 4], size=192)
    assert result.distances.shape == (3,)
    assert result.embeddings.shape == (3, 128)
    assert result.distances[0] < 1e-6  # the same render twice
    assert np.isclose(result.distances[1], result.distances[2])
    assert result.distances[1] > 0.1
    assert result.share_different == float((result.distances > 0.6).mean())


@needs_judge
def test_distinct_pairs_uses_the_given_people():
    same = distinct_pairs([3, 4], size=192, people=lambda seed: Identity.from_seed(7))
    assert same.distances[0] < 1e-6 and same.share_different == 0.0
