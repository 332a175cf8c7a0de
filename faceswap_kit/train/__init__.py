"""Training of swap models: configs, the on-device data pipeline, losses, the loop, scoring.

The one call: ``train(data_a, data_b, model_dir, model_config, train_config, steps=..., minutes=...)``.
"""

from .config import TrainConfig
from .loop import Trainer, TrainSummary
from .run import make_trainer, train

__all__ = ["TrainConfig", "TrainSummary", "Trainer", "make_trainer", "train"]
