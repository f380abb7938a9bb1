"""rung.integrations.torch: a promoted trial continues bit-for-bit like an uninterrupted run."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import rung  # noqa: E402
from rung.checkpoints import CheckpointStore  # noqa: E402
from rung.integrations import torch as rung_torch  # noqa: E402
from rung.trial import Trial, TrialRecord  # noqa: E402

torch.set_num_threads(1)
DATA = torch.utils.data.TensorDataset(torch.linspace(-1, 1, 96 * 8).reshape(96, 8),
                                      (torch.arange(96) % 3))


def build(lr: float):
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Dropout(0.3),
                                torch.nn.Linear(16, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.8)
    loader = torch.utils.data.DataLoader(DATA, batch_size=16, shuffle=True)
    return model, optimizer, scheduler, loader


def train_epochs(model, optimizer, scheduler, loader, n: int) -> float:
    model.train()
    total = 0.0
    for _ in range(n):
        for x, y in loader:
            optimizer.zero_grad()
            # numpy and python RNGs are used too: their states must come back as well
            noise = float(np.random.normal(scale=1e-3)) + random.random() * 1e-3
            loss = torch.nn.functional.cross_entropy(model(x + noise), y)
            loss.backward()
            optimizer.step()
            total = float(loss.detach())
        scheduler.step()
    return total


def uninterrupted(lr: float, epochs: int):
    rung_torch.seed_all(0)
    model, optimizer, scheduler, loader = build(lr)
    train_epochs(model, optimizer, scheduler, loader, epochs)
    return model, optimizer


def make_trial(store: CheckpointStore, trial_id: str, initial: int, epochs: int,
               parent: str | None) -> Trial:
    record = TrialRecord(trial_id=trial_id, values={}, epochs=epochs, initial_epoch=initial,
                         parent_id=parent)
    return Trial(record, rung.HyperParameters(), checkpoints=store)


def run_in_two_parts(tmp_path: Path, restore_rng: bool):
    store = CheckpointStore(tmp_path)
    rung_torch.seed_all(0)
    model, optimizer, scheduler, loader = build(0.05)
    train_epochs(model, optimizer, scheduler, loader, 2)
    rung_torch.save(make_trial(store, "a", 0, 2, None), model=model, optimizer=optimizer,
                    scheduler=scheduler, extra={"step": 2})
    torch.rand(100), np.random.rand(5), random.random()  # other trials run in between
    rung_torch.seed_all(123)
    model, optimizer, scheduler, loader = build(0.05)  # fresh objects, another init
    extra = rung_torch.restore(make_trial(store, "b", 2, 5, "a"), model=model,
                               optimizer=optimizer, scheduler=scheduler, rng=restore_rng)
    assert extra == {"step": 2}
    train_epochs(model, optimizer, scheduler, loader, 3)
    return model, optimizer


def test_continuation_is_bit_for_bit(tmp_path: Path) -> None:
    reference, ref_opt = uninterrupted(0.05, 5)
    model, optimizer = run_in_two_parts(tmp_path, restore_rng=True)
    for (name, a), b in zip(reference.state_dict().items(), model.state_dict().values(),
                            strict=True):
        assert torch.equal(a, b), name
    momenta = [s["momentum_buffer"] for s in optimizer.state_dict()["state"].values()]
    ref_momenta = [s["momentum_buffer"] for s in ref_opt.state_dict()["state"].values()]
    assert all(torch.equal(a, b) for a, b in zip(momenta, ref_momenta, strict=True))
    assert optimizer.param_groups[0]["lr"] == ref_opt.param_groups[0]["lr"]


def test_without_the_rng_state_the_runs_differ(tmp_path: Path) -> None:
    # the control: the equality above is not an accident of a deterministic model
    reference, _ = uninterrupted(0.05, 5)
    model, _ = run_in_two_parts(tmp_path, restore_rng=False)
    assert not all(torch.equal(a, b) for a, b in zip(reference.parameters(), model.parameters(),
                                                     strict=True))


def test_hyperband_promotions_match_an_uninterrupted_run(tmp_path: Path) -> None:
    def train(trial: rung.Trial) -> float:
        lr = trial.hyperparameters.Choice("lr", [0.01, 0.03, 0.1, 0.3])
        if trial.parent_id is None:
            rung_torch.seed_all(0)
        model, optimizer, scheduler, loader = build(lr)
        rung_torch.restore(trial, model=model, optimizer=optimizer, scheduler=scheduler)
        loss = train_epochs(model, optimizer, scheduler, loader,
                            trial.epochs - trial.initial_epoch)
        rung_torch.save(trial, model=model, optimizer=optimizer, scheduler=scheduler)
        return loss

    tuner = rung.Hyperband(run_trial=train, objective="loss", max_epochs=9, factor=3, seed=0,
                           directory=tmp_path, project_name="t", verbose=0)
    tuner.search()
    deepest = [t for t in tuner.storage.trials() if t.rung == 2]
    assert deepest, "the s=2 bracket promotes twice"
    for record in deepest:
        path = tuner.checkpoints.directory(record.trial_id, create=False) / rung_torch.FILENAME
        saved = torch.load(path, weights_only=False)["model"]
        reference, _ = uninterrupted(record.values["lr"], record.epochs)
        for name, value in reference.state_dict().items():
            assert torch.equal(value, saved[name]), (record.trial_id, name)


def test_restore_without_parent_returns_none_and_bad_input_is_named(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path)
    model = torch.nn.Linear(2, 2)
    assert rung_torch.restore(make_trial(store, "a", 0, 1, None), model=model) is None
    with pytest.raises(FileNotFoundError, match="continues trial a"):
        rung_torch.restore(make_trial(store, "b", 1, 3, "a"), model=model)
    with pytest.raises(TypeError, match="optimizer must be None or an object with state_dict"):
        rung_torch.save(make_trial(store, "a", 0, 1, None), optimizer=object())
    rung_torch.save(make_trial(store, "a", 0, 1, None), model=model)
    with pytest.raises(ValueError, match="saved no optimizer state"):
        rung_torch.restore(make_trial(store, "b", 1, 3, "a"), model=model,
                           optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    assert rung_torch.restore(make_trial(store, "b", 1, 3, "a"), model=model) == {}
    assert not list((tmp_path / "a").glob(".tmp-*"))  # the atomic write left nothing behind
    with pytest.raises(ValueError, match="seed must be an integer"):
        rung_torch.seed_all(-1)
