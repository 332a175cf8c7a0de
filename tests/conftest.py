import os

import pytest
import torch

os.environ.setdefault("MPLBACKEND", "Agg")

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture(params=DEVICES)
def device(request) -> torch.device:
    """Every device test runs on CPU, and on CUDA when present."""
    return torch.device(request.param)
