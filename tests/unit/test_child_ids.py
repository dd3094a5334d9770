"""Child client order ids: deterministic, unique per child and attempt, and always within the length limit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.execution.algos.child_ids import child_client_order_id, shortened_parent


def test_short_parent_ids_are_kept_whole() -> None:
    """A short parent id gets a dash and the sequence; a replacement adds r and the attempt."""
    assert child_client_order_id("B20261124-7", 3) == "B20261124-7-3"
    assert child_client_order_id("B20261124-7", 3, attempt=2) == "B20261124-7-3r2"


def test_long_parent_ids_are_shortened_the_same_way_for_every_child() -> None:
    """A 60-character parent id yields ids of at most 48 characters sharing one hashed prefix."""
    parent = "batch-" + "x" * 54
    ids = [child_client_order_id(parent, n, attempt) for n in (1, 9, 10, 99_999) for attempt in (0, 999)]
    assert all(len(value) <= 48 for value in ids)
    assert len(set(ids)) == len(ids)
    prefix = shortened_parent(parent)
    assert all(value.startswith(prefix + "-") for value in ids)
    assert prefix.startswith("batch-xxx")


def test_two_long_parents_with_the_same_prefix_stay_distinct() -> None:
    """Parents that differ only after the kept prefix still get different child ids (the hash tells them apart)."""
    first = child_client_order_id("A" * 50 + "1", 1)
    second = child_client_order_id("A" * 50 + "2", 1)
    assert first != second


def test_the_limit_is_configurable() -> None:
    """With a 32-character limit, ids fit 32 characters."""
    assert len(child_client_order_id("P" * 40, 12, 3, max_length=32)) <= 32


@pytest.mark.parametrize(
    ("parent", "sequence", "attempt", "max_length"),
    [("", 1, 0, 48), ("has space", 1, 0, 48), ("P", 0, 0, 48), ("P", 100_000, 0, 48), ("P", 1, -1, 48), ("P", 1, 0, 8)],
)
def test_invalid_requests_are_refused(parent: str, sequence: int, attempt: int, max_length: int) -> None:
    """An empty or unsafe parent id, a sequence or attempt out of range, or a tiny limit raise ValueError."""
    with pytest.raises(ValueError, match="must"):
        child_client_order_id(parent, sequence, attempt, max_length=max_length)


@given(
    st.text(st.sampled_from("ABCxyz0189-_.:"), min_size=1, max_size=120),
    st.integers(1, 99_999),
    st.integers(0, 999),
    st.integers(22, 128),
)
def test_ids_always_fit_and_are_deterministic(parent: str, sequence: int, attempt: int, max_length: int) -> None:
    """Any safe parent id, sequence and attempt give the same id twice, within the limit."""
    value = child_client_order_id(parent, sequence, attempt, max_length=max_length)
    assert len(value) <= max_length
    assert value == child_client_order_id(parent, sequence, attempt, max_length=max_length)
