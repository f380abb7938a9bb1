"""Ranges at the edges: Int bounds in int64, integer ranges too wide to list, and log or linear
ranges whose ratio or width overflows a float (bad-input review, findings B2, B3, B4)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rung.errors import SearchSpaceError
from rung.hyperparameters import Float, HyperParameters, Int
from rung.hyperparameters.base import MAX_GRID_VALUES

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


# --- B3: Int bounds outside int64 are refused at the declaration -----------------------------
@pytest.mark.parametrize(("low", "high", "arg", "bound"), [
    (1, 10**30, "max_value", "1000000000000000000000000000000"),
    (INT64_MIN - 1, 0, "min_value", str(INT64_MIN - 1)),
    (0, 2**63, "max_value", str(2**63)),
])
def test_int_bounds_outside_int64_are_refused_naming_the_bound(low: int, high: int, arg: str,
                                                                bound: str) -> None:
    hp = HyperParameters()
    with pytest.raises(SearchSpaceError) as info:
        hp.Int("a", low, high)
    message = str(info.value)
    for fragment in ("'a'", f"{arg}={bound}", "int64", str(INT64_MIN), str(INT64_MAX)):
        assert fragment in message
    assert hp.space == []


def test_the_whole_int64_range_is_sampled_and_mapped() -> None:
    whole = Int("seed", INT64_MIN, INT64_MAX)
    assert whole.grid_size() == 2**64
    draws = [whole.random_sample(s) for s in range(20)]
    assert all(isinstance(v, int) and INT64_MIN <= v <= INT64_MAX for v in draws)
    assert len(set(draws)) == 20
    assert whole.from_unit(0.0) == INT64_MIN and whole.from_unit(1.0) == INT64_MAX
    assert 0.0 <= whole.to_unit(INT64_MAX) <= 1.0


def test_a_wide_int_range_is_counted_exactly() -> None:
    # 2**62 + 2 values: a float division would round the count
    assert Int("a", 0, 2**62 + 1).grid_size() == 2**62 + 2
    assert Int("a", 0, 3 * 10**9 - 1, step=2 * 10**9).grid_size() == 2  # 0 and 2e9, no 3rd
    assert Int("a", 0, 3 * 10**9 - 1, step=2 * 10**9).values == (0, 2 * 10**9)


# --- B2: a wide Int is counted, sampled and mapped, never listed ------------------------------
def test_grid_size_counts_without_listing() -> None:
    assert Int("seed", 0, 2**31 - 1).grid_size() == 2**31
    assert Int("n", 1, 2**62, sampling="log").grid_size() == 2**62
    assert Int("u", 32, 128, step=32).grid_size() == 4
    assert Float("x", 0.0, 1.0).grid_size() is None
    assert Float("x", 0.0, 1.0, step=0.25).grid_size() == 5


def test_grid_values_refuses_more_than_it_can_list() -> None:
    with pytest.raises(SearchSpaceError) as info:
        Int("seed", 0, 2**62).grid_values()
    message = str(info.value)
    for fragment in ("'seed'", str(2**62 + 1), f"{MAX_GRID_VALUES:,}", "step"):
        assert fragment in message
    assert len(Int("x", 1, MAX_GRID_VALUES).grid_values()) == MAX_GRID_VALUES


def test_log_int_without_step_gives_ten_values_without_listing_the_range() -> None:
    wide = Int("n", 1, 2**62, sampling="log")
    values = wide.values  # keras-tuner's `values`: spread over the warp
    assert len(values) == 10 and values == tuple(sorted(values))
    assert all(1 <= v <= 2**62 for v in values)
    assert 1 <= wide.random_sample(0) <= 2**62


# --- B4: ranges whose ratio or width overflows a float map into [0, 1] and back ---------------
@pytest.mark.parametrize("sampling", ["log", "reverse_log"])
def test_an_extreme_log_range_maps_to_finite_units(sampling: str) -> None:
    b = Float("b", 1e-300, 1e300, sampling=sampling)
    assert b.to_unit(1e-300) == 0.0 and b.to_unit(1e300) == 1.0
    assert b.from_unit(0.0) == 1e-300 and b.from_unit(1.0) == 1e300
    rng = np.random.default_rng(0)
    for _ in range(200):
        value = b.random_sample(rng)
        u = b.to_unit(value)
        assert math.isfinite(value) and 1e-300 <= value <= 1e300
        assert math.isfinite(u) and 0.0 <= u <= 1.0
    if sampling == "log":  # the midpoint of the log range is 1
        assert b.from_unit(0.5) == pytest.approx(1.0)
        assert b.to_unit(1.0) == pytest.approx(0.5)
        assert b.to_unit(b.from_unit(0.3)) == pytest.approx(0.3)


def test_a_linear_range_wider_than_the_largest_float_maps_to_finite_units() -> None:
    x = Float("x", -1.7e308, 1.7e308)
    assert x.to_unit(1.7e308) == 1.0 and x.to_unit(-1.7e308) == 0.0
    assert x.to_unit(0.0) == pytest.approx(0.5)
    assert x.from_unit(0.5) == pytest.approx(0.0, abs=1e292)
    assert all(math.isfinite(x.to_unit(x.random_sample(s))) for s in range(50))


def test_a_stepped_extreme_log_range_has_its_grid() -> None:
    b = Float("b", 1e-300, 1e300, step=10.0, sampling="log")
    assert b.grid_size() == 601
    assert b.from_unit(1.0) == pytest.approx(1e300)
    assert b.from_unit(0.5) == pytest.approx(1.0)
    assert b.to_unit(1e300) == pytest.approx(1 - 0.5 / 601)


def test_a_step_too_small_to_count_is_refused() -> None:
    with pytest.raises(SearchSpaceError, match=r"'x'.*step=1e-300.*2\*\*64 values"):
        Float("x", 0.0, 1.0, step=1e-300)


def test_ordinary_ranges_keep_their_exact_values() -> None:
    """The overflow-safe formulas are used only where the plain ones overflow: the bits of an
    ordinary range do not change (the benchmarks' proposals depend on them)."""
    lr = Float("lr", 1e-4, 1e-1, sampling="log")
    assert lr.from_unit(0.37) == 1e-4 * math.exp(0.37 * math.log(1e-1 / 1e-4))
    assert lr.to_unit(0.003) == math.log(0.003 / 1e-4) / math.log(1e-1 / 1e-4)
    rev = Float("r", 0.5, 0.999, sampling="reverse_log")
    r = math.log(0.999 / 0.5)
    assert rev.from_unit(0.2) == 0.999 + 0.5 - 0.5 * math.exp(0.8 * r)
    assert Float("d", 0.0, 0.5).from_unit(0.3) == 0.0 + 0.3 * 0.5
