"""Targets + positions + prices -> trade recommendations that respect the allocation limits.

Limits (from `[rebalance]`): leveraged exposure at most `max_leveraged`, any single position at most
`max_position`, cash at least `min_cash`, and trades of at least `min_trade_value` and `min_trade_shares`.
Targets that break a limit are changed in this order, each change stated in a sentence, never silently:

1. a weight above the single-position limit is set to the limit (the rest stays in cash);
2. leveraged weights above their limit are scaled down together, in proportion;
3. all weights are scaled down together when they leave less cash than the floor.

Each step only lowers weights, so the earlier limits still hold after the later ones. Sells round *up* to the
share step and buys round *down*, so no position ends above its (capped) target. Sells never exceed the holding;
buys are scaled to fit the cash after sells above the floor. A symbol held but not in the targets is sold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from oms.domain.enums import Side
from oms.domain.market import Portfolio, Security
from oms.planning.drift import Bands
from oms.planning.errors import PlanError
from oms.planning.intake import TradeRecommendation
from oms.planning.securities import SecurityMaster
from oms.planning.settings import RebalanceSettings
from oms.planning.targets import CASH
from oms.text import percent as pct

ZERO = Decimal(0)


@dataclass(slots=True)
class Rebalance:
    """The recommendations, and sentences about every target changed and every trade skipped."""

    recommendations: list[TradeRecommendation]
    portfolio_value: Decimal
    weights: dict[str, Decimal]  # the targets after the limits
    adjustments: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Trade:
    security: Security
    side: Side
    shares: Decimal
    reason: str
    exempt_from_minimum: bool = False

    @property
    def value(self) -> Decimal:
        return self.shares * self.security.last_price


def rebalance(
    targets: dict[str, Decimal],
    portfolio: Portfolio,
    master: SecurityMaster,
    limits: RebalanceSettings,
    *,
    places: Mapping[str, str] | None = None,
    cash_only: bool = False,
    withdraw: Decimal = ZERO,
) -> Rebalance:
    """Compute trades from target weights; raise PlanError when a symbol has no price or the portfolio is empty.

    `places` maps a symbol to where it came from (a file name) so an error can name it. Holdings whose weight is
    within their drift band (`limits.band_absolute`/`band_relative`, see oms/planning/drift.py) do not trade unless
    a limit needs them to. `withdraw` takes that much cash out of the portfolio first (sells raise it);
    `cash_only` sells nothing except what the withdrawal and the cash floor need, most overweight first.
    """
    weights = {symbol: weight for symbol, weight in targets.items() if symbol != CASH}
    securities = _securities(set(weights) | set(portfolio.positions), master, places or {})
    if withdraw:
        portfolio = Portfolio(cash=portfolio.cash - withdraw, positions=portfolio.positions)
    nav = portfolio.cash + sum((p.quantity * securities[s].last_price for s, p in portfolio.positions.items()), ZERO)
    if nav <= 0:
        what = f"after withdrawing ${withdraw:,.2f}" if withdraw else "to rebalance"
        raise PlanError([f"positions: the portfolio has no value {what}"], code="EMPTY_PORTFOLIO")
    cash_floor = max(limits.min_cash, targets.get(CASH, ZERO))
    asked = dict(weights)
    lowered_for: dict[str, list[str]] = {}
    adjustments = _apply_limits(weights, securities, limits, cash_floor, lowered_for)
    current = {s: p.quantity * securities[s].last_price / nav for s, p in portfolio.positions.items()}
    must_sell = _must_sell(current, portfolio.cash / nav, securities, limits, cash_floor)
    trades = [
        trade
        for symbol in sorted(set(weights) | set(portfolio.positions))
        if (trade := _trade(symbol, weights, portfolio, securities[symbol], nav, current, limits)) is not None
    ]
    for trade in trades:
        trade.exempt_from_minimum = trade.side is Side.SELL and trade.security.symbol in must_sell
    bands = Bands(limits.band_absolute, limits.band_relative)
    trades, skipped = _inside_bands(trades, current, weights, bands, must_sell)
    trades, small = _drop_small(trades, limits)
    skipped += small
    sells = [t for t in trades if t.side is Side.SELL]
    if cash_only:
        need = cash_floor * nav - portfolio.cash
        restore = _must_sell(current, Decimal(1), securities, limits, cash_floor)  # the limits, not the floor
        sells, raised = _raise_cash(sells, need, limits, withdraw, restore)
        adjustments.append(raised)
    buys = [t for t in trades if t.side is Side.BUY]
    leveraged_note = _cap_leveraged_buys(buys, sells, portfolio, securities, nav, limits)
    if leveraged_note:
        adjustments.append(leveraged_note)
    buys = [t for t in buys if t.shares > 0]
    budget = portfolio.cash + sum((t.value for t in sells), ZERO) - cash_floor * nav
    buys, more_skipped, note = _fit_buys(buys, budget, limits, cash_floor)
    skipped += more_skipped
    if note:
        adjustments.append(note)
    for trade in sells + buys:
        symbol = trade.security.symbol
        if symbol in lowered_for:
            trade.reason += f" (asked {pct(asked[symbol])}; lowered for {' and '.join(lowered_for[symbol])})"
    recommendations = [_recommendation(t) for t in sells + buys]
    return Rebalance(recommendations, nav, weights, adjustments, skipped)


def _securities(symbols: set[str], master: SecurityMaster, places: Mapping[str, str]) -> dict[str, Security]:
    found: dict[str, Security] = {}
    problems: list[str] = []
    for symbol in sorted(symbols):
        security = master.security(symbol)
        if security is None:
            problems.append(
                f"{places.get(symbol, 'rebalance')}: symbol: {symbol} is not in the security master, so it has no "
                "price to rebalance with"
            )
        else:
            found[symbol] = security
    if problems:
        raise PlanError(problems, code="UNKNOWN_SYMBOL")
    return found


def _apply_limits(
    weights: dict[str, Decimal],
    securities: dict[str, Security],
    limits: RebalanceSettings,
    cash_floor: Decimal,
    lowered_for: dict[str, list[str]],
) -> list[str]:
    """Lower the weights that break a limit, in place; return one sentence per change and note why per symbol."""
    notes: list[str] = []
    for symbol, weight in sorted(weights.items()):
        if weight > limits.max_position:
            weights[symbol] = limits.max_position
            lowered_for.setdefault(symbol, []).append("the single-position limit")
            notes.append(
                f"{symbol}: target {pct(weight)} is above the {pct(limits.max_position)} single-position limit; "
                f"set to {pct(limits.max_position)} and the {pct(weight - limits.max_position)} left stays in cash"
            )
    leveraged = sorted(s for s in weights if securities[s].leveraged)
    leveraged_total = sum((weights[s] for s in leveraged), ZERO)
    if leveraged_total > limits.max_leveraged:
        factor = limits.max_leveraged / leveraged_total
        for symbol in leveraged:
            weights[symbol] *= factor
            lowered_for.setdefault(symbol, []).append("the leveraged limit")
        notes.append(
            f"leveraged targets ({', '.join(leveraged)}) add up to {pct(leveraged_total)}, above the "
            f"{pct(limits.max_leveraged)} limit; each scaled by {factor:.4f} to total {pct(limits.max_leveraged)}"
        )
    invested = sum(weights.values(), ZERO)
    if invested > 1 - cash_floor:
        factor = (1 - cash_floor) / invested
        for symbol, weight in weights.items():
            if weight:
                weights[symbol] = weight * factor
                lowered_for.setdefault(symbol, []).append("the cash floor")
        notes.append(
            f"targets add up to {pct(invested)}, leaving {pct(1 - invested)} cash, below the {pct(cash_floor)} "
            f"floor; every target scaled by {factor:.4f} to leave {pct(cash_floor)} in cash"
        )
    return notes


def _must_sell(
    current: dict[str, Decimal],
    cash_weight: Decimal,
    securities: dict[str, Security],
    limits: RebalanceSettings,
    cash_floor: Decimal,
) -> set[str]:
    """Symbols whose sells restore a breached limit, so no minimum trade size may drop them."""
    must = {s for s, w in current.items() if w > limits.max_position}
    if sum((w for s, w in current.items() if securities[s].leveraged), ZERO) > limits.max_leveraged:
        must |= {s for s in current if securities[s].leveraged}
    if cash_weight < cash_floor:
        must |= set(current)
    return must


def _trade(
    symbol: str,
    weights: dict[str, Decimal],
    portfolio: Portfolio,
    security: Security,
    nav: Decimal,
    current: dict[str, Decimal],
    limits: RebalanceSettings,
) -> _Trade | None:
    held = portfolio.quantity(symbol)
    price = security.last_price
    step = limits.fractional_step if security.fractional else Decimal(1)
    target = weights.get(symbol)
    now = current.get(symbol, ZERO)
    if not target:
        if held <= 0:
            return None
        why = "not in the targets" if target is None else "target 0%"
        return _Trade(security, Side.SELL, held, f"Sell the whole holding ({pct(now)}): {why}")
    delta = target * nav - held * price
    if delta < 0:
        shares = min(held, _to_step(-delta / price, step, ROUND_CEILING))
        return _Trade(security, Side.SELL, shares, f"Trim from {pct(now)} to target {pct(target)}")
    shares = _to_step(delta / price, step, ROUND_FLOOR)
    if shares <= 0:
        return None
    return _Trade(security, Side.BUY, shares, f"Raise from {pct(now)} to target {pct(target)}")


def _inside_bands(
    trades: list[_Trade],
    current: dict[str, Decimal],
    weights: dict[str, Decimal],
    bands: Bands,
    must_sell: set[str],
) -> tuple[list[_Trade], list[str]]:
    """Keep the trades of holdings outside their band (and those a limit needs); a sentence for each one dropped."""
    kept: list[_Trade] = []
    skipped: list[str] = []
    for trade in trades:
        symbol = trade.security.symbol
        now, target = current.get(symbol, ZERO), weights.get(symbol)
        if symbol in must_sell or bands.outside(now, target):
            kept.append(trade)
            continue
        skipped.append(
            f"{symbol}: {pct(now)} is within its band (±{pct(bands.width(target or ZERO))}) of the "
            f"{pct(target or ZERO)} target; not traded"
        )
    return kept, skipped


def _raise_cash(
    sells: list[_Trade], need: Decimal, limits: RebalanceSettings, withdraw: Decimal, restore: set[str]
) -> tuple[list[_Trade], str]:
    """Cash only: keep the sells that restore a position or leveraged limit, then just enough of the others
    (largest first) to raise `need`, the last one cut to fit."""
    kept = [t for t in sells if t.security.symbol in restore]
    raised = sum((t.value for t in kept), ZERO)
    for trade in sorted(sells, key=lambda t: (-t.value, t.security.symbol)):
        if trade in kept:
            continue
        if raised >= need:
            break
        price = trade.security.last_price
        step = limits.fractional_step if trade.security.fractional else Decimal(1)
        trade.shares = min(trade.shares, _to_step((need - raised) / price, step, ROUND_CEILING))
        trade.reason += "; cash only: sold to raise cash"
        raised += trade.value
        kept.append(trade)
    why = f"the ${withdraw:,.2f} withdrawal and the cash floor" if withdraw else "the cash floor"
    if not kept:
        return kept, "cash only: nothing is sold; new cash buys the holdings furthest below their targets"
    return kept, f"cash only: sells raise ${raised:,.2f} for {why}; nothing else is sold"


def _drop_small(trades: list[_Trade], limits: RebalanceSettings) -> tuple[list[_Trade], list[str]]:
    kept: list[_Trade] = []
    skipped: list[str] = []
    for trade in trades:
        small = trade.value < limits.min_trade_value or trade.shares < limits.min_trade_shares
        if small and trade.exempt_from_minimum:
            trade.reason += "; kept below the minimum trade size because it restores a limit"
        elif small:
            skipped.append(_skip_sentence(trade, limits))
            continue
        kept.append(trade)
    return kept, skipped


def _cap_leveraged_buys(
    buys: list[_Trade],
    sells: list[_Trade],
    portfolio: Portfolio,
    securities: dict[str, Security],
    nav: Decimal,
    limits: RebalanceSettings,
) -> str | None:
    """Trim leveraged buys when skipped small sells would otherwise leave leveraged exposure above its limit."""
    sold = {t.security.symbol: t.shares for t in sells}
    leveraged_buys = [t for t in buys if t.security.leveraged]
    after = sum(
        (
            (position.quantity - sold.get(symbol, ZERO)) * securities[symbol].last_price
            for symbol, position in portfolio.positions.items()
            if securities[symbol].leveraged
        ),
        ZERO,
    ) + sum((t.value for t in leveraged_buys), ZERO)
    excess = after - limits.max_leveraged * nav
    if excess <= 0 or not leveraged_buys:
        return None
    total = excess
    for trade in sorted(leveraged_buys, key=lambda t: (-t.value, t.security.symbol)):
        if excess <= 0:
            break
        step = limits.fractional_step if trade.security.fractional else Decimal(1)
        cut = min(trade.shares, _to_step(excess / trade.security.last_price, step, ROUND_CEILING))
        trade.shares -= cut
        excess -= cut * trade.security.last_price
        trade.reason += "; cut to keep leveraged exposure within its limit"
    return (
        f"leveraged buys cut by ${total:,.2f}: small leveraged sells were skipped, and the buys would have taken "
        f"leveraged exposure above the {pct(limits.max_leveraged)} limit"
    )


def _fit_buys(
    buys: list[_Trade], budget: Decimal, limits: RebalanceSettings, cash_floor: Decimal
) -> tuple[list[_Trade], list[str], str | None]:
    total = sum((t.value for t in buys), ZERO)
    if total <= budget:
        return buys, [], None
    factor = max(budget, ZERO) / total
    for trade in buys:
        step = limits.fractional_step if trade.security.fractional else Decimal(1)
        trade.shares = _to_step(trade.shares * factor, step, ROUND_FLOOR)
        trade.reason += f"; scaled by {factor:.4f} to fit the cash"
    fitted = [t for t in buys if t.shares > 0]
    kept, skipped = _drop_small(fitted, limits)
    note = (
        f"buys need ${total:,.2f} but cash after sells leaves ${max(budget, ZERO):,.2f} above the "
        f"{pct(cash_floor)} cash floor; every buy scaled by {factor:.4f}"
    )
    return kept, skipped, note


def _skip_sentence(trade: _Trade, limits: RebalanceSettings) -> str:
    return (
        f"{trade.security.symbol}: {trade.side.value} of {trade.shares} shares (${trade.value:,.2f}) is below the "
        f"minimum trade (${limits.min_trade_value:,.2f} and {limits.min_trade_shares} shares); skipped"
    )


def _recommendation(trade: _Trade) -> TradeRecommendation:
    security = trade.security
    return TradeRecommendation(
        symbol=security.symbol,
        side=trade.side,
        shares=trade.shares,
        reference_price=security.last_price,
        value=(trade.shares * security.last_price).quantize(Decimal("0.01")),
        reason=trade.reason,
        leveraged=security.leveraged,
        asset_class=security.asset_class,
        sector=security.sector,
        source=f"rebalance:{security.symbol}",
    )


def _to_step(quantity: Decimal, step: Decimal, rounding: str) -> Decimal:
    return (quantity / step).to_integral_value(rounding=rounding) * step
