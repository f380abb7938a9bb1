"""Tune gradient boosting with Hyperband over the number of trees (``resource="n_estimators"``).

    python examples/sklearn_gbm.py            # up to 243 trees
    python examples/sklearn_gbm.py --smoke    # a few seconds

A promoted configuration grows its parent's ensemble with ``warm_start`` instead of refitting.
"""

from __future__ import annotations

import argparse

from scipy.stats import loguniform, randint, uniform
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import GradientBoostingClassifier

from rung.integrations.sklearn import HyperbandSearchCV


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a tiny budget (CI)")
    args = parser.parse_args()
    X, y = load_breast_cancer(return_X_y=True)
    space = {
        "learning_rate": loguniform(1e-2, 1.0),
        "max_depth": randint(1, 6),
        "subsample": uniform(0.5, 0.5),
        "min_samples_leaf": [1, 5, 20],
    }
    search = HyperbandSearchCV(
        GradientBoostingClassifier(random_state=0), space, resource="n_estimators",
        max_resource=9 if args.smoke else 243, min_resource=3 if args.smoke else 9, factor=3,
        cv=3, scoring="roc_auc", random_state=0, verbose=0 if args.smoke else 1)
    search.fit(X, y)
    print(f"best cv roc_auc={search.best_score_:.4f} with {search.best_params_} "
          f"(n_estimators={search.best_estimator_.n_estimators}, "
          f"{len(search.cv_results_['params'])} jobs)")


if __name__ == "__main__":
    main()
