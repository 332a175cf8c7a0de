"""The model card: who the model swaps, whether they are real, how it was trained and how well it
scores. Written as ``card.json`` (data) and ``README.md`` (for people) beside every checkpoint.
Scores are formatted here too (:func:`score_table`, :func:`score_summary`) for the card, the CLI
and the notebooks; :mod:`faceswap_kit.evaluate` measures them."""

from __future__ import annotations

import datetime as _dt
import platform
from pathlib import PurePath
from typing import Any

import torch

from .. import __version__
from ..models.config import ModelConfig
from .config import TrainConfig
from .trainstate import TrainState

INTENDED_USE = (
    "Education and research on how face swaps are made and detected. Swap only faces of people "
    "who gave their consent (or of generated people who do not exist), and label the results as "
    "synthetic."
)


def build_card(
    state: TrainState,
    model_config: ModelConfig,
    train_config: TrainConfig,
    *,
    identities: dict[str, dict[str, Any]],
    provenance: dict[str, Any],
    parameters: int,
    device: torch.device | str,
    pretraining: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The card of a model in training, as a JSON-ready dict.

    Args:
        state: where the run stands (steps, seconds, scores, extra card fields).
        model_config, train_config: the run's configs.
        identities: the identity records of sides ``"a"`` and ``"b"``.
        provenance: where the data came from.
        parameters: the network's parameter count.
        device: the training device.
        pretraining: the crowd's ``card_info()`` when pretrained on generated people.
    """
    synthetic = all(bool(identities[s].get("synthetic", False)) for s in ("a", "b"))
    card = {
        "name": model_config.name,
        "architecture": model_config.architecture,
        "resolution": model_config.resolution,
        "face_type": model_config.face_type,
        "parameters": parameters,
        "identities": {"a": identities["a"], "b": identities["b"]},
        "synthetic": synthetic,
        "steps": state.step,
        "training_seconds": round(state.elapsed, 1),
        "batch_size": train_config.batch_size,
        "scores": state.scores[-1] if state.scores else None,
        "score_history": state.scores,
        "data_provenance": provenance,
        "direction_convention": (
            "a_to_b: input aligned faces of A, output B with A's pose, expression and lighting"
        ),
        "intended_use": INTENDED_USE,
        "software": {
            "faceswap_kit": __version__,
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
        "device": str(device),
        "updated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    if pretraining is not None:  # pretrained on a generated crowd
        card["pretraining"] = pretraining
        target = pretraining["crowd"].get("target_seed")
        if target is not None:
            card["target_seed"] = target
            card["direction_convention"] = (
                f"a_to_b: input aligned faces of anyone, output generated person {target} with "
                "their pose, expression and lighting (an any-face model)"
            )
    card.update(state.card_extra)
    if isinstance(card.get("init"), dict):
        card["init"] = _portable_init(card["init"])
    return card


def _portable_init(init: dict[str, Any]) -> dict[str, Any]:
    """The card's record of the start without the build machine's paths (runs started before
    :meth:`InitModel.record <faceswap_kit.train.init.InitModel.record>` dropped them keep them in
    their state): a folder is named by its name.

    >>> _portable_init({"model": "/home/me/work/crowd-lite", "path": "/home/me/work/crowd-lite"})
    {'model': 'crowd-lite'}
    """
    clean = {key: value for key, value in init.items() if key != "path"}
    model = clean.get("model")
    if isinstance(model, str) and PurePath(model).is_absolute():
        clean["model"] = PurePath(model).name
    return clean


#: How each scored method is named in tables and printouts.
METHOD_LABELS = {
    "model": "model",
    "warp2d": "2D warp",
    "unchanged": "unchanged frame",
    "ideal": "ideal swap",
}


def _cell(value: Any, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def score_table(score: dict[str, Any]) -> list[str]:
    """A markdown table of a :func:`faceswap_kit.evaluate.score_model` result (one row per method), plus a note when
    identity was not judged."""
    lines = [
        "| method | judged the intended person (of ten) | nearer intended than original "
        "| distance to intended | distance to original | PSNR (dB) | SSIM | landmark error |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, values in score.get("methods", {}).items():
        retrieval = values.get("id_retrieval")
        lines.append(
            f"| {METHOD_LABELS.get(name, name)} | "
            f"{'–' if retrieval is None else f'{retrieval:.0%}'} | "
            f"{_cell(values.get('id_nearer_intended'), '.0%')} | "
            f"{_cell(values.get('id_to_intended'), '.3f')} | "
            f"{_cell(values.get('id_to_original'), '.3f')} | "
            f"{_cell(values.get('psnr'), '.2f')} | {_cell(values.get('ssim'), '.3f')} | "
            f"{_cell(values.get('landmark_error'), '.3f')} |"
        )
    identity = score.get("identity") or {}
    if identity and not identity.get("judged"):
        lines += ["", f"Identity not judged: {identity.get('how_to_enable')}"]
    return lines


def score_summary(score: dict[str, Any]) -> str:
    """One line per method: identity verdict (when judged) and SSIM against the ideal swap."""
    parts = []
    for name, values in score.get("methods", {}).items():
        label = METHOD_LABELS.get(name, name)
        if values.get("id_retrieval") is not None:
            text = (
                f"{label}: the intended person in {values['id_retrieval']:.0%} of frames "
                f"(distance {_cell(values.get('id_to_intended'), '.2f')} to them, "
                f"{_cell(values.get('id_to_original'), '.2f')} to the original)"
            )
        else:
            text = label
        if values.get("ssim") is not None:
            text += f", SSIM {values['ssim']:.3f}"
        parts.append(text)
    identity = score.get("identity") or {}
    if identity and not identity.get("judged"):
        parts.append(f"identity not judged ({identity.get('how_to_enable')})")
    return "\n".join(parts)


def _identity_line(record: dict[str, Any]) -> str:
    name = record.get("name", "unnamed")
    kind = "generated person (does not exist)" if record.get("synthetic") else "real person"
    extra = f", seed {record['seed']}" if "seed" in record else ""
    consent = record.get("consent")
    consent_text = f", consent: {consent}" if consent else ""
    return f"{name} — {kind}{extra}{consent_text}"


def card_markdown(card: dict[str, Any]) -> str:
    """The card as Markdown (the model directory's ``README.md``)."""
    lines = [
        f"# Model card: {card['name']}",
        "",
        f"- **Architecture:** {card['architecture'].upper()}, {card['resolution']} px, face type "
        f"`{card['face_type']}`, {card['parameters'] / 1e6:.2f} M parameters",
        f"- **Identity A:** {_identity_line(card['identities']['a'])}",
        f"- **Identity B:** {_identity_line(card['identities']['b'])}",
        f"- **Synthetic:** {'yes — both people are generated' if card['synthetic'] else 'no'}",
        f"- **Training:** {card['steps']} steps, {card['training_seconds']:.0f} s on "
        f"{card['device']}, batch {card['batch_size']} per side",
        f"- **Direction convention:** {card['direction_convention']}",
    ]
    if card.get("pretraining"):
        lines.append(f"- **Pretrained on:** {card['pretraining']['summary']}")
    if card.get("target_seed") is not None:
        lines.append(f"- **Target person (any-face output):** seed {card['target_seed']}")
    init = card.get("init")
    if init:
        lines.append(
            f"- **Started from:** `{init['model']}` ({init.get('steps')} steps"
            + (f"; {init['pretraining']}" if init.get("pretraining") else "")
            + ")"
        )
    if card.get("commands"):
        lines += ["", "## Commands", "", "```"] + list(card["commands"]) + ["```"]
    scores = card.get("scores")
    if scores:
        lines += ["", "## Scores against the ideal swap", ""] + score_table(scores)
        lines.append("")
        lines.append(
            f"Measured at step {scores.get('step')} on "
            + (
                f"{scores['people']} generated people it never saw (seeds "
                f"{scores['test_seeds'][0]}-{scores['test_seeds'][1]}, one shot each): "
                if scores.get("people") and scores.get("test_seeds")
                else f"{scores.get('pairs')} generated pairs: "
            )
            + "identity by an independent judge (dlib's face recogniser; below 0.6 is the same "
            "person), PSNR/SSIM in the face mask against the ideal swap (see docs/training.md)."
        )
    history = card.get("score_history") or []
    if len(history) > 1:
        lines += [
            "",
            "### Score history",
            "",
            "| step | training minutes | scored on | model: judged intended | model SSIM | "
            "2D warp SSIM | unchanged SSIM |",
            "|---|---|---|---|---|---|---|",
        ]
        for entry in history:
            methods = entry.get("methods", {})
            retrieval = methods.get("model", {}).get("id_retrieval")
            cells = [
                "–" if retrieval is None else f"{retrieval:.0%}",
                *(
                    f"{methods.get(m, {}).get('ssim', float('nan')):.3f}"
                    for m in ("model", "warp2d", "unchanged")
                ),
            ]
            pairs = entry.get("people", entry.get("pairs"))
            lines.append(
                f"| {entry.get('step')} | {entry.get('seconds', 0) / 60:.1f} | "
                + (
                    "–"
                    if pairs is None
                    else f"{pairs} {'people' if 'people' in entry else 'pairs'}"
                )
                + " | "
                + " | ".join(cells)
                + " |"
            )
    provenance = card.get("data_provenance") or {}
    if provenance:
        lines += ["", "## Data provenance", ""]
        for key, value in provenance.items():
            if isinstance(value, dict):
                value = (
                    f"{value.get('faces')} faces, {value.get('size')} px, "
                    f"`{value.get('face_type')}` — {value.get('source')}"
                )
            lines.append(f"- **{key.upper() if len(key) == 1 else key}:** {value}")
    lines += ["", "## Intended use", "", card["intended_use"], ""]
    return "\n".join(lines)
