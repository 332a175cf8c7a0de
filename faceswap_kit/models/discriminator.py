"""A small patch discriminator for the optional GAN loss (``TrainConfig.gan_power > 0``).

It scores overlapping patches of a face as real or redrawn, pushing the decoders towards sharp
detail that pixel losses blur away. ``(B, 3, S, S) -> (B, 1, S/8, S/8)`` logits.
"""

from __future__ import annotations

import torch
from torch import nn


class PatchDiscriminator(nn.Module):
    """Three stride-2 convolutions and a 1-channel head.

    >>> d = PatchDiscriminator(16)
    >>> tuple(d(torch.rand(2, 3, 64, 64)).shape)
    (2, 1, 8, 8)
    """

    def __init__(self, dims: int = 32) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = [3, dims, dims * 2, dims * 4]
        for i in range(3):
            layers += [
                nn.Conv2d(channels[i], channels[i + 1], kernel_size=4, stride=2, padding=1),
                nn.LeakyReLU(0.2),
            ]
        layers.append(nn.Conv2d(channels[-1], 1, kernel_size=3, padding=1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x * 2 - 1)
