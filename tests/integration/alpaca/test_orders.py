"""AlpacaBroker against the emulator: submitting, rejecting, finding and cancelling orders with real alpaca-py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.alpaca import AlpacaBroker
from oms.domain.enums import Side
from oms.ports import BrokerRejected, OrderNotFound, ReportStatus
from tests.fakes.alpaca_emulator import AlpacaEmulator
from tests.integration.alpaca.conftest import BrokerFactory, order


async def test_submit_sends_our_client_order_id_and_answers_pending(
    broker: AlpacaBroker, emulator: AlpacaEmulator
) -> None:
    """A submitted order carries our client order id and comes back `accepted`, which we call pending."""
    report = await broker.submit(order("batch1-0001"))
    assert report.client_order_id == "batch1-0001"
    assert report.status is ReportStatus.PENDING
    assert report.raw_status == "accepted"
    assert report.broker_order_id
    assert [body["client_order_id"] for body in emulator.post_bodies] == ["batch1-0001"]


@pytest.mark.parametrize(
    ("side", "limit", "sent"),
    [
        (Side.BUY, "190.129", 190.12),
        (Side.SELL, "190.121", 190.13),
        (Side.BUY, "0.51239", 0.5123),
    ],
)
async def test_limit_prices_reach_alpaca_on_the_tick(
    broker: AlpacaBroker, emulator: AlpacaEmulator, side: Side, limit: str, sent: float
) -> None:
    """Limits are rounded to the tick on the safe side (a buy never pays more) before the SDK floats them."""
    emulator.venue.allow_short = True
    symbol = "PENNY" if Decimal(limit) < 1 else "AAPL"
    await broker.submit(order("tick-1", 10, side=side, symbol=symbol, limit=limit))
    assert emulator.post_bodies[-1]["limit_price"] == sent


async def test_a_client_order_id_over_48_characters_is_refused_before_sending(
    broker: AlpacaBroker, emulator: AlpacaEmulator
) -> None:
    """An id Alpaca would refuse is a definite reject and no request leaves."""
    with pytest.raises(BrokerRejected) as caught:
        await broker.submit(order("x" * 49))
    assert caught.value.code == "CLIENT_ORDER_ID_TOO_LONG"
    assert emulator.calls["POST /v2/orders"] == 0


async def test_selling_more_than_held_is_a_definite_reject_in_alpacas_words(broker: AlpacaBroker) -> None:
    """403 40310000 "insufficient qty" becomes BrokerRejected(INSUFFICIENT_QTY) carrying the broker's message."""
    with pytest.raises(BrokerRejected) as caught:
        await broker.submit(order("sell-1", 5, side=Side.SELL))
    assert caught.value.code == "INSUFFICIENT_QTY"
    assert "insufficient qty available for order (requested: 5, available: 0)" in caught.value.reason


async def test_an_opposite_order_on_the_same_symbol_is_a_wash_trade_reject(
    broker: AlpacaBroker, emulator: AlpacaEmulator
) -> None:
    """403 "potential wash trade detected" becomes BrokerRejected(WASH_TRADE)."""
    emulator.venue.allow_short = True
    await broker.submit(order("buy-1", 5, limit="150.00"))
    with pytest.raises(BrokerRejected) as caught:
        await broker.submit(order("sell-1", 5, side=Side.SELL, limit="250.00"))
    assert caught.value.code == "WASH_TRADE"
    assert "potential wash trade detected" in caught.value.reason


async def test_wrong_keys_say_check_the_keys_and_never_show_them(make_broker: BrokerFactory) -> None:
    """A `{"message": "forbidden."}` body becomes a clear reject (not a KeyError) without the secret in it."""
    from pydantic import SecretStr

    with pytest.raises(BrokerRejected) as caught:
        await make_broker(secret_key=SecretStr("wrong-secret-value"))
    assert caught.value.code == "ALPACA_AUTH"
    assert "check the API keys and the endpoint" in caught.value.reason
    assert "wrong-secret-value" not in caught.value.reason


async def test_a_bad_key_id_is_one_line_naming_the_variables_and_the_endpoint(
    make_broker: BrokerFactory, emulator: AlpacaEmulator
) -> None:
    """Alpaca answers a bad key with 401 40110000: one line, the variables to check, the endpoint it went to."""
    from pydantic import SecretStr

    with pytest.raises(BrokerRejected) as caught:
        await make_broker(key_id=SecretStr("PKWRONGKEYID0000"))
    reason = caught.value.reason
    assert caught.value.code == "ALPACA_AUTH"
    assert "\n" not in reason
    assert "APCA_API_KEY_ID" in reason
    assert "APCA_API_SECRET_KEY" in reason
    assert emulator.base_url in reason
    assert "PKWRONGKEYID0000" not in reason


async def test_find_order_by_client_order_id_and_a_definite_not_found(broker: AlpacaBroker) -> None:
    """find_order returns the order by our id; an unknown id is OrderNotFound (a definite 404)."""
    placed = await broker.submit(order("find-1"))
    found = await broker.find_order("find-1")
    assert found.broker_order_id == placed.broker_order_id
    assert found.status is ReportStatus.WORKING
    with pytest.raises(OrderNotFound):
        await broker.find_order("never-sent")


async def test_cancel_a_working_order_and_refuse_cancelling_a_filled_one(
    broker: AlpacaBroker, emulator: AlpacaEmulator
) -> None:
    """A working order cancels; a filled one is a definite CANCEL_TOO_LATE; an unknown id is OrderNotFound."""
    await broker.submit(order("cx-1"))
    await broker.cancel("cx-1")
    assert (await broker.find_order("cx-1")).status is ReportStatus.CANCELLED
    filled = await broker.submit(order("cx-2", 10, limit="191.00"))
    emulator.venue.execute("cx-2", Decimal(10))
    with pytest.raises(BrokerRejected) as caught:
        await broker.cancel("cx-2", filled.broker_order_id)
    assert caught.value.code == "CANCEL_TOO_LATE"
    with pytest.raises(OrderNotFound):
        await broker.cancel("nobody", "5d4c2c8c-0000-4000-8000-00000000dead")


async def test_account_positions_and_clock_come_back_as_decimals(
    broker: AlpacaBroker, emulator: AlpacaEmulator
) -> None:
    """Numeric strings become exact Decimals; the clock is timezone-aware."""
    await broker.submit(order("pos-1", 7, limit="190.00"))
    emulator.venue.execute("pos-1", Decimal(7), Decimal("189.99"))
    positions = await broker.positions()
    assert [(p.symbol, p.quantity, p.average_cost) for p in positions] == [("AAPL", Decimal(7), Decimal("189.99"))]
    account = await broker.account()
    assert account.cash == Decimal(10**6) - Decimal(7) * Decimal("189.99")
    assert account.account_id == "PA3EMULATOR"
    assert account.live is False
    clock = await broker.clock()
    assert clock is not None
    assert clock.is_open
    assert clock.at.tzinfo is not None


async def test_live_refuses_an_account_other_than_the_confirmed_one(make_broker: BrokerFactory) -> None:
    """In live mode the account Alpaca reports must equal live.account, or nothing starts."""
    from adapters.alpaca import AlpacaConfigError

    with pytest.raises(AlpacaConfigError, match="PA3EMULATOR"):
        await make_broker(live=True, expected_account="123456789")
    live = await make_broker(live=True, expected_account="PA3EMULATOR", stream=False)
    assert (await live.account()).live is True


async def test_a_cancel_of_an_order_pending_cancel_is_not_too_late(
    broker: AlpacaBroker, emulator: AlpacaEmulator
) -> None:
    """Alpaca answers 422 'already in "pending_cancel" state' to a second cancel: the cancel stands, nothing ends."""
    emulator.venue.pending_cancel_window = True
    await broker.submit(order("pc-1"))
    await broker.cancel("pc-1")
    await broker.cancel("pc-1")  # asked again (a retry, a second operator): no error
    assert (await broker.find_order("pc-1")).status is ReportStatus.PENDING_CANCEL
    emulator.venue.confirm_cancels()
    assert (await broker.find_order("pc-1")).status is ReportStatus.CANCELLED
