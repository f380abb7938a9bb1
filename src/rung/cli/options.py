"""The types of the ``rung`` command's option values: each parses the text argparse gives it, or
raises ``argparse.ArgumentTypeError`` with what is expected (argparse then prints the usage)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rung.cli.formats import FORMATS
from rung.validation import nearest

__all__ = ["STORED", "format_name", "port", "positive", "seconds", "stored_status"]

STORED = ("RUNNING", "COMPLETED", "PRUNED", "FAILED")
"""The statuses ``rung trials --status`` filters by (those stored)."""


def _parsed(text: str, kind: Callable[[str], Any], expected: str) -> Any:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def stored_status(text: str) -> str:
    """A status to filter by, in any case (``completed``, ``COMPLETED``)."""
    if text.upper() in STORED:
        return text.upper()
    close = nearest(text.upper(), STORED)
    hint = f" (did you mean {close.lower()}?)" if close else ""
    if Path(text).exists():  # `rung trials --status completed DIR`: --status took DIR too
        hint = (f" ({text!r} is a path: give DIR before --status, or end the statuses with --, "
                f"as in: rung trials --status completed -- DIR)")
    raise argparse.ArgumentTypeError(
        f"{text!r} is not a status; choose from {', '.join(s.lower() for s in STORED)}{hint}")


def format_name(text: str) -> str:
    """An output format of ``rung trials``, in any case (``csv``, ``CSV``)."""
    if text.lower() in FORMATS:
        return text.lower()
    close = nearest(text.lower(), FORMATS)
    hint = f" (did you mean {close}?)" if close else ""
    raise argparse.ArgumentTypeError(
        f"invalid choice: {text!r} (choose from {', '.join(FORMATS)}){hint}")


def positive(text: str) -> int:
    value = _parsed(text, int, "an integer >= 1")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text}")
    return int(value)


def port(text: str) -> int:
    value = _parsed(text, int, "a port in 0..65535 (0: a free one)")
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port in 0..65535 (0: a free one), got {text}")
    return int(value)


def seconds(text: str) -> float:
    value = _parsed(text, float, "a number of seconds > 0")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text}")
    if not math.isfinite(value):  # inf: no interval to poll at
        raise argparse.ArgumentTypeError(f"expected a finite number of seconds > 0, got {text}")
    return float(value)
