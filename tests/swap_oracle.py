"""A network that returns its input: the unchanged-frame baseline in model form (for score tests)."""

from __future__ import annotations

import torch


class Oracle(torch.nn.Module):
    """``render`` gives back the aligned input and a full mask: a 'swap' that changes nobody."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def render(self, x, identity):
        return x, torch.ones_like(x[:, :1])
