"""Data-parallel training under ``torchrun`` (DDP), and the single-process path everywhere else.

``torchrun --nproc_per_node=N -m faceswap_kit train A B MODEL_DIR ...`` starts N processes; each
holds the face sets on its own GPU, draws its own batches (seed + rank), and DDP averages the
gradients. Only rank 0 writes checkpoints; stop decisions (minutes, stop button) are agreed on by
all ranks every step so no process waits forever in a collective.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import torch
from torch.nn.parallel import DistributedDataParallel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DistributedContext:
    """Where this process stands in a (possibly single-process) run."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1 or (
            torch.distributed.is_available() and torch.distributed.is_initialized()
        )

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @classmethod
    def from_environment(cls, device: torch.device) -> DistributedContext:
        """Join the process group that ``torchrun`` describes in the environment, if any.

        >>> DistributedContext.from_environment(torch.device("cpu")).world_size  # no torchrun
        1
        """
        dist = torch.distributed
        if dist.is_available() and dist.is_initialized():
            return cls(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", 0)))
        world_size = int(os.environ.get("WORLD_SIZE", "1"))
        if world_size <= 1 or not dist.is_available():
            return cls()
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend)
        context = cls(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", 0)))
        log.info("rank %d of %d (%s) on %s", context.rank, context.world_size, backend, device)
        return context

    def wrap(self, network: torch.nn.Module, device: torch.device) -> torch.nn.Module:
        """``network`` in DistributedDataParallel when distributed, else unchanged."""
        if not self.enabled:
            return network
        ids = (
            [device.index if device.index is not None else self.local_rank]
            if device.type == "cuda"
            else None
        )
        return DistributedDataParallel(network, device_ids=ids)

    def agree(self, flag: bool, device: torch.device) -> bool:
        """True on every rank when ``flag`` is true on any rank."""
        if not self.enabled:
            return flag
        value = torch.tensor([1.0 if flag else 0.0], device=device)
        torch.distributed.all_reduce(value, op=torch.distributed.ReduceOp.MAX)
        return bool(value.item() > 0)
