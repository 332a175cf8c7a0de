"""Device choice and seeding. Package functions follow their inputs; only notebooks and the CLI
call :func:`get_device`."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from .errors import InputError


def get_device(prefer: str | None = None) -> torch.device:
    """Return the best available device: cuda > mps > cpu.

    Args:
        prefer: ``"cuda"``, ``"mps"``, ``"cpu"`` or ``None``. When ``None`` the environment variable
            ``FSK_DEVICE`` is read, then the best available device is chosen.

    >>> get_device("cpu")
    device(type='cpu')
    """
    choice = prefer or os.environ.get("FSK_DEVICE") or ""
    choice = choice.strip().lower()
    if choice:
        if choice.startswith("cuda") and not torch.cuda.is_available():
            raise InputError(
                f"device {choice!r} was asked for but CUDA is not available; use 'cpu'"
            )
        if choice == "mps" and not (
            getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
        ):
            raise InputError("device 'mps' was asked for but MPS is not available; use 'cpu'")
        try:
            return torch.device(choice)
        except RuntimeError as exc:
            raise InputError(f"unknown device {choice!r}; expected cuda, mps or cpu") from exc
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch, and return a CPU ``torch.Generator`` seeded with ``seed``.

    >>> g = seed_everything(0)
    >>> isinstance(g, torch.Generator)
    True
    """
    random.seed(seed)
    np.random.seed(seed % (2**32))  # noqa: NPY002 - seeds legacy global users too
    torch.manual_seed(seed)
    return make_generator(seed)


def make_generator(seed: int, device: torch.device | str = "cpu") -> torch.Generator:
    """A fresh ``torch.Generator`` on ``device`` seeded with ``seed``.

    >>> make_generator(3).initial_seed()
    3
    """
    generator = torch.Generator(device=device)
    generator.manual_seed(int(seed))
    return generator
