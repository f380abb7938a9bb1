"""rung's optimisers driven through the ask/tell contract (``rung.oracles``), one worker.

Every oracle gets the same space, ``max_epochs = R``, ``factor = 3`` and no limit of its own:
the run stops it when the epoch budget is spent (the job under way finishes).
"""

from __future__ import annotations

from typing import Any

from _se.problem import Run
from _se.space import declare

__all__ = ["RUNG"]

FACTOR = 3
MANY = 10**6  # "no limit": the epoch budget ends the run


def _drive(oracle: Any, run: Run) -> None:
    """One job at a time; each job reports its loss after every epoch (``on_report``), as
    rung's training functions and Keras callback do, then its final result."""
    while not run.exhausted:
        s = oracle.ask()
        if s is None:
            break
        values = dict(s.values)
        epochs = s.epochs if s.epochs is not None else run.problem.max_epochs
        run.pay(epochs - s.initial_epoch)
        for epoch in range(s.initial_epoch + 1, epochs + 1):
            loss = run.observe(values, epoch)
            if epoch < epochs:
                oracle.on_report(s.trial_id, epoch, {"loss": loss})
        run.record(values, epochs, loss)
        oracle.tell(s.trial_id, {"loss": loss})


def _space(run: Run) -> Any:
    from rung import HyperParameters

    return declare(HyperParameters(), run.problem.space)


def _common(run: Run) -> dict[str, Any]:
    return {"objective": "loss", "hyperparameters": _space(run), "seed": run.seed}


def random_search(run: Run) -> None:
    from rung.oracles import RandomSearchOracle

    _drive(RandomSearchOracle(max_trials=MANY, epochs=run.problem.max_epochs, **_common(run)),
           run)


def hyperband(run: Run) -> None:
    from rung.oracles import HyperbandOracle

    _drive(HyperbandOracle(max_epochs=run.problem.max_epochs, factor=FACTOR,
                           hyperband_iterations=None, **_common(run)), run)


def bohb(run: Run, searcher: str = "kde") -> None:
    from rung.oracles import BOHBOracle

    _drive(BOHBOracle(max_epochs=run.problem.max_epochs, factor=FACTOR, searcher=searcher,
                      hyperband_iterations=None, **_common(run)), run)


def bohb_gp(run: Run) -> None:
    bohb(run, "gp")


def _asha(run: Run, searcher: str) -> None:
    from rung.oracles import ASHAOracle

    _drive(ASHAOracle(max_epochs=run.problem.max_epochs, factor=FACTOR, max_trials=MANY,
                      searcher=searcher, **_common(run)), run)


def asha(run: Run) -> None:
    _asha(run, "random")


def asha_kde(run: Run) -> None:
    _asha(run, "kde")


def asha_gp(run: Run) -> None:
    _asha(run, "gp")


def gp_bo(run: Run) -> None:
    from rung.oracles import BayesianOptimizationOracle

    _drive(BayesianOptimizationOracle(max_trials=MANY, epochs=run.problem.max_epochs,
                                      **_common(run)), run)


RUNG = {
    "rung random": random_search,
    "rung Hyperband": hyperband,
    "rung BOHB": bohb,
    "rung BOHB+gp": bohb_gp,
    "rung ASHA": asha,
    "rung ASHA+kde": asha_kde,
    "rung ASHA+gp": asha_gp,
    "rung GP-BO": gp_bo,
}
