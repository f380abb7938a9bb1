"""Peers driven by hand on the same runs: Optuna (TPE with HyperbandPruner, TPE and GP without
pruning) and keras-tuner's Hyperband and BayesianOptimization oracles (no tuner, no Keras).

keras-tuner's oracles write JSON files at every change; the benchmark turns that off on the
instance (``save``/``_save_trial`` replaced by no-ops, display silenced) so that only the search
logic runs. DEHB is not included: ``pip download --no-deps dehb`` (0.1.2) declares numpy<2,
dask, distributed, pandas, pyarrow, loguru and ConfigSpace, far more than a small dependency.
"""

from __future__ import annotations

from typing import Any

from _se.problem import Run
from _se.space import declare, suggest

__all__ = ["PEERS"]

FACTOR = 3
KT_SEED_SPACING = 100_000
"""keras-tuner's seed for the benchmark's seed ``s``: ``1 + s * KT_SEED_SPACING``. keras-tuner draws
its n-th random value from ``random.Random(seed + n)`` and treats ``seed=0`` as no seed, so its
seeds ``s`` and ``s + 1`` give the same values shifted by one draw (``s + 4`` the same
configurations shifted by one trial, in a 4-parameter space). Seeds this far apart give every
run its own values: one run draws at most a few thousand."""


# --- Optuna --------------------------------------------------------------------------------
def _study(sampler: Any, pruner: Any = None) -> Any:
    """A study with a fixed name: HyperbandPruner puts trials in brackets by a hash of it."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(direction="minimize", sampler=sampler, pruner=pruner,
                               study_name="sample-efficiency")


def _optuna_full(run: Run, sampler: Any) -> None:
    """One trial = R epochs, no intermediate reports."""
    study = _study(sampler)
    r = run.problem.max_epochs
    while not run.exhausted:
        trial = study.ask()
        values = suggest(trial, run.problem.space)
        study.tell(trial, run.train(values, 0, r))


def optuna_tpe(run: Run) -> None:
    import optuna

    _optuna_full(run, optuna.samplers.TPESampler(seed=run.seed))


def optuna_gp(run: Run) -> None:
    import optuna

    _optuna_full(run, optuna.samplers.GPSampler(seed=run.seed))


def optuna_tpe_hyperband(run: Run) -> None:
    """TPE + HyperbandPruner: each trial reports every epoch and pays for it; a pruned trial's
    last report is its result (the value Optuna's TPE sees too)."""
    import optuna

    r = run.problem.max_epochs
    study = _study(optuna.samplers.TPESampler(seed=run.seed),
                   optuna.pruners.HyperbandPruner(min_resource=1, max_resource=r,
                                                  reduction_factor=FACTOR))
    while not run.exhausted:
        trial = study.ask()
        values = suggest(trial, run.problem.space)
        loss, epoch, pruned = float("nan"), 0, False
        for epoch in range(1, r + 1):
            run.pay(1)
            loss = run.observe(values, epoch)
            trial.report(loss, epoch)
            if trial.should_prune():
                pruned = True
                break
        run.record(values, epoch, loss)
        state = optuna.trial.TrialState.PRUNED if pruned else optuna.trial.TrialState.COMPLETE
        study.tell(trial, None if pruned else loss, state=state)


# --- keras-tuner ---------------------------------------------------------------------------
def _quiet(oracle: Any) -> Any:
    oracle.save = lambda: None
    oracle._save_trial = lambda trial: None
    oracle._display.verbose = 0
    return oracle


def _kt_drive(oracle: Any, run: Run) -> None:
    r = run.problem.max_epochs
    while not run.exhausted:
        trial = oracle.create_trial("bench")
        if trial.status != "RUNNING":
            break
        hp = dict(trial.hyperparameters.values)
        values = {k: v for k, v in hp.items() if not k.startswith("tuner/")}
        epochs = int(hp.get("tuner/epochs", r))
        loss = run.train(values, int(hp.get("tuner/initial_epoch", 0)), epochs)
        oracle.update_trial(trial.trial_id, {"loss": loss}, step=epochs)
        trial.status = "COMPLETED"
        oracle.end_trial(trial)


def kt_seed(seed: int) -> int:
    """keras-tuner's seed for the benchmark's ``seed`` (see ``KT_SEED_SPACING``)."""
    return 1 + seed * KT_SEED_SPACING


def _kt_common(run: Run) -> dict[str, Any]:
    import keras_tuner as kt

    return {"objective": kt.Objective("loss", "min"), "seed": kt_seed(run.seed),
            "hyperparameters": declare(kt.HyperParameters(), run.problem.space)}


def kt_hyperband(run: Run) -> None:
    import keras_tuner as kt

    oracle = kt.oracles.HyperbandOracle(max_epochs=run.problem.max_epochs, factor=FACTOR,
                                        hyperband_iterations=10**6, **_kt_common(run))
    _kt_drive(_quiet(oracle), run)


def kt_bayesian(run: Run) -> None:
    import keras_tuner as kt

    oracle = kt.oracles.BayesianOptimizationOracle(max_trials=10**6, **_kt_common(run))
    _kt_drive(_quiet(oracle), run)


PEERS = {
    "Optuna TPE+Hyperband": optuna_tpe_hyperband,
    "Optuna TPE": optuna_tpe,
    "Optuna GP": optuna_gp,
    "keras-tuner Hyperband": kt_hyperband,
    "keras-tuner BO": kt_bayesian,
}
