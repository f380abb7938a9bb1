"""Int and Float: grids, sampling distributions, unit embedding, max reachability."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rung.errors import SearchSpaceError
from rung.hyperparameters import Float, Int


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- grids -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("hp", "expected"),
    [
        (Int("a", 1, 5), [1, 2, 3, 4, 5]),
        (Int("a", 32, 128, step=32), [32, 64, 96, 128]),
        (Int("a", 6, 13, step=3), [6, 9, 12]),  # keras-tuner tolerates an unreachable max
        (Int("a", 2, 32, step=2, sampling="log"), [2, 4, 8, 16, 32]),
        (Int("a", 1, 100, step=10, sampling="log"), [1, 10, 100]),
        (Int("a", 2, 32, step=2, sampling="reverse_log"), [2, 18, 26, 30, 32]),
        (Int("a", 1, 6, sampling="log"), [1, 2, 3, 4, 5, 6]),
        (Int("a", 7, 7), [7]),
        (Float("f", 0.0, 1.0, step=0.1), [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]),
        (Float("f", 0.001, 10, step=10, sampling="log"), [0.001, 0.01, 0.1, 1.0, 10.0]),
        (Float("f", 0.0, 1.0, step=0.3), [0.0, 0.3, 0.6, 0.9]),
        (Float("f", -1.0, 1.0, step=0.5), [-1.0, -0.5, 0.0, 0.5, 1.0]),
    ],
)
def test_grid_values(hp, expected):
    assert hp.grid_values() == expected
    kind = int if isinstance(hp, Int) else float
    assert all(type(v) is kind for v in hp.grid_values())


def test_continuous_float_has_no_grid():
    assert Float("f", 0, 1).grid_values() is None
    assert Float("f", 1e-4, 1, sampling="log").grid_values() is None


def test_int_linear_without_step_means_step_one():
    assert Int("a", 1, 10).step == 1
    assert Int("a", 1, 10).get_config() == Int("a", 1, 10, step=1).get_config()
    assert Int("a", 1, 10, sampling="log").step is None


def test_reverse_log_grid_mirrors_log_grid_about_the_range_when_max_is_unreachable():
    # keras-tuner's grid: max + min - v for the log values v, so it is dense near max_value
    # even when the step does not reach it (mirrored inside [1, 343] it never passed 343)
    log = Int("a", 1, 1000, step=7, sampling="log").grid_values()
    rev = Int("a", 1, 1000, step=7, sampling="reverse_log")
    assert log == [1, 7, 49, 343]
    assert rev.grid_values() == [658, 952, 994, 1000]
    assert [rev.from_unit(u) for u in (0.0, 0.3, 0.6, 1.0)] == [1000, 994, 952, 658]
    assert rev.to_unit(1000) == 0.125 and rev.to_unit(658) == 0.875
    assert rev.default == 1  # min_value, as keras-tuner's (off the grid, like any default)
    assert Float("f", 0.5, 5.0, step=3, sampling="reverse_log").grid_values() == [1.0, 4.0, 5.0]
    momentum = Float("m", 0.5, 0.999, step=1.5, sampling="reverse_log")
    assert momentum.grid_values() == [0.749, 0.999]


def test_reverse_log_grid_is_dense_near_max():
    grid = Int("a", 1, 1000, step=10, sampling="reverse_log").grid_values()
    gaps = np.diff(grid)
    assert grid[0] == 1 and grid[-1] == 1000
    assert list(gaps) == sorted(gaps, reverse=True)


def test_defaults_are_min_value():
    assert Int("a", 3, 9).default == 3
    assert Float("f", 0.5, 2).default == 0.5
    assert type(Float("f", 1, 2).default) is float
    assert Int("a", 3, 9, default=5).default == 5


def test_int_accepts_integral_floats_and_numpy_ints():
    hp = Int("a", 1.0, np.int64(4), default=np.int32(2))
    assert (hp.min_value, hp.max_value, hp.default) == (1, 4, 2)
    assert all(type(v) is int for v in (hp.min_value, hp.max_value, hp.default))


# --- unit round trips --------------------------------------------------------------------------
DISCRETE = [
    Int("a", 1, 5),
    Int("a", 0, 100, step=7),
    Int("a", 2, 32, step=2, sampling="log"),
    Int("a", 2, 32, step=2, sampling="reverse_log"),
    Int("a", 1, 1000, step=7, sampling="reverse_log"),
    Int("a", 1, 300, sampling="log"),
    Int("a", 1, 300, sampling="reverse_log"),
    Int("a", 5, 5),
    Float("f", 0, 1, step=0.1),
    Float("f", 1e-3, 10, step=10, sampling="log"),
    Float("f", 1e-3, 10, step=10, sampling="reverse_log"),
]


@pytest.mark.parametrize("hp", DISCRETE, ids=repr)
def test_unit_round_trip_on_every_grid_point(hp):
    grid = hp.grid_values()
    units = [hp.to_unit(v) for v in grid]
    assert all(0.0 <= u <= 1.0 for u in units)
    descending = _descending(hp)  # keras-tuner's bin order for a stepped reverse_log
    assert units == sorted(units, reverse=descending)
    assert [hp.from_unit(u) for u in units] == grid
    assert hp.from_unit(0.0) == grid[-1 if descending else 0]
    assert hp.from_unit(1.0) == grid[0 if descending else -1]


def _descending(hp):
    return hp.sampling == "reverse_log" and hp.step is not None


def test_stepped_reverse_log_bins_follow_keras_tuner():
    hp = Float("rg", 0.01, 100, step=10, sampling="reverse_log")
    assert hp.grid_values() == [0.01, 90.01, 99.01, 99.91, 100.0]
    assert hp.to_unit(99.91) == pytest.approx(0.3)
    assert hp.from_unit(0.3) == 99.91
    assert hp.from_unit(0.0) == 100.0 and hp.from_unit(1.0) == 0.01


@given(
    lo=st.integers(1, 50),
    span=st.integers(0, 500),
    step=st.one_of(st.none(), st.integers(2, 9)),
    sampling=st.sampled_from(["linear", "log", "reverse_log"]),
)
def test_int_round_trip_property(lo, span, step, sampling):
    if step is not None and span > 0:
        fits = lo + step <= lo + span if sampling == "linear" else lo * step <= lo + span
        if not fits:
            with pytest.raises(SearchSpaceError, match="does not fit"):
                Int("a", lo, lo + span, step=step, sampling=sampling)
            return
    hp = Int("a", lo, lo + span, step=step, sampling=sampling)
    grid = hp.grid_values()
    assert lo <= grid[0] and grid[-1] <= lo + span and grid == sorted(set(grid))
    # a grid starts at min_value, a stepped reverse_log one ends at max_value (its mirror)
    assert grid[-1] == lo + span if _descending(hp) else grid[0] == lo
    assert [hp.from_unit(hp.to_unit(v)) for v in grid] == grid
    assert hp.from_unit(1.0) == grid[0 if _descending(hp) else -1]
    if step is None or sampling == "linear":
        assert hp.from_unit(1.0) == lo + span - (span % (step or 1))


@given(
    lo=st.floats(-100, 100),
    span=st.floats(0.001, 100),
    k=st.integers(1, 40),
)
def test_float_linear_grid_property(lo, span, k):
    hp = Float("f", lo, lo + span, step=span / k)
    grid = hp.grid_values()
    assert len(grid) == k + 1
    assert grid[0] == hp.min_value and grid[-1] == hp.max_value
    assert [hp.from_unit(hp.to_unit(v)) for v in grid] == grid


@pytest.mark.parametrize("hp", DISCRETE[:5] + DISCRETE[8:], ids=repr)
def test_stepped_grids_use_equal_width_bins(hp):
    grid = hp.grid_values()
    n = len(grid)
    for i, v in enumerate(grid[::-1] if _descending(hp) else grid):
        assert hp.to_unit(v) == pytest.approx((i + 0.5) / n)


@pytest.mark.parametrize("sampling", ["linear", "log", "reverse_log"])
def test_continuous_float_bounds_and_monotonic(sampling):
    hp = Float("f", 0.01, 7.3, sampling=sampling)
    assert hp.from_unit(0.0) == 0.01
    assert hp.from_unit(1.0) == 7.3  # keras-tuner #1001: max is reachable
    us = np.linspace(0, 1, 101)
    xs = [hp.from_unit(u) for u in us]
    assert xs == sorted(xs)
    assert all(0.01 <= x <= 7.3 for x in xs)
    assert hp.to_unit(0.01) == 0.0 and hp.to_unit(7.3) == 1.0


@given(u=st.floats(0, 1), sampling=st.sampled_from(["linear", "log", "reverse_log"]))
def test_continuous_float_round_trip(u, sampling):
    hp = Float("f", 1e-3, 50.0, sampling=sampling)
    x = hp.from_unit(u)
    assert hp.to_unit(x) == pytest.approx(u, abs=1e-9)
    assert hp.from_unit(hp.to_unit(x)) == pytest.approx(x, rel=1e-9)


def test_log_warp_midpoint_is_geometric_mean():
    assert Float("f", 1e-4, 1.0, sampling="log").from_unit(0.5) == pytest.approx(1e-2)
    # reverse_log mirrors log: the midpoint is max + min - geometric mean
    assert Float("f", 1e-4, 1.0, sampling="reverse_log").from_unit(0.5) == pytest.approx(
        1.0 + 1e-4 - 1e-2
    )


def test_from_unit_clips_out_of_range_input():
    hp = Float("f", 0, 1)
    assert hp.from_unit(-3) == 0.0 and hp.from_unit(9) == 1.0
    assert Int("a", 1, 3).from_unit(2.0) == 3
    with pytest.raises(ValueError, match="nan"):
        hp.from_unit(float("nan"))


def test_to_unit_snaps_off_grid_values_to_nearest():
    hp = Int("a", 0, 100, step=10)
    assert hp.from_unit(hp.to_unit(34)) == 30
    assert hp.from_unit(hp.to_unit(1000)) == 100
    with pytest.raises(ValueError, match="number"):
        hp.to_unit("ten")


# --- sampling ----------------------------------------------------------------------------------
def test_linear_float_sampling_is_uniform():
    hp = Float("f", -2.0, 6.0)
    rng = _rng(1)
    xs = np.array([hp.random_sample(rng) for _ in range(4000)])
    assert all(type(x) is float for x in xs[:10].tolist())
    assert xs.min() >= -2.0 and xs.max() <= 6.0
    assert np.median(xs) == pytest.approx(2.0, abs=0.3)
    assert np.mean(xs < 0) == pytest.approx(0.25, abs=0.03)


def test_log_float_sampling_median_near_geometric_mean():
    rng = _rng(2)
    hp = Float("lr", 1e-5, 1e-1, sampling="log")
    xs = np.array([hp.random_sample(rng) for _ in range(4000)])
    assert np.median(xs) == pytest.approx(1e-3, rel=0.25)
    assert np.mean(xs < 1e-4) == pytest.approx(0.25, abs=0.03)


def test_reverse_log_sampling_is_dense_near_max():
    rng = _rng(3)
    hp = Float("m", 0.001, 1.0, sampling="reverse_log")
    xs = np.array([hp.random_sample(rng) for _ in range(4000)])
    assert np.median(xs) == pytest.approx(1.0 + 0.001 - math.sqrt(0.001), abs=0.02)
    assert np.mean(xs > 0.9) > 0.5


def test_int_log_without_step_is_log_uniform():
    rng = _rng(4)
    hp = Int("u", 1, 1000, sampling="log")
    xs = np.array([hp.random_sample(rng) for _ in range(4000)])
    assert np.median(xs) == pytest.approx(31.6, rel=0.3)
    assert xs.min() == 1 and xs.max() <= 1000


def test_int_sampling_reaches_both_bounds_uniformly():
    rng = _rng(5)
    hp = Int("a", 1, 4)
    xs = [hp.random_sample(rng) for _ in range(4000)]
    assert all(type(x) is int for x in xs)
    counts = np.bincount(xs, minlength=5)[1:]
    assert set(xs) == {1, 2, 3, 4}
    assert counts.min() > 900


def test_geometric_int_grid_is_sampled_uniformly():
    rng = _rng(6)
    hp = Int("b", 2, 32, step=2, sampling="log")
    xs = [hp.random_sample(rng) for _ in range(2500)]
    assert set(xs) == {2, 4, 8, 16, 32}
    assert min(xs.count(v) for v in (2, 4, 8, 16, 32)) > 400


def test_float_max_is_reachable_by_sampling():
    class MaxRng:
        """A generator stub whose integer draws are always the largest allowed."""

        def integers(self, low, high=None, endpoint=False):
            if high is None:
                low, high = 0, low
            return high if endpoint else high - 1

    assert Float("f", 0.0, 0.7).random_sample(MaxRng()) == 0.7
    assert Float("f", 1e-3, 0.7, sampling="log").random_sample(MaxRng()) == 0.7
    assert Float("f", 0.0, 0.7, step=0.1).random_sample(MaxRng()) == 0.7
    assert Int("a", 1, 9, sampling="log").random_sample(MaxRng()) == 9


def test_sampling_is_reproducible_from_rng():
    hp = Float("f", 0, 1)
    assert [hp.random_sample(_rng(9)) for _ in range(3)] == [hp.random_sample(_rng(9))] * 3


def test_config_round_trip_and_equality():
    for hp in DISCRETE + [Float("f", 0.5, 2.5, sampling="reverse_log", default=1.0)]:
        cfg = hp.get_config()
        assert hp.get_typed_config() == {"class_name": type(hp).__name__, "config": cfg}
        again = type(hp).from_config(cfg)
        assert again == hp and hash(again) == hash(hp)
        assert again.grid_values() == hp.grid_values()
    assert Int("a", 1, 5) != Int("a", 1, 6)
    assert Int("a", 1, 5) != Float("a", 1, 5)


def test_repr_names_the_arguments():  # in keras-tuner's form
    assert repr(Int("j", 1, 10)) == (
        "Int(name: 'j', min_value: 1, max_value: 10, step: 1, sampling: linear, default: 1)")
    text = repr(Float("lr", 1e-4, 1e-2, sampling="log"))
    assert text == (
        "Float(name: 'lr', min_value: 0.0001, max_value: 0.01, step: None, sampling: log, "
        "default: 0.0001)"
    )
