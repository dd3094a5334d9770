"""Orders worked through the real state machine, for the TCA tests: a small batch with a known story."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from oms.domain import Algo, Order, Urgency
from oms.reporting.tca import MarketContext, PricePoint

T0 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
D = Decimal


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def submitted_order(
    symbol: str,
    side: str,
    quantity: str,
    *,
    decision: str | None,
    submitted_after: float = 0,
    order_id: str | None = None,
    batch_id: str = "b-sample",
    **guidance: object,
) -> Order:
    """Create an order planned at T0 and submitted `submitted_after` seconds later."""
    order = Order.create(
        symbol,
        side,
        quantity,
        order_id=order_id or f"o-{symbol.lower()}",
        at=T0,
        decision_price=D(decision) if decision else None,
        batch_id=batch_id,
        **guidance,
    )
    order.validate(at=T0)
    order.submit(f"{batch_id}-{symbol}", at=at(submitted_after))
    return order


def sample_batch() -> tuple[list[Order], dict[str, MarketContext]]:
    """Return five orders (filled buy, partial sell, TWAP buy, rejected buy, unfilled sell) and their contexts."""
    aapl = submitted_order("AAPL", "buy", "100", decision="50.00", expected_cost_bps=D(20))
    aapl.fill("e1", "60", "50.20", at(30), commission="0.30")
    aapl.fill("e2", "40", "50.30", at(90), commission="0.20")

    msft = submitted_order("MSFT", "sell", "200", decision="20.00", expected_cost_bps=D(30), urgency=Urgency.HIGH)
    msft.fill("e3", "150", "19.80", at(45), commission="1.00")
    msft.request_cancel(at(300))
    msft.cancel("end of day", at(301))

    spy = submitted_order("SPY", "buy", "1000", decision="11.00", algo=Algo.TWAP, expected_cost_bps=D(5))
    for n, (qty, px) in enumerate([("250", "10.95"), ("250", "11.05"), ("250", "11.15"), ("250", "11.25")]):
        spy.fill(f"s{n}", qty, px, at(60 * (n + 1)))

    tsla = Order.create("TSLA", "buy", "10", order_id="o-tsla", at=T0, decision_price=D(200), batch_id="b-sample")
    tsla.reject("RISK_MAX_ORDER_VALUE", at=T0)

    qqq = submitted_order("QQQ", "sell", "50", decision="400.00", urgency=Urgency.LOW)
    qqq.expire(at(3600))

    spy_prices = [PricePoint(at(60 * n), D("11.00") + D("0.10") * n, D(1000 + 500 * n)) for n in range(6)]
    contexts = {
        "AAPL": MarketContext(arrival_price=D("50.10"), end_price=D("50.50"), adv=D(50_000), spread_bps=D(10)),
        "MSFT": MarketContext(arrival_price=D("19.90"), end_price=D("19.50"), adv=D(1_000_000), spread_bps=D(4)),
        "SPY": MarketContext(end_price=D("11.40"), adv=D(80_000), spread_bps=D(2), reference=spy_prices),
        "TSLA": MarketContext(end_price=D(210)),
        "QQQ": MarketContext(arrival_price=D("401.00"), end_price=D("396.00")),
    }
    return [aapl, msft, spy, tsla, qqq], contexts


def many_orders(count: int) -> list[Order]:
    """Return `count` filled orders on the venue's clock, buys and sells, costs and gains, for drawing at scale.

    Each has an arrival note read on the venue's clock with a bid and an ask, two fills, and an expected cost.
    """
    from oms.domain.market import Quote
    from oms.reporting.arrival import VenueQuote, arrival_details

    orders = []
    for n in range(count):
        side = "buy" if n % 3 else "sell"
        mid = D(20) + D(n % 17) * 7
        order = Order.create(
            f"S{n:03d}X",
            side,
            str(100 + 10 * n),
            order_id=f"o-{n:03d}",
            at=T0,
            decision_price=mid - D("0.05"),
            batch_id="b-many",
            expected_cost_bps=D(n % 11),
        )
        order.validate(at=T0)
        quote: Quote = VenueQuote(order.symbol, mid, at(60 * n), bid=mid - D("0.01"), ask=mid + D("0.01"))
        order.note("arrival", at=T0, **arrival_details(quote, None))
        order.submit(f"b-many-{n}", at=T0)
        drift = D((n * 37) % 23 - 11) / 100
        half = order.quantity / 2
        order.fill(f"f{n}a", half, mid + drift, at(60 * n + 30))
        order.fill(f"f{n}b", order.quantity - half, mid + drift * 2, at(60 * n + 90))
        orders.append(order)
    return orders
