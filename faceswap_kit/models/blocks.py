"""Building blocks shared by the DF and LIAE autoencoders.

Every block keeps the channel-first layout ``(B, C, H, W)``; the comments give shapes for an input
of side ``S``.
"""

from __future__ import annotations

import torch
from torch import nn

from .config import ModelConfig

NEGATIVE_SLOPE = 0.1


class Downscale(nn.Module):
    """5x5 stride-2 convolution + leaky ReLU: ``(B, C, S, S) -> (B, out, S/2, S/2)``."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=5, stride=2, padding=2)
        self.act = nn.LeakyReLU(NEGATIVE_SLOPE)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.conv(x))


class Upscale(nn.Module):
    """3x3 convolution to 4x the channels, then pixel shuffle:
    ``(B, C, S, S) -> (B, out, 2S, 2S)`` (sub-pixel upsampling, no checkerboard from deconvs)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels * 4, kernel_size=3, padding=1)
        self.act = nn.LeakyReLU(NEGATIVE_SLOPE)
        self.shuffle = nn.PixelShuffle(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shuffle(self.act(self.conv(x)))


class ResidualBlock(nn.Module):
    """Two 3x3 convolutions with a skip connection: ``(B, C, S, S) -> (B, C, S, S)``."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.act = nn.LeakyReLU(NEGATIVE_SLOPE)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(x + self.conv2(self.act(self.conv1(x))))


def encoder_channels(config: ModelConfig) -> list[int]:
    """Channels after each encoder stage: ``encoder_dims * 2**i``.

    >>> encoder_channels(ModelConfig.tiny())
    [16, 32, 64, 128]
    """
    return [config.encoder_dims * 2**i for i in range(config.depth)]


class Encoder(nn.Module):
    """``depth`` stride-2 stages: ``(B, 3, S, S) -> (B, encoder_dims * 2**(depth-1), S/2**depth, ...)``."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        channels = [3, *encoder_channels(config)]
        self.stages = nn.Sequential(
            *(Downscale(channels[i], channels[i + 1]) for i in range(config.depth))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.stages(x)


class Bottleneck(nn.Module):
    """The dense code every face squeezes through (DeepFaceLab's "inter").

    ``(B, C_enc, s, s)`` -> flatten -> ``(B, bottleneck_dims)`` -> ``(B, bottleneck_dims * s * s)``
    -> reshape ``(B, bottleneck_dims, s, s)`` -> upscale -> ``(B, bottleneck_dims, 2s, 2s)``.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        s = config.code_size
        in_features = encoder_channels(config)[-1] * s * s
        self.size = s
        self.dims = config.bottleneck_dims
        self.squeeze = nn.Linear(in_features, config.bottleneck_dims)
        self.expand = nn.Linear(config.bottleneck_dims, config.bottleneck_dims * s * s)
        self.upscale = Upscale(config.bottleneck_dims, config.bottleneck_dims)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        code = self.squeeze(features.flatten(1))  # (B, D)
        grid = self.expand(code).view(-1, self.dims, self.size, self.size)  # (B, D, s, s)
        return self.upscale(grid.contiguous(memory_format=_memory_format(features)))


class Decoder(nn.Module):
    """Redraws a face from a code grid: an RGB branch and a lighter mask branch.

    ``(B, C_in, 2s, 2s)`` -> ``depth - 1`` upscale stages -> RGB ``(B, 3, S, S)`` and mask
    ``(B, 1, S, S)``, both in [0, 1].
    """

    def __init__(self, config: ModelConfig, in_channels: int) -> None:
        super().__init__()
        stages = config.depth - 1
        rgb = [in_channels] + [config.decoder_dims * 2 ** (stages - 1 - i) for i in range(stages)]
        mask = [in_channels] + [config.mask_dims * 2 ** (stages - 1 - i) for i in range(stages)]
        self.rgb_stages = nn.Sequential(
            *(
                nn.Sequential(Upscale(rgb[i], rgb[i + 1]), ResidualBlock(rgb[i + 1]))
                for i in range(stages)
            )
        )
        self.mask_stages = nn.Sequential(*(Upscale(mask[i], mask[i + 1]) for i in range(stages)))
        self.rgb_out = nn.Conv2d(rgb[-1], 3, kernel_size=3, padding=1)
        self.mask_out = nn.Conv2d(mask[-1], 1, kernel_size=1)

    def forward(self, code: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        rgb = torch.sigmoid(self.rgb_out(self.rgb_stages(code)))  # (B, 3, S, S)
        mask = torch.sigmoid(self.mask_out(self.mask_stages(code)))  # (B, 1, S, S)
        return rgb, mask


def _memory_format(x: torch.Tensor) -> torch.memory_format:
    if x.ndim == 4 and x.is_contiguous(memory_format=torch.channels_last) and x.shape[1] > 1:
        return torch.channels_last
    return torch.contiguous_format


class AutoEncoder(nn.Module):
    """Common interface of the swap autoencoders.

    Subclasses implement :meth:`render` (draw faces ``x`` as identity ``"a"`` or ``"b"``) and
    :meth:`reconstruct` (the training pass: A as A and B as B in one go).
    """

    config: ModelConfig

    def render(self, x: torch.Tensor, identity: str) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def reconstruct(
        self, a: torch.Tensor, b: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def forward(
        self, x: torch.Tensor, identity: str = "b", b: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, ...]:
        """``render(x, identity)``; with ``b`` given, ``reconstruct(x, b)`` (the training pass,
        routed through ``forward`` so DistributedDataParallel and torch.compile see it)."""
        if b is not None:
            return self.reconstruct(x, b)
        return self.render(x, identity)
