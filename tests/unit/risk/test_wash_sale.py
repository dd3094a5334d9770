"""WASH_SALE from FIFO lots over several buys and sells, with groups of substantially identical symbols."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from oms.domain import Side
from oms.domain.market import Portfolio, Position
from oms.risk import HistoricalFill, Outcome, ReasonCode, RiskLimits, WashSaleMode
from tests.unit.risk.support import NOW, Market, buy, check, outcome_of, portfolio, result, sell

MARKET = Market().add("SPY", "40").add("IVV", "40").add("AAA", "45")


def fill(symbol: str, side: Side, quantity: int, price: str, days_ago: int) -> HistoricalFill:
    return HistoricalFill(symbol, side, Decimal(quantity), Decimal(price), NOW - timedelta(days=days_ago))


def test_buy_within_30_days_of_a_loss_sale() -> None:
    """Sold at a loss 30 days ago: buying back now is a wash sale; 31 days ago it is not."""
    for days, expected in ((30, Outcome.WARN), (31, Outcome.PASS)):
        history = [fill("SPY", Side.BUY, 100, "50", 90), fill("SPY", Side.SELL, 100, "40", days)]
        found = outcome_of(ReasonCode.WASH_SALE, buy("SPY", 10), MARKET, fills=history)
        assert found.outcome is expected, days


def test_buy_after_a_gain_is_no_wash_sale() -> None:
    """A sale at a profit never makes the buy-back a wash sale."""
    history = [fill("SPY", Side.BUY, 100, "30", 90), fill("SPY", Side.SELL, 100, "40", 5)]
    assert outcome_of(ReasonCode.WASH_SALE, buy("SPY", 10), MARKET, fills=history).outcome is Outcome.PASS


def test_partial_sales_are_costed_first_in_first_out() -> None:
    """Of two sales from one lot, only the one below the lot's cost is a loss; its numbers are in the message."""
    history = [
        fill("SPY", Side.BUY, 100, "50", 60),
        fill("SPY", Side.SELL, 40, "55", 50),  # a gain
        fill("SPY", Side.SELL, 60, "45", 20),  # a loss of $300
    ]
    found = outcome_of(ReasonCode.WASH_SALE, buy("SPY", 10), MARKET, fills=history)
    assert found.outcome is Outcome.WARN
    assert "selling 60 SPY at a loss of $300.00" in found.message


def test_fifo_picks_the_oldest_lot_for_the_loss_test() -> None:
    """With lots at $30 (old) and $60 (recent), selling 100 at $45 uses the $30 lot: a gain, no wash sale."""
    history = [fill("AAA", Side.BUY, 100, "30", 90), fill("AAA", Side.BUY, 100, "60", 20)]
    book = portfolio(cash=0, AAA=200)
    assert outcome_of(ReasonCode.WASH_SALE, sell("AAA", 100), MARKET, book=book, fills=history).outcome is (
        Outcome.PASS
    )


def test_loss_sale_while_a_recent_buy_is_still_held() -> None:
    """Selling the old lot at a loss while shares bought 5 days ago remain is a wash sale; selling all is not."""
    history = [fill("AAA", Side.BUY, 100, "50", 60), fill("AAA", Side.BUY, 50, "46", 5)]
    book = portfolio(cash=0, AAA=150)
    some = outcome_of(ReasonCode.WASH_SALE, sell("AAA", 100), MARKET, book=book, fills=history)
    assert some.outcome is Outcome.WARN
    assert some.message.startswith("selling 100 AAA at $45.00 realises a loss of $500.00")
    everything = outcome_of(ReasonCode.WASH_SALE, sell("AAA", 150), MARKET, book=book, fills=history)
    assert everything.outcome is Outcome.PASS
    assert "realises a loss of $550.00" in everything.message


def test_holdings_older_than_the_history_come_first() -> None:
    """A position the fills do not explain enters as the oldest lot, at the position's average cost."""
    history = [fill("AAA", Side.BUY, 10, "30", 5)]
    book = Portfolio(cash=Decimal(0), positions={"AAA": Position("AAA", Decimal(110), Decimal(50))})
    found = outcome_of(ReasonCode.WASH_SALE, sell("AAA", 100), MARKET, book=book, fills=history)
    assert found.outcome is Outcome.WARN
    assert "against FIFO lots costing $50.00 a share" in found.message


def test_substantially_identical_symbols_are_grouped() -> None:
    """A loss on SPY makes buying IVV a wash sale only when config groups them."""
    history = [fill("SPY", Side.BUY, 100, "50", 90), fill("SPY", Side.SELL, 100, "40", 3)]
    grouped = RiskLimits(wash_sale_groups=(("SPY", "IVV", "VOO"),))
    assert outcome_of(ReasonCode.WASH_SALE, buy("IVV", 1), MARKET, fills=history).outcome is Outcome.PASS
    found = outcome_of(ReasonCode.WASH_SALE, buy("IVV", 1), MARKET, fills=history, limits=grouped)
    assert found.outcome is Outcome.WARN
    assert "within 30 days of selling 100 SPY" in found.message


def test_loss_sale_and_rebuy_in_one_batch() -> None:
    """Selling at a loss and buying back in the same batch is caught on the buy."""
    history = [fill("SPY", Side.BUY, 100, "50", 90)]
    book = portfolio(cash=100_000, SPY=100)
    sold, bought = check([sell("SPY", 100), buy("SPY", 100)], MARKET, book=book, fills=history)
    assert result(sold, ReasonCode.WASH_SALE).outcome is Outcome.PASS
    assert result(bought, ReasonCode.WASH_SALE).outcome is Outcome.WARN


def test_block_mode() -> None:
    """With wash_sale = "block" the same finding blocks the order."""
    history = [fill("SPY", Side.BUY, 100, "50", 90), fill("SPY", Side.SELL, 100, "40", 3)]
    limits = RiskLimits(wash_sale=WashSaleMode.BLOCK)
    found = outcome_of(ReasonCode.WASH_SALE, buy("SPY", 1), MARKET, fills=history, limits=limits)
    assert found.outcome is Outcome.BLOCK


def test_history_from_domain_orders() -> None:
    """The ledger's orders turn into the fill history: a filled loss sale then flags the buy-back."""
    bought = buy("SPY", 100)
    bought.validate(NOW)
    bought.submit("c-1", NOW - timedelta(days=40))
    bought.fill("x-1", 100, "50", NOW - timedelta(days=40))
    sold = sell("SPY", 100)
    sold.validate(NOW)
    sold.submit("c-2", NOW - timedelta(days=2))
    sold.fill("x-2", 60, "41", NOW - timedelta(days=2))
    sold.fill("x-3", 40, "40", NOW - timedelta(days=2))
    history = HistoricalFill.history_of([bought, sold])
    assert [(f.side, f.quantity) for f in history] == [(Side.BUY, 100), (Side.SELL, 60), (Side.SELL, 40)]
    found = outcome_of(ReasonCode.WASH_SALE, buy("SPY", 1), MARKET, fills=history)
    assert found.outcome is Outcome.WARN
    assert "selling 40 SPY at a loss of $400.00" in found.message
