"""The policy after "not found": wait, resend only where duplicate ids are refused, else unknown."""

from __future__ import annotations

import pytest

from oms.execution.lookups import AfterNotFound, after_not_found


@pytest.mark.parametrize("unique_ids", [True, False])
def test_fewer_misses_than_attempts_wait(unique_ids: bool) -> None:
    assert after_not_found(2, 3, unique_ids=unique_ids, broker="x").action is AfterNotFound.WAIT


def test_a_broker_refusing_duplicate_ids_gets_the_order_again() -> None:
    assert after_not_found(3, 3, unique_ids=True, broker="alpaca").action is AfterNotFound.RESEND


def test_a_broker_taking_duplicate_ids_makes_the_order_unknown_and_says_who_acts() -> None:
    decision = after_not_found(3, 3, unique_ids=False, broker="ibkr")
    assert decision.action is AfterNotFound.UNKNOWN
    assert "look at ibkr" in decision.reason
