"""What a rung ``Trial`` says of calls that do not do what their author meant.

Optuna's ``trial.report(value, step)`` and ``trial.suggest_float(...)`` are what an Optuna user
types first; Python's own errors ("report() takes 2 positional arguments but 3 were given",
"'Trial' object has no attribute 'suggest_float'") do not say what rung expects instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["missing_attribute", "missing_checkpoint", "positional_metrics"]

_SUGGEST = {
    "suggest_float": "trial.hyperparameters.Float(name, min_value, max_value, sampling='log')",
    "suggest_int": "trial.hyperparameters.Int(name, min_value, max_value)",
    "suggest_categorical": "trial.hyperparameters.Choice(name, values)",
    "suggest_uniform": "trial.hyperparameters.Float(name, min_value, max_value)",
    "suggest_loguniform": "trial.hyperparameters.Float(name, min_value, max_value, sampling='log')",
    "suggest_discrete_uniform": "trial.hyperparameters.Float(name, min_value, max_value, step=step)",
}


def positional_metrics(epoch: Any, values: tuple[Any, ...]) -> TypeError:
    """``trial.report(epoch, *values)``: the metrics were given by position."""
    shown = ", ".join(_short(v) for v in values)
    if len(values) == 1 and isinstance(values[0], dict):
        fix = f"unpack the dict: trial.report({epoch!r}, **metrics)"
    else:
        fix = ("e.g. trial.report(epoch, val_loss=value); Optuna's trial.report(value, step) is "
               "trial.report(step, <metric name>=value) here")
    return TypeError(f"trial.report(epoch, **metrics) takes the metrics as keywords named after "
                     f"them, got trial.report({_short(epoch)}, {shown}): {fix}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def missing_attribute(owner: object, name: str) -> AttributeError:
    """The ``AttributeError`` of ``owner.name``, with rung's way for an Optuna method."""
    message = f"{type(owner).__name__!r} object has no attribute {name!r}"
    if name.startswith("suggest_"):
        way = _SUGGEST.get(name, "trial.hyperparameters.Float/Int/Choice/Boolean(name, ...)")
        message += (f": rung declares hyperparameters define-by-run with {way} "
                    "(docs/training-functions.md)")
    elif name == "should_prune":
        message += (": under a stopping scheduler (ASHA's stopping mode) trial.report(epoch, "
                    "**metrics) raises rung.TrialPruned itself; let it propagate")
    return AttributeError(message, name=name, obj=owner)


def missing_checkpoint(directory: Path) -> str | None:
    """Why the parent whose directory is ``directory`` has no ``trial.save_checkpoint`` object,
    for the warning of a job that continues it: the directory is gone, or it holds only files
    the training code wrote itself (``rung.integrations.torch.save``'s, say). None: an empty
    directory, nothing worth a warning."""
    if not directory.exists():
        return "left no checkpoint (it never saved one, or its directory was deleted)"
    try:
        names = sorted(p.name for p in directory.iterdir() if p.is_file()
                       and not p.name.startswith(".") and not p.name.endswith(".sha256"))
    except OSError:
        return None
    if not names:
        return None
    torch = ("; rung.integrations.torch.restore(trial, model=..., optimizer=...) loads what "
             "rung.integrations.torch.save wrote" if "torch_checkpoint.pt" in names else "")
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    return (f"saved nothing with trial.save_checkpoint(obj), only files of its own ({shown}): "
            f"read them from trial.parent_checkpoint_dir{torch}")
