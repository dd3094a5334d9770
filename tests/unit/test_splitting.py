"""Exact integer splitting and minimum-size merging under every algorithm."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.execution.algos.splitting import enforce_minimum, split_by_weights


def test_equal_weights_put_the_odd_units_first() -> None:
    """1,001 in four equal parts is 251, 250, 250, 250: the extra unit goes to the earliest part."""
    assert split_by_weights(1001, [1, 1, 1, 1]) == [251, 250, 250, 250]


def test_largest_remainders_receive_the_leftover_units() -> None:
    """10 by weights 1:1:1 is 4, 3, 3; 10 by 2:1 is 7, 3 (6.67 rounds up, 3.33 down)."""
    assert split_by_weights(10, [1, 1, 1]) == [4, 3, 3]
    assert split_by_weights(10, [2, 1]) == [7, 3]


def test_zero_weight_parts_get_nothing() -> None:
    """A part with zero weight gets zero units."""
    assert split_by_weights(9, [0, 1, 2]) == [0, 3, 6]


@pytest.mark.parametrize(("total", "weights"), [(-1, [1]), (5, []), (5, [1, -1]), (5, [0, 0])])
def test_bad_inputs_are_refused(total: int, weights: list[int]) -> None:
    """A negative total, no weights, a negative weight or all-zero weights raise ValueError."""
    with pytest.raises(ValueError, match=r"must|weight"):
        split_by_weights(total, weights)


def test_small_parts_are_carried_into_the_next_part() -> None:
    """Parts below the minimum join the next part; the last small part folds back into the previous one."""
    assert enforce_minimum([3, 50, 2, 100, 4], 10) == [(1, 53), (3, 106)]


def test_total_below_minimum_stays_one_part() -> None:
    """A total below the minimum is still one part, at its first non-zero position."""
    assert enforce_minimum([0, 3, 2], 10) == [(1, 5)]


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=60).filter(any))
def test_split_always_sums_to_the_total(total: int, weights: list[int]) -> None:
    """However the weights fall, the parts are non-negative and sum exactly to the total."""
    parts = split_by_weights(total, weights)
    assert sum(parts) == total
    assert all(part >= 0 for part in parts)


@given(st.lists(st.integers(0, 1000), min_size=1, max_size=40).filter(any), st.integers(1, 500))
def test_merging_keeps_the_total_and_the_minimum(parts: list[int], minimum: int) -> None:
    """Merged parts keep the total, keep increasing positions, and respect the minimum unless only one is left."""
    kept = enforce_minimum(parts, minimum)
    assert sum(quantity for _, quantity in kept) == sum(parts)
    assert [index for index, _ in kept] == sorted({index for index, _ in kept})
    if len(kept) > 1:
        assert all(quantity >= minimum for _, quantity in kept)
