"""One optimisation step of a swap model: both face sets through the network, the loss terms,
backward, gradient clipping, AdamW, the discriminator's own step and the weight average.

The step draws no random numbers: the batch arrives already sampled and augmented (with the
run's generator, :meth:`faceswap_kit.train.Trainer.sample_batch`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import torch

from .config import TrainConfig
from .data import Batch
from .losses import discriminator_gan_term, generator_gan_term, reconstruction_terms
from .parts import TrainParts

#: ``mark(phase, start) -> now``: records how long a phase took since ``start``.
Mark = Callable[[str, float], float]


def _no_mark(phase: str, start: float) -> float:
    return time.perf_counter()


def autocast(parts: TrainParts) -> contextlib.AbstractContextManager:
    """Mixed precision on CUDA when the parts were built for it, else nothing."""
    dtype = parts.autocast_dtype
    return contextlib.nullcontext() if dtype is None else torch.autocast("cuda", dtype=dtype)


def optimisation_step(
    parts: TrainParts,
    model: torch.nn.Module,
    discriminator: torch.nn.Module | None,
    batch: Batch,
    config: TrainConfig,
    step: int,
    mark: Mark = _no_mark,
) -> dict[str, float]:
    """Train ``parts`` on one batch; returns each loss term and ``"total"``.

    Args:
        parts: the network, optimizers, scaler and weight average to update.
        model, discriminator: what runs the forward passes: ``parts.network`` and
            ``parts.discriminator``, or their DDP / compiled wrappers.
        batch: warped inputs and their targets, masks and regions for both sides.
        config: loss weights, clipping, GAN power, average decay.
        step: the step being taken (it warms up the weight average).
        mark: timing hook for the phases ``forward_ms``, ``backward_ms``, ``optimizer_ms``.

    Raises:
        FloatingPointError: on a non-finite loss, before any weight changes.
    """
    now = time.perf_counter()
    with autocast(parts):
        rgb_a, mask_a, rgb_b, mask_b = model(batch.warped_a, b=batch.warped_b)
        terms_a = reconstruction_terms(
            rgb_a, mask_a, batch.target_a, batch.mask_a, batch.region_a, config
        )
        terms_b = reconstruction_terms(
            rgb_b, mask_b, batch.target_b, batch.mask_b, batch.region_b, config
        )
        terms = {f"{k}_a": v for k, v in terms_a.items()}
        terms.update({f"{k}_b": v for k, v in terms_b.items()})
        if discriminator is not None:
            fake = torch.cat([rgb_a, rgb_b])
            terms["gan"] = config.gan_power * generator_gan_term(discriminator(fake))
        loss = sum(terms.values())
    now = mark("forward_ms", now)
    if not torch.isfinite(loss):
        raise FloatingPointError("; ".join(f"{k}={float(v):.4g}" for k, v in terms.items()))
    parts.optimizer.zero_grad(set_to_none=True)
    parts.scaler.scale(loss).backward()
    now = mark("backward_ms", now)
    if config.clip_grad > 0:
        parts.scaler.unscale_(parts.optimizer)
        torch.nn.utils.clip_grad_norm_(parts.network.parameters(), config.clip_grad)
    parts.scaler.step(parts.optimizer)
    parts.scaler.update()
    if discriminator is not None and parts.d_optimizer is not None:
        with autocast(parts):
            real = torch.cat([batch.target_a, batch.target_b])
            d_loss = discriminator_gan_term(discriminator(real), discriminator(fake.detach()))
        parts.d_optimizer.zero_grad(set_to_none=True)
        d_loss.backward()
        parts.d_optimizer.step()
        terms["discriminator"] = d_loss.detach()
    parts.update_average(step, config.ema_decay)
    mark("optimizer_ms", now)
    values = {k: float(v.detach()) for k, v in terms.items()}
    values["total"] = float(loss.detach())
    return values
