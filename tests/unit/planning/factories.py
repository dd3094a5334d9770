"""Small builders for planning tests: real objects with only the fields a test cares about spelled out."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from oms.domain.enums import Side
from oms.domain.market import Security
from oms.planning.intake import TradeRecommendation
from oms.planning.securities import SecurityMaster


def security(symbol: str = "ABC", **overrides: object) -> Security:
    values: dict[str, object] = {
        "symbol": symbol,
        "name": f"{symbol} Inc.",
        "asset_class": "equity",
        "sector": "Technology",
        "last_price": Decimal("100"),
        "adv": Decimal("1000000"),
        "spread_bps": Decimal("2"),
        "daily_volatility": Decimal("0.01"),
    }
    values.update(overrides)
    return Security(**values)  # type: ignore[arg-type]


def master(*securities: Security) -> SecurityMaster:
    return SecurityMaster({s.symbol: s for s in securities})


def recommendation(
    symbol: str = "ABC", side: Side = Side.BUY, shares: str = "10", **overrides: object
) -> TradeRecommendation:
    values: dict[str, object] = {
        "symbol": symbol,
        "side": side,
        "shares": Decimal(shares),
        "reference_price": Decimal("100"),
        "source": f"test:{symbol}",
    }
    values.update(overrides)
    return TradeRecommendation(**values)  # type: ignore[arg-type]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
