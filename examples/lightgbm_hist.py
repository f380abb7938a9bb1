"""Tune LightGBM with Hyperband over training samples (``resource="n_samples"``).

    pip install "rung[lightgbm]"
    python examples/lightgbm_hist.py            # full budget
    python examples/lightgbm_hist.py --smoke    # a few seconds

``LGBMClassifier`` is a scikit-learn estimator, so ``HyperbandSearchCV`` tunes it like any other:
small rungs train on a stratified subset of each training fold, the last on all of it.
"""

from __future__ import annotations

import argparse

from lightgbm import LGBMClassifier
from scipy.stats import loguniform, randint, uniform
from sklearn.datasets import load_digits

from rung.integrations.sklearn import HyperbandSearchCV


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a tiny budget (CI)")
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    space = {
        "learning_rate": loguniform(1e-2, 0.5),
        "num_leaves": randint(4, 64),
        "subsample": uniform(0.5, 0.5),
        "subsample_freq": randint(1, 5),
        "colsample_bytree": uniform(0.3, 0.7),
        "reg_lambda": loguniform(1e-3, 10.0),
    }
    estimator = LGBMClassifier(n_estimators=10 if args.smoke else 100, n_jobs=1,
                               random_state=0, verbose=-1)
    search = HyperbandSearchCV(estimator, space, resource="n_samples",
                               min_resource=150 if args.smoke else "auto", factor=3, cv=3,
                               random_state=0, verbose=0 if args.smoke else 1)
    search.fit(X, y)
    print(f"best cv accuracy={search.best_score_:.4f} with {search.best_params_} "
          f"({len(search.cv_results_['params'])} jobs, n_resources={search.n_resources_})")


if __name__ == "__main__":
    main()
