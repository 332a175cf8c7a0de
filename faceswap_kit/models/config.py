"""The architecture of a swap model as a frozen dataclass: stored in every checkpoint's
``config.json`` so a model directory always says how to rebuild itself."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..errors import CheckpointError, InputError

ARCHITECTURES = ("df", "liae")
FACE_TYPES = ("half", "full", "whole_face", "head")


@dataclass(frozen=True)
class ModelConfig:
    """Shape of a DF or LIAE autoencoder.

    Attributes:
        architecture: ``"df"`` (shared encoder + bottleneck, one decoder per identity) or
            ``"liae"`` (shared encoder and decoder, a shared and a B-only intermediate code).
        resolution: side of the aligned face in pixels (64 to 256, a multiple of ``2**depth``).
        face_type: crop type of the training faces (must match the dataset's).
        encoder_dims: channels of the first encoder stage; they double at each stage.
        bottleneck_dims: width of the dense code that every face passes through.
        decoder_dims: channels of the last decoder stage; they double towards the bottleneck.
        mask_dims: same for the (lighter) mask branch of the decoder.
        depth: number of stride-2 encoder stages; the code grid is ``resolution / 2**depth``.
        name: free-form model name (written into the model card).
    """

    architecture: str = "df"
    resolution: int = 128
    face_type: str = "whole_face"
    encoder_dims: int = 64
    bottleneck_dims: int = 256
    decoder_dims: int = 64
    mask_dims: int = 22
    depth: int = 4
    name: str = "model"

    def __post_init__(self) -> None:
        if self.architecture not in ARCHITECTURES:
            raise InputError(
                f"architecture {self.architecture!r} is unknown; expected one of {ARCHITECTURES}"
            )
        if self.face_type not in FACE_TYPES:
            raise InputError(
                f"face_type {self.face_type!r} is unknown; expected one of {FACE_TYPES}"
            )
        if not 2 <= self.depth <= 6:
            raise InputError(f"depth must be in 2..6, got {self.depth}")
        step = 2**self.depth
        if not (32 <= self.resolution <= 512) or self.resolution % step:
            raise InputError(
                f"resolution {self.resolution} is not supported; expected 64-256 px and a multiple "
                f"of 2**depth = {step} (e.g. 64, 128, 192, 256)"
            )
        for name in ("encoder_dims", "bottleneck_dims", "decoder_dims", "mask_dims"):
            if getattr(self, name) < 1:
                raise InputError(f"{name} must be positive, got {getattr(self, name)}")

    @classmethod
    def tiny(cls, **overrides: Any) -> ModelConfig:
        """A few hundred thousand parameters at 64 px: trains on a laptop CPU in minutes.

        >>> ModelConfig.tiny().resolution
        64
        """
        values: dict[str, Any] = dict(
            resolution=64, encoder_dims=16, bottleneck_dims=96, decoder_dims=12, mask_dims=6
        )
        values.update(overrides)
        return cls(**values)

    @classmethod
    def lite(cls, **overrides: Any) -> ModelConfig:
        """The live model: 6 M parameters at 128 px, with a slim decoder (16 channels at full
        resolution) so that the network takes ~11 ms a face on 2 CPU cores and the live loop holds
        30 FPS at 640x480 without a GPU. On two generated people it passes the 2D warp's score
        after 10 minutes of one CPU thread (docs/training.md, "Presets for live use").
        (Until 2026-11 it had ``decoder_dims=32, mask_dims=12``: 8.1 M, 2.7x the FLOPs;
        ``ModelConfig.lite(decoder_dims=32, mask_dims=12)`` builds that one.)"""
        values: dict[str, Any] = dict(
            resolution=128, encoder_dims=32, bottleneck_dims=128, decoder_dims=16, mask_dims=8
        )
        values.update(overrides)
        return cls(**values)

    @classmethod
    def default(cls, **overrides: Any) -> ModelConfig:
        """The full-size model (DeepFaceLab SAEHD-like widths) for a GPU."""
        return cls(**overrides)

    @classmethod
    def preset(cls, preset: str, /, **overrides: Any) -> ModelConfig:
        """``ModelConfig.preset("tiny" | "lite" | "default", **overrides)``."""
        presets = {"tiny": cls.tiny, "lite": cls.lite, "default": cls.default}
        if preset not in presets:
            raise InputError(f"preset {preset!r} is unknown; expected one of {tuple(presets)}")
        return presets[preset](**overrides)

    @property
    def code_size(self) -> int:
        """Side of the encoder's output grid, ``resolution / 2**depth``."""
        return self.resolution // 2**self.depth

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        """Rebuild from :meth:`to_dict` output; unknown keys are an error (another format)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise CheckpointError(
                f"model config has unknown fields {sorted(unknown)}; it was written by another "
                "version or another tool"
            )
        return cls(**data)
