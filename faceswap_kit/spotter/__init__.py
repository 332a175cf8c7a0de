"""A learned fake spotter: a small CNN that tells real face crops from swapped ones (notebook 05).

It is trained on the kit's own material: clips of generated people (``faceswap_kit.synth``) as the
"real" footage, and swaps of them made with the 2D landmark warp and the bundled models as the
fakes. It is always tested on people it never saw (disjoint seeds). Weights ship in
``models/spotter-cnn`` (safetensors + JSON card; ``scripts/make_spotter.py`` made them).

>>> import torch
>>> from faceswap_kit.spotter import SpotterNet
>>> SpotterNet()(torch.rand(2, 3, 64, 64)).shape
torch.Size([2])
"""

from __future__ import annotations

from .data import FAKE_KINDS, RECORDED, CropSet, face_crop_boxes, make_crops, recording_crops
from .model import SpotterConfig, SpotterNet, load_spotter, save_spotter
from .train import evaluate, spot, train_spotter

__all__ = [
    "FAKE_KINDS",
    "RECORDED",
    "CropSet",
    "SpotterConfig",
    "SpotterNet",
    "evaluate",
    "face_crop_boxes",
    "load_spotter",
    "make_crops",
    "recording_crops",
    "save_spotter",
    "spot",
    "train_spotter",
]
