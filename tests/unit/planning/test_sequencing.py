"""Sequencing: sells before buys, leveraged first, then the row's priority, then larger value first."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from oms.domain.enums import Side
from oms.planning.sequencing import SequenceKey, sequence


def run(keys: list[SequenceKey]) -> list[tuple[str, int, int]]:
    return [(key.symbol, wave, priority) for key, wave, priority in sequence(keys, lambda key: key)]


def key(symbol: str, side: Side, value: str, leveraged: bool = False, priority: int | None = None) -> SequenceKey:
    return SequenceKey(side, leveraged, Decimal(value), symbol, priority)


def test_sells_then_buys_leveraged_first_then_larger_value() -> None:
    """Wave 1 holds the sells, wave 2 the buys; within each, leveraged first, then by value descending."""
    keys = [
        key("BUY_SMALL", Side.BUY, "100"),
        key("BUY_LEV", Side.BUY, "50", leveraged=True),
        key("SELL_SMALL", Side.SELL, "10"),
        key("BUY_BIG", Side.BUY, "900"),
        key("SELL_LEV", Side.SELL, "5", leveraged=True),
        key("SELL_BIG", Side.SELL, "800"),
    ]
    assert run(keys) == [
        ("SELL_LEV", 1, 1),
        ("SELL_BIG", 1, 2),
        ("SELL_SMALL", 1, 3),
        ("BUY_LEV", 2, 4),
        ("BUY_BIG", 2, 5),
        ("BUY_SMALL", 2, 6),
    ]


def test_only_buys_form_wave_one() -> None:
    """Without sells there is nothing to wait for: the buys are wave 1."""
    assert run([key("A", Side.BUY, "1"), key("B", Side.BUY, "2")]) == [("B", 1, 1), ("A", 1, 2)]


def test_row_priority_orders_within_the_leveraged_class_before_value() -> None:
    """A lower `priority` goes first among peers but never ahead of leveraged names or across sides."""
    keys = [
        key("BIG", Side.SELL, "1000"),
        key("URGENT", Side.SELL, "10", priority=1),
        key("LEV", Side.SELL, "1", leveraged=True),
        key("BUY", Side.BUY, "5", priority=0),
    ]
    assert [symbol for symbol, _, _ in run(keys)] == ["LEV", "URGENT", "BIG", "BUY"]


def test_ties_break_by_symbol_then_file_order() -> None:
    """Equal keys keep a deterministic order: symbol, then position in the input."""
    keys = [key("B", Side.BUY, "5"), key("A", Side.BUY, "5"), key("A", Side.BUY, "5")]
    result = sequence(keys, lambda k: k)
    assert [k.symbol for k, _, _ in result] == ["A", "A", "B"]
    assert result[0][0] is keys[1]


@given(
    st.lists(
        st.builds(
            SequenceKey,
            side=st.sampled_from(list(Side)),
            leveraged=st.booleans(),
            value=st.decimals("0.01", "1000000", places=2),
            symbol=st.sampled_from(["A", "B", "C"]),
            priority=st.none() | st.integers(0, 3),
        ),
        max_size=30,
    )
)
def test_any_input_is_ordered_sells_first_then_leveraged_then_value(keys: list[SequenceKey]) -> None:
    """For any orders: sells precede buys, leveraged precede plain on each side, ranks run 1..n, waves match sides."""
    result = sequence(keys, lambda k: k)
    assert [rank for _, _, rank in result] == list(range(1, len(keys) + 1))
    ordered = [k for k, _, _ in result]
    for earlier, later in itertools.pairwise(ordered):
        assert not (earlier.side is Side.BUY and later.side is Side.SELL)
        if earlier.side is later.side:
            assert not (not earlier.leveraged and later.leveraged)
    waves = {k.side: wave for k, wave, _ in result}
    if Side.SELL in waves:
        assert waves[Side.SELL] == 1
        assert waves.get(Side.BUY, 2) == 2
