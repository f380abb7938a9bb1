"""How a trial trains in each framework: ``keras``, ``torch``, ``sklearn``.

Each integration is imported on its own (``import rung.integrations.torch``) and imports its
framework lazily, so ``import rung`` never needs any of them.
"""

from __future__ import annotations

__all__: list[str] = []
