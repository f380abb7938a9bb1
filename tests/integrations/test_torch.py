"""rung.integrations.torch: a promoted trial continues bit-for-bit like an uninterrupted run."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import rung  # noqa: E402
from rung.checkpoints import CheckpointStore  # noqa: E402
from rung.errors import ArgumentTypeError, ConfigurationError  # noqa: E402
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


def train_continuing(trial: rung.Trial) -> float:
    """A training function that saves only with rung_torch.save (its epochs in ``extra``)."""
    lr = trial.hyperparameters.Choice("lr", [0.01, 0.03, 0.1, 0.3])
    if trial.parent_id is None:
        rung_torch.seed_all(0)
    model, optimizer, scheduler, loader = build(lr)
    rung_torch.restore(trial, model=model, optimizer=optimizer, scheduler=scheduler)
    loss = train_epochs(model, optimizer, scheduler, loader, trial.epochs - trial.initial_epoch)
    rung_torch.save(trial, model=model, optimizer=optimizer, scheduler=scheduler,
                    extra={"epochs": trial.epochs})
    return loss


def test_hyperband_promotions_match_an_uninterrupted_run(tmp_path: Path) -> None:
    tuner = rung.Hyperband(run_trial=train_continuing, objective="loss", max_epochs=9, factor=3,
                           seed=0, directory=tmp_path, project_name="t", verbose=0)
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
    # rung's own error, as load's (a FileNotFoundError too), not a bare FileNotFoundError
    with pytest.raises(rung.errors.CheckpointMissingError, match="continues trial a"):
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


@pytest.mark.parametrize("arguments, error, words", [
    ({"trial": None}, ArgumentTypeError, ("trial must be a rung.Trial", "got None")),
    ({"model": torch.nn.Linear}, ArgumentTypeError,
     ("model must be None or an object with state_dict()", "Linear", "not the class")),
    ({"rng": "yes"}, ArgumentTypeError, ("rng must be True or False", "'yes'")),
    ({"filename": 5}, ArgumentTypeError, ("filename must be a plain file name", "got 5")),
    ({"filename": ""}, ConfigurationError, ("filename must be a plain file name", "got ''")),
    ({"filename": "."}, ConfigurationError, ("filename", "got '.'")),
    ({"filename": ".."}, ConfigurationError, ("filename", "got '..'")),
    ({"filename": "sub/x.pt"}, ConfigurationError, ("filename", "got 'sub/x.pt'")),
    ({"filename": "../../x.pt"}, ConfigurationError, ("filename", "got '../../x.pt'")),
    ({"filename": Path("sub/x.pt")}, ConfigurationError, ("filename", "sub/x.pt", "Path")),
    ({"filename": Path("..")}, ConfigurationError, ("filename", "got PosixPath('..')",)),
    ({"filename": b"x.pt"}, ArgumentTypeError, ("filename must be a plain file name",)),
])
def test_save_and_restore_refuse_bad_arguments_before_touching_a_file(
        tmp_path: Path, arguments: dict, error: type, words: tuple[str, ...]) -> None:
    """A class for an instance, a path for a file name (which would write outside the trial's
    directory, C1), a string for a bool: named, and nothing is written or read."""
    store = CheckpointStore(tmp_path / "trials")
    model = torch.nn.Linear(2, 2)
    kwargs = {"trial": make_trial(store, "a", 0, 1, None), "model": model, **arguments}
    trial = kwargs.pop("trial")
    with pytest.raises(error) as info:
        rung_torch.save(trial, **kwargs)
    assert all(w in str(info.value) for w in words), str(info.value)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    child = None if "trial" in arguments else make_trial(store, "b", 1, 3, "a")
    with pytest.raises(error) as info:
        rung_torch.restore(child, **kwargs)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_a_plain_other_filename_is_saved_in_the_trial_directory(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path)
    model = torch.nn.Linear(2, 2)
    path = rung_torch.save(make_trial(store, "a", 0, 1, None), model=model, filename="best.pt")
    assert path == tmp_path / "a" / "best.pt" and path.is_file()
    assert rung_torch.restore(make_trial(store, "b", 1, 3, "a"), model=model,
                              filename="best.pt") == {}


def test_a_path_filename_and_a_numpy_bool_rng_are_accepted(tmp_path: Path) -> None:
    """``pathlib.Path("best.pt")`` is a plain file name as ``"best.pt"`` is, and ``np.bool_``
    (a flag read from an array or a config) is a bool, for save and restore alike."""
    store = CheckpointStore(tmp_path)
    model = torch.nn.Linear(2, 2)
    path = rung_torch.save(make_trial(store, "a", 0, 1, None), model=model,
                           filename=Path("best.pt"), rng=np.bool_(True))
    assert path == tmp_path / "a" / "best.pt" and path.is_file()
    assert rung_torch.restore(make_trial(store, "b", 1, 3, "a"), model=model,
                              filename=Path("best.pt"), rng=np.bool_(False)) == {}
    assert rung_torch.restore(make_trial(store, "b", 1, 3, "a"), model=model,
                              filename="best.pt", rng=np.bool_(True)) == {}


@pytest.mark.parametrize("state, error, words", [
    ({}, ConfigurationError, ("state must be a dict returned by get_rng_state()",
                              "lacks 'torch', 'numpy', 'python'")),
    (5, ArgumentTypeError, ("state must be a dict", "got 5")),
    ({"torch": 1, "numpy": (), "python": ()}, ArgumentTypeError,
     ("state['torch'] must be a torch.ByteTensor", "got 1")),
    ({"torch": torch.get_rng_state(), "numpy": (1, 2), "python": ()}, ConfigurationError,
     ("state['numpy'] must be a sequence of 5 items", "(1, 2)")),
])
def test_set_rng_state_says_what_the_state_must_hold(state, error: type,
                                                     words: tuple[str, ...]) -> None:
    before = torch.get_rng_state()
    with pytest.raises(error) as info:
        rung_torch.set_rng_state(state)
    assert all(w in str(info.value) for w in words), str(info.value)
    assert torch.equal(torch.get_rng_state(), before)  # nothing was half-restored
    rung_torch.set_rng_state(rung_torch.get_rng_state())  # what get_rng_state returns works


def test_seed_all_names_its_range() -> None:
    with pytest.raises(ConfigurationError,
                       match=r"seed must be an integer in \[0, 18446744073709551615\], got "
                             r"1180591620717411303424; 2\*\*64 - 1"):
        rung_torch.seed_all(2**70)
    rung_torch.seed_all(rung_torch.SEED_MAX)  # the largest seed torch takes
    rung_torch.seed_all(0)


def _all_rng_states() -> tuple:
    return torch.get_rng_state(), np.random.get_state(legacy=True)[1].copy(), random.getstate()


@pytest.mark.parametrize("key, value, words", [
    ("numpy", ("MT19937", [1, 2, 3], 0, 0, 0.0), "IndexError"),  # 3 keys, not 624
    ("python", (3, (1, 2), None), "ValueError"),
    ("torch", torch.zeros(3, dtype=torch.uint8), "RuntimeError"),
])
def test_a_state_a_generator_refuses_changes_no_generator(key: str, value, words: str) -> None:
    """Well-shaped but refused (a hand-made or foreign state): before the fix torch's generator
    was set, then numpy's raised a bare IndexError naming nothing, leaving a half-restored mix."""
    state = rung_torch.get_rng_state()
    torch.rand(3), np.random.rand(3), random.random()  # move every generator on
    before = _all_rng_states()
    with pytest.raises(ConfigurationError,
                       match=rf"state\['{key}'\] must be the '{key}' state get_rng_state\(\) "
                             rf"returned.*{words}.*no generator was changed"):
        rung_torch.set_rng_state({**state, key: value})
    after = _all_rng_states()
    assert torch.equal(after[0], before[0])
    assert np.array_equal(after[1], before[1]) and after[2] == before[2]


def test_an_unpicklable_extra_is_named_and_the_previous_checkpoint_stays(tmp_path: Path) -> None:
    """torch.save's pickling error named a type only: save names the part, and the trial's
    previous checkpoint (an earlier save) is left as it was, with no temporary file."""
    store = CheckpointStore(tmp_path)
    model = torch.nn.Linear(2, 2)
    trial = make_trial(store, "a", 0, 1, None)
    rung_torch.save(trial, model=model, extra={"step": 1})
    with pytest.raises(Exception, match=r"torch\.save\(trial a\): extra\['callback'\], a "
                                        r"function, cannot be pickled") as info:
        rung_torch.save(trial, model=model, extra={"step": 2, "callback": lambda: 0})
    assert "state_dict()" in str(info.value) and info.value.__cause__ is not None
    with open(tmp_path / "log.txt", "w") as log, \
            pytest.raises(TypeError, match=r"extra\['log'\]\[0\], a _io\.TextIOWrapper"):
        rung_torch.save(trial, model=model, extra={"log": [log]})
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [
        rung_torch.FILENAME, rung_torch.FILENAME + ".sha256"]  # and its checksum
    assert rung_torch.restore(make_trial(store, "b", 1, 3, "a"), model=model) == {"step": 1}


def test_load_gives_the_best_trials_saved_state_to_a_fresh_model(tmp_path: Path) -> None:
    """get_best_models returns what trial.save_checkpoint saved; a function that saves with
    rung_torch.save alone got CheckpointMissingError ("saved none") and had no documented way
    to load its best model: rung_torch.load does it."""
    tuner = rung.Hyperband(run_trial=train_continuing, objective="loss", max_epochs=3, factor=3,
                           seed=0, directory=tmp_path, project_name="t",
                           keep_checkpoints="best", verbose=0)
    tuner.search()
    best = tuner.oracle.get_best_trials(1)[0]
    model, optimizer, scheduler, _ = build(best.hyperparameters["lr"])
    extra = rung_torch.load(tuner, model=model, optimizer=optimizer, scheduler=scheduler)
    assert extra == {"epochs": best.epochs}
    reference, ref_opt = uninterrupted(best.hyperparameters["lr"], best.epochs)
    for name, value in reference.state_dict().items():
        assert torch.equal(value, model.state_dict()[name]), name
    assert rung_torch.load(tuner, best, model=build(0.1)[0]) == extra  # the trial given
    other = tuner.oracle.get_best_trials(2)[1]
    with pytest.raises(rung.errors.CheckpointMissingError, match="deleted by keep_checkpoints"):
        rung_torch.load(tuner, other, model=build(0.1)[0])
    with pytest.raises(rung.errors.CheckpointMissingError, match="saved no 'other.pt'"):
        rung_torch.load(tuner, model=build(0.1)[0], filename="other.pt")
    with pytest.raises(ArgumentTypeError, match="tuner must be a rung tuner"):
        rung_torch.load(tmp_path, model=model)
    # a trial id (what `rung trials` shows) is refused with the call that gives its trial, not
    # the hint of save/restore ("the trial your run_trial function receives")
    with pytest.raises(ArgumentTypeError, match=(
            rf"trial must be None \(the best trial\) or a rung.Trial, got '{best.trial_id}'; "
            rf"for a trial id pass tuner.oracle.get_trial\('{best.trial_id}'\)")):
        rung_torch.load(tuner, best.trial_id, model=model)
    assert rung_torch.load(tuner, tuner.oracle.get_trial(best.trial_id), model=model) == extra
    # a model of another architecture: torch's error names neither the file nor the trial
    with pytest.raises(RuntimeError, match="Missing key") as raised:
        rung_torch.load(tuner, model=torch.nn.Linear(8, 3))
    if sys.version_info >= (3, 11):  # add_note
        assert (f"load() loading the model state that trial {best.trial_id} saved in"
                in "\n".join(raised.value.__notes__))
    # get_best_models knows only save_checkpoint: its error points to the files and to load
    with pytest.raises(rung.errors.CheckpointMissingError, match=(
            r"saved none with trial.save_checkpoint\(obj\); its directory holds files the "
            r"training code wrote itself \(torch_checkpoint.pt\).*rung.integrations.torch.load")):
        tuner.get_best_models(1)


def _saved(tmp_path: Path) -> tuple[CheckpointStore, Path, torch.nn.Module]:
    store = CheckpointStore(tmp_path)
    model = torch.nn.Linear(64, 64)
    path = rung_torch.save(make_trial(store, "a", 0, 1, None), model=model)
    return store, path, model


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncated":
        path.write_bytes(bytes(data[:len(data) // 2]))
    else:  # a byte of the weights flipped: torch.load takes it without a word
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["flipped", "truncated"])
def test_a_damaged_checkpoint_is_refused_naming_the_file(tmp_path: Path, how: str) -> None:
    store, path, _ = _saved(tmp_path)
    assert path.with_name(path.name + ".sha256").is_file()
    _damage(path, how)
    model = torch.nn.Linear(64, 64)
    with pytest.raises(rung.errors.CheckpointCorruptError,
                       match=r"torch_checkpoint.pt' \(saved by trial a\) does not match its "
                             r"checksum \(torch_checkpoint.pt.sha256\)"):
        rung_torch.restore(make_trial(store, "b", 1, 3, "a"), model=model)


def test_a_checkpoint_without_its_checksum_still_loads_and_a_truncated_one_is_named(
        tmp_path: Path) -> None:
    """Files written before the checksum (or by hand) are read as they are; a truncated one
    says which file it is, where torch.load said only 'OSError: [Errno 22] Invalid argument'."""
    store, path, model = _saved(tmp_path)
    path.with_name(path.name + ".sha256").unlink()
    fresh = torch.nn.Linear(64, 64)
    assert rung_torch.restore(make_trial(store, "b", 1, 3, "a"), model=fresh) == {}
    assert torch.equal(fresh.weight, model.weight)
    _damage(path, "truncated")
    with pytest.raises(rung.errors.CheckpointCorruptError,
                       match=r"torch_checkpoint.pt' \(saved by trial a\) could not be read"):
        rung_torch.restore(make_trial(store, "b", 1, 3, "a"), model=fresh)
