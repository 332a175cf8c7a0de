"""Figures for the learned spotter in notebook 05: ROC curves beside the hand-made cues, and the
swaps that fool it."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor


def roc_points(real_scores: Tensor, fake_scores: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """False- and true-positive rates of "higher means fake" at every threshold (from 0,0 to 1,1).

    >>> fpr, tpr = roc_points(torch.tensor([0.1, 0.2]), torch.tensor([0.3, 0.4]))
    >>> fpr.tolist(), tpr.tolist()
    ([0.0, 0.0, 0.0, 0.5, 1.0], [0.0, 0.5, 1.0, 1.0, 1.0])
    """
    real = torch.as_tensor(real_scores, dtype=torch.float64).flatten().numpy()
    fake = torch.as_tensor(fake_scores, dtype=torch.float64).flatten().numpy()
    thresholds = np.unique(np.concatenate([real, fake]))[::-1]
    fpr = [0.0] + [float((real >= t).mean()) for t in thresholds]
    tpr = [0.0] + [float((fake >= t).mean()) for t in thresholds]
    return np.array(fpr), np.array(tpr)


def roc_figure(curves: dict[str, dict[str, tuple[Tensor, Tensor]]]):
    """One panel per kind of fake; in each, one ROC curve per detector.

    Args:
        curves: ``{fake kind: {detector name: (real scores, fake scores)}}``. A hand-made cue
            may point either way; it is drawn in the direction that separates better.
    """
    import matplotlib.pyplot as plt

    from ..forensics import roc_auc

    fig, axes = plt.subplots(1, len(curves), figsize=(4.2 * len(curves), 4), squeeze=False)
    for ax, (kind, detectors) in zip(axes[0], curves.items(), strict=True):
        for name, (real, fake) in detectors.items():
            auc = roc_auc(real, fake)
            if auc < 0.5:  # the cue points the other way for this fake
                real, fake, auc = -torch.as_tensor(real), -torch.as_tensor(fake), 1 - auc
            fpr, tpr = roc_points(real, fake)
            ax.plot(fpr, tpr, lw=2.2 if name == "spotter (CNN)" else 1.2, label=f"{name} {auc:.2f}")
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls=":")
        ax.set(title=kind, xlabel="real frames called fake", ylabel="fakes caught")
        ax.legend(title="AUC", fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def fooling_gallery(crops: Tensor, scores: Tensor, labels: list[str], count: int = 6):
    """The ``count`` crops with the lowest scores (the fakes that pass best as real)."""
    import matplotlib.pyplot as plt

    order = torch.argsort(torch.as_tensor(scores))[:count].tolist()
    fig, axes = plt.subplots(1, len(order), figsize=(1.9 * len(order), 2.4), squeeze=False)
    for ax, i in zip(axes[0], order, strict=True):
        ax.imshow(crops[i].permute(1, 2, 0).clamp(0, 1).numpy())
        ax.set_title(f"{labels[i]}\nscore {float(scores[i]):.2f}", fontsize=7)
        ax.axis("off")
    fig.tight_layout()
    return fig
