"""Tune an SGDClassifier with Hyperband over partial_fit passes (``resource="n_iter"``).

    python examples/sklearn_sgd.py            # max_resource=81 passes
    python examples/sklearn_sgd.py --smoke    # a few seconds

A promoted configuration continues its parent's partially fitted estimator (no refitting).
"""

from __future__ import annotations

import argparse
import warnings

from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rung.integrations.sklearn import HyperbandSearchCV


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a tiny budget (CI)")
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    space = {
        "alpha": loguniform(1e-6, 1e-1),
        "loss": ["hinge", "log_loss", "modified_huber"],
        "penalty": ["l2", "l1", "elasticnet"],
        "learning_rate": ["optimal", "adaptive"],
        "eta0": loguniform(1e-3, 1.0),
    }
    search = HyperbandSearchCV(SGDClassifier(random_state=0), space, resource="n_iter",
                               max_resource=3 if args.smoke else 81, factor=3, cv=3,
                               random_state=0, verbose=0 if args.smoke else 1)
    model = make_pipeline(StandardScaler(), search)  # the search is an estimator like any other
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of short partial fits
        model.fit(X_train, y_train)
    print(f"best cv accuracy={search.best_score_:.4f} test accuracy="
          f"{model.score(X_test, y_test):.4f} with {search.best_params_} "
          f"({len(search.cv_results_['params'])} jobs)")


if __name__ == "__main__":
    main()
