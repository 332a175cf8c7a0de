import os
import subprocess
import sys

import pytest
import torch

from faceswap_kit import threads
from faceswap_kit.errors import InputError
from faceswap_kit.threads import CpuLoad, LoadAwareThreads, threads_for_load, torch_threads


class FixedLoad:
    """A CpuLoad stand-in: a fixed number of free cores."""

    def __init__(self, free: float | None) -> None:
        self.free = free

    def free_cores(self) -> float | None:
        return self.free


@pytest.mark.parametrize(
    ("wanted", "free", "expected"),
    [(2, 2.0, 2), (2, 1.0, 1), (2, 1.1, 1), (2, 1.7, 2), (2, 0.2, 1), (4, 2.8, 3), (3, None, 3)],
)
def test_threads_follow_the_free_cores(wanted, free, expected):
    assert threads_for_load(wanted, free) == expected


def test_torch_threads_restores_the_caller_setting():
    saved = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        with torch_threads(1):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        with pytest.raises(RuntimeError), torch_threads(1):
            raise RuntimeError("boom")
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(saved)


class FakeClock:
    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0

    def monotonic(self) -> float:
        return self.wall

    def process_time(self) -> float:
        return self.cpu


def test_cpu_load_counts_other_processes_not_our_own(monkeypatch):
    clock = FakeClock()
    busy = {"seconds": 100.0}
    monkeypatch.setattr(threads, "time", clock)
    monkeypatch.setattr(threads, "_read_busy_seconds", lambda cpus: busy["seconds"])
    load = CpuLoad(interval=0.25)
    load.cpus = [0, 1]
    assert load.others() is None  # one reading: no interval yet
    # one second: the CPUs were busy 1.5 s, of which 0.5 s was this process -> others used 1 core
    clock.wall, clock.cpu, busy["seconds"] = 1.0, 0.5, 101.5
    assert load.others() == pytest.approx(1.0)
    assert load.free_cores() == pytest.approx(1.0)  # cached within the interval
    clock.wall, clock.cpu, busy["seconds"] = 2.0, 1.5, 102.6  # only our own work now
    assert load.others() == pytest.approx(0.1)


def test_cpu_load_is_none_where_unreadable(monkeypatch):
    monkeypatch.setattr(threads, "_read_busy_seconds", lambda cpus: None)
    load = CpuLoad(interval=0.0)
    assert load.others() is None and load.free_cores() is None


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="needs /proc/stat (Linux)")
def test_cpu_load_reads_the_real_machine():
    load = CpuLoad(interval=0.0)
    load.others()
    value = load.others()
    assert value is not None and 0.0 <= value <= len(load.cpus)


def test_load_aware_threads_cap_the_network_and_the_frame():
    saved = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        plan = LoadAwareThreads(network=2, load=FixedLoad(1.0))
        with plan.frame():
            assert torch.get_num_threads() == 1
            with plan.network():
                assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        plan.load = FixedLoad(2.0)
        with plan.frame():
            assert torch.get_num_threads() == 1  # the per-frame work stays on one thread
            with plan.network():
                assert torch.get_num_threads() == 2  # the network takes the free cores
        assert plan.last == {"frame": 1, "network": 2}
        fixed = LoadAwareThreads(network=2, adapt=False)
        torch.set_num_threads(1)
        with fixed.frame(), fixed.network():
            assert torch.get_num_threads() == 2
        with pytest.raises(InputError, match="network threads"):
            LoadAwareThreads(network=0)
    finally:
        torch.set_num_threads(saved)


def test_prefer_passive_wait_takes_effect_before_torch_and_respects_the_user():
    code = (
        "import os, sys\n"
        "from faceswap_kit.threads import prefer_passive_wait\n"
        "assert 'torch' not in sys.modules\n"
        "print(prefer_passive_wait(), os.environ['OMP_WAIT_POLICY'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["True", "PASSIVE"], out.stderr
    known = (
        code
        + "from faceswap_kit.threads import passive_wait_in_effect\nprint(passive_wait_in_effect())\n"
    )
    out = subprocess.run([sys.executable, "-c", known], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["True", "PASSIVE", "True"], out.stderr
    env["OMP_WAIT_POLICY"] = "ACTIVE"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "ACTIVE"], out.stderr
    late = "import torch\n" + code.replace("assert 'torch' not in sys.modules\n", "")
    env.pop("OMP_WAIT_POLICY")
    out = subprocess.run([sys.executable, "-c", late], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "PASSIVE"], out.stderr  # too late: torch is loaded


def test_extraction_threads_restore_threads_and_switch_interval():
    saved_threads, saved_interval = torch.get_num_threads(), sys.getswitchinterval()
    with threads.extraction_threads(1):
        assert torch.get_num_threads() == 1
        assert sys.getswitchinterval() <= threads.EXTRACT_SWITCH_INTERVAL
    assert (torch.get_num_threads(), sys.getswitchinterval()) == (saved_threads, saved_interval)
    with pytest.raises(RuntimeError), threads.switch_interval(0.0005):
        raise RuntimeError("boom")
    assert sys.getswitchinterval() == saved_interval
