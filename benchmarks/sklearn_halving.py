"""rung's HyperbandSearchCV vs scikit-learn's HalvingRandomSearchCV and RandomizedSearchCV.

Same estimator (``SGDClassifier``, ``tol=None`` so ``max_iter`` is exactly the number of passes),
same space, same data (digits, standardised; 3-fold CV on 75 %, a held-out 25 % test set), same
largest budget per configuration (``R`` passes) and the same total budget in passes:

* rung: ``HyperbandSearchCV(resource="n_iter", max_resource=R, factor=3)``; promoted
  configurations continue their parent's estimator, so its plan costs ``B`` passes per fold.
* halving: ``HalvingRandomSearchCV(resource="max_iter", max_resources=R, factor=3)`` (refits from
  scratch at each iteration), with ``n_candidates`` chosen so its total passes are about ``B``.
* random: ``RandomizedSearchCV`` with ``n_iter = B // R`` configurations trained for ``R`` passes.

Reported per method, over several seeds: the best CV score, the test accuracy of the refitted
best model, the passes used and the wall time, then rung's ratios to each peer. Run::

    .venv/bin/python benchmarks/sklearn_halving.py              # R=27, 5 seeds
    .venv/bin/python benchmarks/sklearn_halving.py --seeds 2 --max-resource 9   # quick
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _args import at_least
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import (
    HalvingRandomSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
    train_test_split,
)
from sklearn.preprocessing import StandardScaler

from rung.integrations.sklearn import HyperbandSearchCV

SPACE = {
    "alpha": loguniform(1e-6, 1e-1),
    "loss": ["hinge", "log_loss", "modified_huber"],
    "penalty": ["l2", "l1", "elasticnet"],
    "learning_rate": ["optimal", "adaptive", "invscaling"],
    "eta0": loguniform(1e-3, 1.0),
}


def data(seed: int) -> tuple:
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=seed,
                                                        stratify=y)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def halving_passes(n_candidates: int, R: int, factor: int) -> int:
    """Total passes (per fold) of sklearn's halving from 1 pass to R with n_candidates."""
    total, n, r = 0, n_candidates, 1
    while r <= R and n >= 1:
        total += n * r
        n, r = int(np.ceil(n / factor)), r * factor
    return total


def run(method: str, seed: int, R: int, factor: int, budget: int) -> dict[str, float]:
    X_train, X_test, y_train, y_test = data(seed)
    cv = StratifiedKFold(3, shuffle=True, random_state=seed)
    if method == "rung":
        search = HyperbandSearchCV(SGDClassifier(random_state=seed), SPACE, resource="n_iter",
                                   max_resource=R, factor=factor, cv=cv, random_state=seed)
        passes = budget
    elif method == "halving":
        n = max(1, max((c for c in range(1, 5 * budget)
                        if halving_passes(c, R, factor) <= budget), default=1))
        search = HalvingRandomSearchCV(
            SGDClassifier(random_state=seed, tol=None), SPACE, resource="max_iter",
            max_resources=R, min_resources=1, factor=factor, n_candidates=n, cv=cv,
            random_state=seed)
        passes = halving_passes(n, R, factor)
    else:
        n = max(1, budget // R)
        search = RandomizedSearchCV(SGDClassifier(random_state=seed, tol=None, max_iter=R), SPACE,
                                    n_iter=n, cv=cv, random_state=seed)
        passes = n * R
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X_train, y_train)
    wall = time.perf_counter() - start
    return {"cv": float(search.best_score_), "test": float(search.score(X_test, y_test)),
            "passes": passes, "wall": wall}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=at_least(1), default=5,
                        help="how many seeds, 0 to SEEDS - 1 (default 5)")
    parser.add_argument("--max-resource", type=at_least(1), default=27, metavar="R",
                        help="passes (max_iter) of the largest budget (default 27)")
    parser.add_argument("--factor", type=at_least(2), default=3,
                        help="Hyperband's and halving's reduction factor (default 3)")
    args = parser.parse_args(argv)
    R, factor = args.max_resource, args.factor
    probe = HyperbandSearchCV(SGDClassifier(), SPACE, resource="n_iter", max_resource=R,
                              factor=factor)
    budget = _rung_budget(probe)
    print(f"SGDClassifier on digits, 3-fold CV, R={R} passes, factor={factor}, "
          f"budget={budget} passes per fold, seeds 0..{args.seeds - 1}")
    methods = ["rung", "halving", "random"]
    results = {m: [run(m, s, R, factor, budget) for s in range(args.seeds)] for m in methods}
    print(f"{'method':<10}{'best cv':>16}{'test acc':>16}{'passes':>8}{'wall s':>14}")
    means = {}
    for m in methods:
        rows = results[m]
        cv, test = np.array([r["cv"] for r in rows]), np.array([r["test"] for r in rows])
        wall = np.array([r["wall"] for r in rows])
        means[m] = (cv.mean(), test.mean(), wall.mean())
        print(f"{m:<10}{cv.mean():>9.4f} ±{cv.std():.4f}{test.mean():>9.4f} ±{test.std():.4f}"
              f"{int(np.mean([r['passes'] for r in rows])):>8}{wall.mean():>8.2f} ±{wall.std():.2f}")
    for peer in methods[1:]:
        cv, test, wall = (means["rung"][i] / means[peer][i] for i in range(3))
        print(f"rung / {peer:<8} best cv x{cv:.3f}  test acc x{test:.3f}  wall time x{wall:.2f}")


def _rung_budget(search: HyperbandSearchCV) -> int:
    """The passes per fold of rung's Hyperband plan (each promoted job pays only its new passes)."""
    from rung.oracles import HyperbandOracle

    oracle = HyperbandOracle(max_epochs=search.max_resource, factor=search.factor)
    return int(oracle.budget().epochs)


if __name__ == "__main__":
    main()
