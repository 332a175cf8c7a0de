"""A trained swap model, ready to use: ``load_model(name_or_path).swap(aligned_faces)``."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import torch

from ..errors import CheckpointError, InputError
from ..validate import check_image
from . import checkpoint as ckpt
from .blocks import AutoEncoder
from .config import ModelConfig
from .df import DF
from .liae import LIAE
from .search import bundled_models, bundled_models_dir, model_search_path

log = logging.getLogger(__name__)

__all__ = [
    "DIRECTIONS",
    "SwapModel",
    "build_network",
    "bundled_models",
    "bundled_models_dir",  # from .search, where models are found by name
    "load_model",
    "load_network_weights",
    "parameter_count",
    "read_model_config",
    "resolve_model_path",
]

DIRECTIONS = ("a_to_b", "b_to_a", "a_to_a", "b_to_b")


def build_network(config: ModelConfig) -> AutoEncoder:
    """The untrained DF or LIAE network for ``config``.

    >>> build_network(ModelConfig.tiny(architecture="liae")).__class__.__name__
    'LIAE'
    """
    return DF(config) if config.architecture == "df" else LIAE(config)


def parameter_count(network: torch.nn.Module) -> int:
    return sum(p.numel() for p in network.parameters())


class SwapModel:
    """A DF/LIAE network with its config and model card, used in eval mode.

    Direction convention: ``"a_to_b"`` takes aligned faces of person A and draws person B with
    A's pose, expression and lighting (decoder B on A's code); ``"b_to_a"`` the reverse.
    ``"a_to_a"``/``"b_to_b"`` are reconstructions (what training optimises).

    Attributes:
        network: the :class:`~faceswap_kit.models.blocks.AutoEncoder`.
        config: its :class:`ModelConfig` (``.resolution``, ``.face_type``).
        card: the model card (identities, synthetic, steps, scores, provenance).
        path: the directory it was loaded from, if any.
        channels_last: the network runs on NHWC tensors (``load_model`` turns it on: inference
            only; leave it off for a network that is still being trained).
    """

    def __init__(
        self,
        network: AutoEncoder,
        card: dict[str, Any] | None = None,
        path: Path | None = None,
        channels_last: bool = False,
    ) -> None:
        if channels_last:  # oneDNN and cuDNN convolutions run faster on NHWC (~10-25% here)
            network = network.to(memory_format=torch.channels_last)
        self.channels_last = channels_last
        self.network = network.eval()
        self.config: ModelConfig = network.config
        self.card = dict(card or {})
        self.path = path

    def __repr__(self) -> str:
        c = self.config
        return (
            f"SwapModel({c.architecture}, {c.resolution}px, {c.face_type}, "
            f"{parameter_count(self.network) / 1e6:.2f}M params, path={self.path})"
        )

    @torch.no_grad()
    def swap(
        self, aligned: torch.Tensor, direction: str = "a_to_b"
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Redraw aligned faces as the other identity.

        Args:
            aligned: ``(B, 3, S, S)`` float RGB in [0, 1], ``S == config.resolution``, aligned
                with ``config.face_type``.
            direction: one of ``"a_to_b"``, ``"b_to_a"``, ``"a_to_a"``, ``"b_to_b"``.

        Returns:
            ``(face (B, 3, S, S), mask (B, 1, S, S))`` on the input's device and dtype.
        """
        if direction not in DIRECTIONS:
            raise InputError(f"direction {direction!r} is unknown; expected one of {DIRECTIONS}")
        size = self.config.resolution
        if not isinstance(aligned, torch.Tensor):
            raise InputError(
                f"expected aligned faces as a (B, 3, S, S) float tensor, got "
                f"{type(aligned).__name__}; convert with faceswap_kit.io.image_to_tensor"
            )
        if aligned.ndim != 4 or aligned.shape[1] != 3 or aligned.shape[-2:] != (size, size):
            raise InputError(
                f"expected aligned faces of shape (B, 3, {size}, {size}), got "
                f"{tuple(aligned.shape)}; align with face_type={self.config.face_type!r}, "
                f"size={size}"
            )
        check_image(aligned, "aligned")  # float in [0, 1]: not uint8, not 0..255, not NaN
        first = next(self.network.parameters())
        if first.device != aligned.device:
            self.network.to(aligned.device)
        self.network.eval()
        identity = direction.split("_to_")[1]
        inputs = aligned.float()
        if self.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        face, mask = self.network.render(inputs, identity)
        return face.to(aligned.dtype).contiguous(), mask.to(aligned.dtype).contiguous()

    def to(self, device: torch.device | str) -> SwapModel:
        self.network.to(device)
        return self


def resolve_model_path(path_or_name: str | Path, models_dir: str | Path | None = None) -> Path:
    """Turn a model directory or a bare model name into a directory.

    A bare name is looked up in ``models_dir``, then ``$FSK_MODELS_DIR``, then the bundled
    models (:func:`~faceswap_kit.models.search.model_search_path` gives the order).
    """
    path = Path(path_or_name).expanduser()
    if path.is_dir():
        return path
    name = str(path_or_name)
    searched: list[Path] = []
    if os.sep not in name and "/" not in name:
        for root in model_search_path(models_dir):
            candidate = root / name
            searched.append(candidate)
            if (candidate / ckpt.CONFIG).is_file():
                return candidate
    available = bundled_models()
    hint = (
        f"one of the bundled models {available}"
        if available
        else "a bundled model name (none found: install the kit, or set $FSK_MODELS_DIR to a "
        "folder of models such as a checkout's models/)"
    )
    raise CheckpointError(
        f"no model directory {name!r} (looked in {[str(p) for p in searched] or [str(path)]}); "
        f"pass a folder written by 'faceswap-kit train' or {hint}"
    )


def read_model_config(model_dir: Path) -> tuple[ModelConfig, dict[str, Any]]:
    """``(ModelConfig, the whole config.json)`` of a model directory."""
    data = ckpt.read_json(model_dir / ckpt.CONFIG)
    if data.get("format") != ckpt.FORMAT or "model" not in data:
        raise CheckpointError(
            f"{model_dir / ckpt.CONFIG} is not a faceswap-kit model config (format "
            f"{data.get('format')!r}); point at a folder written by 'faceswap-kit train'"
        )
    try:
        return ModelConfig.from_dict(data["model"]), data
    except (TypeError, InputError) as exc:
        raise CheckpointError(
            f"{model_dir / ckpt.CONFIG} holds an invalid model config: {exc}"
        ) from exc


def load_network_weights(
    network: torch.nn.Module, weights: dict[str, torch.Tensor], path: Path
) -> None:
    """``load_state_dict`` with a :class:`CheckpointError` that names the mismatch."""
    expected = network.state_dict()
    missing = sorted(set(expected) - set(weights))
    unexpected = sorted(set(weights) - set(expected))
    wrong = sorted(k for k in set(expected) & set(weights) if expected[k].shape != weights[k].shape)
    if missing or unexpected or wrong:
        raise CheckpointError(
            f"{path} does not fit the architecture in config.json (missing {missing[:3]}, "
            f"unexpected {unexpected[:3]}, wrong shape {wrong[:3]}); the weights come from "
            "another architecture or preset: use the matching config or retrain"
        )
    network.load_state_dict({k: v.to(expected[k].dtype) for k, v in weights.items()})


def load_model(path_or_name: str | Path, models_dir: str | Path | None = None) -> SwapModel:
    """Load a model directory (or a bundled model by name) on CPU.

    Args:
        path_or_name: a model directory, or a bare name looked up in ``models_dir``,
            ``$FSK_MODELS_DIR`` and the bundled models (:mod:`faceswap_kit.models.search`).
        models_dir: an extra folder of models to search first.

    Raises:
        CheckpointError: missing folder, corrupted file, or weights of another architecture.
    """
    model_dir = resolve_model_path(path_or_name, models_dir)
    config, _ = read_model_config(model_dir)
    state_path = model_dir / ckpt.STATE
    if state_path.is_file():
        ckpt.verify_files(model_dir, ckpt.read_json(state_path), (ckpt.WEIGHTS,))
    network = build_network(config)
    load_network_weights(
        network, ckpt.read_weights(model_dir / ckpt.WEIGHTS), model_dir / ckpt.WEIGHTS
    )
    card_path = model_dir / ckpt.CARD
    card = ckpt.read_json(card_path) if card_path.is_file() else {}
    return SwapModel(network, card=card, path=model_dir, channels_last=True)
