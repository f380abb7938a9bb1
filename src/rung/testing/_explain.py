"""Words for a bare ``assert`` of a kit, which Python raises without any.

A rule's ``assert a == b`` fails with an empty ``AssertionError`` outside pytest (the kits do not
depend on its assertion rewriting), which would leave a user with the rule's name alone. This
finds the failing line in the kit's own frame and, for a single comparison, reads both sides
again in that frame, so that the message says what was checked and what came back.
"""

from __future__ import annotations

import ast
import linecache
import traceback
from types import FrameType, TracebackType

__all__ = ["explain", "raised_at"]

_LIMIT = 300  # characters of each value shown


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _LIMIT else text[:_LIMIT] + "..."


def _kit_frame(tb: TracebackType | None) -> tuple[FrameType, int] | None:
    """The innermost frame of ``rung.testing`` in ``tb``, with its line number."""
    found = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_globals.get("__name__", "").startswith("rung.testing"):
            found = (frame, lineno)
    return found


def _statement(filename: str, lineno: int) -> str:
    """The ``assert`` starting at ``lineno``, with any lines it continues on."""
    lines = [linecache.getline(filename, lineno)]
    while len(lines) < 10:
        try:
            ast.parse("\n".join(line.strip() for line in lines))
            break
        except SyntaxError:
            lines.append(linecache.getline(filename, lineno + len(lines)))
    return " ".join(line.strip() for line in lines)


def explain(exc: AssertionError) -> str:
    """``str(exc)``, or, for an assertion without a message, what it checked and got."""
    if str(exc):
        return str(exc)
    located = _kit_frame(exc.__traceback__)
    if located is None:
        return "an assertion failed"
    frame, lineno = located
    source = _statement(frame.f_code.co_filename, lineno)
    where = f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{lineno}"
    try:
        node = ast.parse(source).body[0]
    except SyntaxError:
        return f"{source} ({where})"
    if not isinstance(node, ast.Assert):
        return f"{source} ({where})"
    text = f"`{ast.unparse(node.test)}` is false ({where})"
    test = node.test
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        sides = []
        for side in (test.left, test.comparators[0]):
            try:
                ast.literal_eval(side)
                continue  # a literal shows itself
            except ValueError:
                pass
            try:  # read again for the message only: the rule has failed already
                scope = {**frame.f_globals, **frame.f_locals}  # comprehensions see both
                value = eval(compile(ast.Expression(side), where, "eval"), scope)  # noqa: S307
            except Exception as error:  # noqa: BLE001 - a message, whatever happens
                value = f"<{type(error).__name__} when read again>"
            sides.append(f"{ast.unparse(side)} is {_short(value)}")
        text += ": " + "; ".join(sides)
    return text


def raised_at(exc: BaseException) -> str:
    """``str(exc)``, or, when it is empty (a bare ``StopIteration``, ``KeyError()``), where it was
    raised: the file, line and function of the innermost frame."""
    if str(exc):
        return str(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "(no message)"
    last = frames[-1]
    return f"(no message) raised at {last.filename}:{last.lineno} in {last.name}: {last.line}"
