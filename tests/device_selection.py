"""Which devices the device-taking tests run on (read by ``conftest.py``)."""

from __future__ import annotations

import pytest


def select_devices(wanted: str | None, cuda_available: bool) -> list[str]:
    """The devices that device-taking tests run on.

    ``FSK_TEST_DEVICE`` unset: CPU, and CUDA when present. Set (``cuda``, ``cpu`` or a comma
    list such as ``cpu,cuda``): exactly those; asking for CUDA where there is none is an error,
    never a silent skip.
    """
    if not wanted or not wanted.strip():
        return ["cpu"] + (["cuda"] if cuda_available else [])
    names = [name.strip().lower() for name in wanted.split(",") if name.strip()]
    unknown = [n for n in names if n.split(":")[0] not in ("cpu", "cuda")]
    if unknown:
        raise pytest.UsageError(f"FSK_TEST_DEVICE: expected cpu and/or cuda, got {unknown}")
    if any(n.startswith("cuda") for n in names) and not cuda_available:
        raise pytest.UsageError("FSK_TEST_DEVICE asks for cuda, but torch sees no CUDA device")
    return names
