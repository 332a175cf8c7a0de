"""Extraction-stage benchmark: throughput per stage and end to end on a 640x480 clip of a generated
person, peak memory against clip length, landmark accuracy against the generator's ground truth,
and where aligned eye centres land.

    python benchmarks/bench_extract.py [--frames 300] [--quick]

Timings are medians of ``--repeats`` passes on a shared machine: read them as rough figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from faceswap_kit.align import canonical_landmarks, face_matrix, transform_points  # noqa: E402
from faceswap_kit.io import VideoReader, VideoWriter, tensor_to_image  # noqa: E402

BAR_FPS = 150.0


def make_clip(path: Path, frames: int, unique: int = 60) -> Path:
    """640x480 clip: ``unique`` rendered frames of a generated person (looped), letterboxed."""
    from faceswap_kit.synth import render_clip

    rendered = [tensor_to_image(r.image) for r in render_clip(11, unique, size=400)]
    with VideoWriter(path, fps=25, size=(640, 480)) as writer:
        for k in range(frames):
            frame = np.full((480, 640, 3), 60, np.uint8)
            frame[40:440, 120:520] = rendered[
                k % unique if (k // unique) % 2 == 0 else -1 - k % unique
            ]
            writer.write(frame)
    return path


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _detect_all(frames: list[np.ndarray]) -> tuple[float, list]:
    from faceswap_kit.detect import MediaPipeDetector

    with MediaPipeDetector(mode="video") as detector:
        detector(frames[0])
        start = time.perf_counter()
        faces = [detector(frame)[0] for frame in frames]
        return time.perf_counter() - start, faces


def _align_all(frames: list[np.ndarray], faces: list) -> tuple[float, list[np.ndarray]]:
    from faceswap_kit.dataset.writer import align_batch

    pending = [(None, k, frames[k], faces[k]) for k in range(len(frames))]
    start = time.perf_counter()
    batches = [
        align_batch(pending[k : k + 16], "whole_face", 256) for k in range(0, len(pending), 16)
    ]
    seconds = time.perf_counter() - start
    return seconds, [image for batch in batches for image in batch.images]


def stage_rates(clip: Path, repeats: int) -> dict[str, float]:
    from faceswap_kit.dataset.writer import encode_image

    frames = list(VideoReader(clip))
    count = len(frames)
    names = ("decode", "detect", "align+mask+score", "encode png", "encode jpg")
    rates: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(repeats):
        rates["decode"].append(count / timed(lambda: sum(1 for _ in VideoReader(clip))))
        seconds, faces = _detect_all(frames)
        rates["detect"].append(count / seconds)
        seconds, images = _align_all(frames, faces)
        rates["align+mask+score"].append(count / seconds)
        for fmt in ("png", "jpg"):
            start = time.perf_counter()
            for image in images:
                encode_image(image, fmt)
            rates[f"encode {fmt}"].append(count / (time.perf_counter() - start))
    return {k: statistics.median(v) for k, v in rates.items()}


def end_to_end(clip: Path, image_format: str, repeats: int) -> tuple[float, dict[str, float]]:
    """Median frames/s of ``extract``, and the busy ms per frame of each stage in that run."""
    from faceswap_kit.dataset import extract
    from faceswap_kit.threads import extraction_threads

    runs = []
    for _ in range(repeats):
        out = Path(tempfile.mkdtemp()) / "set"
        with extraction_threads(1):
            summary = extract(clip, out, "whole_face", 256, image_format=image_format)
        stages = {k: 1000 * v / summary.frames_seen for k, v in summary.stage_seconds.items()}
        runs.append((summary.frames_per_second, stages))
        shutil.rmtree(out.parent)
    runs.sort(key=lambda run: run[0])
    return runs[len(runs) // 2]


PEAK_SCRIPT = """
import resource, sys, tempfile
sys.path.insert(0, {root!r})
from faceswap_kit.dataset import extract
from faceswap_kit.threads import extraction_threads
with extraction_threads(1):
    summary = extract({clip!r}, tempfile.mkdtemp() + "/set", size=256, image_format="jpg")
print(summary.faces_total, summary.frames_per_second,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def fresh_process(clip: Path) -> tuple[int, float, int]:
    """(faces, frames/s, peak RSS in MiB) of an extraction in a fresh process: the rate includes
    loading mediapipe and its graphs (~0.6 s) and every first-call cost."""
    code = PEAK_SCRIPT.format(root=str(ROOT), clip=str(clip))
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    faces, rate, mib = output.stdout.split()[-3:]
    return int(faces), float(rate), int(mib)


def accuracy(seeds: list[int], frames: int) -> dict[str, float]:
    from faceswap_kit.detect import MediaPipeDetector, estimate_pose
    from faceswap_kit.synth import clip_parameters, render_clip

    errors, eyes, frontal_eyes, yaw_errors = [], [], [], []
    target = canonical_landmarks("whole_face", 256)
    for seed in seeds:
        poses = [p for _, p in clip_parameters(seed, frames, 25.0)]
        with MediaPipeDetector(mode="video") as detector:
            for index, render in enumerate(render_clip(seed, frames, size=256)):
                found = detector(tensor_to_image(render.image))
                if not found:
                    errors.append(float("nan"))
                    continue
                points = torch.from_numpy(found[0].landmarks)[None]
                truth = render.landmarks.float()
                eye_distance = (truth[0, 33] - truth[0, 263]).norm()
                errors.append(
                    float((points[0, :468] - truth[0]).norm(dim=-1).mean() / eye_distance)
                )
                aligned = transform_points(truth, face_matrix(points, "whole_face", 256))[0]
                for eye in ([33, 133], [362, 263]):
                    error = float((aligned[eye].mean(0) - target[eye].mean(0)).norm() / 256)
                    eyes.append(error)
                    if abs(poses[index].yaw) < 15:
                        frontal_eyes.append(error)
                yaw_errors.append(abs(float(estimate_pose(points)[0, 0]) - poses[index].yaw))
    found = np.isfinite(errors)
    return {
        "frames": len(errors),
        "found": float(found.mean()),
        "landmark error": float(np.nanmean(errors)),
        "landmark error p95": float(np.nanpercentile(errors, 95)),
        "eye error": float(np.mean(eyes)),
        "eye error frontal": float(np.mean(frontal_eyes)) if frontal_eyes else float("nan"),
        "eye error p95": float(np.percentile(eyes, 95)),
        "yaw error": float(np.median(yaw_errors)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300, help="clip length for throughput")
    parser.add_argument("--repeats", type=int, default=3, help="passes per timing (median)")
    parser.add_argument("--quick", action="store_true", help="small run (smoke test)")
    args = parser.parse_args()
    if args.quick:
        args.frames, args.repeats = 60, 1
    torch.set_num_threads(1)  # as the extract command does: the detector gets the other core
    work = Path(tempfile.mkdtemp(prefix="bench_extract_"))
    try:
        clip = make_clip(work / "clip.mp4", args.frames)
        print(f"# extraction benchmark — {platform.processor() or platform.machine()}, "
              f"{os.cpu_count()} CPU cores, torch {torch.__version__}, torch threads "
              f"{torch.get_num_threads()}; load average {os.getloadavg()[0]:.1f} at start "
              f"(shared machine: medians of {args.repeats})\n")  # fmt: skip
        rates = stage_rates(clip, args.repeats)
        print(f"## Throughput, 640x480 clip, {args.frames} frames, whole_face 256 px\n")
        print("| stage | frames/s | ms/frame |\n|---|---:|---:|")
        for name, rate in rates.items():
            print(f"| {name} | {rate:.0f} | {1000 / rate:.2f} |")
        breakdown = {}
        for fmt in ("jpg", "png"):
            rate, breakdown[fmt] = end_to_end(clip, fmt, args.repeats)
            verdict = "meets" if rate >= BAR_FPS else "below"
            print(f"| **end to end ({fmt}: decode, detect, align, mask, score, write)** | "
                  f"**{rate:.0f}** | {1000 / rate:.2f} ({verdict} the {BAR_FPS:.0f} fps bar) |")  # fmt: skip
        print("\n## Where the time goes inside extract (busy ms per frame, per stage)\n")
        print(
            "Detection runs on the main thread, alignment on a second thread, writing on two more;"
        )
        print("stages overlap, so the slowest one (not the sum) sets the pace.\n")
        print(
            "| format | waiting for decode | detect | align+mask+score | encode+write (2 threads) |"
        )
        print("|---|---:|---:|---:|---:|")
        for fmt, stages in breakdown.items():
            print(f"| {fmt} | {stages.get('decode', 0):.2f} | {stages.get('detect', 0):.2f} | "
                  f"{stages.get('align', 0):.2f} | {stages.get('write', 0):.2f} |")  # fmt: skip
        print("\n## A fresh process per run (jpg): speed including start-up, and peak memory\n")
        print("The rates above are of warm runs; a fresh process also loads mediapipe and builds")
        print("its graphs once (~0.6 s), which weighs on short clips.\n")
        print("| frames | faces | frames/s, start-up included | peak RSS (MiB) |")
        print("|---:|---:|---:|---:|")
        lengths = (60, 240) if args.quick else (300, 1000, 3000)
        for length in lengths:
            long_clip = make_clip(work / f"clip{length}.mp4", length)
            faces, rate, mib = fresh_process(long_clip)
            print(f"| {length} | {faces} | {rate:.0f} | {mib} |")
        print("\n## Accuracy against the generator's ground truth (256 px frames)\n")
        result = accuracy([1, 2, 3] if not args.quick else [1], 40 if not args.quick else 12)
        print("| measure | value | bar |\n|---|---:|---|")
        print(f"| frames (face found) | {result['frames']} ({result['found']:.0%}) | |")
        print(f"| mean landmark error / outer-eye-corner distance | "
              f"{result['landmark error']:.1%} | ≤ 5% |")  # fmt: skip
        print(f"| 95th percentile landmark error | {result['landmark error p95']:.1%} | |")
        print(f"| aligned eye centre to canonical spot / crop (whole_face, all frames) | "
              f"{result['eye error']:.2%} | ≤ 2% |")  # fmt: skip
        print(
            f"| same, near-frontal frames (abs(yaw) < 15°) | {result['eye error frontal']:.2%} | ≤ 2% |"
        )
        print(f"| same, 95th percentile | {result['eye error p95']:.2%} | |")
        print(f"| median yaw error (°) | {result['yaw error']:.1f} | |")
        print(json.dumps({"rates": rates, "accuracy": result}), file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
