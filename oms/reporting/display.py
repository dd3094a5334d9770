"""Rounding for display, in one place: metrics stay exact, and only what a person or a JSON reader sees is rounded.

bps and percentages to 0.01, dollars to cents, prices to 0.0001, quantities exactly; halves round away from zero
(ROUND_HALF_UP), the way people round by hand.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from oms.domain.values import decimal_text
from oms.reporting.tca import OrderTca, Shortfall
from oms.reporting.tca_batch import BatchTca, Totals

CENT = Decimal("0.01")
PRICE_STEP = Decimal("0.0001")


def bps(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(CENT, ROUND_HALF_UP))


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(CENT, ROUND_HALF_UP))


def price(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(PRICE_STEP, ROUND_HALF_UP))


def short_price(value: Decimal | None) -> str | None:
    """Render a price for a table: four places at most, two at least (50.24, 11.1025)."""
    text = price(value)
    if text is None:
        return None
    whole, _, places = text.partition(".")
    return f"{whole}.{places.rstrip('0').ljust(2, '0')}"


def quantity(value: Decimal | None) -> str | None:
    return decimal_text(value)


def percent(fraction: Decimal | None) -> str | None:
    """Render a fraction (0.25) as a percentage (25.00)."""
    return None if fraction is None else str((fraction * 100).quantize(CENT, ROUND_HALF_UP))


def seconds(value: timedelta | None) -> str | None:
    return None if value is None else str(Decimal(str(value.total_seconds())).quantize(Decimal("0.001")))


def duration(value: timedelta | None) -> str:
    """Render a duration for people: 0:04:10 style, or a dash when unknown."""
    if value is None:
        return "–"
    total = int(value.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def shortfall_json(value: Shortfall | None) -> dict[str, str | None] | None:
    if value is None:
        return None
    return {
        "delay": money(value.delay),
        "spread": money(value.spread),
        "impact": money(value.impact),
        "opportunity": money(value.opportunity),
        "commission": money(value.commission),
        "total": money(value.total),
    }


def order_json(row: OrderTca) -> dict[str, Any]:
    """Return one order's metrics as JSON-ready values (decimals as exact text after display rounding)."""
    return {
        "order_id": row.order_id,
        "symbol": row.symbol,
        "side": row.side.value,
        "quantity": quantity(row.quantity),
        "filled_quantity": quantity(row.filled_quantity),
        "status": row.status.value,
        "status_reason": row.status_reason,
        "algo": row.algo.value if row.algo else None,
        "urgency": row.urgency.value,
        "average_fill_price": price(row.average_fill_price),
        "arrival_price": price(row.arrival_price),
        "decision_price": price(row.decision_price),
        "end_price": price(row.end_price),
        "arrival_at": row.arrival_at.isoformat(),
        "slippage_bps": bps(row.slippage_arrival_bps),
        "slippage_decision_bps": bps(row.slippage_decision_bps),
        "expected_cost_bps": bps(row.expected_cost_bps),
        "shortfall": money(row.shortfall.total) if row.shortfall else None,
        "shortfall_bps": bps(row.shortfall_bps),
        "shortfall_breakdown": shortfall_json(row.shortfall),
        "fill_rate": percent(row.fill_rate),
        "commission": money(row.commission),
        "time_to_first_fill_s": seconds(row.time_to_first_fill),
        "time_to_completion_s": seconds(row.time_to_completion),
        "participation_pct_adv": bps(row.participation_pct_adv),
        "interval_twap": price(row.interval_twap),
        "interval_vwap": price(row.interval_vwap),
        "vs_twap_bps": bps(row.vs_twap_bps),
        "vs_vwap_bps": bps(row.vs_vwap_bps),
        "clock": row.clock,
        "spread_bps": bps(row.spread_bps),
        "market_volume": quantity(row.market_volume),
        "participation_pct": bps(row.participation_pct),
        "notes": list(row.notes),
    }


def totals_json(value: Totals) -> dict[str, Any]:
    return {
        "orders": value.orders,
        "filled_orders": value.filled_orders,
        "decision_notional": money(value.decision_notional),
        "filled_notional": money(value.filled_notional),
        "fill_rate": percent(value.fill_rate),
        "slippage_bps": bps(value.slippage_arrival_bps),
        "slippage_decision_bps": bps(value.slippage_decision_bps),
        "expected_cost_bps": bps(value.expected_cost_bps),
        "shortfall": money(value.shortfall.total),
        "shortfall_bps": bps(value.shortfall_bps),
        "shortfall_breakdown": shortfall_json(value.shortfall),
        "commission": money(value.commission),
        "slippage_vwap_bps": bps(value.slippage_vwap_bps),
        "participation_pct": bps(value.participation_pct),
    }


def report_json(report: BatchTca) -> dict[str, Any]:
    """Return the batch report in the shape `oms report --json` prints."""
    return {
        "batch_id": report.batch_id,
        "clock": report.clock,
        "orders": [order_json(row) for row in report.orders],
        "totals": totals_json(report.totals),
    }
