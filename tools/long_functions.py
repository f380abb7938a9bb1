"""List the functions longer than a limit (default 40 lines), longest first.

Usage::

    python tools/long_functions.py [--limit 40] [paths ...]      # default: src/rung

Each line reads ``<lines>  <file>:<line>  <qualified name>``; the length counts from the ``def``
line (decorators excluded) to the function's last line, docstring included.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

__all__ = ["long_functions", "main"]


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.AST]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = f"{prefix}{node.name}"
            yield name, node
            yield from _functions(node, f"{name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")


def long_functions(paths: list[Path], limit: int) -> list[tuple[int, str, int, str]]:
    """``(lines, file, line number, name)`` of every function over ``limit`` lines."""
    found = []
    for root in paths:
        files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
        for path in files:
            tree = ast.parse(path.read_text(), filename=str(path))
            for name, node in _functions(tree):
                length = node.end_lineno - node.lineno + 1  # type: ignore[attr-defined]
                if length > limit:
                    found.append((length, str(path), node.lineno, name))  # type: ignore[attr-defined]
    return sorted(found, key=lambda f: (-f[0], f[1], f[2]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[Path("src/rung")])
    parser.add_argument("--limit", type=int, default=40)
    args = parser.parse_args(argv)
    for length, path, line, name in long_functions(args.paths, args.limit):
        print(f"{length:4d}  {path}:{line}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
