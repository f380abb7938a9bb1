"""``rung import-keras-tuner``, and how the other commands recognise a keras-tuner project
given where a rung project is expected."""

from __future__ import annotations

import argparse
from pathlib import Path

from rung.errors import RungError
from rung.storage.project import DB_NAME

__all__ = ["has_keras_tuner_files", "is_keras_tuner_project", "run_import"]


def has_keras_tuner_files(path: Path) -> bool:
    """``path`` holds what keras-tuner writes: ``oracle.json`` or ``trial_*/trial.json``."""
    return path.is_dir() and (
        (path / "oracle.json").is_file() or any(path.glob("trial_*/trial.json")))


def is_keras_tuner_project(path: Path) -> bool:
    """``path`` is a keras-tuner project, and no rung project (no ``rung.db``)."""
    return has_keras_tuner_files(path) and not (path / DB_NAME).exists()


def _check_recorded(source: Path, name: str) -> None:
    """Refuse ``--objective name`` where the trials recorded other metrics only (before asking
    for its direction, which would not help)."""
    from rung.importers.keras_tuner_files import read_project
    from rung.validation import nearest

    recorded = sorted({m for trial in read_project(source).trials for m in trial.best_metrics()})
    if recorded and name not in recorded:  # none recorded: the score is the only value
        near = nearest(name, recorded)
        hint = f" (did you mean {near}?)" if near else ""
        raise RungError(f"--objective must be a metric the keras-tuner trials recorded, got "
                        f"{name!r}; they recorded {', '.join(recorded)}{hint}")


def run_import(args: argparse.Namespace) -> int:
    """``rung import-keras-tuner``: its options checked in the command's words, then
    ``rung.importers.import_keras_tuner``."""
    from rung.importers import import_keras_tuner
    from rung.importers.keras_tuner import import_target
    from rung.metric_names import infer_direction, nearest_metric
    from rung.objective import Objective
    from rung.tuner.project import check_project_name

    source = Path(args.source)
    if not has_keras_tuner_files(source):  # the CLI's words (SRC), not the importer's (path)
        below = sorted(str(p) for p in source.glob("*") if has_keras_tuner_files(p)) \
            if source.is_dir() else []
        hint = (f"; the keras-tuner projects below it are: {', '.join(below)}" if below else
                "; give the path of the directory keras-tuner wrote, directory/project_name")
        raise RungError(f"SRC {args.source!r} is not a keras-tuner project directory "
                        f"(expected oracle.json or trial_*/trial.json in it){hint}")
    if args.project_name is not None:
        try:
            check_project_name(args.project_name)
        except ValueError:  # the CLI's words, not Python's
            raise RungError(f"--project-name must be a plain folder name (not empty, not . or "
                            f"..; no /), got {args.project_name!r}; put the folders above it "
                            "in --directory") from None
    objective: str | Objective | None = args.objective
    if args.objective is not None:
        _check_recorded(source, args.objective)
    if args.direction is not None:
        if args.objective is None:
            raise RungError(f"--direction {args.direction} needs --objective, the metric to "
                            f"{args.direction}imise (without both, the import takes the one "
                            "keras-tuner scored, with its direction)")
        objective = Objective(args.objective, args.direction)
    elif args.objective is not None and infer_direction(args.objective) is None:
        near = nearest_metric(args.objective)
        hint = f"did you mean {near}? If not, " if near else ""
        raise RungError(f"--objective {args.objective!r}: its name does not say whether to "
                        f"minimise or maximise it; {hint}add --direction min or --direction max")
    target = import_target(args.source, args.directory, args.project_name)
    if (target / DB_NAME).exists() and not args.overwrite:  # the CLI's words, not Python's
        raise RungError(f"{str(target)!r} holds a rung project already: pass --overwrite to "
                        "replace it, or --project-name to import under another name")
    try:
        imported = import_keras_tuner(args.source, directory=args.directory,
                                      project_name=args.project_name, objective=objective,
                                      overwrite=args.overwrite)
    except OSError as exc:  # --directory is a file, or a folder rung may not write in
        raise RungError(f"cannot create the rung project {str(target)!r} (--directory "
                        f"{args.directory!r}): {exc.strerror or exc}"
                        + (f": {exc.filename!r}" if exc.filename else "")) from exc
    count = imported.storage.count_trials()
    print(f"imported {count} trials into {imported.project_dir}")
    imported.storage.close()
    return 0
