"""Tune XGBoost with Hyperband over training samples (``resource="n_samples"``).

    pip install "rung[xgboost]"
    python examples/xgboost_hist.py            # full budget
    python examples/xgboost_hist.py --smoke    # a few seconds

``XGBClassifier`` is a scikit-learn estimator, so ``HyperbandSearchCV`` tunes it like any other:
small rungs train on a stratified subset of each training fold, the last on all of it.
"""

from __future__ import annotations

import argparse

from scipy.stats import loguniform, randint, uniform
from sklearn.datasets import load_digits
from xgboost import XGBClassifier

from rung.integrations.sklearn import HyperbandSearchCV


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a tiny budget (CI)")
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    space = {
        "learning_rate": loguniform(1e-2, 0.5),
        "max_depth": randint(2, 8),
        "subsample": uniform(0.5, 0.5),
        "colsample_bytree": uniform(0.3, 0.7),
        "reg_lambda": loguniform(1e-3, 10.0),
    }
    estimator = XGBClassifier(n_estimators=10 if args.smoke else 100, tree_method="hist",
                              n_jobs=1, random_state=0)
    search = HyperbandSearchCV(estimator, space, resource="n_samples",
                               min_resource=150 if args.smoke else "auto", factor=3, cv=3,
                               random_state=0, verbose=0 if args.smoke else 1)
    search.fit(X, y)
    print(f"best cv accuracy={search.best_score_:.4f} with {search.best_params_} "
          f"({len(search.cv_results_['params'])} jobs, n_resources={search.n_resources_})")


if __name__ == "__main__":
    main()
