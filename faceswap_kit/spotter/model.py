"""The spotter network: four strided conv blocks, global pooling, one logit (fake)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import Tensor, nn

from ..errors import CheckpointError, InputError

FORMAT = "faceswap_kit-spotter"


@dataclass(frozen=True)
class SpotterConfig:
    """Size of the spotter. ``crop``: the face crop side it reads (pixels)."""

    crop: int = 64
    width: int = 16

    @classmethod
    def tiny(cls) -> SpotterConfig:
        return cls(crop=48, width=8)

    @classmethod
    def default(cls) -> SpotterConfig:
        return cls()


class SpotterNet(nn.Module):
    """``(B,3,S,S)`` RGB face crops in [0, 1] -> ``(B,)`` logits (positive: a swap).

    The first layer sees the crop minus its blurred self as well as the crop, so seams, blur and
    up-sampling traces are as easy to see as colour.
    """

    def __init__(self, config: SpotterConfig | None = None) -> None:
        super().__init__()
        self.config = config or SpotterConfig()
        w = self.config.width
        layers: list[nn.Module] = []
        channels = [6, w, 2 * w, 4 * w, 4 * w]
        for cin, cout in zip(channels[:-1], channels[1:], strict=True):
            layers += [
                nn.Conv2d(cin, cout, 3, padding=1),
                nn.BatchNorm2d(cout),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
            ]
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(channels[-1], 1)

    def forward(self, crops: Tensor) -> Tensor:
        if crops.ndim != 4 or crops.shape[1] != 3:
            raise InputError(f"expected face crops (B,3,S,S), got {tuple(crops.shape)}")
        blurred = nn.functional.avg_pool2d(crops, 3, stride=1, padding=1, count_include_pad=False)
        x = torch.cat([crops - 0.5, 4.0 * (crops - blurred)], dim=1)  # (B, 6, S, S)
        x = self.features(x)  # (B, 4w, S/16, S/16)
        return self.head(x.mean(dim=(-2, -1)))[:, 0]


def save_spotter(model: SpotterNet, folder: str | os.PathLike, card: dict | None = None) -> Path:
    """Write ``model.safetensors`` and ``card.json`` (config, training facts) into ``folder``."""
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(folder / "model.safetensors"))
    payload = {"format": FORMAT, "config": asdict(model.config), **(card or {})}
    (folder / "card.json").write_text(json.dumps(payload, indent=1) + "\n")
    return folder


def load_spotter(folder: str | os.PathLike | None = None) -> tuple[SpotterNet, dict]:
    """Load a spotter (default: the bundled ``models/spotter-cnn``) on CPU, in eval mode.

    Returns:
        ``(model, card)``. Weights are read with safetensors (no pickle).
    """
    from safetensors.torch import load_file

    if folder is None:
        from ..models.search import model_search_path

        searched = [base / "spotter-cnn" for base in model_search_path()]
        folder = next((c for c in searched if (c / "card.json").is_file()), None)
        if folder is None:
            raise CheckpointError(
                f"no spotter-cnn/card.json in {[str(c.parent) for c in searched]}; pass the "
                "spotter's folder, set $FSK_MODELS_DIR, or make it with scripts/make_spotter.py"
            )
    folder = Path(folder)
    card_path, weights = folder / "card.json", folder / "model.safetensors"
    if not card_path.is_file() or not weights.is_file():
        raise CheckpointError(
            f"expected card.json and model.safetensors in {str(folder)!r}; "
            "make them with scripts/make_spotter.py"
        )
    card = json.loads(card_path.read_text())
    if card.get("format") != FORMAT:
        raise CheckpointError(
            f"expected a {FORMAT} card in {card_path}, got {card.get('format')!r}"
        )
    model = SpotterNet(SpotterConfig(**card["config"]))
    model.load_state_dict(load_file(str(weights)))
    return model.eval(), card
