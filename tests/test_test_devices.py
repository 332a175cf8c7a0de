import pytest
from device_selection import select_devices


def test_devices_default_to_cpu_and_cuda_when_present():
    assert select_devices(None, False) == ["cpu"]
    assert select_devices("", True) == ["cpu", "cuda"]


def test_fsk_test_device_chooses_and_never_skips_silently():
    assert select_devices("cuda", True) == ["cuda"]
    assert select_devices("cpu, cuda", True) == ["cpu", "cuda"]
    assert select_devices("cpu", True) == ["cpu"]
    with pytest.raises(pytest.UsageError, match="no CUDA"):
        select_devices("cuda", False)
    with pytest.raises(pytest.UsageError, match="expected cpu"):
        select_devices("tpu", True)
