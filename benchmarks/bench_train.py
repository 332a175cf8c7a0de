"""Training benchmark: data step, training step split (data / forward / backward / optimizer),
samples/s per preset and resolution, FLOP utilisation against a measured peak of this machine,
beside the peers' figures of DESIGN.md §6.

    PYTHONPATH=. python benchmarks/bench_train.py            # a few minutes on a 2-core CPU
    PYTHONPATH=. python benchmarks/bench_train.py --full     # adds default@256 and more repeats
    PYTHONPATH=. python benchmarks/bench_train.py --device cuda

Timings are medians over repeats; on a shared machine they are noisy, so read ratios, not digits.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout's testing package

from faceswap_kit.models import ModelConfig, build_network, parameter_count  # noqa: E402
from faceswap_kit.train import TrainConfig, make_trainer  # noqa: E402
from testing.toyfaces import toy_faceset  # noqa: E402

PEER_DATA_MS = {64: 9.7, 128: 41.4, 256: 139.0}  # faceswap, 16 faces/side x 2 + masks
PEER_STEP_S = 4.0  # faceswap "Original", 64 px, batch 16/side, 82M params, SSIM loss
PEER_PARAMS = 82e6


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def median_time(fn, repeats: int, device: torch.device, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        sync(device)
        start = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measured_peak(device: torch.device, repeats: int, n: int | None = None) -> dict[str, float]:
    """GFLOP/s of a large fp32 matmul and a large 3x3 convolution (bf16 too on CUDA)."""
    out: dict[str, float] = {}
    n = n or (2048 if device.type == "cpu" else 8192)
    a, b = torch.rand(n, n, device=device), torch.rand(n, n, device=device)
    out["matmul fp32"] = 2 * n**3 / median_time(lambda: a @ b, repeats, device) / 1e9
    x = torch.rand(16, 128, 64, 64, device=device)
    conv = torch.nn.Conv2d(128, 128, 3, padding=1).to(device)
    with torch.no_grad():
        seconds = median_time(lambda: conv(x), repeats, device)
    out["conv3x3 fp32"] = 2 * 16 * 128 * 128 * 9 * 64 * 64 / seconds / 1e9
    if device.type == "cuda":
        a16, b16 = a.bfloat16(), b.bfloat16()
        out["matmul bf16"] = 2 * n**3 / median_time(lambda: a16 @ b16, repeats, device) / 1e9
    return out


def forward_flops(config: ModelConfig, batch: int) -> float:
    network = build_network(config)
    x = torch.rand(batch, 3, config.resolution, config.resolution)
    with FlopCounterMode(display=False) as counter:
        network.reconstruct(x, x)
    return float(counter.get_total_flops())


def bench_data(device: torch.device, sizes: list[int], repeats: int) -> list[tuple[int, float]]:
    rows = []
    for size in sizes:
        a = toy_faceset(1, 64, size).to(device)
        b = toy_faceset(2, 64, size).to(device)
        trainer = make_trainer(a, b, tempfile.mkdtemp(), ModelConfig.tiny(resolution=size, **SMALL),
                               TrainConfig(batch_size=16), device=device)  # fmt: skip
        seconds = median_time(trainer.sample_batch, repeats, device)
        rows.append((size, seconds * 1000))
    return rows


SMALL = dict(encoder_dims=4, bottleneck_dims=8, decoder_dims=4, mask_dims=2)


def bench_step(
    device: torch.device, config: ModelConfig, batch: int, repeats: int
) -> dict[str, float]:
    a = toy_faceset(1, 32, config.resolution).to(device)
    b = toy_faceset(2, 32, config.resolution).to(device)
    trainer = make_trainer(
        a, b, tempfile.mkdtemp(), config, TrainConfig(batch_size=batch), device=device
    )
    trainer.profile = True
    trainer.train_step()  # warm-up
    parts: dict[str, list[float]] = {}
    totals = []
    for _ in range(repeats):
        start = time.perf_counter()
        trainer.train_step()
        totals.append(time.perf_counter() - start)
        for key, value in trainer.timings.items():
            parts.setdefault(key, []).append(value)
    result = {k: statistics.median(v) for k, v in parts.items()}
    result["step_ms"] = statistics.median(totals) * 1000
    result["samples_s"] = 2 * batch / statistics.median(totals)
    result["params_m"] = parameter_count(trainer.network) / 1e6
    result["flops_step"] = 3 * forward_flops(config, batch)  # backward ~ 2x forward
    compute_s = (result["forward_ms"] + result["backward_ms"]) / 1000
    result["gflops"] = result["flops_step"] / compute_s / 1e9
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="training benchmark")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also default@256 and lite@256")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    torch.manual_seed(0)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor()
    print(
        f"# Training benchmark — {device} ({name or platform.machine()}), torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads; medians of {args.repeats}\n"
    )
    peak = measured_peak(device, max(3, args.repeats))
    peak_gflops = max(peak.values()) if device.type == "cpu" else peak.get("matmul bf16", 0.0)
    print("## Measured peak\n\n| kernel | GFLOP/s |\n|---|---|")
    for key, value in peak.items():
        print(f"| {key} | {value:.1f} |")

    print("\n## Data step: 16 faces/side x 2 sides + masks (warp, similarity, flip, colour)\n")
    print("| px | ours (ms) | faceswap (ms) | faceswap / ours |\n|---|---|---|---|")
    for size, ms in bench_data(device, [64, 128, 256], max(5, args.repeats)):
        print(f"| {size} | {ms:.1f} | {PEER_DATA_MS[size]:.1f} | {PEER_DATA_MS[size] / ms:.1f}x |")

    cases = [
        ("tiny", 64, 8), ("tiny", 128, 8), ("tiny", 256, 8),
        ("lite", 64, 8), ("lite", 128, 8),
        ("default", 64, 4), ("default", 128, 4),
    ]  # fmt: skip
    if args.full or device.type == "cuda":
        cases += [("lite", 256, 8), ("default", 256, 8 if device.type == "cpu" else 32)]
    print("\n## Training step (DF), batch per side as shown\n")
    print(
        "| preset | px | batch/side | params (M) | data ms | forward ms | backward ms | "
        "optimizer ms | step ms | samples/s | GFLOP/s | peak now | of peak |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    for preset, size, batch in cases:
        r = bench_step(device, ModelConfig.preset(preset, resolution=size), batch, args.repeats)
        if device.type == "cpu":  # the machine is shared: re-measure the peak beside each row
            peak_gflops = max(measured_peak(device, 3, n=1024).values())
        print(
            f"| {preset} | {size} | {batch} | {r['params_m']:.1f} | {r['data_ms']:.1f} | "
            f"{r['forward_ms']:.0f} | {r['backward_ms']:.0f} | {r['optimizer_ms']:.0f} | "
            f"{r['step_ms']:.0f} | {r['samples_s']:.1f} | {r['gflops']:.0f} | {peak_gflops:.0f} | "
            f"{100 * r['gflops'] / peak_gflops:.0f}% |"
        )

    equal = ModelConfig(
        resolution=64, encoder_dims=128, bottleneck_dims=768, decoder_dims=64, mask_dims=16
    )
    r = bench_step(device, equal, 16, 2)
    print("\n## Equal size vs faceswap 'Original' (64 px, batch 16/side, SSIM-based loss)\n")
    print("| model | params (M) | step (s) | samples/s | ratio |\n|---|---|---|---|---|")
    print(
        f"| faceswap Original (DESIGN.md §6) | {PEER_PARAMS / 1e6:.0f} | {PEER_STEP_S:.2f} | {32 / PEER_STEP_S:.1f} | 1.0x |"
    )
    print(
        f"| ours, DF enc 128 / bottleneck 768 / dec 64 | {r['params_m']:.0f} | {r['step_ms'] / 1000:.2f} | "
        f"{r['samples_s']:.1f} | {r['samples_s'] / (32 / PEER_STEP_S):.2f}x |"
    )


if __name__ == "__main__":
    main()
