"""Merge-stage benchmark: merge time, colour-transfer time, landmark smoothing (jitter and lag).

Prints markdown tables with the peers' figures of DESIGN.md section 6 beside ours. Timings are
medians of many runs; the machine is shared, so repeat and read ratios rather than absolutes.

    python benchmarks/bench_merge.py [--repeats 30] [--threads N] [--quick]
    python benchmarks/bench_merge.py --busy-cores 1 [--wait both]   # 1 vs 2 threads, quiet vs busy
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import sys
import time

from load import busy_cores, policy_name, rerun_per_policy, wait_policy_from_argv

WAIT = wait_policy_from_argv(sys.argv)  # before torch is imported: OpenMP reads it once

import torch  # noqa: E402

# DESIGN.md section 6: peers measured on this 2-core machine class
PEER_MERGE = {"DeepFaceLive (CPU merge)": 13.8, "DeepFaceLab merger (rct)": 22.0}
PEER_COLOR = {"rct": 4.5, "lct": 3.5, "mkl": 7.0, "idt": 262.0, "sot": 394.0}
AIM_COLOR = {"rct": 4.5, "lct": 3.5, "mkl": 7.0, "idt": 26.2, "sot": 39.4}


def median_ms(fn, repeats: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def merge_inputs(face_px: int = 224):
    """A 640x480 frame with a 224 px face crop (rotated 10 degrees) and a hull-like mask."""
    g = torch.Generator().manual_seed(0)
    frame = torch.rand(1, 3, 480, 640, generator=g)
    face = torch.rand(1, 3, face_px, face_px, generator=g)
    yy, xx = torch.meshgrid(torch.arange(face_px), torch.arange(face_px), indexing="ij")
    c = (face_px - 1) / 2
    mask = ((xx - c) / (0.38 * face_px)) ** 2 + ((yy - c * 1.05) / (0.45 * face_px)) ** 2 <= 1
    mask = mask.float()[None, None]
    angle, scale = math.radians(10), face_px / 260
    matrix = torch.tensor(
        [[scale * math.cos(angle), -scale * math.sin(angle), 0.0],
         [scale * math.sin(angle), scale * math.cos(angle), 0.0]]
    )  # fmt: skip
    centre = torch.tensor([320.0, 240.0])
    matrix[:, 2] = torch.tensor([c, c]) - matrix[:, :2] @ centre
    return frame, face, mask, matrix[None]


def bench_merge(repeats: int) -> list[tuple[str, float]]:
    from faceswap_kit.merge import MergeConfig, merge_face

    frame, face, mask, matrix = merge_inputs()
    rows = []
    for label, config in (
        ("rct, erode 5, blur 25, feather", MergeConfig(color="rct", erode=5, blur=25, blend="feather")),
        ("no colour, erode 5, blur 25, feather", MergeConfig(color="none", erode=5, blur=25, blend="feather")),
        ("rct, erode 5, blur 25, seamless", MergeConfig(color="rct", erode=5, blur=25, blend="seamless")),
        ("default config", MergeConfig.default()),
    ):  # fmt: skip
        with torch.inference_mode():
            rows.append(
                (
                    label,
                    median_ms(lambda c=config: merge_face(frame, face, mask, matrix, c), repeats),
                )
            )
    return rows


def bench_color(repeats: int) -> list[tuple[str, float]]:
    from faceswap_kit.merge.color import transfer_color

    g = torch.Generator().manual_seed(1)
    source = torch.rand(1, 3, 256, 256, generator=g) * 0.6 + 0.2
    target = (torch.rand(1, 3, 256, 256, generator=g) ** 2) * 0.8 + 0.1
    rows = []
    for mode in ("rct", "lct", "mkl", "idt", "sot"):
        with torch.inference_mode():
            rows.append(
                (mode, median_ms(lambda m=mode: transfer_color(source, target, m), repeats))
            )
    return rows


def _detect_clip(frames, detector) -> torch.Tensor:
    points = []
    for image in frames:
        faces = detector(image)
        if not faces:
            return torch.empty(0)
        points.append(torch.from_numpy(faces[0].landmarks[:468]))
    return torch.stack(points)


def _to_uint8(render) -> np.ndarray:  # noqa: F821
    return (render.image[0].permute(1, 2, 0).numpy() * 255 + 0.5).clip(0, 255).astype("uint8")


def bench_smoothing(frames: int = 60, size: int = 256) -> dict[str, float]:
    """Jitter on a still head (camera noise only) and lag on a fast head move, mediapipe landmarks."""
    import numpy as np

    from faceswap_kit.detect import MediaPipeDetector
    from faceswap_kit.smoothing import OneEuroConfig, jitter, lag_frames, smooth_sequence
    from faceswap_kit.synth import Identity, Pose, render

    fps = 30.0
    person = Identity.from_seed(11)
    still = render(person, pose=Pose(yaw=8.0), size=size)
    rng = np.random.default_rng(0)
    base = _to_uint8(still).astype(np.float32)
    noisy = [
        np.clip(base + rng.normal(0, 3.0, base.shape), 0, 255).astype(np.uint8)
        for _ in range(frames)
    ]
    with MediaPipeDetector(mode="video") as detector:
        raw_still = _detect_clip(noisy, detector)
    config = OneEuroConfig.default()
    smooth_still = smooth_sequence(raw_still, fps, config.min_cutoff, config.beta, config.d_cutoff)
    eye = float((still.landmarks[0, 263] - still.landmarks[0, 33]).norm())
    # fast motion: the head sweeps 0.4 of the frame and back in one second (~3 px/frame at 256 px)
    t = np.arange(frames) / fps
    xs = 0.2 * np.sin(2 * np.pi * 1.0 * t)
    moving = [render(person, pose=Pose(yaw=8.0, x=float(x)), size=size) for x in xs]
    with MediaPipeDetector(mode="video") as detector:
        raw_move = _detect_clip([_to_uint8(r) for r in moving], detector)
    smooth_move = smooth_sequence(raw_move, fps, config.min_cutoff, config.beta, config.d_cutoff)
    return {
        "eye_px": eye,
        "jitter_raw": jitter(raw_still[10:]),
        "jitter_smooth": jitter(smooth_still[10:]),
        "lag_frames": lag_frames(raw_move, smooth_move),
        "move_err_raw": float((raw_move - smooth_move).norm(dim=-1).mean()),
        "speed_px_per_frame": float(np.abs(np.diff(xs)).max() * size),
    }


def _rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def bench_convert(folder, lengths=(30, 90), preset: str = "lite") -> list[dict]:
    """Convert generated 640x480 clips with a ``lite``-sized model; throughput and peak memory.

    The model is untrained (same architecture and size as a trained ``lite`` model, so the same
    speed); the clip is a generated person, so every frame has a face.
    """
    import threading
    from pathlib import Path

    import numpy as np

    from faceswap_kit.convert import convert_video
    from faceswap_kit.io.video import VideoWriter
    from faceswap_kit.models import ModelConfig, SwapModel, build_network
    from faceswap_kit.synth import render_clip

    folder = Path(folder)
    model = SwapModel(build_network(ModelConfig.preset(preset)))
    rows = []
    for length in lengths:
        clip = folder / f"clip_{length}.mp4"
        with VideoWriter(clip, 25.0, (640, 480)) as writer:
            for render in render_clip(3, length, size=480):
                image = _to_uint8(render)
                writer.write(np.pad(image, ((0, 0), (80, 80), (0, 0)), mode="edge"))
        peak = [_rss_mb()]
        done = threading.Event()

        def sample(peak=peak, done=done) -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], _rss_mb())

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        summary = convert_video(model, clip, folder / f"out_{length}.mp4", overwrite=True,
                                progress=False, sidecar=False)  # fmt: skip
        done.set()
        thread.join()
        total = sum(summary.stage_ms.values())
        rows.append({"frames": summary.frames, "fps": summary.fps, "peak_mb": peak[0],
                     "share": {k: v / total for k, v in summary.stage_ms.items()},
                     "ms": summary.stage_ms})  # fmt: skip
    return rows


def bench_under_load(busy: int, rounds: int, repeats: int) -> None:
    """The merge on 1 thread, 2 threads, and 2 threads capped by the load, quiet and busy.

    Conditions are interleaved round by round, so background load on a shared machine falls on
    all of them alike. Each cell: median of the per-round medians, and the slowest single merge.
    """
    from faceswap_kit.merge import MergeConfig, merge_face
    from faceswap_kit.threads import CpuLoad, LoadAwareThreads

    frame, face, mask, matrix = merge_inputs()
    config = MergeConfig(color="rct", erode=5, blur=25, blend="feather")
    load = CpuLoad()
    settings = {"1 thread": (1, False), "2 threads": (2, False), "2 threads, load-aware": (2, True)}
    conditions = ("quiet", f"{busy} core(s) busy")
    medians = {(c, s): [] for c in conditions for s in settings}
    worst = dict.fromkeys(medians, 0.0)
    others = {c: [] for c in conditions}
    saved = torch.get_num_threads()
    for _ in range(rounds):
        for condition in conditions:
            with busy_cores(busy if condition != "quiet" else 0):
                load.others()
                for name, (threads, adapt) in settings.items():
                    torch.set_num_threads(threads)
                    plan = LoadAwareThreads(None, adapt=adapt, load=load)

                    def run(plan=plan):
                        with plan.frame():
                            merge_face(frame, face, mask, matrix, config)

                    times = []
                    with torch.inference_mode():
                        for index in range(repeats + 3):
                            start = time.perf_counter()
                            run()
                            if index >= 3:
                                times.append((time.perf_counter() - start) * 1000)
                    medians[(condition, name)].append(statistics.median(times))
                    worst[(condition, name)] = max(worst[(condition, name)], max(times))
                others[condition].append(load.others() or 0.0)
    torch.set_num_threads(saved)
    print("## Merge under load: 640x480 frame, 224 px face, rct, erode 5, blur 25, feather\n")
    print(f"{policy_name()}; {rounds} interleaved rounds x {repeats} merges; shared machine\n")
    print("| setting | " + " | ".join(f"{c}: median ms | {c}: slowest ms" for c in conditions)
          + " |")  # fmt: skip
    print("|---" * (1 + 2 * len(conditions)) + "|")
    for name in settings:
        cells = []
        for condition in conditions:
            cells += [f"{statistics.median(medians[(condition, name)]):.1f}",
                      f"{worst[(condition, name)]:.0f}"]  # fmt: skip
        print(f"| {name} | " + " | ".join(cells) + " |")
    for condition in conditions:
        one = statistics.median(medians[(condition, "1 thread")])
        two = statistics.median(medians[(condition, "2 threads")])
        auto = statistics.median(medians[(condition, "2 threads, load-aware")])
        print(f"\n{condition}: 2 threads / 1 thread time = {two / one:.2f}x; load-aware / 1 thread"
              f" = {auto / one:.2f}x; other processes used {statistics.mean(others[condition]):.2f}"
              " cores (measured)")  # fmt: skip


def main() -> None:
    if WAIT == "both":
        rerun_per_policy(sys.argv)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument("--quick", action="store_true", help="timings only (no smoothing section)")
    parser.add_argument("--convert", action="store_true", help="also time video conversion")
    parser.add_argument("--busy-cores", type=int, default=0,
                        help="only the load table: N cores kept busy by other processes")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds under load")
    parser.add_argument("--wait", choices=("passive", "default", "both"), default="passive",
                        help="OpenMP wait policy (default passive, as the faceswap-kit command)")  # fmt: skip
    args = parser.parse_args()
    if args.busy_cores:
        bench_under_load(args.busy_cores, args.rounds, min(args.repeats, 20))
        return
    if args.threads:
        torch.set_num_threads(args.threads)
    repeats = args.repeats
    print(f"machine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} torch "
          f"threads, torch {torch.__version__}; medians of {repeats} runs (shared machine: noisy)\n")  # fmt: skip

    print("## Merge one 640x480 frame, 224 px face\n")
    print("| work | ours (ms) | DeepFaceLive (ms) | DeepFaceLab (ms) | aim (ms) |")
    print("|---|---|---|---|---|")
    for label, ms in bench_merge(repeats):
        print(f"| {label} | {ms:.1f} | 13.8 | 22.0 | 7 |")

    print("\n## Colour transfer, 256x256 pair\n")
    print("| mode | ours (ms) | DeepFaceLab (ms) | speed-up | aim (ms) |")
    print("|---|---|---|---|---|")
    for mode, ms in bench_color(repeats):
        print(f"| {mode} | {ms:.2f} | {PEER_COLOR[mode]:.1f} | {PEER_COLOR[mode] / ms:.1f}x | "
              f"<= {AIM_COLOR[mode]:.1f} |")  # fmt: skip

    if not args.quick:
        s = bench_smoothing()
        print("\n## Landmark smoothing (One-Euro, defaults), mediapipe on generated clips\n")
        print("| figure | raw | smoothed |")
        print("|---|---|---|")
        print(f"| jitter, still head + camera noise (px, mean per-point std) | {s['jitter_raw']:.3f} | "
              f"{s['jitter_smooth']:.3f} |")  # fmt: skip
        print(f"| same, % of eye-corner distance ({s['eye_px']:.0f} px) | "
              f"{100 * s['jitter_raw'] / s['eye_px']:.2f} | {100 * s['jitter_smooth'] / s['eye_px']:.2f} |")  # fmt: skip
        print(f"| lag on fast motion ({s['speed_px_per_frame']:.1f} px/frame peak), frames | 0 | "
              f"{s['lag_frames']} |")  # fmt: skip
        print(
            f"| mean distance smoothed vs raw during the move (px) | - | {s['move_err_raw']:.2f} |"
        )

    if args.convert:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            rows = bench_convert(folder)
        names = list(rows[0]["ms"])
        print("\n## Conversion, 640x480 generated clip, lite-size model (128 px), default merge\n")
        print(
            "| frames | frames/s | peak RSS (MB) | "
            + " | ".join(f"{k} ms (share)" for k in names)
            + " |"
        )
        print("|---" * (3 + len(names)) + "|")
        for row in rows:
            stages = " | ".join(
                f"{row['ms'][k]:.1f} ({100 * row['share'][k]:.0f} %)" for k in names
            )
            print(f"| {row['frames']} | {row['fps']:.1f} | {row['peak_mb']:.0f} | {stages} |")


if __name__ == "__main__":
    main()
