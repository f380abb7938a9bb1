"""Direction inference from metric names (``rung.metric_names``)."""

from __future__ import annotations

import pytest

from rung.metric_names import COMMON_METRICS, infer_direction, nearest_metric, unknown_direction

MIN_NAMES = [
    "loss",
    "val_loss",
    "weighted_loss",
    "val_weighted_loss",
    "categorical_crossentropy",
    "val_sparse_categorical_crossentropy",
    "binary_crossentropy",
    "ce",
    "val_ce",
    "mse",
    "mae",
    "mape",
    "msle",
    "rmse",
    "mean_squared_error",
    "val_mean_absolute_percentage_error",
    "root_mean_squared_error",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "kl_divergence",
    "kld",
    "poisson",
    "logcosh",
    "log_cosh",
    "huber",
    "huber_loss",
    "cosine_proximity",
    "false_positives",
    "false_negatives",
    "val_false_positives_1",
    "fp",
    "fn",
    "dense_1_loss",
    "dice_loss",
    "cosine_similarity_loss",
    "error_rate",
    "VAL_LOSS",
]

MAX_NAMES = [
    "acc",
    "val_acc",
    "accuracy",
    "val_accuracy",
    "weighted_accuracy",
    "val_weighted_binary_accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "output_1_accuracy",
    "auc",
    "val_auc",
    "auc_1",
    "pr_auc",
    "precision",
    "recall",
    "val_precision_2",
    "precision_at_recall",
    "f1",
    "f1_score",
    "val_f1_score",
    "fbeta_score",
    "r2",
    "r2_score",
    "iou",
    "mean_iou",
    "binary_iou",
    "one_hot_mean_iou",
    "iou_score",
    "true_positives",
    "true_negatives",
    "tp",
    "tn",
    "cosine_similarity",
    "specificity",
    "sensitivity_at_specificity",
    "dice",
    "dice_coef",
    "ndcg",
    "ndcg@10",
    "map",
    "AUC",
    # scikit-learn's scorers negate losses: greater is better
    "neg_log_loss",
    "neg_mean_squared_error",
    "val_neg_root_mean_squared_error",
    "neg_mean_absolute_error",
    "neg_brier_score",
]

UNKNOWN_NAMES = ["foo", "my_metric", "mean", "sum", "epoch", "", "val_", "mapping", "tpx", "neg_",
                 "neg_foo"]


@pytest.mark.parametrize("name", MIN_NAMES)
def test_infer_min(name: str) -> None:
    assert infer_direction(name) == "min"


@pytest.mark.parametrize("name", MAX_NAMES)
def test_infer_max(name: str) -> None:
    assert infer_direction(name) == "max"


@pytest.mark.parametrize("name", UNKNOWN_NAMES)
def test_infer_unknown(name: str) -> None:
    assert infer_direction(name) is None


def test_a_negated_maximised_metric_is_minimised() -> None:
    assert infer_direction("neg_accuracy") == "min"
    assert infer_direction("neg_neg_log_loss") == "min"


@pytest.mark.parametrize(("name", "near"), [
    ("val_los", "val_loss"), ("val_accuarcy", "val_accuracy"), ("Val_Loss_", "val_loss"),
    ("mean_squared_eror", "mean_squared_error"), ("val_mean", None), ("my_metric", None),
])
def test_a_misspelt_common_metric_gets_its_nearest_name(name: str, near: str | None) -> None:
    assert nearest_metric(name) == near


def test_the_offered_objective_takes_the_direction_of_the_metric_it_misspells() -> None:
    loss = unknown_direction("val_los")
    assert "did you mean 'val_loss'? If 'val_los' is the metric's name, pass " \
           "rung.Objective('val_los', direction='min') (or 'max')." in loss
    assert "direction='max') (or 'min')" in unknown_direction("val_acuracy")
    assert unknown_direction("my_metric").endswith(
        "pass rung.Objective('my_metric', direction='max') (or 'min').")
    assert all(infer_direction(name) is not None for name in COMMON_METRICS)
