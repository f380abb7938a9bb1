"""``python -m rung``: the ``rung`` command (``rung.cli``)."""

import sys

from rung.cli import main

if __name__ == "__main__":
    sys.exit(main())
