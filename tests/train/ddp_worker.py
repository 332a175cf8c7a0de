"""One rank of the two-process test in ``test_torchrun.py`` (run by torchrun, not by pytest).

Trains a few steps with the real trainer in a shared model folder, then writes this rank's final
weights and the list of checkpoint writes it made into ``OUT/rank<N>.*`` for the test to compare.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

from faceswap_kit.models import ModelConfig
from faceswap_kit.train import TrainConfig, loop, make_trainer
from testing.toyfaces import toy_faceset


def main(out: Path) -> None:
    rank = int(os.environ["RANK"])
    saves: list[int] = []
    original = loop.save_training_state

    def recording(model_dir, parts, state, *args, **kwargs):
        saves.append(state.step)
        return original(model_dir, parts, state, *args, **kwargs)

    loop.save_training_state = recording
    model_config = ModelConfig.tiny(encoder_dims=4, bottleneck_dims=16, decoder_dims=4, mask_dims=2)
    train_config = TrainConfig.tiny(batch_size=2, log_every=1)
    faces = toy_faceset(1, 12, 64), toy_faceset(2, 12, 64)
    trainer = make_trainer(*faces, out / "model", model_config, train_config)
    initial = {k: v.clone() for k, v in trainer.network.state_dict().items()}
    first_batch = trainer.sample_batch()
    summary = trainer.run(steps=int(sys.argv[2]))
    weights = {k: v.detach().cpu().contiguous() for k, v in trainer.network.state_dict().items()}
    save_file(weights, str(out / f"rank{rank}.safetensors"))
    changed = any(not torch.equal(initial[k], weights[k]) for k in weights)
    batch_sum = float(first_batch.warped_a.float().sum())
    (out / f"rank{rank}.json").write_text(json.dumps({
        "rank": rank, "world_size": trainer.distributed.world_size, "saves": saves,
        "step": summary.step, "changed": changed, "first_batch_sum": batch_sum,
    }))  # fmt: skip
    torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
