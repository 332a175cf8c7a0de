import os
import tempfile

import pytest
import torch
from device_selection import select_devices

os.environ.setdefault("MPLBACKEND", "Agg")
# the signing key, certificate and provenance records of the test run live in a temporary folder
os.environ.setdefault("FSK_PROVENANCE_DIR", tempfile.mkdtemp(prefix="fsk-provenance-"))


DEVICES = select_devices(os.environ.get("FSK_TEST_DEVICE"), torch.cuda.is_available())


@pytest.fixture(params=DEVICES)
def device(request) -> torch.device:
    """Every device test runs on CPU, and on CUDA when present (``FSK_TEST_DEVICE`` chooses)."""
    return torch.device(request.param)
