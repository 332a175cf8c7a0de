"""What the network makes of a few fixed faces: the picture a training widget refreshes."""

from __future__ import annotations

from typing import Any

import torch


@torch.no_grad()
def render_preview(network: torch.nn.Module, data: Any, count: int = 4) -> dict[str, torch.Tensor]:
    """Fixed faces of both sets and what ``network`` makes of them (its mode is restored after).

    Args:
        network: a swap network (``render(faces, side)``), e.g. ``Trainer.averaged``.
        data: the training data (``fixed(side, count)`` gives the same faces every time).
        count: faces per side.

    Returns:
        ``{"a", "a_to_a", "a_to_b", "mask_a", "b", "b_to_b", "b_to_a", "mask_b"}`` tensors,
        images ``(n, 3, S, S)`` and predicted masks ``(n, 1, S, S)``, on CPU.
    """
    was_training = network.training
    network.eval()
    out: dict[str, torch.Tensor] = {}
    for side, other in (("a", "b"), ("b", "a")):
        faces, _ = data.fixed(side, count)
        same, mask = network.render(faces, side)
        swapped, _ = network.render(faces, other)
        out[side] = faces.cpu()
        out[f"{side}_to_{side}"] = same.float().cpu()
        out[f"{side}_to_{other}"] = swapped.float().cpu()
        out[f"mask_{side}"] = mask.float().cpu()
    network.train(was_training)
    return out
