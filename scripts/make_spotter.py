"""Train the bundled fake spotter (``models/spotter-cnn``) and test it on people it never saw.

    PYTHONPATH=. python scripts/make_spotter.py --train-people 48 --test-people 16 --steps 600

Real crops: clips of generated people (training seeds 20000 and up, test seeds 30000 and up: no
person is in both); fakes: the 2D warp (feathers 0 to 0.15) and the bundled models
``synth-4-7-df-tiny`` and ``anyface-lite`` swapping those clips. Writes ``model.safetensors``,
``card.json`` (config, seeds, the command, test AUC per kind of fake) and ``README.md``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import torch

from faceswap_kit.spotter import SpotterConfig, evaluate, make_crops, save_spotter, train_spotter

ROOT = Path(__file__).resolve().parents[1]
TRAIN_SEED0, TEST_SEED0 = 20_000, 30_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-people", type=int, default=48)
    parser.add_argument("--test-people", type=int, default=16)
    parser.add_argument("--frames", type=int, default=6, help="frames per person")
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "spotter-cnn")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    start = time.perf_counter()
    train_seeds = list(range(TRAIN_SEED0, TRAIN_SEED0 + args.train_people))
    test_seeds = list(range(TEST_SEED0, TEST_SEED0 + args.test_people))
    train = make_crops(train_seeds, args.frames, generator=torch.Generator().manual_seed(0))
    test = make_crops(test_seeds, args.frames, generator=torch.Generator().manual_seed(1))
    made = time.perf_counter() - start
    config = SpotterConfig.default()
    model = train_spotter(train, steps=args.steps, config=config)
    trained = time.perf_counter() - start - made
    result = evaluate(model, test)
    per_kind = {k: {n: round(v, 3) for n, v in r.items()} for k, r in result["per_kind"].items()}
    card = {
        "command": "PYTHONPATH=. python scripts/make_spotter.py " + shlex.join(sys.argv[1:]),
        "train_seeds": [train_seeds[0], train_seeds[-1]],
        "test_seeds": [test_seeds[0], test_seeds[-1]],
        "donor_seeds": "each real person's seed + 50000",
        "crops": {"train": len(train), "test": len(test), "side": config.crop},
        "steps": args.steps,
        "seconds": {"data": round(made, 1), "training": round(trained, 1)},
        "threads": args.threads,
        "test_auc": round(result["auc"], 4),
        "test_per_kind": per_kind,
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    save_spotter(model, args.out, card)
    rows = "\n".join(
        f"| {k} | {v['count']} | {v['auc']:.3f} | {v['fooled']:.0%} |" for k, v in per_kind.items()
    )
    (args.out / "README.md").write_text(
        f"""# Model card: spotter-cnn

A small CNN ({card["parameters"]:,} parameters) that scores {config.crop} px face crops: the
probability that the face was swapped. For teaching (notebook 05), not for judging real footage:
it has only seen generated people and the kit's own swaps.

- **Real:** clips of generated people (seeds {train_seeds[0]}..{train_seeds[-1]}, {args.frames} frames each; they do not exist)
- **Fakes:** the 2D landmark warp (feathers 0 to 0.15) and the bundled `synth-4-7-df-tiny` and `anyface-lite` models swapping those clips
- **Training:** {args.steps} steps, batch 32, {trained:.0f} s wall clock on {args.threads} CPU threads of a shared machine ({len(train)} crops)
- **Tested on people it never saw** (seeds {test_seeds[0]}..{test_seeds[-1]}, {len(test)} crops): AUC {result["auc"]:.3f}

| fake | crops | AUC against the real crops | called real (score < 0.5) |
|---|---|---|---|
{rows}

## Command

```
{card["command"]}
```
"""
    )
    print(json.dumps(card, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
