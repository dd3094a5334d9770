"""Properties over random batches: whatever the orders, what passes never overspends or oversells."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from oms.domain import Order, Side
from oms.domain.market import Portfolio, Position
from oms.risk import ReasonCode, RiskLimits
from tests.unit.risk.support import Market, buy, check, sell

SYMBOLS = ("AAA", "BBB", "CCC", "DDD")
MARKET = Market()
for index, name in enumerate(SYMBOLS):
    MARKET.add(name, str(20 + 30 * index), sector="Energy" if index % 2 else "Technology")
LIMITS = RiskLimits(max_position_pct=Decimal(1), sector_limits={"Energy": Decimal("0.5")})

orders_strategy = st.lists(
    st.tuples(st.sampled_from(SYMBOLS), st.sampled_from((Side.BUY, Side.SELL)), st.integers(1, 400)),
    min_size=1,
    max_size=12,
)
holdings_strategy = st.dictionaries(st.sampled_from(SYMBOLS), st.integers(0, 500))


def _orders(specs: list[tuple[str, Side, int]]) -> list[Order]:
    return [(buy if side is Side.BUY else sell)(symbol, quantity) for symbol, side, quantity in specs]


@settings(max_examples=150, deadline=None)
@given(specs=orders_strategy, holdings=holdings_strategy, cash=st.integers(0, 60_000))
def test_what_passes_on_release_is_funded_and_held(
    specs: list[tuple[str, Side, int]], holdings: dict[str, int], cash: int
) -> None:
    """On release, unblocked buys cost at most the cash, sells never exceed holdings, cash stays above the floor."""
    book = Portfolio(cash=Decimal(cash), positions={s: Position(s, Decimal(q)) for s, q in holdings.items() if q})
    checks = check(_orders(specs), MARKET, book=book, limits=LIMITS, releasing=True)
    spent = Decimal(0)
    sold: dict[str, Decimal] = defaultdict(Decimal)
    for order_checks in checks:
        if order_checks.blocked:
            continue
        order = order_checks.order
        price = MARKET.quotes[order.symbol].price
        if order.side is Side.BUY:
            spent += order.quantity * price
        else:
            sold[order.symbol] += order.quantity
    assert spent <= cash
    for symbol, quantity in sold.items():
        assert quantity <= holdings.get(symbol, 0)
    held = sum((Decimal(q) * MARKET.quotes[s].price for s, q in holdings.items()), Decimal(0))
    floor = LIMITS.min_cash_pct * (cash + held)
    if spent:
        proceeds = sum((q * MARKET.quotes[s].price for s, q in sold.items()), Decimal(0))
        assert cash + proceeds - spent >= floor


@settings(max_examples=100, deadline=None)
@given(specs=orders_strategy, holdings=holdings_strategy)
def test_every_order_gets_every_code_once(specs: list[tuple[str, Side, int]], holdings: dict[str, int]) -> None:
    """Each priced order in a known portfolio has exactly one result per reason code."""
    book = Portfolio(cash=Decimal(10_000), positions={s: Position(s, Decimal(q)) for s, q in holdings.items() if q})
    for order_checks in check(_orders(specs), MARKET, book=book, limits=LIMITS):
        assert sorted(r.code for r in order_checks.results) == sorted(ReasonCode)
