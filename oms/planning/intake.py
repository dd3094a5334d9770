"""Trade recommendations from a CSV or JSON file, checked row by row against the security master.

Columns (headers case-insensitive): `symbol`, `action` (BUY/SELL) and `shares` are required; `value`,
`priority`, `reason`, `order_type`, `limit_price`, `time_in_force`, `urgency`, `leveraged`, `asset_class` and
`sector` are optional. JSON is a list of objects with the same keys (or `{"recommendations": [...]}`); its
problems are placed as `FILE:item N` since JSON rows have no line of their own.

Every problem in the file is reported at once in an `IntakeError`; nothing is planned from a file with any.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from oms.domain.enums import OrderType, Side, TimeInForce, Urgency
from oms.planning.bulk import collector_paused
from oms.planning.errors import IntakeError
from oms.planning.parsing import (
    MAX_PRICE,
    MAX_SHARES,
    MAX_VALUE,
    PRICE_PLACES,
    FieldProblem,
    Row,
    RowReader,
    parse_bool,
    parse_decimal,
    parse_symbol,
    read_csv_rows,
    read_text,
)
from oms.planning.securities import SecurityMaster

REQUIRED = {"symbol", "action", "shares"}
OPTIONAL = {
    "value",
    "priority",
    "reason",
    "order_type",
    "limit_price",
    "time_in_force",
    "urgency",
    "leveraged",
    "asset_class",
    "sector",
}
_ACTIONS = {"buy": Side.BUY, "sell": Side.SELL}
_PLANNABLE_TYPES = {OrderType.MARKET, OrderType.LIMIT}
_NOT_AN_OBJECT = "\x00not-an-object"
_DUPLICATE_KEYS = "\x00duplicate-keys"
# The quantity step of names that trade in fractions, as `[rebalance] fractional_step` sets it by default.
DEFAULT_STEP = Decimal("0.0001")

__all__ = ["IntakeError", "TradeRecommendation", "load_recommendations", "parse_rows"]


class TradeRecommendation(BaseModel):
    """One trade a person (or the rebalancer) asks for. Optional fields left None are decided by guidance.

    `reference_price` is the price planning values the trade at: the security master's last price, or for a
    symbol the master does not list, the row's `value / shares` (or its limit price). `source` is `FILE:LINE`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    symbol: str = Field(min_length=1)
    side: Side
    shares: Decimal = Field(gt=0, allow_inf_nan=False)
    reference_price: Decimal = Field(gt=0, allow_inf_nan=False)
    value: Decimal | None = None
    priority: int | None = None
    reason: str = ""
    order_type: OrderType | None = None
    limit_price: Decimal | None = None
    time_in_force: TimeInForce | None = None
    urgency: Urgency | None = None
    leveraged: bool | None = None
    asset_class: str | None = None
    sector: str | None = None
    source: str = ""

    @property
    def notional(self) -> Decimal:
        """Shares times the reference price."""
        return self.shares * self.reference_price


def load_recommendations(
    path: Path, master: SecurityMaster, *, step: Decimal = DEFAULT_STEP
) -> list[TradeRecommendation]:
    """Read a CSV or JSON file of trades; raise IntakeError listing every bad row as `FILE:LINE: field: reason`.

    `step` is the quantity step of fractional names (whole-share names trade in steps of one).
    """
    if path.suffix.lower() == ".json":
        rows: Iterable[tuple[str, Row]] = _json_rows(path)
    else:
        _, csv_rows = read_csv_rows(path, required=REQUIRED, optional=OPTIONAL)
        rows = ((f"{path}:{row.line}", row) for row in csv_rows)
    return parse_rows(rows, master, empty_place=f"{path}:1", step=step)


def parse_rows(
    rows: Iterable[tuple[str, Row]],
    master: SecurityMaster,
    *,
    empty_place: str = "input",
    step: Decimal = DEFAULT_STEP,
) -> list[TradeRecommendation]:
    """Turn placed rows into recommendations; raise IntakeError with every problem (also cross-row ones)."""
    with collector_paused():
        return _parse_all(rows, master, empty_place, step)


def _parse_all(
    rows: Iterable[tuple[str, Row]], master: SecurityMaster, empty_place: str, step: Decimal
) -> list[TradeRecommendation]:
    recommendations: list[TradeRecommendation] = []
    problems: list[str] = []
    first_side: dict[str, tuple[Side, str]] = {}
    for place, row in rows:
        if row.unknown == (_NOT_AN_OBJECT,):
            problems.append(f"{place}: row: expected an object with symbol, action and shares")
            continue
        recommendation, row_problems = _parse_row(place, row, master, step)
        problems += [f"{place}: {problem}" for problem in row_problems]
        if recommendation is None:
            continue
        seen = first_side.get(recommendation.symbol)
        if seen is None:
            first_side[recommendation.symbol] = (recommendation.side, place)
        elif seen[0] is not recommendation.side:
            problems.append(
                f"{place}: action: {recommendation.symbol} is both bought and sold in one file "
                f"(also at {seen[1]}); net the two into one trade"
            )
            continue
        recommendations.append(recommendation)
    if problems:
        raise IntakeError(problems, code="RECOMMENDATIONS_INVALID")
    if not recommendations:
        raise IntakeError([f"{empty_place}: file holds no recommendations"], code="RECOMMENDATIONS_EMPTY")
    return recommendations


def _parse_row(
    place: str, row: Row, master: SecurityMaster, step: Decimal
) -> tuple[TradeRecommendation | None, list[str]]:
    cells = RowReader(row)
    symbol = cells.take("symbol", parse_symbol)
    side = cells.take("action", lambda text: _choice(text, _ACTIONS, "BUY or SELL"))
    shares = cells.take("shares", lambda text: parse_decimal(text, positive=True, maximum=MAX_SHARES))
    value = cells.take("value", _optional(_money(MAX_VALUE)))
    limit_price = cells.take("limit_price", _optional(_money(MAX_PRICE)))
    priority = cells.take("priority", _priority)
    order_type = cells.take("order_type", _optional_enum(OrderType))
    time_in_force = cells.take("time_in_force", _optional_enum(TimeInForce))
    urgency = cells.take("urgency", _optional_enum(Urgency))
    leveraged = cells.take("leveraged", lambda text: parse_bool(text) if text else None)
    if order_type is not None and order_type not in _PLANNABLE_TYPES:
        cells.note("order_type", f"{order_type} orders are not planned; use market or limit")
    if order_type is OrderType.MARKET and limit_price is not None:
        cells.note("limit_price", "a market order takes no limit price; drop it or make the order a limit")
    security = master.security(symbol) if symbol else None
    if symbol and security is None and not row.get("value") and not row.get("limit_price"):
        cells.note("symbol", f"{symbol} is not in the security master; give a value (or limit_price) to price it")
    if shares is not None and security is not None and not security.fractional:
        if shares != shares.to_integral():
            cells.note("shares", f"{symbol} trades in whole shares only, not {shares}")
    elif shares is not None and shares % step:
        cells.note("shares", f"{symbol or 'this symbol'} trades in steps of {step}, not {row.get('shares')}")
    if cells.problems or symbol is None or side is None or shares is None:
        return None, cells.problems
    if security is not None:
        reference_price = security.last_price
    elif value is not None:
        reference_price = value / shares
    else:
        reference_price = limit_price  # type: ignore[assignment]  # checked above: one of the two is given
    recommendation = TradeRecommendation(
        symbol=symbol,
        side=side,
        shares=shares,
        reference_price=reference_price,
        value=value,
        priority=priority,
        reason=row.get("reason"),
        order_type=order_type,
        limit_price=limit_price,
        time_in_force=time_in_force,
        urgency=urgency,
        leveraged=leveraged,
        asset_class=row.get("asset_class") or None,
        sector=row.get("sector") or None,
        source=place,
    )
    return recommendation, []


def _choice(text: str, choices: dict[str, Side], expected: str) -> Side:
    if not text:
        raise FieldProblem("required")
    try:
        return choices[text.lower()]
    except KeyError:
        raise FieldProblem(f"unknown action {text!r} (expected {expected})") from None


def _money(maximum: Decimal) -> Any:
    return lambda text: parse_decimal(text, positive=True, maximum=maximum, places=PRICE_PLACES)


def _optional(parse: Any) -> Any:
    return lambda text: parse(text) if text else None


def _optional_enum(enum: Any) -> Any:
    def parse(text: str) -> Any:
        if not text:
            return None
        try:
            return enum(text.lower())
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise FieldProblem(f"unknown value {text!r} (expected one of {allowed})") from None

    return parse


def _priority(text: str) -> int | None:
    if not text:
        return None
    number = parse_decimal(text)
    if number != number.to_integral() or number < 0:
        raise FieldProblem(f"a whole number of zero or more, not {text!r}")
    return int(number)


def _json_rows(path: Path) -> Iterator[tuple[str, Row]]:
    try:
        # Numbers arrive as their text so 0.1 stays exactly 0.1 and NaN is refused by the decimal parser.
        data = json.loads(
            read_text(path),
            parse_float=str,
            parse_int=str,
            parse_constant=str,
            object_pairs_hook=_object_without_duplicates,
        )
    except RecursionError:
        raise IntakeError([f"{path}:1: not valid JSON: nested too deeply"], code="BAD_JSON") from None
    except json.JSONDecodeError as exc:
        raise IntakeError([f"{path}:{exc.lineno}: not valid JSON: {exc.msg}"], code="BAD_JSON") from None
    if isinstance(data, dict) and isinstance(data.get("recommendations"), list):
        data = data["recommendations"]
    if not isinstance(data, list):
        raise IntakeError([f"{path}:1: expected a list of recommendations"], code="BAD_JSON")
    known = REQUIRED | OPTIONAL
    for index, item in enumerate(data, start=1):
        place = f"{path}:item {index}"
        if not isinstance(item, dict):
            yield place, Row(index, {}, unknown=(_NOT_AN_OBJECT,))
            continue
        duplicates = item.pop(_DUPLICATE_KEYS, [])
        cells = {str(key).strip().lower(): _text(value) for key, value in item.items()}
        unknown = tuple(name for name in cells if name not in known)
        yield place, Row(index, cells, unknown=unknown, duplicates=tuple(str(name).lower() for name in duplicates))


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key would silently keep its last value; remember it so the item is refused by name.
    obj: dict[str, Any] = {}
    duplicates: list[str] = []
    for key, value in pairs:
        if key in obj:
            duplicates.append(key)
        obj[key] = value
    if duplicates:
        obj[_DUPLICATE_KEYS] = duplicates
    return obj


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()
