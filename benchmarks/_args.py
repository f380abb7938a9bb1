"""Argument types shared by the benchmarks' command lines.

A count that is too small (``--jobs 0``, ``--seeds -2``) is refused by argparse before anything
runs, with the option, the value and what is expected::

    overhead.py: error: argument --peer-jobs: expected a whole number >= 1, got '0'

rather than a traceback minutes into a run (a division by zero when the last table is printed).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["at_least", "positive_float"]


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type``: a whole number not below ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number >= {minimum}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {text!r}")
        return value

    parse.__name__ = f"whole number >= {minimum}"
    return parse


def positive_float(text: str) -> float:
    """An argparse ``type``: a finite number above 0."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value
