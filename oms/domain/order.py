"""The Order aggregate: an order's state machine, its fills and its audit trail.

Every method is an edge of the table in `oms.domain.transitions`. A method checks everything first and only then
changes the order, so an illegal step raises and leaves the order exactly as it was.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from oms.domain.enums import Algo, OrderStatus, OrderType, Side, TimeInForce, Urgency
from oms.domain.errors import InvalidTransition, OrderValidationError, Overfill
from oms.domain.events import EventKind, OrderEvent
from oms.domain.fill import Fill
from oms.domain.transitions import Action, Rule, target_of
from oms.domain.values import decimal_text, require_aware, to_decimal, utcnow

SPLIT_NOTE = "split"
SYMBOL_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,9}(?:[./-][A-Z0-9]{1,4})?$")


@dataclass(eq=False)
class Order:
    """One order to one broker. Create it with `Order.create`; change it only through its methods."""

    id: str
    symbol: str
    side: Side
    quantity: Decimal
    order_type: OrderType
    time_in_force: TimeInForce
    created_at: datetime
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    batch_id: str | None = None
    broker: str = ""
    client_order_id: str | None = None
    parent_id: str | None = None
    extended_hours: bool = False
    wave: int = 1
    priority: int = 0
    algo: Algo | None = None
    urgency: Urgency = Urgency.NORMAL
    decision_price: Decimal | None = None
    expected_cost_bps: Decimal | None = None
    reason: str = ""
    # State below is changed only by the transition methods.
    status: OrderStatus = OrderStatus.NEW
    broker_order_id: str | None = None
    status_reason: str | None = None
    fills: list[Fill] = field(default_factory=list)
    events: list[OrderEvent] = field(default_factory=list)
    version: int = 0
    # Bookkeeping for the store: how many of `events` are already persisted. Not part of the order's identity.
    stored_event_count: int = field(default=0, repr=False)

    # ----------------------------------------------------------------- creation
    @classmethod
    def create(
        cls,
        symbol: str,
        side: Side | str,
        quantity: Decimal | int | str,
        order_type: OrderType | str = OrderType.MARKET,
        limit_price: Decimal | int | str | None = None,
        stop_price: Decimal | int | str | None = None,
        time_in_force: TimeInForce | str = TimeInForce.DAY,
        *,
        order_id: str | None = None,
        at: datetime | None = None,
        **guidance: object,
    ) -> Order:
        """Make a `new` order, refusing one that could never be valid (with a reason code)."""
        order_type = OrderType(order_type)
        order = cls(
            id=order_id or str(uuid.uuid4()),
            symbol=_valid_symbol(symbol),
            side=Side(side),
            quantity=_positive(quantity, "quantity", "INVALID_QUANTITY"),
            order_type=order_type,
            time_in_force=TimeInForce(time_in_force),
            created_at=require_aware(at or utcnow(), "created_at"),
            limit_price=_price(limit_price, order_type.needs_limit_price, "limit price", "LIMIT_PRICE"),
            stop_price=_price(stop_price, order_type.needs_stop_price, "stop price", "STOP_PRICE"),
            **guidance,  # type: ignore[arg-type]
        )
        if order.algo is not None:
            order.algo = Algo(order.algo)
        order.urgency = Urgency(order.urgency)
        order._record(EventKind.CREATED, None, OrderStatus.NEW, order.created_at, order._creation_details())
        return order

    def _creation_details(self) -> dict[str, str | None]:
        return {
            "symbol": self.symbol,
            "side": self.side.value,
            "quantity": decimal_text(self.quantity),
            "order_type": self.order_type.value,
            "time_in_force": self.time_in_force.value,
            "limit_price": decimal_text(self.limit_price),
            "stop_price": decimal_text(self.stop_price),
            "batch_id": self.batch_id,
            "broker": self.broker,
            "client_order_id": self.client_order_id,
            "parent_id": self.parent_id,
            "extended_hours": "true" if self.extended_hours else "false",
            "wave": str(self.wave),
            "priority": str(self.priority),
            "algo": self.algo.value if self.algo else None,
            "urgency": self.urgency.value,
            "decision_price": decimal_text(self.decision_price),
            "expected_cost_bps": decimal_text(self.expected_cost_bps),
            "reason": self.reason,
        }

    # ------------------------------------------------------------ derived state
    @property
    def filled_quantity(self) -> Decimal:
        return sum((f.quantity for f in self.fills), Decimal(0))

    @property
    def unfilled_quantity(self) -> Decimal:
        """What a broker could still fill: the quantity less the fills, whatever the status says."""
        return self.quantity - self.filled_quantity

    @property
    def leaves_quantity(self) -> Decimal:
        """FIX LeavesQty: what is still working; zero once the order is terminal."""
        return Decimal(0) if self.is_terminal else self.unfilled_quantity

    @property
    def average_fill_price(self) -> Decimal | None:
        filled = self.filled_quantity
        if not filled:
            return None
        return sum((f.notional for f in self.fills), Decimal(0)) / filled

    @property
    def commission(self) -> Decimal:
        return sum((f.commission for f in self.fills), Decimal(0))

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal

    def has_fill(self, exec_id: str) -> bool:
        return any(f.exec_id == exec_id for f in self.fills)

    # ------------------------------------------------------------- transitions
    def validate(self, at: datetime | None = None) -> None:
        self._move(Action.VALIDATE, EventKind.VALIDATED, at)

    def reject(self, reason: str, at: datetime | None = None) -> None:
        """Record a definite reject (risk or broker). Only possible while nothing is filled."""
        if self.filled_quantity:
            raise InvalidTransition(
                f"order {self.id} has {self.filled_quantity} filled and cannot be rejected", code="INVALID_TRANSITION"
            )
        self._move(Action.REJECT, EventKind.REJECTED, at, {"reason": reason}, status_reason=reason)

    def submit(self, client_order_id: str | None = None, at: datetime | None = None) -> None:
        """Mark the order as sent (write-ahead: call this and commit before the broker is called)."""
        if client_order_id and self.client_order_id and client_order_id != self.client_order_id:
            raise InvalidTransition(f"order {self.id} already has client order id {self.client_order_id}")
        coid = client_order_id or self.client_order_id
        if not coid:
            raise InvalidTransition(f"order {self.id} needs a client order id before it is submitted")
        self._move(Action.SUBMIT, EventKind.SUBMITTED, at, {"client_order_id": coid})
        self.client_order_id = coid

    def acknowledge(self, broker_order_id: str, at: datetime | None = None) -> bool:
        """Record the broker's order id. Returns False when that id was already recorded."""
        if self.broker_order_id == broker_order_id and target_of(Action.ACKNOWLEDGE, self.status) is not None:
            return False
        if self.broker_order_id is not None:
            raise InvalidTransition(
                f"order {self.id} is acknowledged as {self.broker_order_id}, not {broker_order_id}",
                code="BROKER_ID_MISMATCH",
            )
        self._move(Action.ACKNOWLEDGE, EventKind.ACKNOWLEDGED, at, {"broker_order_id": broker_order_id})
        self.broker_order_id = broker_order_id
        return True

    def fill(
        self,
        exec_id: str,
        quantity: Decimal | int | str,
        price: Decimal | int | str,
        at: datetime,
        commission: Decimal | int | str = Decimal(0),
    ) -> bool:
        """Book an execution. Returns False for an execution id already booked (booked once, never twice)."""
        if not exec_id:
            raise InvalidTransition(f"order {self.id}: a fill needs an execution id", code="MISSING_EXEC_ID")
        if self.has_fill(exec_id):
            return False
        qty = _positive(quantity, "fill quantity", "INVALID_FILL")
        px = _positive(price, "fill price", "INVALID_FILL")
        fee = to_decimal(commission, "commission")
        if target_of(Action.FILL, self.status) is None:
            raise InvalidTransition(f"order {self.id} cannot take a fill while {self.status}")
        if qty > self.unfilled_quantity:
            raise Overfill(
                f"order {self.id}: fill {exec_id} of {qty} exceeds the {self.unfilled_quantity} left of {self.quantity}"
            )
        when = require_aware(at, "fill time")
        fill = Fill(exec_id=exec_id, quantity=qty, price=px, at=when, commission=fee)
        details = {
            "exec_id": exec_id,
            "quantity": decimal_text(qty),
            "price": decimal_text(px),
            "commission": decimal_text(fee),
        }
        self.fills.append(fill)
        self._move(Action.FILL, EventKind.FILLED, when, details)
        return True

    def request_cancel(self, at: datetime | None = None) -> None:
        self._move(Action.REQUEST_CANCEL, EventKind.CANCEL_REQUESTED, at)

    def reject_cancel(self, reason: str, at: datetime | None = None) -> None:
        """The broker refused the cancel (usually: too late, already filled); restore the working status."""
        self._move(Action.REJECT_CANCEL, EventKind.CANCEL_REJECTED, at, {"reason": reason})

    def cancel(self, reason: str | None = None, at: datetime | None = None) -> None:
        self._move(Action.CANCEL, EventKind.CANCELLED, at, {"reason": reason}, status_reason=reason)

    def expire(self, at: datetime | None = None) -> None:
        self._move(Action.EXPIRE, EventKind.EXPIRED, at)

    def lose_track(self, reason: str, at: datetime | None = None) -> None:
        """The broker cannot say whether it holds this order, and sending it again could duplicate it."""
        self._move(Action.LOSE_TRACK, EventKind.OUTCOME_UNKNOWN, at, {"reason": reason}, status_reason=reason)

    def amend_quantity(self, quantity: Decimal | int | str, reason: str, at: datetime | None = None) -> None:
        """Shrink an order the broker has not seen yet; it never grows (a new need is a new order)."""
        new_quantity = _positive(quantity, "quantity", "INVALID_QUANTITY")
        if new_quantity > self.quantity:
            raise InvalidTransition(f"order {self.id}: an amendment may only shrink {self.quantity} shares")
        details = {"quantity": decimal_text(new_quantity), "previous": decimal_text(self.quantity), "reason": reason}
        self._move(Action.AMEND, EventKind.AMENDED, at, details)
        self.quantity = new_quantity

    def split(self, children: int, at: datetime | None = None, **details: str | None) -> None:
        """Mark this order as a parent worked through `children` child orders (TWAP, VWAP, IS).

        A parent never reaches a broker itself: its children do, and their executions are allocated to it as its
        fills (`fill` with an allocation id), so the parent's quantities and status follow its children.
        """
        if self.is_parent:
            raise InvalidTransition(f"order {self.id} is already split into children")
        if self.status is not OrderStatus.VALIDATED:
            raise InvalidTransition(f"order {self.id}: only a validated order can be split, not one {self.status}")
        self.note(SPLIT_NOTE, at=at, children=str(children), **details)

    @property
    def is_parent(self) -> bool:
        return any(e.kind is EventKind.NOTED and e.details.get("note") == SPLIT_NOTE for e in self.events)

    def note(self, what: str, at: datetime | None = None, **details: str | None) -> None:
        """Append an audit entry that changes no status (a risk warning, an approval, a reprice)."""
        self._record(
            EventKind.NOTED, self.status, self.status, require_aware(at or utcnow()), {"note": what, **details}
        )

    # --------------------------------------------------------------- internals
    def _move(
        self,
        action: Action,
        kind: EventKind,
        at: datetime | None,
        details: dict[str, str | None] | None = None,
        *,
        status_reason: str | None = None,
    ) -> None:
        target = target_of(action, self.status)
        if target is None:
            raise InvalidTransition(f"order {self.id}: cannot {action.value} while {self.status}")
        new_status = self._resolve(target)
        before = self.status
        self.status = new_status
        if status_reason is not None:
            self.status_reason = status_reason
        self._record(kind, before, new_status, require_aware(at or utcnow()), details or {})

    def _resolve(self, target: OrderStatus | Rule) -> OrderStatus:
        if isinstance(target, OrderStatus):
            return target
        if target is Rule.SAME:
            return self.status
        something_filled = self.filled_quantity > 0
        if target is Rule.WORKING:
            return OrderStatus.PARTIALLY_FILLED if something_filled else OrderStatus.SUBMITTED
        # Rule.AFTER_FILL
        if self.unfilled_quantity == 0:
            return OrderStatus.FILLED
        if self.status in (OrderStatus.SUBMITTED, OrderStatus.UNKNOWN):
            return OrderStatus.PARTIALLY_FILLED
        return self.status

    def _record(
        self,
        kind: EventKind,
        before: OrderStatus | None,
        after: OrderStatus,
        at: datetime,
        details: dict[str, str | None],
    ) -> None:
        event = OrderEvent(self.id, len(self.events) + 1, kind, before, after, at, dict(details))
        self.events.append(event)

    # ------------------------------------------------------------- comparison
    def state(self) -> dict[str, object]:
        """Everything that defines this order, for equality and for replay checks."""
        return {
            **self._creation_details(),
            "id": self.id,
            "created_at": self.created_at,
            "status": self.status,
            "broker_order_id": self.broker_order_id,
            "client_order_id": self.client_order_id,
            "status_reason": self.status_reason,
            "fills": list(self.fills),
            "events": list(self.events),
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Order) and self.state() == other.state()

    __hash__ = None  # type: ignore[assignment]


def _valid_symbol(symbol: str) -> str:
    if not isinstance(symbol, str) or not SYMBOL_PATTERN.match(symbol):
        raise OrderValidationError(
            f"symbol {symbol!r} is not a ticker (capital letters and digits, optionally a class suffix like BRK.B)",
            code="INVALID_SYMBOL",
        )
    return symbol


def _positive(value: object, what: str, code: str) -> Decimal:
    try:
        number = to_decimal(value, what)
    except (TypeError, ValueError) as exc:
        raise OrderValidationError(str(exc), code=code) from None
    if number <= 0:
        raise OrderValidationError(f"{what} must be positive, got {value}", code=code)
    return number


def _price(value: object, required: bool, what: str, code_stem: str) -> Decimal | None:
    if value is None:
        if required:
            raise OrderValidationError(f"this order type needs a {what}", code=f"MISSING_{code_stem}")
        return None
    if not required:
        raise OrderValidationError(f"this order type takes no {what}", code=f"UNEXPECTED_{code_stem}")
    return _positive(value, what, f"INVALID_{code_stem}")
