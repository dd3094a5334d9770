"""The holdings table of `oms rebalance` and `oms positions`: price (with where it came from and how old it is),
current weight, target weight, drift and whether the holding is outside its band."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from oms.domain.market import Portfolio
from oms.planning.drift import Bands, Drift, drift_table
from oms.planning.securities import SecurityMaster


def age(at: datetime, now: datetime | None = None) -> str:
    """How old a price is, for people: 40s, 12m, 3h, 2d (a time in the future reads 0s)."""
    seconds = max((now or datetime.now(UTC)) - at, timedelta(0)).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def price_sources(
    master: SecurityMaster, portfolio: Portfolio | None, targets: Mapping[str, Decimal], bands: Bands | None = None
) -> list[dict[str, Any]]:
    """One JSON object per symbol: quantity, price, bid, ask, observed_at, source, weights, drift and band."""
    rows = _rows(master, portfolio, targets, bands)
    document = []
    for row in rows:
        quote = master.quote(row.symbol)
        document.append(
            {
                "symbol": row.symbol,
                "quantity": f"{row.quantity:f}",
                "price": f"{row.price:f}",
                "bid": f"{quote.bid:f}" if quote and quote.bid is not None else None,
                "ask": f"{quote.ask:f}" if quote and quote.ask is not None else None,
                "observed_at": quote.at.isoformat() if quote else None,
                "source": master.origins.get(row.symbol, "file"),
                "weight": f"{row.current:.6f}",
                "target": f"{row.target:.6f}",
                "drift": f"{row.drift:.6f}",
                "band": f"{row.band:.6f}",
                "outside_band": row.outside,
            }
        )
    return document


def render_prices(
    master: SecurityMaster,
    portfolio: Portfolio | None,
    targets: Mapping[str, Decimal],
    console: Console,
    bands: Bands | None = None,
    *,
    title: str = "Holdings and targets",
) -> None:
    """Print one row per symbol: held, price, source and age, weight now, target, drift, band."""
    rows = _rows(master, portfolio, targets, bands)
    table = Table(title=title, title_justify="left")
    for name, justify in [
        ("Symbol", "left"),
        ("Held", "right"),
        ("Price", "right"),
        ("From", "left"),
        ("Age", "right"),
        ("Now", "right"),
        ("Target", "right"),
        ("Drift pp", "right"),
        ("Band pp", "left"),
    ]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        quote = master.quote(row.symbol)
        table.add_row(
            row.symbol,
            f"{row.quantity:f}",
            f"{row.price:,.2f}",
            master.origins.get(row.symbol, "file"),
            age(quote.at) if quote else "?",
            _pct(row.current),
            _pct(row.target) if row.symbol in targets else "-",
            f"{row.drift * 100:+.2f}",
            ("out" if row.outside else "in") + (f" ±{row.band * 100:.2f}" if row.band else ""),
        )
    console.print(table)


def _rows(
    master: SecurityMaster, portfolio: Portfolio | None, targets: Mapping[str, Decimal], bands: Bands | None
) -> list[Drift]:
    _, rows = drift_table(portfolio or Portfolio(), master, targets, bands or Bands())
    return rows


def _pct(fraction: Decimal) -> str:
    return f"{fraction * 100:.2f}%"


def positions_document(master: SecurityMaster, portfolio: Portfolio, where: str) -> dict[str, Any]:
    """`oms positions --json`: cash, value and one object per holding with its price, source, age and weight."""
    rows = price_sources(master, portfolio, {})
    nav = portfolio.cash + sum((Decimal(r["quantity"]) * Decimal(r["price"]) for r in rows), Decimal(0))
    for row in rows:
        row["value"] = f"{Decimal(row['quantity']) * Decimal(row['price']):.2f}"
        for key in ("target", "drift", "band", "outside_band"):
            row.pop(key)
    return {"account": where, "cash": f"{portfolio.cash:f}", "value": f"{nav:.2f}", "positions": rows}


def render_positions(master: SecurityMaster, portfolio: Portfolio, where: str, console: Console) -> None:
    """Print the holdings with price (source, age), value and weight, then cash and the total."""
    document = positions_document(master, portfolio, where)
    table = Table(title=f"Positions in {where}", title_justify="left")
    for name, justify in [
        ("Symbol", "left"),
        ("Held", "right"),
        ("Price", "right"),
        ("From", "left"),
        ("Age", "right"),
        ("Value", "right"),
        ("Weight", "right"),
    ]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in document["positions"]:
        quote = master.quote(row["symbol"])
        table.add_row(
            row["symbol"],
            row["quantity"],
            f"{Decimal(row['price']):,.2f}",
            row["source"],
            age(quote.at) if quote else "?",
            f"{Decimal(row['value']):,.2f}",
            _pct(Decimal(row["weight"])),
        )
    nav = Decimal(document["value"])
    cash_weight = portfolio.cash / nav if nav > 0 else Decimal(0)
    table.add_row("CASH", "", "", "", "", f"{portfolio.cash:,.2f}", _pct(cash_weight))
    table.add_row("Total", "", "", "", "", f"{nav:,.2f}", "100.00%" if nav > 0 else "-")
    console.print(table)
