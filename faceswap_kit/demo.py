"""The end-to-end main job on people who do not exist: synth -> extract -> train -> convert -> live.

Each stage calls the same package functions the notebooks and the CLI use, and writes its results
into one folder with a ``summary.json`` that says what was made, how long each stage took and where
to look.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .convert import convert_video
from .dataset import extract
from .errors import CheckpointError, InputError, MediaError
from .evaluate import judge_video, score_model, score_table, synth_scorer
from .io import write_image
from .io.atomic import write_json_atomic
from .live.headless import run_headless
from .metrics.identity import judge_status
from .models import load_model
from .models.config import ModelConfig
from .provenance import Provenance
from .synth import write_clip
from .synth.sheet import contact_sheet, sheet_array
from .threads import extraction_threads, torch_threads
from .train import train
from .train.init import find_init

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoConfig:
    """Sizes and budgets of the demo. ``default()`` runs in a few minutes on a laptop CPU.

    Attributes:
        seed_a, seed_b: the two generated people (A's face goes onto B's videos... and back).
        frames: frames of each generated clip. clip_size: side of the clips in pixels.
        face_size: side of the extracted faces. preset: training preset.
        train_minutes: training budget (wall clock). train_steps: optional step cap.
        live_frames: frames pushed through the headless real-time runner.
        init: a pretrained model to fine-tune from when it is present (its preset replaces
            ``preset``); ``None`` trains from scratch. The default is the bundled pair model of
            people 4 and 7: its decoders already draw one sharp face each, so a few hundred steps
            turn them into A and B (docs/training.md, "Fine-tuning from a pretrained model").
    """

    seed_a: int = 11
    seed_b: int = 23
    frames: int = 120
    clip_size: int = 256
    face_size: int = 128
    preset: str = "tiny"
    train_minutes: float = 3.5
    train_steps: int | None = None
    live_frames: int = 60
    init: str | None = "synth-4-7-df-lite"

    @classmethod
    def default(cls, **overrides: Any) -> DemoConfig:
        return cls(**overrides)

    @classmethod
    def tiny(cls, **overrides: Any) -> DemoConfig:
        """Seconds, not minutes: for tests."""
        values = dict(
            frames=24, clip_size=192, face_size=64, train_minutes=0.2, train_steps=20, live_frames=8
        )
        values.update(overrides)
        return cls(**values)


@dataclass
class DemoResult:
    out_dir: Path
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        rows = []
        for name, info in self.stages.items():
            rows.append(f"{name:8s} {info['seconds']:6.1f} s  {info['what']}")
        return rows


def run_demo(
    out_dir: str | os.PathLike,
    config: DemoConfig | None = None,
    report: Callable[[str], None] = print,
) -> DemoResult:
    """Run every stage on two generated people and write the results into ``out_dir``.

    Args:
        out_dir: folder for everything the demo writes (created; reused if it is a demo folder).
        config: sizes and budgets (default :meth:`DemoConfig.default`).
        report: called with one line per finished stage (``print`` by default).

    Returns:
        A :class:`DemoResult` with what each stage made and how long it took.
    """
    config = config or DemoConfig.default()
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{str(out)!r} is a file; give a folder for the demo's results")
    if out.is_dir() and any(out.iterdir()) and not (out / "summary.json").exists():
        raise InputError(
            f"{str(out)!r} is not empty and is not a demo folder; give a new or empty folder"
        )
    out.mkdir(parents=True, exist_ok=True)
    if not os.access(out, os.W_OK):
        raise MediaError(f"cannot write to {str(out)!r} (permission denied)")
    result = DemoResult(out)
    stages = [
        ("synth", _synth),
        ("extract", _extract),
        ("train", _train),
        ("convert", _convert),
        ("score", _score),
        ("live", _live),
    ]
    context: dict[str, Any] = {}
    for number, (name, stage) in enumerate(stages, start=1):
        start = time.perf_counter()
        info = stage(out, config, context)
        info["seconds"] = round(time.perf_counter() - start, 2)
        result.stages[name] = info
        report(f"[{number}/{len(stages)}] {name:8s} {info['seconds']:6.1f} s  {info['what']}")
        _write_summary(out, config, result)
    return result


def _write_summary(out: Path, config: DemoConfig, result: DemoResult) -> None:
    summary = {
        "what": "faceswap_kit demo on people who do not exist (all outputs are synthetic)",
        "config": config.__dict__,
        "stages": result.stages,
    }
    write_json_atomic(out / "summary.json", summary)


def _synth(out: Path, config: DemoConfig, context: dict[str, Any]) -> dict[str, Any]:

    sheet = write_image(
        out / "people.png",
        sheet_array(contact_sheet([config.seed_a, config.seed_b, 3, 4], size=192)),
        provenance=Provenance.new("demo", "contact sheet of generated people"),
    )
    clips = {}
    for label, seed in (("a", config.seed_a), ("b", config.seed_b)):
        clips[label] = write_clip(
            out / f"person_{label}.mp4", seed, config.frames, size=config.clip_size
        )
    context["clips"] = clips
    return {
        "what": f"contact sheet {sheet.name}; clips {clips['a'].name}, {clips['b'].name} "
        f"({config.frames} frames, ground truth in .json)",
        "files": [str(sheet), str(clips["a"]), str(clips["b"])],
    }


def _extract(out: Path, config: DemoConfig, context: dict[str, Any]) -> dict[str, Any]:

    counts = {}
    for label in ("a", "b"):
        with extraction_threads(1):
            summary = extract(
                context["clips"][label], out / f"faces_{label}", size=config.face_size
            )
        if summary.faces_total == 0:
            raise MediaError(f"no faces were extracted from {context['clips'][label]}")
        counts[label] = summary.faces_total
    context["faces"] = {label: out / f"faces_{label}" for label in ("a", "b")}
    return {
        "what": f"aligned faces: {counts['a']} of A in faces_a/, {counts['b']} of B in faces_b/",
        "faces": counts,
    }


def _find_init(config: DemoConfig, face_size: int):
    """The pretrained model to start from, or ``None`` (with a logged note) when it is absent."""
    if config.init is None:
        return None

    try:
        init = find_init(config.init)
    except CheckpointError:
        log.warning(
            "no pretrained model %r found: training the %s preset from scratch (build it with "
            "scripts/make_pretrained.py)",
            config.init,
            config.preset,
        )
        return None
    if init.model_config.resolution > face_size:
        log.warning(
            "%s is %d px but the demo extracts %d px faces: training from scratch",
            config.init,
            init.model_config.resolution,
            face_size,
        )
        return None
    return init


def _train(out: Path, config: DemoConfig, context: dict[str, Any]) -> dict[str, Any]:

    presets = {"tiny": ModelConfig.tiny, "lite": ModelConfig.lite, "default": ModelConfig.default}
    if config.preset not in presets:
        raise InputError(f"unknown preset {config.preset!r}; expected one of {sorted(presets)}")
    model_dir = out / "model"
    resume = (model_dir / "config.json").exists()
    init = None if resume else _find_init(config, config.face_size)
    # Run again, the demo goes on training the model it made (whatever preset it started from).
    model_config = None if init is not None or resume else presets[config.preset]()
    summary = train(
        context["faces"]["a"],
        context["faces"]["b"],
        model_dir,
        model_config,
        steps=config.train_steps,
        minutes=config.train_minutes,
        resume=resume,
        scorer=synth_scorer(config.seed_a, config.seed_b, pairs=4),
        init=config.init if init is not None else None,
    )
    context["model_dir"] = model_dir
    if init is not None:
        start = f"fine-tuned from {config.init}"
    elif resume:
        start = "trained on from the last run's model"
    else:
        start = f"{config.preset}, from scratch"
    return {
        "what": f"model in model/ ({start}; step {summary.step}, "
        f"{summary.samples_per_second:.1f} samples/s); model card model/README.md",
        "step": summary.step,
        "init": config.init if init is not None else None,
        "losses": summary.losses,
    }


def _convert(out: Path, config: DemoConfig, context: dict[str, Any]) -> dict[str, Any]:

    target = out / "swap_b_to_a.mp4"
    summary = convert_video(
        context["model_dir"],
        context["clips"]["b"],
        target,
        overwrite=True,
        side_by_side=True,
        direction="b_to_a",
        progress=False,
        model_threads="auto",  # the network on every core, the rest of a frame on one
    )
    return {
        "what": f"{target.name}: B's clip with A's face, side by side "
        f"({summary.frames_with_face}/{summary.frames} frames swapped, {summary.fps:.1f} frames/s)",
        "frames": summary.frames,
        "frames_with_face": summary.frames_with_face,
        "stage_ms": summary.stage_ms,
    }


def _score(out: Path, config: DemoConfig, context: dict[str, Any]) -> dict[str, Any]:
    """How good is the swap? The judge on the written video, and the ideal-swap score."""

    # The demo's video puts A's face into B's clip: B is in the frame, A is intended.
    model = load_model(context["model_dir"])
    score = score_model(
        model, config.seed_b, config.seed_a, pairs=8, landmarks=True, direction="b_to_a"
    )
    problem = judge_status()
    video = None
    if problem is None:
        video = judge_video(
            out / "swap_b_to_a.mp4", config.seed_b, config.seed_a, halves=("left", "right")
        )
    lines = ["# How good is the demo's swap?", "", "## Against the ideal swap (8 new shots)", ""]
    lines += score_table(score)
    methods = score["methods"]
    if video is not None:
        swapped, unchanged = video["right"], video["left"]
        lines += [
            "", "## The written video, judged frame by frame", "",
            f"- swapped (right half): {_judged(swapped)}",
            f"- original (left half): {_judged(unchanged)}",
        ]  # fmt: skip
        what = f"score.md: the swap: {_judged(swapped)}; the original clip: {_judged(unchanged)}"
    else:
        what = f"score.md (identity not judged: {problem})"
    what += "; ideal-swap SSIM " + ", ".join(
        f"{name} {values['ssim']:.3f}" for name, values in methods.items() if "ssim" in values
    )
    (out / "score.md").write_text("\n".join(lines) + "\n")
    return {"what": what, "ideal_swap": score, "video": video}


def _judged(scores: dict[str, Any]) -> str:
    """One line of what the judge said about one half of the video."""
    if scores.get("id_to_intended") is None:
        return (
            f"no face found by the judge in {scores['frames']} frames (a swap this blurry is no "
            "face to it: train longer)"
        )
    found = scores.get("id_found")
    seen = "" if found is None or found >= 1 else f", a face found in {found:.0%} of them"
    return (
        f"A in {scores['id_retrieval']:.0%} of {scores['frames']} frames{seen}, distance "
        f"{scores['id_to_intended']:.2f} to A and {scores['id_to_original']:.2f} to B"
    )


def _live(out: Path, config: DemoConfig, context: dict[str, Any]) -> dict[str, Any]:

    with torch_threads(1):  # per-frame work beside the detector: one thread is faster
        report = run_headless(
            out / "live.mp4", frames=config.live_frames, mode="model", model=context["model_dir"]
        )
        warp = run_headless(None, frames=config.live_frames, mode="warp2d")
    return {
        "what": f"live.mp4: headless real-time runner, model mode {report.fps:.0f} FPS, "
        f"2D-warp mode {warp.fps:.0f} FPS (kernel side, 640x480)",
        "model_table": report.table(),
        "warp2d_table": warp.table(),
    }
