"""Hyperband on a plain-Python training function, on the embedded SQLite store.

The "model" is a noisy quadratic whose loss falls with training epochs, the way a learning curve
does; its state (the epochs trained so far) is checkpointed so that a promoted configuration
continues where its parent stopped. Run it twice: the second run resumes and re-runs nothing.

    python examples/plain_python.py [--directory runs] [--overwrite]
"""

from __future__ import annotations

import argparse
import math

import rung


def train(trial: rung.Trial) -> dict[str, float]:
    hp = trial.hyperparameters
    lr = hp.Float("learning_rate", 1e-4, 1.0, sampling="log")
    width = hp.Int("width", 8, 256, step=2, sampling="log")
    optimizer = hp.Choice("optimizer", ["sgd", "adam"])
    state = trial.load_checkpoint() or {"epochs_trained": 0, "weights": 1.0}
    quality = (math.log10(lr) + 2.0) ** 2 + (math.log2(width) - 6.0) ** 2 / 8
    quality += 0.3 if optimizer == "sgd" else 0.0
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        state["weights"] *= 0.8  # one epoch of "training"
        state["epochs_trained"] = epoch
        val_loss = quality + state["weights"]
        trial.report(epoch, val_loss=val_loss, loss=val_loss * 0.9)
    trial.save_checkpoint(state)
    return {"val_loss": val_loss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--directory", default="runs")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    tuner = rung.Hyperband(
        run_trial=train, objective="val_loss", max_epochs=27, factor=3, seed=0,
        directory=args.directory, project_name="plain_python", overwrite=args.overwrite,
    )
    tuner.search()
    best = tuner.get_best_hyperparameters(1)[0]
    print(f"best hyperparameters: {best.values}")
    print(f"project: {tuner.project_dir} (SQLite: {tuner.project_dir / 'rung.db'})")


if __name__ == "__main__":
    main()
