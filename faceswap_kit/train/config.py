"""Training settings as a frozen dataclass, stored in every checkpoint's ``config.json``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..errors import InputError


@dataclass(frozen=True)
class TrainConfig:
    """How a swap model is trained.

    Attributes:
        batch_size: faces per identity per step (the step sees ``2 * batch_size`` faces).
        learning_rate: AdamW learning rate.
        beta1, beta2: AdamW betas (beta1 = 0.5 as in the classic face-swap trainers: the loss
            landscape shifts with every random warp, so a shorter momentum memory is steadier).
        weight_decay: AdamW decoupled weight decay.
        clip_grad: gradient-norm clip (0 disables).
        seed: seeds the network initialisation and every random number of the data pipeline.
        pixel_loss: ``"mse"`` or ``"l1"``, added to DSSIM inside the face mask.
        dssim_weight, pixel_weight: weights of the two image terms.
        region_weight: extra L1 weight on eyes, brows and mouth (from the region masks).
        mask_weight: weight of the learned-mask loss (MSE against the face mask).
        gan_power: weight of the patch-discriminator loss (0 = no discriminator).
        warp: random-warp strength (normalised units; 0 = off).
        rotation, scale, shift, flip: similarity jitter applied to input and target alike.
        color_transfer: probability of recolouring a face with the other set's colours.
        mixed_precision: bf16 autocast on CUDA where supported (fp16 + grad scaling otherwise).
        channels_last: channels-last memory format on CUDA.
        compile: wrap the network in ``torch.compile``.
        checkpoint_minutes: save a checkpoint this often (atomically, with backups).
        keep_backups: previous checkpoints kept as ``backup-1`` ... ``backup-N``.
        log_every: steps between loss-history records.
        max_rollbacks: non-finite losses tolerated (each rolls back) before giving up.
        ema_decay: when > 0, the saved and scored model is an exponential moving average of
            the trained weights with this decay (warmed up:
            ``min(ema_decay, (1 + step) / (10 + step))``); the raw weights are kept in the
            training state, for resuming. Off by default: over 10 CPU minutes of ``lite`` the
            average (0.999) scored below the raw weights, lagging a model that still improves
            fast (docs/training.md). Meant for long runs whose score swings between checkpoints.
    """

    batch_size: int = 16
    learning_rate: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    weight_decay: float = 1e-4
    clip_grad: float = 1.0
    seed: int = 0
    pixel_loss: str = "mse"
    dssim_weight: float = 1.0
    pixel_weight: float = 1.0
    region_weight: float = 3.0
    mask_weight: float = 1.0
    gan_power: float = 0.0
    warp: float = 0.05
    rotation: float = 10.0
    scale: float = 0.05
    shift: float = 0.05
    flip: bool = True
    color_transfer: float = 0.3
    mixed_precision: bool = True
    channels_last: bool = True
    compile: bool = False
    checkpoint_minutes: float = 10.0
    keep_backups: int = 3
    log_every: int = 10
    max_rollbacks: int = 3
    ema_decay: float = 0.0

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise InputError(f"batch_size must be >= 1, got {self.batch_size}")
        if self.learning_rate <= 0:
            raise InputError(f"learning_rate must be > 0, got {self.learning_rate}")
        if self.pixel_loss not in ("mse", "l1"):
            raise InputError(f"pixel_loss must be 'mse' or 'l1', got {self.pixel_loss!r}")
        if not 0 <= self.color_transfer <= 1:
            raise InputError(f"color_transfer is a probability, got {self.color_transfer}")
        if self.gan_power < 0:
            raise InputError(f"gan_power must be >= 0, got {self.gan_power}")
        if not 0 <= self.ema_decay < 1:
            raise InputError(f"ema_decay must be in [0, 1), got {self.ema_decay}")

    @classmethod
    def tiny(cls, **overrides: Any) -> TrainConfig:
        """Small batches and frequent logs for CPU runs of a few minutes.

        >>> TrainConfig.tiny().batch_size
        8
        """
        values: dict[str, Any] = dict(
            batch_size=8, learning_rate=5e-4, log_every=5, checkpoint_minutes=2.0
        )
        values.update(overrides)
        return cls(**values)

    @classmethod
    def lite(cls, **overrides: Any) -> TrainConfig:
        values: dict[str, Any] = dict(batch_size=8, learning_rate=3e-4, checkpoint_minutes=5.0)
        values.update(overrides)
        return cls(**values)

    @classmethod
    def default(cls, **overrides: Any) -> TrainConfig:
        return cls(**overrides)

    @classmethod
    def preset(cls, preset: str, /, **overrides: Any) -> TrainConfig:
        presets = {"tiny": cls.tiny, "lite": cls.lite, "default": cls.default}
        if preset not in presets:
            raise InputError(f"preset {preset!r} is unknown; expected one of {tuple(presets)}")
        return presets[preset](**overrides)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
