"""Which way a metric's name says it goes: ``infer_direction("val_loss") == "min"``.

The rules that let an :class:`rung.Objective` be given by name alone (``objective="val_accuracy"``),
as keras-tuner allows, without importing Keras: a metric is recognised by the words of its name.
"""

from __future__ import annotations

import difflib
import re

__all__ = ["COMMON_METRICS", "infer_direction", "nearest_metric", "unknown_direction"]

# Direction inference. Names are lower-cased, "val_"/"weighted_" prefixes are stripped, then the
# name is split into words on anything that is not a letter or digit ("val_auc_1" -> auc; "ndcg@10"
# -> ndcg). Word phrases must match whole words; the long substrings match anywhere. Minimising
# rules are tried first, so "dice_loss" or "cosine_similarity_loss" minimise.
_MIN_SUBSTRINGS = ("loss", "crossentropy", "error")
_MIN_PHRASES = frozenset(
    {
        "ce", "nll", "mse", "mae", "mape", "msle", "rmse", "rmsle", "hinge", "kld", "kl",
        "divergence", "poisson", "logcosh", "log_cosh", "huber", "perplexity",
        "cosine_proximity", "false_positives", "false_negatives", "fp", "fn", "brier",
    }
)  # fmt: skip
_MAX_SUBSTRINGS = ("accuracy",)
_MAX_PHRASES = frozenset(
    {
        "acc", "auc", "precision", "recall", "f1", "fbeta", "r2", "iou", "true_positives",
        "true_negatives", "tp", "tn", "cosine_similarity", "specificity", "sensitivity",
        "dice", "ndcg", "map", "mrr", "psnr", "ssim",
    }
)  # fmt: skip
_PREFIXES = ("val_", "weighted_")
_NEGATED = "neg_"
_FLIPPED = {"min": "max", "max": "min"}


def _has_phrase(words: list[str], phrases: frozenset[str]) -> bool:
    return any(
        "_".join(words[i:j]) in phrases
        for i in range(len(words))
        for j in range(i + 1, min(i + 2, len(words)) + 1)
    )


def infer_direction(name: str) -> str | None:
    """``"min"``, ``"max"`` or ``None`` (unknown) for a metric name.

    Minimised: names containing ``loss``, ``crossentropy`` or ``error``, and the words ``ce``,
    ``mse``, ``mae``, ``mape``, ``msle``, ``rmse``, ``hinge``, ``kl_divergence``, ``poisson``,
    ``logcosh``, ``huber``, ``perplexity``, ``cosine_proximity``, ``false_positives``, ``fp``,
    ``brier`` ...
    Maximised: names containing ``accuracy`` and the words ``acc``, ``auc``, ``precision``,
    ``recall``, ``f1``, ``fbeta``, ``r2``, ``iou``, ``true_positives``, ``tp``,
    ``cosine_similarity``, ``specificity``, ``sensitivity``, ``dice``, ``ndcg``, ``map``, ``mrr``,
    ``psnr``, ``ssim``. A minimising rule wins over a maximising one (``dice_loss`` is "min").
    A ``neg_`` prefix, scikit-learn's name for a negated loss (``neg_log_loss``,
    ``neg_mean_squared_error``), turns the rest's direction round: those are maximised.

    Deliberate differences from keras-tuner (which looks names up in ``keras.metrics``):

    - ``f1_score``, ``fbeta_score`` and ``r2_score`` are maximised (keras-tuner: minimised, a bug).
    - IoU metrics (``iou``, ``mean_iou``, ``binary_iou``, ``iou_score``) are maximised
      (keras-tuner: unknown, so it raises).
    - ``cosine_similarity`` is maximised, as the Keras metric of that name grows with similarity;
      the old ``cosine_proximity`` (a negated similarity) is minimised.
    - Names that are not Keras built-ins are still recognised by their words: multi-output names
      (``output_1_accuracy``), Keras' de-duplication suffixes (``auc_1``), ranking metrics
      (``ndcg@10``), custom names (``dice_coef``, ``my_val_loss``). keras-tuner raises for these.
    - Any number of ``val_``/``weighted_`` prefixes are stripped (keras-tuner: one of each).
    - ``neg_`` names (scikit-learn's scorers) are maximised (keras-tuner: unknown, so it raises;
      a search for words would find ``loss`` and minimise them, keeping the worst model).
    - No Keras import: unknown names give ``None`` instead of keras-tuner's "min" for other Keras
      metric names (e.g. ``mean``, ``sum``); give those an explicit :class:`Objective`.
    """
    stem = name.lower()
    while stem.startswith(_PREFIXES):
        stem = stem[len("val_") :] if stem.startswith("val_") else stem[len("weighted_") :]
    if stem.startswith(_NEGATED):  # scikit-learn's scorers: neg_log_loss = -log_loss
        direction = infer_direction(stem[len(_NEGATED) :])
        return None if direction is None else _FLIPPED[direction]
    words = [w for w in re.split(r"[^a-z0-9]+", stem) if w and not w.isdigit()]
    if any(s in stem for s in _MIN_SUBSTRINGS) or _has_phrase(words, _MIN_PHRASES):
        return "min"
    if any(s in stem for s in _MAX_SUBSTRINGS) or _has_phrase(words, _MAX_PHRASES):
        return "max"
    return None


# Metric names users commonly tune on (Keras' and scikit-learn's), each with an inferred
# direction: what a misspelt objective is compared with (``nearest_metric``).
COMMON_METRICS = (
    "loss", "accuracy", "acc", "binary_accuracy", "categorical_accuracy",
    "sparse_categorical_accuracy", "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy", "balanced_accuracy", "auc", "roc_auc", "precision",
    "recall", "f1", "f1_score", "fbeta_score", "r2", "r2_score", "iou", "mean_iou",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "root_mean_squared_error", "mse", "mae", "mape", "msle",
    "rmse", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "kl_divergence", "poisson", "hinge", "squared_hinge",
    "categorical_hinge", "logcosh", "cosine_similarity", "neg_log_loss",
    "neg_mean_squared_error", "neg_mean_absolute_error", "neg_root_mean_squared_error",
)  # fmt: skip
_CANDIDATES = tuple(sorted(set(COMMON_METRICS) | {f"val_{name}" for name in COMMON_METRICS}))


def nearest_metric(name: str) -> str | None:
    """The common metric name (``COMMON_METRICS``, with or without ``val_``) a name whose
    direction is unknown most likely misspells (``"val_los"`` -> ``"val_loss"``), or None.
    The cutoff is high: a custom name gets no suggestion (``"val_mean"`` is not ``"val_mae"``)."""
    found = difflib.get_close_matches(name.lower(), _CANDIDATES, n=1, cutoff=0.85)
    return found[0] if found else None


def unknown_direction(name: str) -> str:
    """The message for an objective named ``name`` whose direction is unknown: a misspelt common
    metric gets "did you mean", and the explicit ``Objective`` offered then takes that metric's
    direction first (a misspelt loss is not maximised)."""
    start = (f"Could not infer optimization direction ('min' or 'max') for objective={name!r}: "
             "it is not a known metric name")
    near = nearest_metric(name)
    if near is None:
        return f"{start}; pass rung.Objective({name!r}, direction='max') (or 'min')."
    likely = infer_direction(near)
    other = "max" if likely == "min" else "min"
    return (f"{start}; did you mean {near!r}? If {name!r} is the metric's name, pass "
            f"rung.Objective({name!r}, direction={likely!r}) (or {other!r}).")
