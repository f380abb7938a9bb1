"""The docs are code: every Python block of README.md and docs/*.md runs here.

Conventions (for whoever writes docs):

* Every fenced block opened with ```python (or ```py) is a test, named ``file:line``.
* The blocks of one file run in file order and share one namespace and one working directory (a
  fresh temporary directory per file), so a block may continue an earlier one: the README's
  oracle example may use ``train`` from its quickstart. Running one block alone (``-k``) first
  runs the earlier blocks of its file.
* The names the docs leave to the reader (``make_model``, ``fit_one_epoch``, ``x``, ``y``,
  ``my_data``, ``new_state``, ``train_one_epoch``, ``f``, ``trial``) come from
  ``tests/doc_placeholders.py``: small and fast. Keep the settings in the docs small too
  (``max_epochs=9``, not 81): the whole file runs in well under a minute.
* A block that contains ``if __name__ == "__main__":`` is a complete script: it runs in a
  subprocess as ``python <script>`` (with ``from doc_placeholders import *`` in front), since it
  starts worker processes that re-import it. It must not rely on earlier blocks.
* ``<!-- no-run: reason -->`` on the line before a block skips it, with the reason. Only for
  blocks that cannot run here (a cluster, an API not merged yet); prefer small settings.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import traceback
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

import pytest  # noqa: E402

import rung  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
OPEN = re.compile(r"^(\s*)```(\w*)\s*$")
NO_RUN = re.compile(r"^\s*<!--\s*no-run:\s*(.*?)\s*-->\s*$")
PYTHON = {"python", "py", "python3"}
SCRIPT_HEADER = "from doc_placeholders import *  # noqa: F403 (tests/test_docs.py)\n"


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    code: str
    skip_reason: str | None

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def is_script(self) -> bool:
        return re.search(r"^if __name__ == .__main__.:", self.code, re.MULTILINE) is not None


def parse_blocks(path: Path) -> list[Block]:
    """The Python blocks of a Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = OPEN.match(lines[i])
        if not match:
            i += 1
            continue
        start, indent, language = i, match.group(1), match.group(2)
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1  # the closing fence
        if language in PYTHON:
            previous = next((line for line in reversed(lines[:start]) if line.strip()), "")
            marker = NO_RUN.match(previous)
            reason = marker.group(1) if marker else None
            code = textwrap.dedent("\n".join(body)) + "\n"
            blocks.append(Block(path, start + 1, code, reason))
    return blocks


BLOCKS = [block for path in DOC_FILES for block in parse_blocks(path)]


@dataclass
class FileRun:
    """The shared state of one file's blocks: namespace, directory, how far they have run."""

    directory: Path
    namespace: dict[str, Any] = field(default_factory=dict)
    done: int = 0  # blocks of the file run so far (in order)
    failed: str | None = None  # the first block that failed


def placeholders() -> dict[str, Any]:
    """A fresh copy of the placeholder names (``trial`` is mutable: a new one per file)."""
    sys.path.insert(0, str(TESTS))
    try:
        import doc_placeholders as module
    finally:
        sys.path.remove(str(TESTS))
    names = {name: getattr(module, name) for name in module.__all__}
    names["trial"] = types.SimpleNamespace(hyperparameters=rung.HyperParameters())
    return names


@pytest.fixture(scope="session")
def file_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, FileRun]:
    return {
        path: FileRun(tmp_path_factory.mktemp(path.stem), {"__name__": "doc_block", **placeholders()})
        for path in DOC_FILES
    }


def run_in_namespace(block: Block, run: FileRun) -> None:
    source = "\n" * block.line + block.code  # tracebacks show the Markdown file's line numbers
    exec(compile(source, str(block.path), "exec"), run.namespace)  # noqa: S102 - the point


def run_as_script(block: Block, run: FileRun) -> None:
    script = run.directory / f"{block.path.stem}_{block.line}.py"
    script.write_text(SCRIPT_HEADER + "\n" * (block.line - 1) + block.code, encoding="utf-8")
    package_root = str(Path(rung.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([package_root, str(TESTS)])}
    done = subprocess.run([sys.executable, str(script)], cwd=run.directory, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (
        f"{block.name} exited with status {done.returncode}:\n{done.stdout[-2000:]}\n"
        f"{done.stderr[-4000:]}"
    )


def run_block(block: Block, run: FileRun) -> None:
    if block.skip_reason is not None:
        return
    try:
        if block.is_script:
            run_as_script(block, run)
        else:
            run_in_namespace(block, run)
    except BaseException:
        run.failed = f"{block.name}\n{traceback.format_exc()}"
        raise


@pytest.mark.parametrize("block", BLOCKS, ids=[block.name for block in BLOCKS])
def test_doc_block(block: Block, file_runs: dict[Path, FileRun],
                   monkeypatch: pytest.MonkeyPatch) -> None:
    if block.skip_reason is not None:
        pytest.skip(f"marked no-run: {block.skip_reason}")
    run = file_runs[block.path]
    monkeypatch.chdir(run.directory)
    same_file = [b for b in BLOCKS if b.path == block.path]
    index = same_file.index(block)
    while run.done <= index:
        if run.failed is not None:
            pytest.fail(f"an earlier block of this file failed, so this one cannot run: "
                        f"{run.failed}")
        current = same_file[run.done]
        run.done += 1
        run_block(current, run)


def test_every_doc_has_been_parsed() -> None:
    """The parser finds the blocks (a broken regex would make every doc 'pass' with no test)."""
    assert len(BLOCKS) >= 8
    assert {block.path.name for block in BLOCKS} >= {"README.md", "training-functions.md"}


def test_no_run_markers_sit_on_python_blocks_and_give_a_reason() -> None:
    for path in DOC_FILES:
        lines = path.read_text(encoding="utf-8").splitlines()
        starts = {block.line for block in parse_blocks(path)}
        for number, line in enumerate(lines, start=1):
            if "no-run" not in line:
                continue
            assert NO_RUN.match(line), f"{path.name}:{number}: malformed marker {line!r}"
            assert NO_RUN.match(line).group(1), f"{path.name}:{number}: no reason given"
            following = next(n for n in range(number + 1, len(lines) + 1) if lines[n - 1].strip())
            assert following in starts, f"{path.name}:{number}: the marker is not before a block"


def test_parser_reads_indentation_markers_and_scripts(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(textwrap.dedent("""\
        text
        ```python
        a = 1
        ```
        * a list item:
          ```py
          if __name__ == "__main__":
              b = 2
          ```
        <!-- no-run: needs a cluster -->
        ```python
        c = 3
        ```
        ```bash
        make test
        ```
        """), encoding="utf-8")
    blocks = parse_blocks(doc)
    assert [(b.line, b.code, b.skip_reason) for b in blocks] == [
        (2, "a = 1\n", None),
        (6, 'if __name__ == "__main__":\n    b = 2\n', None),
        (11, "c = 3\n", "needs a cluster"),
    ]
    assert [b.is_script for b in blocks] == [False, True, False]
