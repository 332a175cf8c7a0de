import os
import tempfile

import pytest
import torch

os.environ.setdefault("MPLBACKEND", "Agg")
# the signing key, certificate and provenance records of the test run live in a temporary folder
os.environ.setdefault("FSK_PROVENANCE_DIR", tempfile.mkdtemp(prefix="fsk-provenance-"))

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture(params=DEVICES)
def device(request) -> torch.device:
    """Every device test runs on CPU, and on CUDA when present."""
    return torch.device(request.param)
