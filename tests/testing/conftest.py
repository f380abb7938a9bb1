"""Makes ``_user_extensions`` (a user's own searcher and executor, shared by the tests here and
imported by the subprocess of a killed search) importable."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
