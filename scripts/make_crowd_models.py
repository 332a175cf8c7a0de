"""Build the bundled crowd-pretrained model and the any-face model into models/.

    PYTHONPATH=. python scripts/make_crowd_models.py crowd --minutes 240 --threads 2
    PYTHONPATH=. python scripts/make_crowd_models.py anyface --minutes 240 --threads 2

``crowd`` pretrains ``lite`` (DF, 128 px) on a crowd of generated people (seeds 1000 and up,
rendered in memory by a background thread) into ``work/crowd-lite`` and exports fp16 weights +
config + card into ``models/crowd-lite``. ``anyface`` starts from that checkpoint and trains many
people in, person ``--target-seed`` out (the generator's ideal swap as the target), scores it on
unseen people (seeds below 1000) and exports ``models/anyface-lite``. The card's score is one
shot each of 100 people it never saw (seeds 200-299: ``--score-people``, ``--score-first-seed``);
the smaller score after each checkpoint (8 people, seeds 0-8) only tracks the run.

Crash-safe and resumable: checkpoints are atomic and saved every few minutes and on Ctrl-C;
running the same command again continues the run in its work folder for another ``--minutes``
(``--fresh`` starts over). ``--export-only`` exports the current checkpoint without training.
The model card records every command that trained the model.
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import shutil
import sys
import time
from pathlib import Path

import torch

from faceswap_kit.evaluate import anyface_scorer, score_anyface
from faceswap_kit.models import ModelConfig, load_model
from faceswap_kit.models.export import export_model
from faceswap_kit.train import TrainConfig, pretrain
from faceswap_kit.train.crowd import CrowdConfig
from faceswap_kit.train.init import with_learning_rate

ROOT = Path(__file__).resolve().parents[1]
MAX_MB = 20.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("crowd", "anyface"))
    parser.add_argument("--minutes", type=float, default=60.0, help="training budget of this run")
    parser.add_argument("--preset", default="lite", choices=("tiny", "lite", "default"))
    parser.add_argument(
        "--name", default=None, help="model name (crowd-<preset>, anyface-<preset>)"
    )
    parser.add_argument("--work", default=None, help="training folder (default work/<name>)")
    parser.add_argument("--out", default=None, help="export folder (default models/<name>)")
    parser.add_argument("--init", default=None, help="anyface: start from (default work/crowd-*)")
    parser.add_argument("--target-seed", type=int, default=7, help="anyface: the output person")
    parser.add_argument("--people", type=int, default=5000, help="people in the crowd")
    parser.add_argument("--pool", type=int, default=None, help="faces held in memory")
    parser.add_argument("--render-share", type=float, default=0.5)
    parser.add_argument(
        "--score-people", type=int, default=100, help="anyface: unseen test people in the card"
    )
    parser.add_argument(
        "--score-first-seed", type=int, default=200, help="anyface: first seed of the card's test"
    )
    parser.add_argument(
        "--learning-rate", type=float, default=None,
        help="AdamW learning rate (when resuming: continue at this rate, e.g. for a final phase)",
    )  # fmt: skip
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--fresh", action="store_true", help="delete the work folder first")
    parser.add_argument("--export-only", action="store_true", help="export without training")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(args.threads)
    command = shlex.join(["python", "scripts/make_crowd_models.py", *sys.argv[1:]])

    name = args.name or f"{args.kind}-{args.preset}"
    work = Path(args.work or ROOT / "work" / name)
    out = Path(args.out or ROOT / "models" / name)
    if args.fresh and work.exists():
        shutil.rmtree(work)
    resume = (work / "state.json").exists()
    if not args.export_only:
        start = time.perf_counter()
        summary = train(args, name, work, resume, command)
        print(summary, json.dumps(summary.extra), sep="\n")
        print(f"trained for {(time.perf_counter() - start) / 60:.1f} min in {work}")
    elif not resume:
        sys.exit(f"{work} holds no checkpoint to export")
    export(args, work, out)


def train(args, name: str, work: Path, resume: bool, command: str):
    anyface = args.kind == "anyface"
    scorer = anyface_scorer(args.target_seed, people=8) if anyface else None
    if resume:
        print(f"resuming {work}")
        train_config = with_learning_rate(args.learning_rate, model_dir=work)  # None: the folder's
        return pretrain(
            work, train_config=train_config, minutes=args.minutes, resume=True,
            device=args.device, scorer=scorer, command=command,
        )  # fmt: skip
    overrides = {"people": args.people, "render_share": args.render_share}
    if args.pool:
        overrides.update(pool_size=args.pool, min_pool=min(CrowdConfig.min_pool, args.pool))
    if anyface:
        overrides["target_seed"] = args.target_seed
    crowd = CrowdConfig.preset(args.preset, **overrides)
    init = args.init
    if anyface and init is None:
        default = ROOT / "work" / f"crowd-{args.preset}"
        init = str(default) if (default / "config.json").exists() else f"crowd-{args.preset}"
    model_config = None if init else ModelConfig.preset(args.preset, name=name)
    train_config = None if init else TrainConfig.preset(args.preset)
    if args.learning_rate is not None:
        train_config = with_learning_rate(args.learning_rate, init=init, preset=args.preset)
    return pretrain(
        work, model_config, train_config, crowd, minutes=args.minutes, device=args.device,
        init=init, scorer=scorer, command=command,
    )  # fmt: skip


def export(args, work: Path, out: Path) -> None:
    if args.kind == "anyface":  # a final, larger score on unseen people into the card
        from faceswap_kit.train.pretrain import make_pretrainer

        trainer = make_pretrainer(work, resume=True)
        target = trainer.data.config.target_seed
        final = score_anyface(
            trainer.swap_model(), target, people=args.score_people, first_seed=args.score_first_seed
        )
        entry = {"step": trainer.step, "seconds": round(trainer.elapsed, 1), **final}
        last = trainer.scores[-1] if trainer.scores else {}
        if last.get("step") == trainer.step and last.get("people") == final["people"]:
            trainer.scores[-1] = entry  # exported again: the newer score of the same test
        else:
            trainer.scores.append(entry)
        trainer.save()
        print(json.dumps(final["methods"], indent=1))
    if out.exists():
        shutil.rmtree(out)
    export_model(work, out)
    size = sum(p.stat().st_size for p in out.iterdir()) / 1e6
    if size > MAX_MB:
        sys.exit(f"{out} is {size:.1f} MB, over the {MAX_MB:.0f} MB budget of a bundled model")
    model = load_model(out)
    card = model.card
    print(
        f"exported {out} ({size:.1f} MB): {card['steps']} steps, {card['pretraining']['summary']}"
    )


if __name__ == "__main__":
    main()
