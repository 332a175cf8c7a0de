"""Swap models: the DF and LIAE autoencoders, their config, checkpoints, and loading by name.

>>> from faceswap_kit.models import ModelConfig, build_network
>>> build_network(ModelConfig.tiny()).config.resolution
64
"""

from .config import ModelConfig
from .swap_model import SwapModel, build_network, load_model, parameter_count, resolve_model_path

__all__ = [
    "ModelConfig",
    "SwapModel",
    "build_network",
    "load_model",
    "parameter_count",
    "resolve_model_path",
]
