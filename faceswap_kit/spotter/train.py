"""Training and testing the spotter: a few hundred Adam steps on face crops, AUC on unseen people."""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
from torch import Tensor

from ..errors import InputError
from .data import CropSet
from .model import SpotterConfig, SpotterNet


def _augment(crops: Tensor, generator: torch.Generator) -> Tensor:
    """Flips, brightness/contrast jitter and a little noise: what changes between real videos."""
    batch = crops.shape[0]
    flip = torch.rand(batch, generator=generator) < 0.5
    crops = torch.where(flip.view(-1, 1, 1, 1), crops.flip(-1), crops)
    gain = 1 + 0.2 * (torch.rand(batch, 1, 1, 1, generator=generator) - 0.5)
    shift = 0.1 * (torch.rand(batch, 1, 1, 1, generator=generator) - 0.5)
    noise = 0.01 * torch.randn(crops.shape, generator=generator)
    return (crops * gain + shift + noise).clamp(0, 1)


def train_spotter(
    data: CropSet,
    steps: int = 300,
    batch: int = 32,
    lr: float = 3e-3,
    config: SpotterConfig | None = None,
    seconds: float | None = None,
    generator: torch.Generator | None = None,
    model: SpotterNet | None = None,
) -> SpotterNet:
    """Train a :class:`SpotterNet` on ``data`` (balanced real/fake batches, binary cross-entropy).

    Args:
        data: training crops (both labels present).
        steps: Adam steps (fewer when ``seconds`` runs out first).
        batch: crops per step, half real, half fake.
        config: network size (default :meth:`SpotterConfig.default`); ignored with ``model``.
        seconds: a wall-clock budget, for notebooks.
        generator: seeds batches, augmentation and (without ``model``) the initial weights.
        model: continue training this network instead of a fresh one.

    Returns:
        The trained network, in eval mode, on CPU.
    """
    real_index = torch.nonzero(data.labels < 0.5, as_tuple=True)[0]
    fake_index = torch.nonzero(data.labels > 0.5, as_tuple=True)[0]
    if len(real_index) == 0 or len(fake_index) == 0:
        raise InputError(
            f"expected real and fake crops, got {len(real_index)} real, {len(fake_index)} fake"
        )
    generator = generator or torch.Generator().manual_seed(0)
    if model is None:
        torch.manual_seed(int(torch.randint(2**31, (1,), generator=generator)))
        model = SpotterNet(config)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, total_steps=max(1, steps))
    start = time.perf_counter()
    for _ in range(steps):
        pick_real = real_index[torch.randint(len(real_index), (batch // 2,), generator=generator)]
        pick_fake = fake_index[torch.randint(len(fake_index), (batch // 2,), generator=generator)]
        index = torch.cat([pick_real, pick_fake])
        crops = _augment(data.crops[index], generator)
        loss = F.binary_cross_entropy_with_logits(model(crops), data.labels[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        if seconds is not None and time.perf_counter() - start > seconds:
            break
    return model.eval()


@torch.no_grad()
def spot(model: SpotterNet, crops: Tensor, batch: int = 256) -> Tensor:
    """``(N,)`` probability that each ``(N,3,S,S)`` crop is a swap."""
    model.eval()
    out = [torch.sigmoid(model(crops[i : i + batch])) for i in range(0, len(crops), batch)]
    return torch.cat(out) if out else crops.new_zeros(0)


def evaluate(model: SpotterNet, data: CropSet) -> dict:
    """AUC over all fakes and per kind of fake, and how many of each kind pass as real.

    Returns:
        ``{"auc": float, "scores": (N,) tensor, "per_kind": {kind: {"auc", "fooled", "count"}}}``;
        ``fooled`` is the fraction of that kind scored below 0.5 (called real).
    """
    from ..forensics import roc_auc

    scores = spot(model, data.crops)
    real = scores[data.labels < 0.5]
    per_kind = {}
    for kind in sorted(set(data.kinds) - {"real"}):
        mine = scores[torch.tensor([k == kind for k in data.kinds])]
        per_kind[kind] = {
            "auc": roc_auc(real, mine),
            "fooled": float((mine < 0.5).float().mean()),
            "count": len(mine),
        }
    return {"auc": roc_auc(real, scores[data.labels > 0.5]), "scores": scores, "per_kind": per_kind}
