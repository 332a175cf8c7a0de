"""What a training run updates: the network, its weight average, the optional GAN discriminator,
their AdamW optimizers and the gradient scaler. Built here from the configs, stepped by
:mod:`.loop`, saved and restored by :mod:`.state`."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch

from ..models.config import ModelConfig
from ..models.discriminator import PatchDiscriminator
from ..models.swap_model import build_network
from .config import TrainConfig


@dataclass
class TrainParts:
    """The modules and optimizers of one run.

    Attributes:
        network: the swap network the optimizer trains (the raw weights).
        optimizer: AdamW over ``network``.
        scaler: gradient scaler (enabled only for float16 autocast).
        ema: the weight average (``TrainConfig.ema_decay > 0``): what checkpoints save, scores
            measure and previews show.
        discriminator: the patch discriminator (``TrainConfig.gan_power > 0``).
        d_optimizer: AdamW over ``discriminator``.
        autocast_dtype: bfloat16 or float16 under mixed precision on CUDA, else ``None``.
    """

    network: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scaler: torch.amp.GradScaler
    ema: torch.nn.Module | None = None
    discriminator: torch.nn.Module | None = None
    d_optimizer: torch.optim.Optimizer | None = None
    autocast_dtype: torch.dtype | None = None

    @property
    def averaged(self) -> torch.nn.Module:
        """The network a checkpoint saves: the weight average, or the raw network without one."""
        return self.ema if self.ema is not None else self.network

    @torch.no_grad()
    def update_average(self, step: int, decay: float) -> None:
        """Move the weight average towards the network (``decay`` warms up over the first steps)."""
        if self.ema is None:
            return
        decay = min(decay, (1 + step) / (10 + step))
        for average, current in zip(self.ema.parameters(), self.network.parameters(), strict=True):
            average.lerp_(current.detach(), 1.0 - decay)
        for average, current in zip(self.ema.buffers(), self.network.buffers(), strict=True):
            average.copy_(current)


def make_optimizer(module: torch.nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """AdamW over ``module``'s parameters with ``config``'s learning rate, betas and decay."""
    return torch.optim.AdamW(
        module.parameters(),
        lr=config.learning_rate,
        betas=(config.beta1, config.beta2),
        weight_decay=config.weight_decay,
    )


def build_parts(
    model_config: ModelConfig, train_config: TrainConfig, device: torch.device
) -> TrainParts:
    """Fresh parts on ``device``. The initial weights are drawn from ``train_config.seed`` (the
    same on every rank) on a fork of torch's global RNG, which is left as it was.

    >>> parts = build_parts(ModelConfig.tiny(), TrainConfig.tiny(), torch.device("cpu"))
    >>> parts.averaged is parts.network, parts.discriminator is None
    (True, True)
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(train_config.seed)
        network = build_network(model_config).to(device)
        discriminator = None
        if train_config.gan_power > 0:
            discriminator = PatchDiscriminator(max(16, model_config.decoder_dims)).to(device)
    cuda = device.type == "cuda"
    if cuda and train_config.channels_last:
        network.to(memory_format=torch.channels_last)
    autocast_dtype = None
    if cuda and train_config.mixed_precision:
        autocast_dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return TrainParts(
        network=network,
        optimizer=make_optimizer(network, train_config),
        scaler=torch.amp.GradScaler("cuda", enabled=autocast_dtype == torch.float16),
        ema=copy.deepcopy(network).eval().requires_grad_(False)
        if train_config.ema_decay > 0
        else None,
        discriminator=discriminator,
        d_optimizer=None if discriminator is None else make_optimizer(discriminator, train_config),
        autocast_dtype=autocast_dtype,
    )
