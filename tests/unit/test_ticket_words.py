"""The algorithm line of a manual ticket: fractional quantities and schedules that cannot be built."""

from __future__ import annotations

from oms.cli.views import algorithm_words
from oms.domain import Algo, Order, Side


def test_a_fractional_quantity_of_a_fractional_security_is_described() -> None:
    """A market sell of 22.1649 shares of a security trading in fractions reads as one market order of that size."""
    order = Order.create("QQQ", Side.SELL, "22.1649", algo=Algo.MARKET, client_order_id="B1-0004", batch_id="B1")
    assert algorithm_words(order, fractional=True) == "One market order for 22.1649 shares"


def test_a_schedule_that_cannot_be_built_still_gives_plain_words() -> None:
    """A fractional TWAP parent of a whole-share security is described plainly instead of failing the ticket."""
    order = Order.create("UPRO", Side.BUY, "10.5", "limit", "95.95", algo=Algo.TWAP, batch_id="B1")
    assert algorithm_words(order, fractional=False) == "One limit order for 10.5 shares"
