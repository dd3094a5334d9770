"""Build a plan: recommendations -> guided, sequenced orders with their funding, ready for risk and execution.

`build_plan(recommendations, portfolio, master, settings)` returns a `Plan` whose `orders` are `PlannedOrder`s
in release order and whose `funding` says which sells fund which buys. Nothing here talks to a broker.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from oms.domain.enums import Algo, OrderType, Side, TimeInForce, Urgency
from oms.domain.market import Portfolio
from oms.planning.bulk import collector_paused
from oms.planning.errors import PlanError
from oms.planning.funding import BuyToRelease, FundingPlan, plan_funding
from oms.planning.guidance import Guidance, Guide
from oms.planning.intake import TradeRecommendation
from oms.planning.securities import SecurityMaster
from oms.planning.sequencing import SequenceKey, sequence
from oms.planning.settings import PlanningSettings

JSON_KEYS = (
    "symbol",
    "side",
    "quantity",
    "order_type",
    "limit_price",
    "time_in_force",
    "urgency",
    "algo",
    "wave",
    "priority",
    "expected_cost_bps",
    "reason",
)


@dataclass(frozen=True, slots=True)
class PlannedOrder:
    """One order as planned: what to trade, how, when (wave, priority) and why.

    `decision_price` is the reference price the plan was made at (the arrival benchmark for TCA);
    `reason` is the recommendation's own reason (the audit trail); `guidance_reason` says why this order type
    and limit; `algo_reason` why this algorithm. `value` is quantity times the limit (or decision) price: the
    most a buy may cost or the least a sell may bring, as the funding plan counts it.
    """

    symbol: str
    side: Side
    quantity: Decimal
    order_type: OrderType
    limit_price: Decimal | None
    time_in_force: TimeInForce
    urgency: Urgency
    algo: Algo
    algo_reason: str
    wave: int
    priority: int
    expected_cost_bps: Decimal | None
    reason: str
    decision_price: Decimal
    leveraged: bool
    sector: str | None
    asset_class: str | None
    guidance_reason: str = ""
    fractional: bool = False
    value: Decimal = Decimal(0)
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the documented JSON keys; decimals as strings, enums as their values, None as null."""
        values = {name: getattr(self, name) for name in JSON_KEYS}
        return {name: _json_value(value) for name, value in values.items()}


@dataclass(slots=True)
class Plan:
    """Orders in release order, the funding links between sells and buys, and sentences worth reading first."""

    orders: list[PlannedOrder]
    funding: FundingPlan
    notes: list[str] = field(default_factory=list)

    @property
    def waves(self) -> dict[int, list[PlannedOrder]]:
        """Return the orders grouped by wave, in wave order."""
        grouped: dict[int, list[PlannedOrder]] = defaultdict(list)
        for order in self.orders:
            grouped[order.wave].append(order)
        return dict(sorted(grouped.items()))

    def to_json(self) -> dict[str, Any]:
        """Return `{"orders": [...]}` with the keys in `JSON_KEYS`."""
        return {"orders": [order.to_json() for order in self.orders]}


def build_plan(
    recommendations: Sequence[TradeRecommendation],
    portfolio: Portfolio | None,
    master: SecurityMaster,
    settings: PlanningSettings,
) -> Plan:
    """Guide, sequence and fund the recommendations; raise PlanError when a sell exceeds the holding."""
    with collector_paused():
        return _build_plan(recommendations, portfolio, master, settings)


def _build_plan(
    recommendations: Sequence[TradeRecommendation],
    portfolio: Portfolio | None,
    master: SecurityMaster,
    settings: PlanningSettings,
) -> Plan:
    if portfolio is not None:
        _check_holdings(recommendations, portfolio)
    guide = Guide(settings.guidance)
    drafts: list[tuple[TradeRecommendation, Guidance, bool]] = []
    for recommendation in recommendations:
        security = master.security(recommendation.symbol)
        leveraged = bool(recommendation.leveraged) or (security is not None and security.leveraged)
        drafts.append((recommendation, guide(recommendation, security), leveraged))

    def key(draft: tuple[TradeRecommendation, Guidance, bool]) -> SequenceKey:
        recommendation, _, leveraged = draft
        return SequenceKey(
            recommendation.side, leveraged, recommendation.notional, recommendation.symbol, recommendation.priority
        )

    orders: list[PlannedOrder] = []
    for (recommendation, advice, leveraged), wave, priority in sequence(drafts, key):
        security = master.security(recommendation.symbol)
        price = advice.limit_price if advice.limit_price is not None else recommendation.reference_price
        orders.append(
            PlannedOrder(
                symbol=recommendation.symbol,
                side=recommendation.side,
                quantity=recommendation.shares,
                order_type=advice.order_type,
                limit_price=advice.limit_price,
                time_in_force=advice.time_in_force,
                urgency=advice.urgency,
                algo=advice.algo,
                algo_reason=advice.algo_reason,
                wave=wave,
                priority=priority,
                expected_cost_bps=advice.expected_cost_bps,
                reason=recommendation.reason,
                decision_price=recommendation.reference_price,
                leveraged=leveraged,
                sector=recommendation.sector or (security.sector if security else None),
                asset_class=recommendation.asset_class or (security.asset_class if security else None),
                guidance_reason=advice.reason,
                fractional=security.fractional if security is not None else False,
                value=recommendation.shares * price,
                source=recommendation.source,
            )
        )
    funding = _funding(orders, portfolio, master, settings)
    return Plan(orders=orders, funding=funding, notes=_notes(funding))


def release_request(
    order: PlannedOrder, quantity: Decimal | None = None, *, market_margin_bps: Decimal = Decimal(50)
) -> BuyToRelease:
    """Describe a planned buy for `funding.decide_release`, priced at the most one share may cost.

    A limit buy costs at most its limit; a market buy is priced at its decision price plus `market_margin_bps`
    because it may fill above the last price. `quantity` defaults to the planned quantity (pass what is left
    when part of the order already went out).
    """
    if order.side is not Side.BUY:
        raise ValueError(f"{order.symbol}: only buys are released against cash")
    price = order.limit_price
    if price is None:
        price = order.decision_price * (1 + market_margin_bps / Decimal(10_000))
    return BuyToRelease(
        symbol=order.symbol,
        quantity=order.quantity if quantity is None else quantity,
        price=price,
        fractional=order.fractional,
        leveraged=order.leveraged,
    )


def portfolio_value(portfolio: Portfolio, master: SecurityMaster) -> Decimal:
    """Return cash plus holdings at the master's prices (average cost for a symbol the master lacks)."""
    total = portfolio.cash
    for position in portfolio.positions.values():
        security = master.security(position.symbol)
        price = security.last_price if security is not None else (position.average_cost or Decimal(0))
        total += position.quantity * price
    return total


def _check_holdings(recommendations: Sequence[TradeRecommendation], portfolio: Portfolio) -> None:
    selling: dict[str, Decimal] = defaultdict(Decimal)
    problems: list[str] = []
    for recommendation in recommendations:
        if recommendation.side is not Side.SELL:
            continue
        symbol = recommendation.symbol
        before = selling[symbol]
        selling[symbol] += recommendation.shares
        held = portfolio.quantity(symbol)
        if selling[symbol] > held >= before:
            problems.append(
                f"{recommendation.source}: shares: selling {selling[symbol]} {symbol} in all but the positions "
                f"hold {held}; never sell more than held"
            )
    if problems:
        raise PlanError(problems, code="SELL_EXCEEDS_HOLDING")


def _funding(
    orders: list[PlannedOrder], portfolio: Portfolio | None, master: SecurityMaster, settings: PlanningSettings
) -> FundingPlan:
    sells = [(order.symbol, order.value) for order in orders if order.side is Side.SELL]
    buys = [(order.symbol, order.value) for order in orders if order.side is Side.BUY]
    if portfolio is None:
        return plan_funding(sells, buys, None, Decimal(0))
    floor = (settings.rebalance.min_cash * portfolio_value(portfolio, master)).quantize(Decimal("0.01"))
    return plan_funding(sells, buys, portfolio.cash, floor)


def _notes(funding: FundingPlan) -> list[str]:
    shortfall = funding.shortfall
    if shortfall <= 0:
        return []
    if funding.cash is None:
        return [
            f"buys cost ${shortfall:,.2f} more than the planned sells bring; no positions were given, so the "
            "account's cash must cover it: the engine releases a buy only when filled cash covers it"
        ]
    return [
        f"buys cost ${shortfall:,.2f} more than cash above the ${funding.cash_floor:,.2f} floor plus the planned "
        "sells; the engine will shrink or hold the last buys rather than spend cash the account does not have"
    ]


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)
