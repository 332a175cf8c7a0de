"""Video-to-video conversion: decode -> detect/track -> align -> model -> merge -> encode.

Streaming from end to end (memory does not grow with the video's length). Frames where no face is
found pass through untouched; audio is copied; the file is tagged as synthetic. The output appears
under its final name only when the conversion is complete; an interrupted conversion (Ctrl+C)
leaves a clean, playable ``<name>.partial.mp4`` of the frames done so far.

>>> from faceswap_kit.convert import convert_video   # doctest: +SKIP
>>> convert_video("synth-4-7-df-lite", "in.mp4", "out.mp4").frames   # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import __version__
from .errors import CheckpointError, InputError, NoFaceFoundError
from .io.atomic import write_json_atomic
from .io.video import VideoReader, VideoWriter
from .merge import MergeConfig
from .models import load_model
from .pipeline import DEFAULT_SMOOTHING, FrameSwapper
from .provenance import from_model_card
from .smoothing import OneEuroConfig

if TYPE_CHECKING:
    from .models import SwapModel

log = logging.getLogger(__name__)

OUTPUT_SUFFIXES = (".mp4", ".mov", ".mkv", ".m4v")


@dataclass
class ConvertSummary:
    """What a conversion did.

    Attributes:
        output_path: the video written (or the partial file when interrupted).
        frames: frames converted. frames_with_face: frames where a face was swapped.
        fps: conversion throughput in frames per second (not the video's rate).
        video_fps: the output video's frame rate. seconds: wall time.
        stage_ms: mean milliseconds per frame of each stage (decode, detect, align, model, merge,
            encode). interrupted: True when stopped early (``output_path`` is then the partial).
    """

    output_path: Path
    frames: int
    frames_with_face: int
    fps: float
    video_fps: float
    seconds: float
    stage_ms: dict[str, float] = field(default_factory=dict)
    interrupted: bool = False

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["output_path"] = str(self.output_path)
        return data


def partial_path(out_path: str | os.PathLike) -> Path:
    """Where an unfinished conversion is kept: ``name.partial.mp4`` beside the output."""
    out = Path(out_path)
    return out.with_name(f"{out.stem}.partial{out.suffix}")


def synthetic_metadata(model_name: str = "") -> dict[str, str]:
    """Container tags that mark a file as synthetic media made with faceswap_kit."""

    made_by = f"faceswap_kit {__version__}"
    note = f"SYNTHETIC MEDIA: face swapped with {made_by}" + (
        f" (model {model_name})" if model_name else ""
    )
    return {"comment": note, "description": note, "title": f"synthetic ({made_by})"}


def _check_paths(in_path: Path, out_path: Path, overwrite: bool) -> None:
    if not in_path.is_file():
        raise InputError(f"input video {str(in_path)!r} does not exist; check the path")
    if out_path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise InputError(
            f"output {str(out_path)!r} has suffix {out_path.suffix!r}; use one of {OUTPUT_SUFFIXES}"
        )
    if out_path.resolve() == in_path.resolve():
        raise InputError(f"output {str(out_path)!r} is the input video; choose another name")
    if out_path.exists() and not overwrite:
        raise InputError(
            f"output {str(out_path)!r} exists; pass overwrite=True (CLI: --overwrite) to replace it"
        )
    if out_path.is_dir():
        raise InputError(f"output {str(out_path)!r} is a folder; give a file name like out.mp4")


def _load(model_dir) -> object:

    path = Path(model_dir)
    if not path.exists() and (os.sep in str(model_dir) or path.suffix):
        raise CheckpointError(
            f"model directory {str(path)!r} does not exist; train one with 'faceswap-kit train' "
            "or pass a bundled model name"
        )
    return load_model(model_dir)


def convert_video(
    model: str | os.PathLike | SwapModel,
    in_path: str | os.PathLike,
    out_path: str | os.PathLike,
    config: MergeConfig | None = None,
    *,
    overwrite: bool = False,
    side_by_side: bool = False,
    direction: str = "a_to_b",
    max_frames: int | None = None,
    smoothing: OneEuroConfig | None = DEFAULT_SMOOTHING,
    detector=None,
    device=None,
    model_threads: int | str | None = None,
    progress: bool = True,
    sidecar: bool = True,
    watermark: bool = True,
) -> ConvertSummary:
    """Swap the faces of a video with a trained model and write a new video.

    Args:
        model: a loaded model (:class:`~faceswap_kit.models.SwapModel`), or a model directory
            or bundled model name for :func:`faceswap_kit.models.load_model`.
        in_path: the video to convert (any container PyAV reads; rotation is applied).
        out_path: the H.264 video to write (``.mp4``/``.mov``/``.mkv``).
        config: merge settings (default ``MergeConfig.default()``).
        overwrite: replace ``out_path`` if it exists (otherwise an error).
        side_by_side: write original | swapped next to each other.
        direction: the model's swap direction (frames show A -> output shows B for ``a_to_b``).
        max_frames: stop after this many frames (previews, tests).
        smoothing: One-Euro landmark smoothing, or None.
        detector: a detector (default mediapipe in video mode).
        device: where the model and merge run (default: CPU, where models load).
        model_threads: the caller's choice of CPU threads for the network (``"auto"``: every
            usable core; the rest of each frame on one thread; both capped by the load); None
            leaves the threads as they are. See :class:`~faceswap_kit.pipeline.FrameSwapper`.
        progress: show a tqdm progress bar.
        sidecar: also write ``OUT.json`` (provenance: synthetic, model, settings, summary).
        watermark: mark every frame invisibly (``False`` removes the mark; the removal is then
            recorded in the Content Credentials, the metadata and ``OUT.json``).

    Returns:
        A :class:`ConvertSummary`.

    Raises:
        InputError: bad paths or an existing output without ``overwrite``.
        MediaError: the input cannot be decoded or the output cannot be written.
        CheckpointError: the model directory is missing, corrupted or incompatible.
        NoFaceFoundError: no face in any frame (nothing is written).
    """

    in_path, out_path = Path(in_path), Path(out_path)
    _check_paths(in_path, out_path, overwrite)
    if max_frames is not None and int(max_frames) < 1:
        raise InputError(f"max_frames must be >= 1, got {max_frames}")
    reader = VideoReader(in_path)
    model_dir = None
    if model is None:
        raise CheckpointError("no model given: pass a model, a model directory or a model name")
    if isinstance(model, (str, os.PathLike)):
        model_dir, model = model, _load(model)
    if device is not None and hasattr(model, "to"):
        model = model.to(device)
    swapper = FrameSwapper(
        model, detector, config, direction=direction, smoothing=smoothing, fps=reader.fps,
        model_threads=model_threads,
    )  # fmt: skip
    width, height = reader.size
    size = (2 * width, height) if side_by_side else (width, height)
    name = Path(str(getattr(model, "path", "") or model_dir or "")).name
    partial = partial_path(out_path)
    total = reader.frame_count if max_frames is None else min(reader.frame_count, int(max_frames))
    stage_ms = dict.fromkeys(("decode", "detect", "align", "model", "merge", "encode"), 0.0)
    frames = with_face = 0
    face_sizes: list[float] = []
    start = time.perf_counter()

    provenance = from_model_card(
        getattr(model, "card", {}) or {}, "convert",
        f"face swap of {in_path.name} with model {name or 'given in Python'}", watermark=watermark,
    )  # fmt: skip
    provenance.output = str(out_path)
    writer = VideoWriter(
        partial, reader.fps, size, audio_from=in_path,
        metadata=synthetic_metadata(name), overwrite=True, provenance=provenance,
    )  # fmt: skip
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total or None, desc="convert", unit="frame")
    interrupted = False
    try:
        frames_iter = iter(reader)
        while max_frames is None or frames < int(max_frames):
            tick = time.perf_counter()
            frame = next(frames_iter, None)
            stage_ms["decode"] += (time.perf_counter() - tick) * 1000
            if frame is None:
                break
            result = swapper.swap_frame(frame)
            for stage, ms in result.timings.items():
                stage_ms[stage] = stage_ms.get(stage, 0.0) + ms
            if result.faces:
                with_face += 1
                if len(face_sizes) < 50:
                    face_sizes.append(float(np.ptp(result.landmarks[0, :, 0].cpu().numpy())))
            tick = time.perf_counter()
            out = np.concatenate([frame, result.output], 1) if side_by_side else result.output
            writer.write(out)
            stage_ms["encode"] += (time.perf_counter() - tick) * 1000
            frames += 1
            if bar is not None:
                bar.update(1)
    except KeyboardInterrupt:
        interrupted = True
    except BaseException:
        writer.abort()
        raise
    finally:
        if bar is not None:
            bar.close()
    if with_face == 0 and not interrupted:
        writer.abort()
        raise NoFaceFoundError(
            f"no face found in any of the {frames} frames of {str(in_path)!r}; nothing to swap "
            "(use a video where a face is visible, frontal to three-quarter, at least ~64 px)"
        )
    tick = time.perf_counter()
    written = writer.close()
    stage_ms["encode"] += (time.perf_counter() - tick) * 1000
    _warn_face_size(face_sizes, swapper.size)
    if interrupted:
        log.warning("interrupted after %d frames; the frames done are in %s", frames, written)
        final = written
    else:
        os.replace(written, out_path)
        final = out_path
    seconds = time.perf_counter() - start
    per_frame = {k: v / max(frames, 1) for k, v in stage_ms.items()}
    summary = ConvertSummary(
        final, frames, with_face, frames / max(seconds, 1e-9), reader.fps, seconds, per_frame,
        interrupted,
    )  # fmt: skip
    if sidecar:
        _write_sidecar(summary, in_path, name, swapper, provenance.to_dict())
    return summary


def _write_sidecar(
    summary: ConvertSummary, in_path: Path, model_name: str, swapper, provenance: dict
) -> Path:
    """``OUT.json`` beside the video: what made it, with what settings (atomic write)."""

    record = {
        "synthetic": True,
        "generator": f"faceswap_kit {__version__}",
        "source_video": in_path.name,
        "model": model_name,
        "face_type": swapper.face_type,
        "resolution": swapper.size,
        "direction": swapper.direction,
        "merge": swapper.merge_config.to_dict(),
        **summary.to_dict(),
        "provenance": provenance,
    }
    path = summary.output_path.with_suffix(".json")
    return write_json_atomic(path, record)


def _warn_face_size(face_sizes: list[float], resolution: int) -> None:
    if not face_sizes:
        return
    typical = float(np.median(face_sizes))
    if typical < 0.35 * resolution:
        log.warning(
            "faces in the video are ~%.0f px wide but the model draws %d px faces: detail is "
            "wasted and the face may look soft; a lower-resolution model would do",
            typical, resolution,
        )  # fmt: skip
    elif typical > 3.0 * resolution:
        log.warning(
            "faces in the video are ~%.0f px wide but the model draws only %d px faces: the swap "
            "will look blurry; use a higher-resolution model or a smaller video",
            typical, resolution,
        )  # fmt: skip
