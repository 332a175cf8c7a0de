"""CPU threads on a busy machine: how many torch threads the load leaves us, and waits that sleep.

On a laptop the kit shares the CPU with a browser or a video call. Two things keep the per-frame
time steady there (measured in ``docs/live.md``):

* **Waiting threads sleep.** :func:`prefer_passive_wait` asks OpenMP (torch's CPU thread pool) to
  sleep instead of spin while a thread waits for the others (``OMP_WAIT_POLICY=PASSIVE``). OpenMP
  reads it once, when torch is imported, so only an application (the ``faceswap-kit`` command, a
  notebook's first cell, a benchmark) calls it, before anything imports torch. Spinning, a
  2-thread network with one of two cores taken measured p95 0.5-0.8 s; sleeping, 38-60 ms.
* **Threads follow the load.** Even with sleeping waits, a 2-thread parallel region on a machine
  with one core taken shares two cores among three busy threads and waits at every barrier for
  the one the scheduler parked, while one thread has a core to itself: one thread gave the best
  p95. :class:`CpuLoad` reads how many cores *other* processes used over the last fraction of a
  second (``/proc/stat`` minus this process's own CPU time); :class:`LoadAwareThreads` runs a
  block on no more torch threads than are free, and restores the caller's setting afterwards.

Nothing here changes a setting without putting it back, except :func:`prefer_passive_wait`, which
an application calls on purpose. The package's own functions never change these process-wide
settings; applications (the ``faceswap-kit`` command, a notebook, the live runner) choose them with
the context managers below (:func:`torch_threads`, :func:`switch_interval`,
:func:`extraction_threads`) or hand a :class:`LoadAwareThreads` plan to the frame pipeline.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import InputError

# torch is imported inside the functions that use it: an application calls prefer_passive_wait()
# before anything imports torch (OpenMP reads the wait policy once, at torch's import).

log = logging.getLogger(__name__)

WAIT_POLICY_VARIABLE = "OMP_WAIT_POLICY"


def _says_passive(value: str | None) -> bool:
    return (value or "").strip().upper() == "PASSIVE"


def _started_passive() -> bool:
    """Whether the process was started with ``OMP_WAIT_POLICY=PASSIVE`` (Linux: the initial
    environment), or the variable says so while torch is not imported yet."""
    if "torch" not in sys.modules and _says_passive(os.environ.get(WAIT_POLICY_VARIABLE)):
        return True
    try:
        with open("/proc/self/environ", "rb") as handle:
            initial = handle.read().split(b"\0")
    except OSError:
        return False
    return any(_says_passive(v.decode(errors="replace")) for k, _, v in
               (entry.partition(b"=") for entry in initial) if k == WAIT_POLICY_VARIABLE.encode())  # fmt: skip


_passive_wait = _started_passive()


def passive_wait_in_effect() -> bool:
    """True when torch's OpenMP threads were started with sleeping waits (as far as can be known:
    set in the process's environment, or by :func:`prefer_passive_wait` before torch)."""
    return _passive_wait


def prefer_passive_wait() -> bool:
    """Ask OpenMP to sleep, not spin, while waiting; for applications, before torch is imported.

    Sets ``OMP_WAIT_POLICY=PASSIVE`` unless the variable is already set (the user's choice wins).

    Returns:
        True when torch will run with passive waiting: the variable says ``PASSIVE`` and torch
        was not yet imported (OpenMP reads the variable once, at start).
    """
    global _passive_wait
    os.environ.setdefault(WAIT_POLICY_VARIABLE, "PASSIVE")
    passive = _says_passive(os.environ[WAIT_POLICY_VARIABLE])
    if "torch" in sys.modules and passive:
        log.debug("torch was imported before %s was set: it may still spin", WAIT_POLICY_VARIABLE)
    effective = passive and "torch" not in sys.modules
    _passive_wait = _passive_wait or effective
    return effective


def usable_cpus() -> list[int]:
    """The CPU numbers this process may run on (all of them where affinity is unknown)."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def _read_busy_seconds(cpus: list[int]) -> float | None:
    """Seconds the given CPUs spent busy since boot (``/proc/stat``), or None where unreadable."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    wanted = {f"cpu{n}" for n in cpus}
    ticks = 0
    found = 0
    for line in lines:
        fields = line.split()
        if fields and fields[0] in wanted:
            values = [int(v) for v in fields[1:9]]  # user nice system idle iowait irq softirq steal
            ticks += sum(values) - values[3] - values[4]
            found += 1
    if found == 0:
        return None
    return ticks / float(os.sysconf("SC_CLK_TCK"))


class CpuLoad:
    """How many cores other processes keep busy, measured over the last ``interval`` seconds.

    Busy time of this process's CPUs (``/proc/stat``) minus this process's own CPU time, divided
    by the wall time between two readings. Where ``/proc/stat`` is missing (macOS, Windows),
    :meth:`others` returns None and callers keep their setting.

    Args:
        interval: least seconds between two readings; a call in between returns the last value.

    >>> load = CpuLoad(interval=0.0)
    >>> value = load.others()
    >>> value is None or 0.0 <= value <= len(usable_cpus())
    True
    """

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = float(interval)
        self.cpus = usable_cpus()
        self._lock = threading.Lock()
        self._last: tuple[float, float, float] | None = None
        self._value: float | None = None

    def others(self) -> float | None:
        """Cores (0..number of CPUs) used by other processes lately, or None where unknown."""
        with self._lock:
            now = time.monotonic()
            if self._last is not None and now - self._last[0] < self.interval:
                return self._value
            busy = _read_busy_seconds(self.cpus)
            if busy is None:
                return None
            own = time.process_time()
            if self._last is not None:
                wall = now - self._last[0]
                used = (busy - self._last[1]) - (own - self._last[2])
                self._value = min(max(used / wall, 0.0), float(len(self.cpus)))
            self._last = (now, busy, own)
            return self._value

    def free_cores(self) -> float | None:
        """Cores not used by other processes lately, or None where unknown."""
        others = self.others()
        return None if others is None else len(self.cpus) - others


def threads_for_load(wanted: int, free_cores: float | None, margin: float = 0.4) -> int:
    """How many threads to run when ``free_cores`` cores are free: at most ``wanted``, at least 1.

    A thread counts when at least ``1 - margin`` of a core is free for it (with one of two cores
    taken, one thread; with a third of a core taken, two).

    >>> threads_for_load(2, 2.0), threads_for_load(2, 1.05), threads_for_load(2, 1.7), threads_for_load(4, None)
    (2, 1, 2, 4)
    """
    wanted = max(1, int(wanted))
    if free_cores is None:
        return wanted
    return max(1, min(wanted, int(free_cores + margin)))


@contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Run a block on ``count`` torch CPU threads and restore the previous number afterwards.

    >>> import torch
    >>> before = torch.get_num_threads()
    >>> with torch_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    import torch

    saved = torch.get_num_threads()
    if count is None or int(count) == saved:
        yield
        return
    torch.set_num_threads(int(count))
    try:
        yield
    finally:
        torch.set_num_threads(saved)


@contextmanager
def switch_interval(seconds: float | None) -> Iterator[None]:
    """Run a block with Python's thread switch interval at most ``seconds``; restore it after.

    The extraction's detector hands its results back through Python callbacks; with the default
    5 ms interval they queue behind the alignment and writer threads (measured: a frame took
    22 ms instead of 9 next to a busy Python thread), 1 ms removes the wait.

    >>> before = sys.getswitchinterval()
    >>> with switch_interval(0.001):
    ...     sys.getswitchinterval() <= 0.001
    True
    >>> sys.getswitchinterval() == before
    True
    """
    saved = sys.getswitchinterval()
    if seconds is None or seconds >= saved:
        yield
        return
    sys.setswitchinterval(float(seconds))
    try:
        yield
    finally:
        sys.setswitchinterval(saved)


#: Python thread switch interval for an extraction run (see :func:`switch_interval`).
EXTRACT_SWITCH_INTERVAL = 0.001


@contextmanager
def extraction_threads(count: int | None = 1) -> Iterator[None]:
    """The settings an extraction runs fastest with, restored afterwards: ``count`` torch threads
    (on a small CPU, 1 leaves a core to the detector and is ~2-3x faster than torch's default;
    None keeps the caller's) and a 1 ms thread switch interval.

    >>> import torch
    >>> before = torch.get_num_threads()
    >>> with extraction_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    with torch_threads(count), switch_interval(EXTRACT_SWITCH_INTERVAL):
        yield


#: Threads for the per-frame work beside the network (see :meth:`LoadAwareThreads.frame`).
FRAME_THREADS = 1


class LoadAwareThreads:
    """Thread counts for one frame: the caller's setting, capped by the cores other work leaves.

    Args:
        network: threads wanted for the network; ``"auto"``: every usable core; None: the
            caller's setting.
        adapt: cap both counts by the measured load (:class:`CpuLoad`); False: fixed counts.
        load: a :class:`CpuLoad` to share (default: a new one).

    >>> plan = LoadAwareThreads(network=2, adapt=False)
    >>> with plan.network():
    ...     import torch; torch.get_num_threads()
    2
    """

    def __init__(
        self,
        network: int | str | None = "auto",
        adapt: bool = True,
        load: CpuLoad | None = None,
    ) -> None:

        if network == "auto":
            network = len(usable_cpus())
        elif network is not None and (isinstance(network, str) or int(network) < 1):
            raise InputError(f"network threads must be >= 1, 'auto' or None, got {network!r}")
        self.wanted_network = None if network is None else int(network)
        self.adapt = bool(adapt)
        self.load = load or (CpuLoad() if adapt else None)
        self.last: dict[str, int] = {}

    def _cap(self, wanted: int) -> int:
        if not self.adapt or self.load is None:
            return wanted
        return threads_for_load(wanted, self.load.free_cores())

    @contextmanager
    def frame(self) -> Iterator[None]:
        """The per-frame work (align, merge): one thread (at most the caller's count).

        Its operations are small: on 2 cores a 640x480 merge took 8.6-8.8 ms on one thread and
        7.8-16.8 ms on two with the machine quiet, 8.3-9.7 against 8.3-11.2 ms with one core busy
        (two runs of ``bench_merge.py --busy-cores 1``): one thread is never much slower and
        never has the slow spells.
        """
        import torch

        count = self._cap(min(torch.get_num_threads(), FRAME_THREADS))
        self.last["frame"] = count
        with torch_threads(count):
            yield

    @contextmanager
    def network(self) -> Iterator[None]:
        """The network: ``network`` threads (or the caller's), capped by the load."""
        import torch

        wanted = self.wanted_network or torch.get_num_threads()
        count = self._cap(wanted)
        self.last["network"] = count
        with torch_threads(count):
            yield
