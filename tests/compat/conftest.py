"""Shared data for the keras-tuner guide tests: scikit-learn's digits (no download).

Keras runs on the torch backend unless KERAS_BACKEND says otherwise (`make test` runs these
tests on torch, tensorflow and jax).
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def digits() -> dict[str, np.ndarray]:
    """Train / validation / test splits of digits, pixels scaled to [0, 1]."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=0,
                                                        stratify=y)
    x_train, x_val, y_train, y_val = train_test_split(x_train, y_train, test_size=0.2,
                                                      random_state=0, stratify=y_train)
    return {"x_train": x_train, "y_train": y_train, "x_val": x_val, "y_val": y_val,
            "x_test": x_test, "y_test": y_test}


def pytest_configure(config: pytest.Config) -> None:
    """One torch thread: tiny models gain nothing from more, and lose much when the 2 cores are
    shared with other processes (OpenMP threads spin while waiting)."""
    if os.environ["KERAS_BACKEND"] != "torch":  # make test also runs these on tensorflow, jax
        return
    import torch

    torch.set_num_threads(1)


# What these check is the tuner's and the oracle's bookkeeping (hyperparameters, oracles, trials,
# errors, projects keras-tuner wrote), the same whatever runs the model: they carry the mark
# ``backend_independent`` and `make test` runs them on torch only. The rest of this directory
# (models built, trained, checkpointed, reloaded, printed) runs on every backend.
BACKEND_INDEPENDENT_MODULES = frozenset({
    "test_assigned_trials.py", "test_bayesian.py", "test_custom_oracle.py",
    "test_distributed_variables.py",
    "test_first_definition_wins.py", "test_grid_search.py", "test_hp_config_interchange.py",
    "test_hyperband_small_space.py", "test_hyperparameter_details.py",
    "test_hyperparameter_types.py", "test_import_keras_tuner.py", "test_module_paths.py",
    "test_oracle_methods.py", "test_restricted_space.py", "test_search_arguments.py",
    "test_sklearn_pipeline.py", "test_subclassed_oracle.py", "test_trials.py",
    "test_tuner_errors.py", "test_update_trial_in_run_trial.py",
    # Hyperband's promotions on every backend: tests/integrations/test_keras_continuation.py
    "test_hyperband_intro.py",
})
BACKEND_INDEPENDENT_TESTS = frozenset({
    "test_tuner_with_an_oracle",  # an oracle and conditional dry builds
    # keras.applications' own model: the build is Keras', the hyperparameters rung's
    "test_efficientnet_builds_from_keras_applications_without_weights",
    # the applications' search spaces and argument checks (their builds run on every backend)
    "test_resnet_search_space_and_defaults", "test_xception_search_space_and_defaults",
    "test_classes_and_input_are_required", "test_efficientnet_arguments_are_checked",
    "test_augment_arguments_are_checked",
    # the ResNet versions and depths differ in the layers rung stacks, not in how a backend runs
    # them: the default version (v2) builds on every backend, the others on torch only (on jax
    # each build takes 20-30 s of shape inference, a quarter of the jax run)
    "test_deeper_resnet_has_more_blocks",
    # error bookkeeping: a FailedTrialError is not retried; a checkpoint deleted by
    # keep_checkpoints is explained (checkpoints save and load on every backend elsewhere:
    # test_reload.py, test_save_model.py, tests/integrations/test_keras_continuation.py)
    "test_failed_trial_error_is_not_retried", "test_a_deleted_checkpoint_is_explained",
})
BACKEND_INDEPENDENT_CASES = frozenset({  # single parametrized cases, by their test ids
    "test_resnet_versions_build_a_classifier[v1]",
    "test_resnet_versions_build_a_classifier[next]",
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if item.path.parent != here:
            continue
        name = getattr(item, "originalname", item.name)
        if (item.path.name in BACKEND_INDEPENDENT_MODULES or name in BACKEND_INDEPENDENT_TESTS
                or item.name in BACKEND_INDEPENDENT_CASES):
            item.add_marker(pytest.mark.backend_independent)
