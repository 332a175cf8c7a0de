"""Training of swap models: configs, the on-device data pipeline, losses, the loop, checkpoints.

The one call: ``train(data_a, data_b, model_dir, model_config, train_config, steps=..., minutes=...)``;
``pretrain(model_dir, ...)`` trains on a crowd of generated people, and ``train(..., init=...)``
fine-tunes a pair from such a model. Scoring lives in :mod:`faceswap_kit.evaluate`.
"""

from .config import TrainConfig
from .crowd import CrowdConfig
from .loop import Trainer
from .pretrain import make_pretrainer, pretrain
from .progress import TrainSummary
from .run import make_trainer, train

__all__ = [
    "CrowdConfig",
    "TrainConfig",
    "TrainSummary",
    "Trainer",
    "make_pretrainer",
    "make_trainer",
    "pretrain",
    "train",
]
