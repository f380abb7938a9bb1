"""One worker per GPU: ``search(workers="gpu")`` and ``resources_per_job={"gpu": n}``.

Each local worker process starts with ``CUDA_VISIBLE_DEVICES`` naming only its own GPU(s), so
TensorFlow, JAX and PyTorch in that worker see one device, numbered 0, whatever the machine has.
This replaces keras-tuner's chief/worker environment variables (``KERASTUNER_TUNER_ID``,
``KERASTUNER_ORACLE_IP``...): one script, one command, every GPU busy.

The GPUs are the ones the driver may use: ``CUDA_VISIBLE_DEVICES`` when it is set (so
``CUDA_VISIBLE_DEVICES=2,3 python search.py`` uses those two), else those ``nvidia-smi`` lists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

from rung.errors import ConfigurationError
from rung.validation import check_int, check_number, fail_type, fail_value

__all__ = ["check_resources", "visible_gpus", "worker_devices"]

_KNOWN = ("cpu", "gpu")


def visible_gpus() -> list[str]:
    """The GPUs this process may use, as ``CUDA_VISIBLE_DEVICES`` entries (ids or UUIDs)."""
    listed = os.environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None:
        entries = [d.strip() for d in listed.split(",") if d.strip()]
        # CUDA stops at the first invalid entry; "-1" is the usual way of hiding every GPU
        return entries[:entries.index("-1")] if "-1" in entries else entries
    tool = shutil.which("nvidia-smi")
    if tool is None:
        return []
    try:
        out = subprocess.run([tool, "--query-gpu=index", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip()]


def check_resources(resources: object) -> dict[str, float]:
    """``resources_per_job`` checked: a dict such as ``{"gpu": 1}`` or ``{"cpu": 2, "gpu": 0.5}``
    (other keys are Ray custom resources); None is ``{}``."""
    if resources is None:
        return {}
    if not isinstance(resources, Mapping):
        raise fail_type("resources_per_job", 'a dict such as {"gpu": 1}', resources)
    checked: dict[str, float] = {}
    for key, amount in resources.items():
        if not isinstance(key, str) or not key:
            raise fail_value("resources_per_job", "resource names as strings", key)
        number = check_number(f"resources_per_job[{key!r}]", amount, 0)
        assert number is not None
        checked[key.lower() if key.lower() in _KNOWN else key] = number
    return checked


def worker_devices(resources: Mapping[str, float], gpus: list[str] | None = None) -> list[str]:
    """``CUDA_VISIBLE_DEVICES`` for each local worker: the visible GPUs, ``resources["gpu"]``
    (default 1, a whole number) to a worker; GPUs left over are not used."""
    gpus = visible_gpus() if gpus is None else gpus
    per_worker: Any = resources.get("gpu", 1)
    if per_worker != int(per_worker) or per_worker < 1:
        raise fail_value("resources_per_job['gpu']", "a whole number >= 1 with workers='gpu'",
                         per_worker, "local workers cannot share a GPU; Ray can (executor='ray')")
    per_worker = check_int("resources_per_job['gpu']", int(per_worker), 1)
    if len(gpus) < per_worker:
        raise ConfigurationError(
            f"workers='gpu' needs {per_worker} GPU(s) per worker, and {len(gpus)} are visible "
            f"(CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES')!r}; nvidia-smi when "
            "unset). Run on a machine with GPUs, or use workers=N for N CPU workers")
    count = len(gpus) // per_worker
    return [",".join(gpus[i * per_worker:(i + 1) * per_worker]) for i in range(count)]
