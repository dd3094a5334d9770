"""Latest quotes and ADV from Alpaca's data API (emulated), and the security master when Alpaca cannot answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from adapters.alpaca.market_data import AlpacaMarketData
from oms.domain.market import Quote, Security
from tests.fakes.alpaca_emulator import AlpacaEmulator
from tests.integration.alpaca.conftest import connection_to

MASTER_ROW = Security("AAPL", "Apple", "equity", "technology", Decimal(150), Decimal(5), Decimal(2), Decimal("0.02"))


class Master:
    """A one-row security master, the offline default the core falls back to."""

    def security(self, symbol: str) -> Security | None:
        return MASTER_ROW if symbol == "AAPL" else None

    def quote(self, symbol: str) -> Quote | None:
        return Quote(symbol, Decimal(150), datetime(2026, 1, 2, tzinfo=UTC)) if symbol == "AAPL" else None


def test_quote_and_adv_come_from_alpaca(emulator: AlpacaEmulator) -> None:
    """The midpoint of the latest quote and the mean of 20 daily volumes refine the security master's row."""
    data = AlpacaMarketData(connection_to(emulator, data_url=emulator.base_url), Master())
    quote = data.quote("AAPL")
    assert quote is not None
    assert (quote.bid, quote.ask, quote.price) == (Decimal("189.99"), Decimal("190.01"), Decimal("190.00"))
    assert data.adv("AAPL") == Decimal("1000010.5")
    row = data.security("AAPL")
    assert row is not None
    assert (row.last_price, row.adv, row.sector) == (Decimal("190.00"), Decimal("1000010.5"), "technology")


def test_the_security_master_answers_when_alpaca_cannot(emulator: AlpacaEmulator) -> None:
    """Wrong keys (or no data) leave the security master's values in place, without raising."""
    from pydantic import SecretStr

    data = AlpacaMarketData(connection_to(emulator, data_url=emulator.base_url, secret_key=SecretStr("bad")), Master())
    quote = data.quote("AAPL")
    assert quote is not None
    assert quote.price == Decimal(150)
    assert data.security("AAPL") == MASTER_ROW


def test_minute_bars_give_the_interval_vwap(emulator: AlpacaEmulator) -> None:
    """Three minute bars: 190.00 x 1,000, 190.01 x 1,100, 190.02 x 1,200: VWAP 627,055 / 3,300 = 190.0106..."""
    from oms.reporting.tca import vwap

    data = AlpacaMarketData(connection_to(emulator, data_url=emulator.base_url), Master())
    start = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    points = data.bars("AAPL", start, datetime(2026, 3, 2, 15, 2, 30, tzinfo=UTC))
    assert [(p.price, p.volume) for p in points] == [
        (Decimal("190.00"), Decimal(1000)),
        (Decimal("190.01"), Decimal(1100)),
        (Decimal("190.02"), Decimal(1200)),
    ]
    assert points[0].at == start
    later = data.bars("AAPL", start + timedelta(seconds=30), start + timedelta(seconds=40))
    assert [(p.at, p.price) for p in later] == [(start + timedelta(seconds=30), Decimal("190.00"))]  # bar 15:00
    assert vwap(points) == (Decimal("190.00") * 1000 + Decimal("190.01") * 1100 + Decimal("190.02") * 1200) / 3300
