"""The independent identity judge (dlib's face recogniser) and its optional-extra behaviour."""

from __future__ import annotations

import importlib.util

import pytest
import torch

from faceswap_kit.errors import InputError, MissingExtraError
from faceswap_kit.metrics import identity as judge_module
from faceswap_kit.metrics import identity_distance, identity_embeddings, judge_available
from faceswap_kit.synth import Identity, Scene, render

needs_judge = pytest.mark.skipif(not judge_available(), reason="identity judge not installed")


def _shots(seed: int, count: int):
    renders = []
    for index in range(count):
        scene = Scene.random(seed * 100 + index, max_yaw=25, max_pitch=10)
        renders.append(
            render(
                Identity.from_seed(seed),
                scene.expression,
                scene.pose,
                scene.lighting,
                scene.background,
                192,
            )  # fmt: skip
        )
    return torch.cat([r.image for r in renders]), torch.cat([r.landmarks for r in renders])


@needs_judge
def test_same_person_is_nearer_than_other_people():
    images, landmarks = _shots(11, 3)
    others, other_landmarks = _shots(12, 3)
    boxes = judge_module.landmark_boxes(torch.cat([landmarks, other_landmarks]))
    embeddings = identity_embeddings(torch.cat([images, others]), boxes)
    assert embeddings.shape == (6, 128) and not torch.isnan(embeddings).any()
    distances = torch.cdist(embeddings, embeddings)
    same = torch.cat([distances[:3, :3][torch.triu(torch.ones(3, 3), 1) > 0]])
    different = distances[:3, 3:].flatten()
    assert same.max() < 0.6 and same.mean() < different.mean()


@needs_judge
def test_no_face_gives_nan_unless_a_box_is_given():
    blank = torch.full((2, 3, 96, 96), 0.5)
    embeddings = identity_embeddings(blank)
    assert torch.isnan(embeddings).all()
    boxed = identity_embeddings(blank, torch.tensor([[10.0, 10, 80, 80], [float("nan")] * 4]))
    assert not torch.isnan(boxed[0]).any() and torch.isnan(boxed[1]).all()


@needs_judge
def test_bad_input_is_rejected():
    with pytest.raises(InputError, match="B,3,H,W"):
        identity_embeddings(torch.zeros(3, 32, 32))
    with pytest.raises(InputError, match="boxes"):
        identity_embeddings(torch.zeros(2, 3, 32, 32), torch.zeros(3, 4))


def test_distance_is_euclidean():
    a, b = torch.zeros(1, 128), torch.zeros(1, 128)
    b[0, :4] = 0.3
    assert float(identity_distance(a, b)) == pytest.approx(0.6)


def test_missing_extra_says_how_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "dlib" else real(name, *a)
    )
    assert not judge_available()
    assert "faceswap-kit[eval]" in judge_module.judge_status()
    with pytest.raises(MissingExtraError, match=r"faceswap-kit\[eval\]"):
        judge_module.IdentityJudge()
