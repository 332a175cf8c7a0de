"""Numeric option types for the command line: each checks its range while the arguments are parsed,
so a nonsense number stops the command at once, in one line that names the valid range.

>>> parse = integer(1, 10)
>>> parse("3")
3
>>> number(0, None, low_open=True)("0")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: expected a number > 0, got '0'
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def _describe(kind: str, low: float | None, high: float | None, low_open: bool) -> str:
    def show(value: float) -> str:
        return f"{value:g}" if isinstance(value, float) else str(value)

    if low is not None and high is not None and not low_open:
        return f"{kind} from {show(low)} to {show(high)}"
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {show(low)}")
    if high is not None:
        parts.append(f"<= {show(high)}")
    return f"{kind} {' and '.join(parts)}".rstrip()


def _bounded(
    convert: Callable[[str], float],
    kind: str,
    low: float | None,
    high: float | None,
    low_open: bool,
) -> Callable[[str], float]:
    expected = _describe(kind, low, high, low_open)

    def parse(text: str) -> float:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        too_low = low is not None and (value <= low if low_open else value < low)
        if too_low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    parse.__name__ = kind  # argparse names the type in some of its own messages
    return parse


def integer(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """An argparse ``type`` for an integer in ``[low, high]`` (``None``: no bound)."""
    return _bounded(int, "an integer", low, high, False)  # type: ignore[return-value]


def number(
    low: float | None = None, high: float | None = None, *, low_open: bool = False
) -> Callable[[str], float]:
    """An argparse ``type`` for a finite number in ``[low, high]`` (``(low, high]`` with
    ``low_open``; ``None``: no bound). ``nan`` and ``inf`` are refused."""
    return _bounded(float, "a number", low, high, low_open)
