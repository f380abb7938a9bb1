"""GPSearcher: its encoding and kernel on mixed spaces, its proposals, and what it learns from."""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any

import numpy as np
import pytest

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters, values_key
from rung.oracles import BayesianOptimizationOracle, RandomSearchOracle
from rung.searchers import GPSearcher, Observation, RandomSearcher, get_searcher
from rung.searchers import _gp_model as model
from rung.searchers._gp_encoding import Encoding
from rung.searchers._gp_points import conditioning_points
from rung.trial_record import TrialStatus

BRANIN_MIN = 0.397887


def branin(values: dict[str, Any]) -> float:
    x1, x2 = values["x1"], values["x2"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def branin_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x1", -5.0, 10.0)
    hp.Float("x2", 0.0, 15.0)
    return hp


def mixed_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Float("momentum", 0.5, 0.999, sampling="reverse_log")
    hp.Int("units", 16, 256, step=16)
    hp.Int("batch", 8, 256, sampling="log")
    hp.Choice("act", ["relu", "tanh", "gelu"])
    hp.Choice("width", [1, 2, 4, 8])  # numbers: ordered
    hp.Fixed("seed", 7)
    hp.Choice("opt", ["sgd", "adam"])
    with hp.conditional_scope("opt", ["sgd"]):
        hp.Float("nesterov_weight", 0.0, 1.0, step=0.25)
        hp.Boolean("nesterov")
    hp.Int("layers", 1, 3)
    with hp.conditional_scope("layers", [2, 3]):
        hp.Float("dropout", 0.0, 0.5)
    return hp


def mixed_loss(v: dict[str, Any]) -> float:
    loss = (math.log10(v["lr"]) + 2.5) ** 2 + (v["units"] / 256 - 0.5) ** 2
    loss += {"relu": 0.0, "tanh": 0.3, "gelu": 0.1}[v["act"]] + 0.1 * v["layers"]
    return loss + (0.2 * v["nesterov_weight"] if v["opt"] == "sgd" else 0.05)


def completed(trial_id: str, values: dict[str, Any], loss: float | None) -> Observation:
    status = TrialStatus.COMPLETED if loss is not None else TrialStatus.FAILED
    return Observation(trial_id, values, 1, loss, status)


# --- the encoding and the kernel -------------------------------------------------------------
def test_categories_are_equidistant_whatever_their_order() -> None:
    hp = HyperParameters()
    hp.Choice("c", ["a", "b", "c", "d"])
    hp.Boolean("flag")
    encoding = Encoding(hp)
    rows = {v: encoding.features({"c": v, "flag": False}) for v in "abcd"}
    distances = [np.linalg.norm(rows[p] - rows[q]) for p, q in itertools.combinations("abcd", 2)]
    assert distances == pytest.approx([1.0] * 6)
    flags = [encoding.features({"c": "a", "flag": f}) for f in (False, True)]
    assert np.linalg.norm(flags[0] - flags[1]) == pytest.approx(1.0)


def test_the_process_predicts_the_same_for_categories_equally_far_from_the_data() -> None:
    """'a' is good, 'd' is bad: 'b' and 'c' are both unknown, so the process must not rank them
    by their position in the list (an ordinal encoding puts 'b' next to 'a')."""
    hp = HyperParameters()
    hp.Choice("c", ["a", "b", "c", "d"])
    hp.Float("x", 0.0, 1.0)
    encoding = Encoding(hp)
    data = [({"c": "a", "x": x}, x) for x in (0.1, 0.5, 0.9)]
    data += [({"c": "d", "x": x}, 5.0 + x) for x in (0.1, 0.5, 0.9)]
    x = np.array([encoding.features(v) for v, _ in data])
    y = np.array([loss for _, loss in data])
    theta, _ = model.fit_kernel(x, y, 1e-4, restarts=0, seed=0, ard=True)
    gp = model.condition(x, y, 1e-4, theta)
    mean_b, mean_c = gp.predict(np.array([encoding.features({"c": c, "x": 0.5}) for c in "bc"]))
    assert mean_b == pytest.approx(mean_c, abs=1e-9)
    mean_a, mean_d = gp.predict(np.array([encoding.features({"c": c, "x": 0.5}) for c in "ad"]))
    assert mean_a < mean_b < mean_d


def test_a_length_scale_per_column_only_where_the_data_support_it() -> None:
    """The information criterion: with one relevant column of three and 40 results, a length
    scale each (the irrelevant ones long); with the same function of all three, or with too
    few results to be allowed, one for all."""
    rng = np.random.default_rng(0)
    x = rng.random((40, 3))
    one_relevant = np.sin(6.0 * x[:, 0])
    theta = model.select_kernel(x, one_relevant, 1e-4, restarts=1, seed=0, allow_ard=True)
    assert len(theta) == 4  # amplitude and three length scales
    assert min(theta[2], theta[3]) > theta[1] + 1.0  # log scale: e times longer, at least
    symmetric = np.sin(3.0 * x).sum(axis=1)
    assert len(model.select_kernel(x, symmetric, 1e-4, restarts=1, seed=0, allow_ard=True)) == 2
    assert len(model.select_kernel(x, one_relevant, 1e-4, restarts=1, seed=0,
                                   allow_ard=False)) == 2


def test_inactive_hyperparameters_take_a_fixed_value() -> None:
    encoding = Encoding(mixed_space())
    base = {"lr": 0.01, "momentum": 0.9, "units": 64, "batch": 32, "act": "relu", "width": 2,
            "seed": 7, "opt": "adam", "layers": 1}
    other = dict(base, nesterov_weight=0.5, nesterov=True, dropout=0.3)  # all inactive there
    row = encoding.features(base)
    assert np.array_equal(row, encoding.features(other))
    by_name = {d.hp.name: d for d in encoding.dims}
    assert row[by_name["dropout"].start] == 0.5  # numeric: the middle
    nesterov = by_name["nesterov"]
    assert not row[nesterov.start:nesterov.start + 2].any()  # one-hot: no category
    assert "seed" not in by_name  # Fixed: not a dimension


def test_batch_features_match_one_at_a_time() -> None:
    space = mixed_space()
    encoding = Encoding(space)
    points = np.random.default_rng(0).random((300, encoding.n_units))
    batch = encoding.features_of_units(points)
    for u, row in zip(points, batch, strict=True):
        values = encoding.decode(u)
        assert space.clone_with_values(values).values == values
        assert np.array_equal(row, encoding.features(values, u))


# --- proposals ---------------------------------------------------------------------------------
def run(searcher: str, seed: int, trials: int = 30) -> float:
    oracle = RandomSearchOracle(objective="loss", max_trials=trials, seed=seed,
                                hyperparameters=branin_space(), searcher=searcher)
    best = math.inf
    while (s := oracle.ask()) is not None:
        loss = branin(s.values)
        best = min(best, loss)
        oracle.tell(s.trial_id, {"loss": loss})
    return best - BRANIN_MIN


def test_beats_random_search_on_branin_at_equal_trials() -> None:
    seeds = range(4)
    gp = [run("gp", seed) for seed in seeds]
    random = [run("random", seed) for seed in seeds]
    assert np.median(gp) < np.median(random) / 5
    assert sum(g < r for g, r in zip(gp, random, strict=True)) >= 3


def test_mixed_conditional_space_gives_valid_values() -> None:
    space = mixed_space()
    oracle = BayesianOptimizationOracle(objective="loss", max_trials=22, num_initial_points=6,
                                        seed=0, hyperparameters=space)
    proposals = []
    while (s := oracle.ask()) is not None:
        proposals.append(s.values)
        oracle.tell(s.trial_id, {"loss": mixed_loss(s.values)})
    assert len(proposals) == 22 and len({values_key(v) for v in proposals}) == 22
    for values in proposals:
        assert space.clone_with_values(values).values == values  # exactly the active ones
        for hp in space.space:
            if hp.name not in values:
                continue
            value, grid = values[hp.name], hp.grid_values()
            if grid is not None:
                assert value in grid and type(value) is type(grid[0])
            else:
                assert hp.min_value <= value <= hp.max_value and isinstance(value, float)


def _fitted_searcher(n: int = 12) -> tuple[GPSearcher, np.random.Generator]:
    searcher, rng, space = GPSearcher(num_initial_points=n), np.random.default_rng(0), branin_space()
    for i in range(n):
        values = searcher.suggest(space, rng, set())
        assert values is not None
        searcher.observe(completed(f"{i:03d}", values, branin(values)))
    return searcher, rng


def _min_distance(points: list[dict[str, Any]]) -> float:
    units = [np.array([(p["x1"] + 5) / 15, p["x2"] / 15]) for p in points]
    return min(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(units, 2))


def test_pending_jobs_make_concurrent_proposals_distinct_and_spread() -> None:
    searcher, rng = _fitted_searcher()
    concurrent = []
    for k in range(4):
        values = searcher.suggest(branin_space(), rng, set())
        assert values is not None
        searcher.on_start(f"p{k}", values, None)
        concurrent.append(values)
    assert _min_distance(concurrent) > 0.1  # measured 0.29 (0.25 with keras-tuner's made-up loss)
    # without on_start, the same model sends every worker to (nearly) the same point
    blind, rng = _fitted_searcher()
    repeated = [blind.suggest(branin_space(), rng, set()) for _ in range(4)]
    assert _min_distance(repeated) < 0.02  # type: ignore[arg-type]


def test_failed_configurations_are_avoided_and_modelled_at_the_worst_loss() -> None:
    hp = HyperParameters()
    hp.Int("a", 0, 4)
    hp.Choice("b", ["x", "y"])
    searcher, imputed = GPSearcher(num_initial_points=3), GPSearcher(num_initial_points=3)
    for i, a in enumerate((0, 2, 4)):
        values = {"a": a, "b": "y"}
        searcher.observe(completed(f"0000{i}", values, a + 1.0))
        imputed.observe(completed(f"0000{i}", values, a + 1.0))
    first = searcher.suggest(hp, np.random.default_rng(1), set())
    assert first is not None
    searcher.observe(completed("00009", first, None))  # it failed
    second = searcher.suggest(hp, np.random.default_rng(2), set())
    assert second != first  # never proposed again
    # the same model as a searcher told it had the worst loss of the results (5.0), excluded
    imputed.observe(completed("00009", first, 5.0))
    assert second == imputed.suggest(hp, np.random.default_rng(2), set())


def _nan_region(searcher: GPSearcher, trials: int = 30, seed: int = 0) -> list[bool]:
    """Whether each of ``trials`` sequential proposals failed, where every lr above 0.25
    diverges (NaN) and the best is lr = 0.2 (the review's BayesianOptimization reproducer)."""
    hp = HyperParameters()
    hp.Float("lr", 1e-4, 1.0, sampling="log")
    hp.Int("u", 1, 8)
    rng, failed = np.random.default_rng(seed), []
    for i in range(trials):
        values = searcher.suggest(hp, rng, set())
        assert values is not None
        trial_id = f"{i:05d}"
        searcher.on_start(trial_id, values, None)
        loss = abs(values["lr"] - 0.2) + 0.01 * abs(values["u"] - 5) \
            if values["lr"] <= 0.25 else None
        searcher.observe(completed(trial_id, values, loss))
        failed.append(loss is None)
    return failed


def test_proposals_leave_a_region_that_fails() -> None:
    """Left out of the model, the failures let the process extrapolate the falling loss into
    the failing region: 13 or 14 of the 14 proposals after the start failed (seeds 0 to 2;
    BayesianOptimization over 8 seeds: 94% of its trials after the start); now 0 to 2, and
    random search fails 15% there."""
    searcher = GPSearcher(num_initial_points=6, num_candidates=100, num_restarts=1)
    after_start = _nan_region(searcher, trials=20)[6:]
    assert sum(after_start) <= 4, after_start  # measured 1 of 14


def test_a_failure_at_any_budget_counts_where_the_model_is() -> None:
    """Per budget, as the KDE ranks failed jobs last at whichever budget it models: a
    configuration that failed after 1 epoch enters the model of budget 9 at its worst loss;
    one with a result at 9 is modelled by that result."""
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    searcher = GPSearcher(num_initial_points=3, per_budget=True, min_agreement=None)
    for i, x in enumerate((0.1, 0.5, 0.9)):
        searcher.observe(Observation(f"0000{i}", {"x": x}, 9, x, TrialStatus.COMPLETED))
    searcher.observe(Observation("00003", {"x": 0.0}, 1, None, TrialStatus.FAILED))
    searcher.observe(Observation("00004", {"x": 0.5}, 1, None, TrialStatus.FAILED))
    keys, values, y, failed = conditioning_points(searcher._data, 9)
    assert [v["x"] for v in values] == [0.1, 0.5, 0.9, 0.0]  # 0.5 has a result at 9
    assert y.tolist() == [0.1, 0.5, 0.9, 0.9] and failed.tolist() == [False] * 3 + [True]


def test_failures_alone_leave_the_proposals_random() -> None:
    """Every result so far failed: no loss to impute, so the start goes on (random proposals
    that skip the failed configurations); failures do not count towards it, as for the KDE."""
    hp = HyperParameters()
    hp.Int("a", 0, 9)
    searcher = GPSearcher(num_initial_points=2)
    for i in range(5):
        searcher.observe(completed(f"0000{i}", {"a": i}, None))
    rng, plain = np.random.default_rng(3), np.random.default_rng(3)
    exclude = {values_key({"a": i}) for i in range(5)}
    plain.integers(2**31 - 1)  # the seed the searcher draws at its first suggestion
    assert searcher.suggest(hp, rng, set()) == RandomSearcher().suggest(hp, plain, exclude)
    searcher.observe(completed("00005", {"a": 5}, 1.0))  # one result: still the start
    assert searcher._group(searcher.initial_points(hp), rng) is None


def test_intermediate_reports_are_ignored() -> None:
    a, rng_a = _fitted_searcher()
    b, rng_b = _fitted_searcher()
    b.observe(Observation("xyz", {"x1": 3.0, "x2": 2.0}, 1, 0.0, TrialStatus.RUNNING))
    assert a.suggest(branin_space(), rng_a, set()) == b.suggest(branin_space(), rng_b, set())


def test_state_is_one_seed_and_the_kernel_is_refitted_on_schedule() -> None:
    searcher, rng = _fitted_searcher(20)
    searcher.suggest(branin_space(), rng, set())
    state = searcher.state_dict()
    assert set(state) == {"seed"} and isinstance(state["seed"], int)
    fitted_on = searcher._points.theta[0][0][1]
    assert len(fitted_on) == 20  # 20 is on the schedule (..., 19, 20, 22, 24, ...)
    fits = searcher.kernel_fits
    assert fits >= 1
    values = searcher.suggest(branin_space(), rng, set())
    searcher.observe(completed("020", values, branin(values)))  # type: ignore[arg-type]
    values = searcher.suggest(branin_space(), rng, set())
    assert searcher._points.theta[0][0][1] == fitted_on  # 21: not refitted
    assert searcher.kernel_fits == fits
    searcher.observe(completed("021", values, branin(values)))  # type: ignore[arg-type]
    searcher.suggest(branin_space(), rng, set())
    assert searcher.kernel_fits == fits + 1  # 22: refitted
    fresh = GPSearcher()
    fresh.load_state_dict(state)
    assert fresh.state_dict() == state
    with pytest.raises(ConfigurationError, match="GPSearcher state"):
        fresh.load_state_dict({"suggested": 3})


def test_arguments_are_checked_and_the_name_builds_it() -> None:
    assert isinstance(get_searcher("gp"), GPSearcher)
    with pytest.raises(ConfigurationError, match="beta"):
        GPSearcher(beta=-1)
    with pytest.raises(ConfigurationError, match="alpha"):
        GPSearcher(alpha=-1e-4)
    with pytest.raises(ConfigurationError, match="num_initial_points"):
        GPSearcher(num_initial_points=-1)
    with pytest.raises(TypeError, match="num_initial_points"):
        GPSearcher(num_initial_points="3")  # type: ignore[arg-type]


def test_alpha_zero_models_noise_free_results_with_a_jitter() -> None:
    """keras-tuner accepts ``alpha=0``; here it is kept numerically safe: the same
    configuration measured twice makes a singular kernel matrix without the jitter."""
    searcher = GPSearcher(alpha=0.0, num_initial_points=3, num_candidates=50, num_restarts=0)
    assert searcher.alpha == 0.0 and searcher._noise == 1e-8
    for i, x1 in enumerate((0.0, 2.0, 2.0, 6.0)):  # 2.0 twice
        values = {"x1": x1, "x2": 5.0}
        searcher.observe(completed(f"0000{i}", values, branin(values)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # the model did not fall back to random
        assert searcher.suggest(branin_space(), np.random.default_rng(0), set()) is not None


def test_zero_initial_points_use_the_model_from_the_first_result() -> None:
    """keras-tuner takes ``num_initial_points=0`` as its default (``0 or 3 * dims``); here it
    means what it says, as far as the model allows: one random configuration, then the model
    (the same search as ``num_initial_points=1``)."""
    assert GPSearcher(num_initial_points=0).initial_points(mixed_space()) == 1

    def proposals(n: int) -> list[dict[str, Any]]:
        oracle = BayesianOptimizationOracle(objective="loss", max_trials=4, seed=0,
                                            num_initial_points=n, hyperparameters=branin_space())
        found = []
        while (s := oracle.ask()) is not None:
            found.append(s.values)
            oracle.tell(s.trial_id, {"loss": branin(s.values)})
        return found

    zero = proposals(0)
    assert zero == proposals(1) and zero[1:] != proposals(3)[1:]


def test_default_initial_points_are_three_per_hyperparameter_capped_at_ten() -> None:
    assert GPSearcher().initial_points(HyperParameters()) == 3
    two = HyperParameters()
    two.Float("a", 0.0, 1.0)
    two.Int("b", 1, 9)
    assert GPSearcher().initial_points(two) == 6
    nine = HyperParameters()
    for i in range(9):
        nine.Float(f"x{i}", 0.0, 1.0)
    assert GPSearcher().initial_points(nine) == 10  # keras-tuner: 27
    assert GPSearcher(num_initial_points=4).initial_points(mixed_space()) == 4
    assert GPSearcher(num_initial_points=27).initial_points(nine) == 27
    # a short search: at most half of it at random, so keras-tuner's default of 10 trials
    # reaches the model (keras-tuner: 10 random trials of 27 planned)
    assert GPSearcher(max_trials=10).initial_points(nine) == 5
    assert GPSearcher(max_trials=7).initial_points(two) == 4
    assert GPSearcher(max_trials=1).initial_points(two) == 1
    assert GPSearcher(max_trials=100).initial_points(nine) == 10
    assert GPSearcher(num_initial_points=8, max_trials=10).initial_points(nine) == 8
    oracle = BayesianOptimizationOracle(objective="loss", max_trials=10, hyperparameters=nine)
    assert isinstance(oracle.searcher, GPSearcher)
    assert oracle.searcher.initial_points(nine) == 5
    by_name = RandomSearchOracle(objective="loss", max_trials=10, searcher="gp")
    assert isinstance(by_name.searcher, GPSearcher)
    assert by_name.searcher.initial_points(nine) == 5
    mine = GPSearcher(beta=1.0)  # the user's, without a max_trials: it takes the oracle's
    oracle = BayesianOptimizationOracle(objective="loss", max_trials=10, searcher=mine)
    assert mine.max_trials == 10 and mine.initial_points(nine) == 5
    oracle.max_trials = 30  # and follows it when it is raised
    assert mine.max_trials == 30 and mine.initial_points(nine) == 10
    other = GPSearcher()
    RandomSearchOracle(objective="loss", max_trials=8, searcher=other)
    assert other.max_trials == 8 and other.initial_points(nine) == 4
    own = GPSearcher(max_trials=100)  # one of its own is left as it is
    BayesianOptimizationOracle(objective="loss", max_trials=10, searcher=own)
    assert own.max_trials == 100 and own.initial_points(nine) == 10


def test_the_model_takes_over_after_ten_random_trials_in_a_large_space() -> None:
    """With 9 hyperparameters keras-tuner's default is 27 random trials; here the 11th trial is
    the model's: the same as with ``num_initial_points=10``, not the random one of 27."""
    space = HyperParameters()
    for i in range(9):
        space.Float(f"x{i}", 0.0, 1.0)

    def eleven(searcher: GPSearcher) -> list[dict[str, Any]]:
        rng, proposed = np.random.default_rng(0), []
        for n in range(11):
            values = searcher.suggest(space, rng, set())
            assert values is not None
            proposed.append(values)
            searcher.observe(completed(str(n), values, sum((v - 0.3) ** 2 for v in values.values())))
        return proposed

    default, ten, random_start = eleven(GPSearcher()), eleven(GPSearcher(num_initial_points=10)), \
        eleven(GPSearcher(num_initial_points=27))
    assert default[:10] == random_start[:10]
    assert default == ten
    assert default[10] != random_start[10]


# --- under a multi-fidelity oracle: one budget at a time ---------------------------------------
def _at(trial_id: str, values: dict[str, Any], budget: int, loss: float) -> Observation:
    return Observation(trial_id, values, budget, loss, TrialStatus.COMPLETED)


def _two_budgets(per_budget: bool, min_agreement: float | None = None) -> GPSearcher:
    """40 results at 1 epoch, best near x1 = -5 (and all lower than any at 27 epochs); 12 at
    27 epochs, best near x1 = 10."""
    searcher = GPSearcher(num_initial_points=6, per_budget=per_budget,
                          min_agreement=min_agreement)
    rng = np.random.default_rng(3)
    for i in range(40):
        values = {"x1": float(rng.uniform(-5, 10)), "x2": float(rng.uniform(0, 15))}
        searcher.observe(_at(f"{i:05d}", values, 1, values["x1"] - 100 + 0.01 * values["x2"]))
    for i in range(40, 52):
        values = {"x1": float(rng.uniform(-5, 10)), "x2": float(rng.uniform(0, 15))}
        searcher.observe(_at(f"{i:05d}", values, 27, -values["x1"] + 0.01 * values["x2"]))
    return searcher


def test_per_budget_models_the_largest_budget_with_enough_results_alone() -> None:
    rng = np.random.default_rng(0)
    apart = [_two_budgets(True).suggest(branin_space(), rng, set()) for _ in range(5)]
    assert all(v is not None and v["x1"] > 8.0 for v in apart)  # 27 epochs' optimum
    mixed = [_two_budgets(False).suggest(branin_space(), rng, set()) for _ in range(5)]
    assert all(v is not None and v["x1"] < 0.0 for v in mixed)  # the 40 results at 1 win
    assert GPSearcher().per_budget is None and "per_budget=True" in repr(_two_budgets(True))


def test_per_budget_skips_a_budget_whose_ranking_misleads() -> None:
    """The same 12 configurations at 1 and 27 epochs, ranked backwards: with the agreement
    check, 1 epoch is never modelled, even when 27 has too few results of its own."""
    def fill(searcher: GPSearcher, at_27: int) -> GPSearcher:
        rng = np.random.default_rng(5)
        for i in range(12):
            values = {"x1": float(rng.uniform(-5, 10)), "x2": float(rng.uniform(0, 15))}
            searcher.observe(_at(f"{i:05d}", values, 1, values["x1"]))
            if i < at_27:
                searcher.observe(_at(f"{i + 100:05d}", values, 27, -values["x1"]))
        return searcher

    rng = np.random.default_rng(1)
    checked = fill(GPSearcher(num_initial_points=6, per_budget=True, min_agreement=0.3), 5)
    assert checked._group(6, rng) is None  # 27 has 5 of 6; 1 misleads (tau -1 on 5 pairs)
    plain = fill(GPSearcher(num_initial_points=6, per_budget=True, min_agreement=None), 5)
    assert plain._group(6, rng) == 1
    assert fill(GPSearcher(num_initial_points=6, per_budget=True), 6)._group(6, rng) == 27


def test_a_brackets_proposals_spread_out_while_they_run_one_at_a_time() -> None:
    """A bracket's configurations are evaluated at low budgets one after the other: the model
    of the top budget does not change in between. Counting them as pending at the top budget
    spreads the bracket out; without it, every proposal lands next to the last."""
    def bracket(awaiting: bool, seed: int) -> float:
        searcher = GPSearcher(num_initial_points=6, per_budget=True)
        rng = np.random.default_rng(seed)
        for i in range(50):  # 40 configurations at 1 epoch, the last 10 also at 27
            values = {"x1": float(rng.uniform(-5, 10)), "x2": float(rng.uniform(0, 15))}
            searcher.observe(_at(f"{i:05d}", values, 1 if i < 40 else 27, branin(values)))
        if not awaiting:
            searcher._data.awaiting = (  # type: ignore[method-assign]
                lambda group, limit: ([v for _, v in sorted(searcher._data.running.items())], []))
        rng, proposed = np.random.default_rng(2), []
        for k in range(6):
            values = searcher.suggest(branin_space(), rng, {values_key(v) for v in proposed})
            assert values is not None
            searcher.on_start(f"{k + 60:05d}", values, 1)
            searcher.observe(_at(f"{k + 60:05d}", values, 1, values["x1"]))  # done at 1 epoch
            proposed.append(values)
        return _min_distance(proposed)

    for seed in range(3):  # measured: 0.24, 0.29, 0.09 against under 1e-5 (one point)
        assert bracket(awaiting=True, seed=seed) > 0.05
        assert bracket(awaiting=False, seed=seed) < 0.01


def test_per_budget_options_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="per_budget.*True, False or None.*got 'yes'"):
        GPSearcher(per_budget="yes")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="random_fraction"):
        GPSearcher(random_fraction=1.5)
    with pytest.raises(ConfigurationError, match="min_agreement"):
        GPSearcher(min_agreement=2.0)


def test_a_misspelt_option_names_the_nearest_one_and_all_of_them() -> None:
    with pytest.raises(TypeError, match=r"GPSearcher got unknown argument\(s\) alhpa=1.0 \(did you "
                                        r"mean alpha=\?\), zzz=2; it takes alpha, beta, "):
        GPSearcher(alhpa=1.0, zzz=2)


def test_while_every_loss_is_the_same_proposals_are_random_not_crowded_in_a_corner(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Every configuration scoring alike (a model stuck at chance accuracy): before, the flat
    # process sent proposal after proposal to the cube's corners, 1e-4 apart (x = 0.99957,
    # 1.0, 0.99956, 0.99992, ...).
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = BayesianOptimizationOracle(objective="loss", max_trials=12, seed=0,
                                        hyperparameters=hp)
    proposed = []
    while (job := oracle.ask()) is not None:
        proposed.append(job.values["x"])
        oracle.tell(job.trial_id, {"loss": 1.0})
    gaps = [abs(a - b) for a, b in itertools.combinations(proposed, 2)]
    assert min(gaps) > 1e-3, sorted(proposed)

    def no_model(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the model was used on losses that are all the same")

    searcher = GPSearcher(num_initial_points=2)
    for k, x in enumerate((0.2, 0.7, 0.4)):
        searcher.observe(Observation(f"{k:05d}", {"x": x}, 0, 3.0, TrialStatus.COMPLETED))
    monkeypatch.setattr(model, "propose", no_model)
    assert searcher.suggest(hp, np.random.default_rng(0), set()) is not None
    searcher.observe(Observation("00003", {"x": 0.9}, 0, 2.0, TrialStatus.COMPLETED))
    with pytest.raises(AssertionError, match="all the same"):  # one differs: the model is used
        searcher.suggest(hp, np.random.default_rng(0), set())


def test_losses_too_large_to_square_are_modelled_not_drawn_at_random() -> None:
    """normalize_y squares the losses: above about 1e154 that overflowed, the process failed and
    every proposal fell back to random with a warning. The process does not depend on the
    losses' scale, so losses 1e200 times larger give (nearly) the same proposal, silently."""
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    proposals = []
    for scale in (1.0, 1e200):
        searcher = GPSearcher(num_initial_points=3)
        for k, x in enumerate((0.1, 0.3, 0.5, 0.7, 0.9)):
            searcher.observe(Observation(f"{k:05d}", {"x": x}, 0, scale * (x - 0.62) ** 2,
                                         TrialStatus.COMPLETED))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            proposals.append(searcher.suggest(hp, np.random.default_rng(0), set())["x"])
    assert abs(proposals[0] - 0.62) < 0.05
    assert proposals[1] == pytest.approx(proposals[0], abs=1e-4)
