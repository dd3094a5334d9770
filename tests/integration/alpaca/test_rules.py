"""Alpaca's order rules are applied before sending, with reason codes; the emulator enforces the same rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.alpaca import AlpacaBroker
from oms.domain.enums import OrderType, Side, TimeInForce
from oms.ports import BrokerRejected, OrderRequest
from tests.fakes.alpaca_emulator import AlpacaEmulator


def request(
    qty: str,
    *,
    symbol: str = "AAPL",
    tif: TimeInForce = TimeInForce.DAY,
    kind: OrderType = OrderType.LIMIT,
    limit: str | None = "190.00",
    extended: bool = False,
) -> OrderRequest:
    price = Decimal(limit) if limit is not None else None
    return OrderRequest(
        f"r-{qty}-{tif}-{kind}-{symbol}", symbol, Side.BUY, Decimal(qty), kind, tif, price, None, extended
    )


@pytest.mark.parametrize(
    ("order", "code"),
    [
        (request("0.5", tif=TimeInForce.GTC), "ALPACA_FRACTIONAL_NOT_DAY"),
        (request("1", kind=OrderType.MARKET, limit=None, extended=True), "ALPACA_EXTENDED_HOURS_RULE"),
        (request("1", tif=TimeInForce.GTC, extended=True), "ALPACA_EXTENDED_HOURS_RULE"),
        (request("1.5", symbol="PENNY", limit="0.50"), "ALPACA_NOT_FRACTIONABLE"),
        (request("0.004", limit="190.00"), "ALPACA_MIN_NOTIONAL"),
    ],
    ids=["fraction-gtc", "extended-market", "extended-gtc", "not-fractionable", "under-one-dollar"],
)
async def test_orders_alpaca_would_refuse_are_refused_before_sending(
    broker: AlpacaBroker, emulator: AlpacaEmulator, order: OrderRequest, code: str
) -> None:
    with pytest.raises(BrokerRejected) as refused:
        await broker.submit(order)
    assert refused.value.code == code
    assert emulator.calls["POST /v2/orders"] == 0


async def test_the_emulator_refuses_them_too_with_alpacas_words(emulator: AlpacaEmulator) -> None:
    venue = emulator.venue
    body = {
        "symbol": "AAPL",
        "qty": "0.5",
        "side": "buy",
        "type": "limit",
        "limit_price": "190",
        "time_in_force": "gtc",
    }
    assert venue.submit(body)[0] == (422, {"code": 42210000, "message": "fractional orders must be DAY orders"})
    body = {**body, "qty": "1", "time_in_force": "day", "type": "market", "extended_hours": True}
    assert venue.submit(body)[0][1]["message"] == "extended hours order must be DAY limit orders"


async def test_assets_are_read_once_per_symbol(broker: AlpacaBroker, emulator: AlpacaEmulator) -> None:
    await broker.submit(request("1"))
    await broker.submit(
        OrderRequest("r-2", "AAPL", Side.BUY, Decimal(2), OrderType.LIMIT, TimeInForce.DAY, Decimal(190))
    )
    assert emulator.calls["GET /v2/assets/{symbol}"] == 1


async def test_a_fractional_day_order_and_an_extended_hours_day_limit_go_through(broker: AlpacaBroker) -> None:
    assert (await broker.submit(request("0.5"))).quantity == Decimal("0.5")
    assert (await broker.submit(request("2", extended=True))).quantity == 2
