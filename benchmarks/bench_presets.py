"""Model presets side by side: what a few CPU minutes of training buy, and what a live frame costs.

    python benchmarks/bench_presets.py [--minutes 8] [--variants lite "lite:decoder_dims=32,mask_dims=12"]

Each variant (a preset, optionally with ``ModelConfig`` or ``TrainConfig`` overrides after a colon,
e.g. ``lite:ema_decay=0``) is trained on the
same two generated people for the same wall-clock minutes, one torch thread each, all variants at
once in separate processes (on a 2-core machine, two variants share it evenly). Then each is
scored against the ideal swap (SSIM and PSNR inside the face mask, 16 scenes), next to the 2D warp
and the unchanged frame, and its network is timed alone on one 128 px face (1 and 2 threads,
channels-last, as the live loop runs it).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_variant(text: str) -> tuple[str, dict, dict]:
    """``"lite:decoder_dims=32,ema_decay=0"`` -> ``("lite", model overrides, train overrides)``:
    each key goes to whichever of ``ModelConfig`` and ``TrainConfig`` has it."""
    import dataclasses

    from faceswap_kit.train import TrainConfig

    train_fields = {f.name for f in dataclasses.fields(TrainConfig)}
    preset, _, rest = text.partition(":")
    model, train = {}, {}
    for item in filter(None, rest.split(",")):
        key, _, value = (part.strip() for part in item.partition("="))
        number = float(value) if any(c in value for c in ".e") else int(value)
        (train if key in train_fields else model)[key] = number
    return preset, model, train


def train_variant(args: tuple) -> dict:
    variant, minutes, faces, seeds, work = args
    torch.set_num_threads(1)
    from faceswap_kit.evaluate import score_model
    from faceswap_kit.models import ModelConfig, parameter_count
    from faceswap_kit.train import TrainConfig, make_trainer
    from faceswap_kit.train.synthfaces import synth_faceset

    preset, overrides, train_overrides = parse_variant(variant)
    model_config = ModelConfig.preset(preset, **overrides)
    size = model_config.resolution
    data_a = synth_faceset(seeds[0], faces, size)
    data_b = synth_faceset(seeds[1], faces, size)
    train_config = TrainConfig.preset(
        preset, **{"checkpoint_minutes": 10 * minutes, **train_overrides}
    )
    trainer = make_trainer(data_a, data_b, Path(work), model_config, train_config)
    trainer.run(minutes=minutes, progress=False)
    model = trainer.swap_model()
    scores = score_model(model, seeds[0], seeds[1], pairs=16)["methods"]
    return {
        "variant": variant,
        "params": parameter_count(model.network),
        "steps": trainer.step,
        "batch": train_config.batch_size,
        "scores": scores,
    }


def forward_ms(variant: str, threads: int) -> float:
    from faceswap_kit.models import ModelConfig, SwapModel, build_network

    torch.set_num_threads(threads)
    preset, overrides, _ = parse_variant(variant)
    config = ModelConfig.preset(preset, **overrides)
    model = SwapModel(build_network(config), channels_last=True)
    face = torch.rand(1, 3, config.resolution, config.resolution)
    for _ in range(3):
        model.swap(face)
    times = []
    for _ in range(30):
        start = time.perf_counter()
        model.swap(face)
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=["lite", "tiny"])
    parser.add_argument("--minutes", type=float, default=8.0, help="training minutes per variant")
    parser.add_argument("--faces", type=int, default=300, help="generated faces per person")
    parser.add_argument("--seeds", type=int, nargs=2, default=(4, 7))
    parser.add_argument("--quick", action="store_true", help="tiny run (smoke test)")
    args = parser.parse_args()
    if args.quick:
        args.minutes, args.faces = 0.2, 24
    print(
        f"# model presets — {platform.processor() or platform.machine()}, {os.cpu_count()} CPU "
        f"cores, torch {torch.__version__}; load average {os.getloadavg()[0]:.1f} at start; "
        f"{args.minutes:g} training minutes each, 1 thread, variants trained side by side\n"
    )
    work = Path(tempfile.mkdtemp(prefix="bench_presets_"))
    jobs = [
        (variant, args.minutes, args.faces, tuple(args.seeds), str(work / str(k)))
        for k, variant in enumerate(args.variants)
    ]
    context = multiprocessing.get_context("spawn")
    with context.Pool(len(jobs)) as pool:
        results = pool.map(train_variant, jobs)
    print("| variant | params | steps (batch) | model SSIM | 2D warp SSIM | unchanged SSIM | "
          "model PSNR | network ms, 1 / 2 threads |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        m = result["scores"]
        one, two = forward_ms(result["variant"], 1), forward_ms(result["variant"], 2)
        print(
            f"| {result['variant']} | {result['params'] / 1e6:.2f} M | {result['steps']} "
            f"({result['batch']}) | {m['model']['ssim']:.3f} | {m['warp2d']['ssim']:.3f} | "
            f"{m['unchanged']['ssim']:.3f} | {m['model']['psnr']:.2f} | {one:.1f} / {two:.1f} |"
        )
    print(json.dumps(results), file=sys.stderr)


if __name__ == "__main__":
    main()
