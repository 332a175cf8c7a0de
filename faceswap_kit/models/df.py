"""DF: one shared encoder and bottleneck learn both faces, one decoder per identity redraws them.

Training teaches decoder A to redraw A's faces and decoder B to redraw B's faces from the *same*
code space. Feeding A's code to decoder B draws B with A's pose, expression and lighting: the swap.

Shapes for ``ModelConfig.tiny()`` (64 px, depth 4)::

    x (B, 3, 64, 64) -> encoder (B, 128, 4, 4) -> bottleneck (B, 96, 8, 8)
      -> decoder_a or decoder_b -> rgb (B, 3, 64, 64), mask (B, 1, 64, 64)
"""

from __future__ import annotations

import torch

from .blocks import AutoEncoder, Bottleneck, Decoder, Encoder
from .config import ModelConfig


class DF(AutoEncoder):
    """The DF autoencoder. ``render(x, "b")`` draws faces ``x`` as identity B.

    >>> model = DF(ModelConfig.tiny())
    >>> rgb, mask = model.render(torch.rand(2, 3, 64, 64), "b")
    >>> tuple(rgb.shape), tuple(mask.shape)
    ((2, 3, 64, 64), (2, 1, 64, 64))
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.encoder = Encoder(config)
        self.bottleneck = Bottleneck(config)
        self.decoder_a = Decoder(config, config.bottleneck_dims)
        self.decoder_b = Decoder(config, config.bottleneck_dims)

    def render(self, x: torch.Tensor, identity: str) -> tuple[torch.Tensor, torch.Tensor]:
        code = self.bottleneck(self.encoder(x))  # (B, D, 2s, 2s)
        decoder = self.decoder_a if identity == "a" else self.decoder_b
        return decoder(code)

    def reconstruct(
        self, a: torch.Tensor, b: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        code = self.bottleneck(self.encoder(torch.cat([a, b])))  # one encoder pass for both
        code_a, code_b = code[: a.shape[0]], code[a.shape[0] :]
        rgb_a, mask_a = self.decoder_a(code_a)
        rgb_b, mask_b = self.decoder_b(code_b)
        return rgb_a, mask_a, rgb_b, mask_b
