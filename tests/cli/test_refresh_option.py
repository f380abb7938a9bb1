"""``rung dashboard --refresh`` refuses an interval that is not finite, naming the option; a
second path (a path with spaces, unquoted) is explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from rung.cli import main


@pytest.mark.parametrize("given", ["inf", "Infinity", "1e400"])
def test_an_infinite_refresh_is_refused_by_the_option(asha_project: Path, given: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["dashboard", str(asha_project), "--refresh", given])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert (f"rung dashboard: error: argument --refresh: expected a finite number of seconds > 0, "
            f"got {given}") in err
    assert "refresh_s" not in err


def test_a_path_with_spaces_left_unquoted_is_explained(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["status", "runs/my", "project"])  # what the shell makes of: rung status runs/my project
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert ("rung status: error: unrecognized arguments: project (rung status takes one DIR; "
            "quote a path with spaces, as in rung status 'runs/my project')") in err
