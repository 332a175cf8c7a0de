"""Train the bundled pretrained model of two generated people and export it into models/.

    PYTHONPATH=. python scripts/make_pretrained.py [--minutes 12] [--out models/synth-4-7-df-tiny]
    PYTHONPATH=. python scripts/make_pretrained.py --preset lite --minutes 35 --threads 2
    PYTHONPATH=. python scripts/make_pretrained.py --init work/crowd-lite --minutes 10

With ``--init``, the pair model starts from a pretrained model's weights (and takes its preset).

Trains ``ModelConfig.tiny()`` (DF, 64 px; or another preset at its own resolution) on this
machine's CPU, scores every checkpoint against
the ideal swap (the curve goes into the model card's ``score_history``), measures the landmark
error at the end, and exports fp16 weights + config + card. Reproducible: seeded data and training.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch

from faceswap_kit.evaluate import score_model, score_table, synth_scorer
from faceswap_kit.models import ModelConfig, load_model
from faceswap_kit.models.export import export_model
from faceswap_kit.train import TrainConfig, make_trainer
from faceswap_kit.train.pretrain import record_command
from faceswap_kit.train.state import read_train_config
from faceswap_kit.train.synthfaces import synth_faceset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-a", type=int, default=4)
    parser.add_argument("--seed-b", type=int, default=7)
    parser.add_argument("--faces", type=int, default=300, help="faces per person")
    parser.add_argument("--minutes", type=float, default=12.0)
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--init", default=None, help="start from this pretrained model")
    parser.add_argument(
        "--resolution", type=int, default=None, help="face size (default: the preset's; tiny: 64)"
    )
    parser.add_argument("--score-every", type=float, default=1.5, help="minutes between scores")
    parser.add_argument("--out", default=None, help="export folder (default models/<name>)")
    parser.add_argument("--work", default=None, help="training folder (default: a temp folder)")
    parser.add_argument(
        "--resume", action="store_true", help="continue the run in --work for --minutes more"
    )
    parser.add_argument(
        "--learning-rate", type=float, default=None,
        help="AdamW learning rate (with --resume: continue at this rate, e.g. for a final phase)",
    )  # fmt: skip
    parser.add_argument(
        "--threads", type=int, default=1,
        help="torch CPU threads (1 is fastest on a shared 2-core machine: no spin-waiting)",
    )  # fmt: skip
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(args.threads)

    if args.init:
        from faceswap_kit.train.init import find_init

        args.preset = find_init(args.init).model_config.name.split("-")[-1]
        if args.preset not in ("tiny", "lite", "default"):
            args.preset = "lite"
    name = f"synth-{args.seed_a}-{args.seed_b}-df-{args.preset}"
    out = Path(args.out or Path(__file__).resolve().parents[1] / "models" / name)
    work = Path(args.work or tempfile.mkdtemp(prefix="fsk-pretrained-"))
    if work.exists() and args.work and not args.resume:
        shutil.rmtree(work)
    start = time.perf_counter()
    resolution = args.resolution or ModelConfig.preset(args.preset).resolution
    data_a = synth_faceset(args.seed_a, args.faces, resolution)
    data_b = synth_faceset(args.seed_b, args.faces, resolution)
    print(f"rendered {2 * args.faces} faces in {time.perf_counter() - start:.0f} s")
    model_config = ModelConfig.preset(args.preset, resolution=resolution, name=name)
    train_config = TrainConfig.preset(args.preset, checkpoint_minutes=args.score_every)
    if args.learning_rate is not None:
        train_config = dataclasses.replace(train_config, learning_rate=args.learning_rate)
    if args.resume:
        resumed = None  # the folder's settings
        if args.learning_rate is not None:
            resumed = dataclasses.replace(read_train_config(work), learning_rate=args.learning_rate)
        trainer = make_trainer(data_a, data_b, work, train_config=resumed, resume=True)
    elif args.init:
        from faceswap_kit.train.init import find_init

        started = None  # the init model's settings
        if args.learning_rate is not None:
            base = find_init(args.init).train_config or train_config
            started = dataclasses.replace(base, learning_rate=args.learning_rate)
        trainer = make_trainer(data_a, data_b, work, train_config=started, init=args.init)
        trainer.model_config = dataclasses.replace(trainer.model_config, name=name)
    else:
        trainer = make_trainer(data_a, data_b, work, model_config, train_config)
    record_command(
        trainer, "PYTHONPATH=. python scripts/make_pretrained.py " + " ".join(sys.argv[1:])
    )
    trainer.scorer = synth_scorer(args.seed_a, args.seed_b, pairs=8)
    trainer.provenance["note"] = (
        "both people are generated by faceswap_kit.synth (they do not exist); "
        f"{args.faces} random scenes each, rendered and aligned without detection"
    )
    summary = trainer.run(minutes=args.minutes, progress=False)
    print(summary)
    final = score_model(trainer.swap_model(), args.seed_a, args.seed_b, pairs=8, landmarks=True)
    trainer.scores[-1] = {"step": trainer.step, "seconds": round(trainer.elapsed, 1), **final}
    trainer.save()
    export_model(work, out)
    size = sum(p.stat().st_size for p in out.iterdir())
    print(f"exported {out} ({size / 1e6:.1f} MB)")
    print("\n".join(score_table(final)))
    print(json.dumps(final["methods"], indent=1))
    load_model(out)  # the export loads


if __name__ == "__main__":
    main()
