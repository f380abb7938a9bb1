"""scikit-learn: ``HyperbandSearchCV`` (a scikit-learn estimator) and keras-tuner's ``SklearnTuner``.

``HyperbandSearchCV`` is the scikit-learn way: a drop-in for ``HalvingRandomSearchCV`` whose budget
is ``partial_fit`` passes (``resource="n_iter"``), estimators (``"n_estimators"``, continued with
``warm_start``) or training samples (``"n_samples"``). ``SklearnTuner`` is the keras-tuner way:
an oracle, a ``build(hp)`` function and ``tuner.search(X, y)``.

Example::

    from scipy.stats import loguniform
    from rung.integrations.sklearn import HyperbandSearchCV

    search = HyperbandSearchCV(SGDClassifier(), {"alpha": loguniform(1e-6, 1e-1)},
                               resource="n_iter", max_resource=27, random_state=0)
    search.fit(X, y)
    search.best_params_, search.best_score_

Needs scikit-learn: ``pip install "rung[sklearn]"``.
"""

from __future__ import annotations

from rung.optional import import_optional

import_optional("sklearn", "sklearn", "rung.integrations.sklearn")

from rung.integrations.sklearn._search import HyperbandSearchCV  # noqa: E402
from rung.integrations.sklearn._space import ParamSpace  # noqa: E402
from rung.integrations.sklearn._tuner import SklearnTuner  # noqa: E402

__all__ = ["HyperbandSearchCV", "ParamSpace", "SklearnTuner"]
