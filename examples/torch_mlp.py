"""Tune a PyTorch MLP on the digits data set with Hyperband; promoted trials continue exactly.

    python examples/torch_mlp.py            # max_epochs=27: about a minute on a laptop CPU
    python examples/torch_mlp.py --smoke    # a few seconds

Every trial saves its model, optimizer, LR scheduler and RNG states with
``rung.integrations.torch.save``; a promoted trial restores them and continues where its parent
stopped. ``keep_checkpoints="best"`` deletes the checkpoints no trial can continue from; after
the search ``rung.integrations.torch.load`` puts the best trial's weights into a fresh model.
"""

from __future__ import annotations

import argparse
import tempfile

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import rung
from rung.integrations import torch as rung_torch


def load_data() -> tuple[torch.utils.data.TensorDataset, torch.Tensor, torch.Tensor]:
    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X / 16.0, y, test_size=0.25, random_state=0)
    train = torch.utils.data.TensorDataset(torch.tensor(X_train, dtype=torch.float32),
                                           torch.tensor(y_train))
    return train, torch.tensor(X_val, dtype=torch.float32), torch.tensor(y_val)


def build(hp: rung.HyperParameters) -> torch.nn.Module:
    units = hp.Int("units", 16, 256, sampling="log")
    dropout = hp.Float("dropout", 0.0, 0.5)
    return torch.nn.Sequential(torch.nn.Linear(64, units), torch.nn.ReLU(),
                               torch.nn.Dropout(dropout), torch.nn.Linear(units, 10))


def train(trial: rung.Trial, data: tuple) -> dict[str, float]:
    train_set, X_val, y_val = data
    hp = trial.hyperparameters
    if trial.parent_id is None:
        rung_torch.seed_all(0)  # a new configuration: the same initialisation for all
    model = build(hp)
    lr = hp.Float("lr", 1e-3, 1e-1, sampling="log")
    batch_size = hp.Choice("batch_size", [32, 64, 128])
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=27)
    loader = torch.utils.data.DataLoader(train_set, batch_size=batch_size, shuffle=True)
    rung_torch.restore(trial, model=model, optimizer=optimizer, scheduler=scheduler)
    metrics: dict[str, float] = {}
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        model.train()
        for x, target in loader:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x), target).backward()
            optimizer.step()
        scheduler.step()
        model.eval()
        with torch.no_grad():
            logits = model(X_val)
        metrics = {"val_loss": float(torch.nn.functional.cross_entropy(logits, y_val)),
                   "val_accuracy": float((logits.argmax(1) == y_val).float().mean())}
        trial.report(epoch, **metrics)
    rung_torch.save(trial, model=model, optimizer=optimizer, scheduler=scheduler)
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a tiny budget (CI)")
    parser.add_argument("--directory", default=None, help="project directory (default: temp)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # this process only: worker processes (workers=N) get their share
    with tempfile.TemporaryDirectory() as tmp:
        tuner = rung.Hyperband(
            run_trial=train, objective="val_accuracy", max_epochs=3 if args.smoke else 27,
            factor=3, seed=0, directory=args.directory or tmp, project_name="torch_mlp",
            overwrite=True, keep_checkpoints="best", verbose=0 if args.smoke else 1)
        data = load_data()
        tuner.search(data)
        best = tuner.oracle.get_best_trials(1)[0]
        print(f"best val_accuracy={best.score:.4f} with {best.hyperparameters.values} "
              f"({best.epochs} epochs, trial {best.trial_id})")
        model = build(best.hyperparameters)  # a fresh model: the best trial's weights go in
        rung_torch.load(tuner, best, model=model)
        with torch.no_grad():
            accuracy = float((model.eval()(data[1]).argmax(1) == data[2]).float().mean())
        print(f"reloaded the best model: val_accuracy={accuracy:.4f}")


if __name__ == "__main__":
    main()
