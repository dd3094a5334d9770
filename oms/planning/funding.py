"""Cash for buys: which sells fund which buys (at plan time) and how much of a wave may go out (at run time).

The rule that makes "over-concentration from failed sells" impossible by construction: a buy is released only
when cash that is *already there* covers it while keeping the floor. The execution engine calls
`decide_release` at each wave release with real fills:

    available = starting cash + filled sell proceeds - filled buy cost - cash committed to open buys

A sell that was rejected brought in nothing and a sell that filled half brought in half, so the buys it was
meant to fund shrink or hold instead of spending cash the account does not have. Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

WHOLE_SHARE = Decimal(1)
CASH_SOURCE = "CASH"


class ReleaseAction(StrEnum):
    RELEASE = "release"  # send as planned
    SHRINK = "shrink"  # send fewer shares
    HOLD = "hold"  # do not send now


@dataclass(frozen=True, slots=True)
class BuyToRelease:
    """One buy of the next wave.

    `price` is the most one share can cost: the limit price, or for a market order the reference price plus a
    safety margin chosen by the caller (a market buy can fill above the last price).
    """

    symbol: str
    quantity: Decimal
    price: Decimal
    fractional: bool = False
    leveraged: bool = False


@dataclass(frozen=True, slots=True)
class ReleaseDecision:
    """What to do with one buy now, and the sentence saying why."""

    symbol: str
    action: ReleaseAction
    quantity: Decimal  # shares to send now; 0 when held
    planned_quantity: Decimal
    cost: Decimal  # quantity * price, the cash this commits
    reason: str


def available_cash(
    starting_cash: Decimal, filled_sell_proceeds: Decimal, filled_buy_cost: Decimal, committed_to_open_buys: Decimal
) -> Decimal:
    """Return the cash a new buy may use: what is there now, less what open buys may still spend."""
    return starting_cash + filled_sell_proceeds - filled_buy_cost - committed_to_open_buys


def release_order(buys: Sequence[BuyToRelease]) -> list[BuyToRelease]:
    """Return buys in funding priority: leveraged first, then larger value, then symbol (deterministic)."""
    return sorted(buys, key=lambda buy: (not buy.leveraged, -(buy.quantity * buy.price), buy.symbol))


def decide_release(
    buys: Sequence[BuyToRelease],
    cash_available: Decimal,
    cash_floor: Decimal,
    *,
    fractional_step: Decimal = Decimal("0.0001"),
    min_quantity: Decimal = Decimal(0),
) -> list[ReleaseDecision]:
    """Decide, per buy in funding priority, to release it, shrink it to what the cash covers, or hold it.

    The budget is `cash_available - cash_floor`. Each buy takes what it needs while the budget lasts; the first
    that does not fit shrinks to whole shares (or `fractional_step` when fractional shares are allowed), and is
    held when that leaves less than one step or less than `min_quantity`. Later buys may still fit in what is left.
    """
    budget = cash_available - cash_floor
    decisions: list[ReleaseDecision] = []
    for buy in release_order(buys):
        cost = buy.quantity * buy.price
        if cost <= budget:
            budget -= cost
            decisions.append(
                ReleaseDecision(
                    buy.symbol,
                    ReleaseAction.RELEASE,
                    buy.quantity,
                    buy.quantity,
                    cost,
                    f"released: ${cost:,.2f} fits in ${budget + cost:,.2f} of cash above the floor",
                )
            )
            continue
        step = fractional_step if buy.fractional else WHOLE_SHARE
        affordable = (max(budget, Decimal(0)) / buy.price / step).to_integral_value(rounding=ROUND_FLOOR) * step
        if affordable > 0 and affordable >= min_quantity:
            shrunk_cost = affordable * buy.price
            decisions.append(
                ReleaseDecision(
                    buy.symbol,
                    ReleaseAction.SHRINK,
                    affordable,
                    buy.quantity,
                    shrunk_cost,
                    f"shrunk from {buy.quantity} to {affordable} shares: ${cost:,.2f} needed, only "
                    f"${budget:,.2f} of cash above the ${cash_floor:,.2f} floor is filled and free",
                )
            )
            budget -= shrunk_cost
            continue
        decisions.append(
            ReleaseDecision(
                buy.symbol,
                ReleaseAction.HOLD,
                Decimal(0),
                buy.quantity,
                Decimal(0),
                f"held: ${cost:,.2f} needed, ${max(budget, Decimal(0)):,.2f} of cash above the "
                f"${cash_floor:,.2f} floor is filled and free, not enough for one share",
            )
        )
    return decisions


@dataclass(frozen=True, slots=True)
class FundingSource:
    """Part of a buy's cost and where it is expected to come from (`CASH` or a sell's symbol)."""

    source: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class FundingLink:
    """The sources expected to pay for one buy, and any part nothing is expected to pay for."""

    symbol: str
    cost: Decimal
    sources: tuple[FundingSource, ...]
    shortfall: Decimal


@dataclass(frozen=True, slots=True)
class FundingPlan:
    """Which sells fund which buys, as planned (sells valued at their limit or reference price).

    `cash` is None when no positions were given: then only the sells' proceeds are known and any rest is
    shown as a shortfall "unless the account has the cash", which the engine checks against real fills.
    """

    cash: Decimal | None
    cash_floor: Decimal
    links: tuple[FundingLink, ...]

    @property
    def shortfall(self) -> Decimal:
        """Return the total cost of buys that neither cash nor planned sells are expected to cover."""
        return sum((link.shortfall for link in self.links), Decimal(0))

    def to_json(self) -> list[dict[str, object]]:
        """Return the links as JSON-ready dicts (decimals as strings)."""
        return [
            {
                "buy": link.symbol,
                "cost": str(link.cost),
                "sources": [{"source": s.source, "amount": str(s.amount)} for s in link.sources],
                "shortfall": str(link.shortfall),
            }
            for link in self.links
        ]


def plan_funding(
    sells: Sequence[tuple[str, Decimal]],
    buys: Sequence[tuple[str, Decimal]],
    cash: Decimal | None,
    cash_floor: Decimal,
) -> FundingPlan:
    """Allocate cash above the floor, then each sell's proceeds in sell order, to buys in buy order.

    `sells` and `buys` are `(symbol, value)` pairs already in release order.
    """
    names: list[str] = []
    left: list[Decimal] = []
    if cash is not None and cash - cash_floor > 0:
        names.append(CASH_SOURCE)
        left.append(cash - cash_floor)
    for symbol, value in sells:
        names.append(symbol)
        left.append(value)
    links: list[FundingLink] = []
    pool = 0
    for symbol, cost in buys:
        need = cost
        sources: list[FundingSource] = []
        while need > 0 and pool < len(names):
            take = min(need, left[pool])
            if take > 0:
                sources.append(FundingSource(names[pool], take))
                need -= take
                left[pool] -= take
            if left[pool] <= 0:
                pool += 1
        links.append(FundingLink(symbol, cost, tuple(sources), need))
    return FundingPlan(cash, cash_floor, tuple(links))
