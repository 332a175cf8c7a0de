"""Competing load for the benchmarks: ``--busy-cores N`` keeps N cores busy with other processes.

Also chooses torch's OpenMP wait policy, which must happen before torch is imported:
``--wait passive`` (the default: what the ``faceswap-kit`` command and the notebooks use) or
``--wait default`` (OpenMP's own spin-then-sleep, what a plain ``import torch`` gets).
``--wait both`` runs the whole benchmark twice, once per policy, in fresh processes.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator

SPIN = "while True: pass"


def wait_policy_from_argv(argv: list[str]) -> str:
    """Read ``--wait`` from the command line and apply it (before torch is imported)."""
    policy = "passive"
    for index, arg in enumerate(argv):
        if arg == "--wait" and index + 1 < len(argv):
            policy = argv[index + 1]
        elif arg.startswith("--wait="):
            policy = arg.split("=", 1)[1]
    if policy == "both":
        return policy
    if policy == "default":
        os.environ.pop("OMP_WAIT_POLICY", None)
    else:
        sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
        from faceswap_kit.threads import prefer_passive_wait

        prefer_passive_wait()
    return policy


def rerun_per_policy(argv: list[str]) -> None:
    """Run this script once with ``--wait passive`` and once with ``--wait default``."""
    rest = [a for i, a in enumerate(argv) if a != "--wait" and not a.startswith("--wait=")
            and not (i > 0 and argv[i - 1] == "--wait")]  # fmt: skip
    for policy in ("default", "passive"):
        env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
        print(f"\n# OpenMP wait policy: {policy}\n", flush=True)
        subprocess.run([sys.executable, *rest, "--wait", policy], env=env, check=True)


@contextlib.contextmanager
def busy_cores(count: int) -> Iterator[list[subprocess.Popen]]:
    """Keep ``count`` cores busy with spinning processes for the duration of the block."""
    hogs = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(max(0, count))]
    try:
        if hogs:
            time.sleep(0.5)  # let the scheduler settle them on the cores
        yield hogs
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait()


def policy_name() -> str:
    value = os.environ.get("OMP_WAIT_POLICY")
    return f"OMP_WAIT_POLICY={value}" if value else "OpenMP default (spin, then sleep)"
