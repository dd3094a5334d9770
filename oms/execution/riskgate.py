"""The engine's view of risk and funding: the world as it is now, checked by `oms.risk`, cash by `oms.planning`.

The portfolio comes from the broker (positions and account: two calls, only when a batch is validated or a wave is
released) or, when the batch was planned from a positions file (manual mode), from that file plus the fills the
ledger has booked for the batch since.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from oms.domain import Batch, Order, Side
from oms.domain.market import Portfolio, Position
from oms.domain.values import decimal_text, utcnow
from oms.planning.funding import BuyToRelease, ReleaseDecision, decide_release, release_order
from oms.ports import Broker, MarketData
from oms.risk.context import HistoricalFill, OpenOrder, RiskContext
from oms.risk.limits import RiskLimits
from oms.risk.results import Outcome
from oms.risk.runner import run_checks
from oms.store import Ledger

WASH_SALE_LOOKBACK = timedelta(days=31)


@dataclass
class Verdict:
    """The checks' answer for one order, in the terms the engine acts on."""

    blocked: bool = False
    block_reason: str = ""
    problems: list[dict[str, str]] = field(default_factory=list)
    needs_approval: bool = False
    hold_until: datetime | None = None
    hold_reason: str = ""


@dataclass
class Funding:
    action: str  # release | shrink | hold
    quantity: Decimal
    reason: str


def portfolio_json(portfolio: Portfolio) -> str:
    """A positions snapshot for the batch record (decimals as text)."""
    return json.dumps(
        {
            "cash": decimal_text(portfolio.cash),
            "positions": {s: decimal_text(p.quantity) for s, p in sorted(portfolio.positions.items())},
        }
    )


class RiskGate:
    """Runs `oms.risk` and `oms.planning.funding` for the engine against the current state of the world."""

    def __init__(
        self,
        ledger: Ledger,
        broker: Broker,
        market: MarketData,
        limits: RiskLimits,
        *,
        market_buy_buffer_pct: Decimal = Decimal("0.02"),
        clock: Any = utcnow,
    ) -> None:
        self.ledger = ledger
        self.broker = broker
        self.market = market
        self.limits = limits
        self.buffer = market_buy_buffer_pct
        self.clock = clock

    async def check(self, orders: Sequence[Order], batch: Batch, *, releasing: bool) -> dict[str, Verdict]:
        if not orders:
            return {}
        context = await self._context(batch, exclude={o.id for o in orders}, releasing=releasing)
        checked = run_checks(list(orders), context)
        verdicts: dict[str, Verdict] = {}
        for order, outcome in zip(orders, checked, strict=True):
            problems = outcome.problems()
            blocks = [r for r in problems if r.outcome is Outcome.BLOCK]
            hold = outcome.hold_until
            verdicts[order.id] = Verdict(
                blocked=bool(blocks),
                block_reason=f"{blocks[0].code.value}: {blocks[0].message}" if blocks else "",
                problems=[r.as_dict() for r in problems],
                needs_approval=any(r.outcome is Outcome.WARN and r.hold_until is None for r in problems),
                hold_until=hold,
                hold_reason=next((r.message for r in problems if r.hold_until is not None), ""),
            )
        return verdicts

    async def fund(self, buys: Sequence[Order], batch: Batch) -> list[tuple[Order, Funding]]:
        """Decide per buy: release, shrink or hold, from cash that is there now (filled proceeds only)."""
        if not buys:
            return []
        portfolio = await self.portfolio(batch)
        open_buys = self._open_orders(batch.id, exclude={o.id for o in buys}, side=Side.BUY, at_broker_only=True)
        committed = sum((o.quantity * (o.price or Decimal(0)) for o in open_buys), Decimal(0))
        value = portfolio.cash + sum(
            (p.quantity * self._price(p.symbol) for p in portfolio.positions.values()), Decimal(0)
        )
        floor = value * self.limits.min_cash_pct
        items: dict[int, Order] = {}
        wanted: list[BuyToRelease] = []
        for order in buys:
            security = self.market.security(order.symbol)
            item = BuyToRelease(
                symbol=order.symbol,
                quantity=order.quantity,
                price=self._buy_price(order),
                fractional=bool(security and security.fractional),
                leveraged=bool(security and security.leveraged),
            )
            items[id(item)] = order
            wanted.append(item)
        ordered = release_order(wanted)
        decisions: list[ReleaseDecision] = decide_release(wanted, portfolio.cash - committed, floor)
        return [
            (items[id(item)], Funding(d.action.value, d.quantity, d.reason))
            for item, d in zip(ordered, decisions, strict=True)
        ]

    async def portfolio(self, batch: Batch) -> Portfolio:
        if batch.details.get("positions") == "file":
            return self._file_portfolio(batch)
        positions = await self.broker.positions()
        account = await self.broker.account()
        return Portfolio(cash=account.cash, positions={p.symbol: p for p in positions if p.quantity})

    def _file_portfolio(self, batch: Batch) -> Portfolio:
        snapshot = json.loads(batch.details.get("portfolio", "{}") or "{}")
        cash = Decimal(snapshot.get("cash") or batch.details.get("start_cash") or "0")
        holdings = {s: Decimal(q) for s, q in (snapshot.get("positions") or {}).items()}
        with self.ledger.reading() as uow:
            for order in uow.orders.for_batch(batch.id):
                if order.is_parent:  # its fills are allocations of its children's executions
                    continue
                for fill in order.fills:
                    signed = fill.quantity * order.side.sign
                    holdings[order.symbol] = holdings.get(order.symbol, Decimal(0)) + signed
                    cash -= signed * fill.price + fill.commission
        return Portfolio(cash=cash, positions={s: Position(s, q) for s, q in holdings.items() if q})

    async def _context(self, batch: Batch, *, exclude: set[str], releasing: bool) -> RiskContext:
        now = self.clock()
        portfolio = await self.portfolio(batch)
        clock = await self.broker.clock()
        start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        with self.ledger.reading() as uow:
            history = [
                HistoricalFill(row.symbol, Side(row.side), row.quantity, row.price, row.at)
                for row in uow.orders.fills_since(now - WASH_SALE_LOOKBACK)
            ]
            sent = uow.orders.submitted_since(start_of_day)
        notional = sum((row.quantity * (row.limit_price or row.decision_price or 0) for row in sent), Decimal(0))
        last_minute = sum(1 for row in sent if row.at >= now - timedelta(minutes=1))
        return RiskContext(
            portfolio=portfolio,
            market=self.market,
            limits=self.limits,
            now=now,
            open_orders=self._open_orders(batch.id, exclude=exclude),
            fills=history,
            clock=clock,
            notional_today=notional,
            submissions_last_minute=last_minute,
            releasing=releasing,
        )

    def _open_orders(
        self, batch_id: str, *, exclude: set[str], side: Side | None = None, at_broker_only: bool = False
    ) -> list[OpenOrder]:
        """Orders at the broker, and (unless `at_broker_only`) other batches' orders waiting to go."""
        with self.ledger.reading() as uow:
            opened = uow.orders.open_orders(broker=self.broker.name)
        return [
            OpenOrder.of(o)
            for o in opened
            if o.id not in exclude
            and o.parent_id is None  # a parent stands for its children
            and (side is None or o.side is side)
            and (o.status.is_at_broker or (not at_broker_only and o.batch_id != batch_id))
        ]

    def _price(self, symbol: str) -> Decimal:
        quote = self.market.quote(symbol)
        return quote.price if quote else Decimal(0)

    def _buy_price(self, order: Order) -> Decimal:
        if order.limit_price is not None:
            return order.limit_price
        reference = self._price(order.symbol) or order.decision_price or Decimal(0)
        return reference * (1 + self.buffer)
