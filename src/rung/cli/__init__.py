"""The ``rung`` command line (``rung --help``; see ``rung.cli.main``)."""

from rung.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
