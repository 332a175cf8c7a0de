"""Swap score against fine-tuning minutes, with and without a pretrained start (``--init``).

    PYTHONPATH=. python benchmarks/bench_finetune.py [--init crowd-lite] [--minutes 1 2 5 10]

Two generated people outside the training crowd (seeds 11 and 23, the demo's) are rendered into
face sets at the init model's resolution. The same architecture is trained twice on them, from
random weights and from ``--init``, for the largest ``--minutes`` of training time each; at every
mark the model is scored against the ideal swap (``evaluate.score_model``: who the independent
judge says the swapped face is, and masked SSIM/PSNR),
beside the 2D warp and the unchanged frame. Prints a Markdown table and saves a plot.
Scoring time is not training time. On a shared CPU the step counts vary with the load: compare
the two columns of one run.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import threading
import time
from pathlib import Path

import torch

from faceswap_kit.evaluate import score_model
from faceswap_kit.train import TrainConfig, make_trainer
from faceswap_kit.train.init import find_init
from faceswap_kit.train.synthfaces import synth_faceset


def run_condition(
    data, init, pretrained, marks, seeds, pairs, work: Path, label: str
) -> list[dict]:
    """Train one condition (``init``: start from ``pretrained``, else from random weights of the
    same architecture), scoring at each mark (minutes of training time)."""
    config = dataclasses.replace(
        pretrained.train_config or TrainConfig.lite(), log_every=2, checkpoint_minutes=1e9
    )
    model_config = None if init else pretrained.model_config
    trainer = make_trainer(
        *data, work / label, model_config, config, init=str(pretrained.path) if init else None
    )
    rows: list[dict] = []
    pending = list(marks)
    stop = threading.Event()

    def score_now() -> None:
        score = score_model(trainer.swap_model(), *seeds, pairs=pairs)
        rows.append({"minutes": pending.pop(0), "step": trainer.step, **score["methods"]})
        model = score["methods"]["model"]
        print(f"{label}: {rows[-1]['minutes']} min, step {trainer.step}: SSIM {model['ssim']:.3f}, "
              f"judged intended {model.get('id_retrieval')}", flush=True)  # fmt: skip

    def callback(trainer, record) -> None:
        while pending and trainer.elapsed >= pending[0] * 60:
            score_now()
        if not pending:
            stop.set()

    if pending and pending[0] == 0:
        score_now()
    trainer.run(stop_event=stop, callback=callback)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--init", default="crowd-lite", help="pretrained model (name or folder)")
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 2, 5, 10])
    parser.add_argument("--seeds", type=int, nargs=2, default=[11, 23])
    parser.add_argument("--faces", type=int, default=300, help="faces per person")
    parser.add_argument("--pairs", type=int, default=8, help="ideal swaps per score")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--plot", default="benchmarks/finetune.png")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    init = find_init(args.init)
    config = init.model_config
    start = time.perf_counter()
    data = [synth_faceset(seed, args.faces, config.resolution) for seed in args.seeds]
    print(f"rendered {2 * args.faces} faces in {time.perf_counter() - start:.0f} s", flush=True)
    marks = sorted(args.minutes)
    with tempfile.TemporaryDirectory(prefix="fsk-finetune-") as work:
        results = {
            label: run_condition(
                data, label == "init", init, marks, args.seeds, args.pairs, Path(work), label
            )
            for label in ("scratch", "init")
        }  # fmt: skip
    print(
        f"\nFine-tuning {config.architecture} {config.resolution} px on people {args.seeds}, "
        f"scored on {args.pairs} ideal swaps: share judged the intended person by the independent "
        f"judge, and SSIM in the face mask; {args.threads} thread(s)"
    )
    print("| minutes | steps (scratch) | judged intended, scratch | SSIM scratch | steps (--init) | "
          "judged intended, --init | SSIM --init | 2D warp: judged / SSIM | unchanged: judged / SSIM |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")

    def judged(row: dict) -> str:
        value = row.get("id_retrieval")
        return "–" if value is None else f"{value:.0%}"

    for scratch, pre in zip(results["scratch"], results["init"], strict=True):
        print(
            f"| {scratch['minutes']:g} | {scratch['step']} | {judged(scratch['model'])} | "
            f"{scratch['model']['ssim']:.3f} | {pre['step']} | {judged(pre['model'])} | "
            f"{pre['model']['ssim']:.3f} | {judged(scratch['warp2d'])} / "
            f"{scratch['warp2d']['ssim']:.3f} | {judged(scratch['unchanged'])} / "
            f"{scratch['unchanged']['ssim']:.3f} |"
        )
    plot(results, args, config)


def plot(results, args, config) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = (
        ("id_retrieval", "ssim")
        if "id_retrieval" in results["scratch"][0]["model"]
        else ("ssim", "psnr")
    )
    labels = {"id_retrieval": "share judged the intended person", "ssim": "SSIM in the face mask",
              "psnr": "PSNR in the face mask (dB)"}  # fmt: skip
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, metric in zip(axes, metrics, strict=True):
        for label, rows in results.items():
            name = "from scratch" if label == "scratch" else f"--init {Path(args.init).name}"
            ax.plot([r["minutes"] for r in rows], [r["model"][metric] for r in rows], "o-",
                    label=name)  # fmt: skip
        for base in ("warp2d", "unchanged"):
            ax.axhline(results["scratch"][0][base][metric], ls="--", lw=1, color="grey")
            first = results["scratch"][0]
            ax.text(first["minutes"], first[base][metric], base, fontsize=8, va="bottom")
        ax.set_xlabel("fine-tuning minutes (training time)")
        ax.set_ylabel(labels[metric])
        ax.legend()
    fig.suptitle(f"{config.architecture} {config.resolution} px, people {args.seeds}")
    fig.tight_layout()
    Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.plot, dpi=100)
    print(f"saved {args.plot}")


if __name__ == "__main__":
    main()
