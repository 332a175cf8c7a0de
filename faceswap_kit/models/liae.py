"""LIAE: a shared encoder, a shared decoder, and two intermediate codes.

``inter_ab`` sees faces of both people, ``inter_b`` only faces of B. A face is drawn from the
concatenation of two codes:

* as A: ``[inter_ab(e), inter_ab(e)]``
* as B: ``[inter_b(e), inter_ab(e)]``

so training A and B through one decoder forces the shared code to hold pose, expression and
light, and ``inter_b`` to hold what makes B look like B. Swapping A to B gives A's code the B part.

Shapes for ``ModelConfig.tiny()`` (64 px, depth 4)::

    x (B, 3, 64, 64) -> encoder (B, 128, 4, 4) -> inter_ab / inter_b (B, 96, 8, 8) each
      -> concat (B, 192, 8, 8) -> decoder -> rgb (B, 3, 64, 64), mask (B, 1, 64, 64)
"""

from __future__ import annotations

import torch

from .blocks import AutoEncoder, Bottleneck, Decoder, Encoder
from .config import ModelConfig


class LIAE(AutoEncoder):
    """The LIAE autoencoder. ``render(x, "b")`` draws faces ``x`` as identity B.

    >>> model = LIAE(ModelConfig.tiny(architecture="liae"))
    >>> rgb, mask = model.render(torch.rand(2, 3, 64, 64), "a")
    >>> tuple(rgb.shape), tuple(mask.shape)
    ((2, 3, 64, 64), (2, 1, 64, 64))
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.encoder = Encoder(config)
        self.inter_ab = Bottleneck(config)
        self.inter_b = Bottleneck(config)
        self.decoder = Decoder(config, 2 * config.bottleneck_dims)

    def _code(self, features: torch.Tensor, identity: str) -> torch.Tensor:
        shared = self.inter_ab(features)  # (B, D, 2s, 2s)
        first = self.inter_b(features) if identity == "b" else shared
        return torch.cat([first, shared], dim=1)  # (B, 2D, 2s, 2s)

    def render(self, x: torch.Tensor, identity: str) -> tuple[torch.Tensor, torch.Tensor]:
        return self.decoder(self._code(self.encoder(x), identity))

    def reconstruct(
        self, a: torch.Tensor, b: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        features = self.encoder(torch.cat([a, b]))
        n = a.shape[0]
        code = torch.cat([self._code(features[:n], "a"), self._code(features[n:], "b")])
        rgb, mask = self.decoder(code)  # one decoder pass for both
        return rgb[:n], mask[:n], rgb[n:], mask[n:]
