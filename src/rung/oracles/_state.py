"""The saved form of an oracle: its version, and the check a saved state passes before loading."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rung.errors import ConfigurationError
from rung.validation import fail_type, fail_value

__all__ = ["READABLE_VERSIONS", "STATE_VERSION", "check_state"]

STATE_VERSION = 3
"""The version of ``Oracle.state_dict()``'s layout. Version 1 (rung 0.1: positional lists and a
stop sentence) and version 2 (ASHA's rungs saved whole, not as a log) are still read:
``READABLE_VERSIONS`` lists what ``load_state_dict`` accepts."""
READABLE_VERSIONS = (1, 2, 3)


def check_state(state: Any, class_name: str) -> Mapping[str, Any]:
    """``state`` if it is a saved state of ``class_name`` that this rung can read."""
    if not isinstance(state, Mapping):
        raise fail_type("state", "a dict returned by Oracle.state_dict()", state)
    version = state.get("version")
    if version not in READABLE_VERSIONS:
        raise fail_value(
            "the saved oracle state's version", f"one of {READABLE_VERSIONS}", version,
            f"this rung writes version {STATE_VERSION}; the project was written by another "
            "(probably newer) rung: upgrade rung, or pass overwrite=True to start anew")
    if state.get("class") != class_name:
        raise ConfigurationError(
            f"the saved state is of a {state.get('class')!r}, not of a {class_name!r}; "
            "pass overwrite=True to start a new search")
    return state
