"""The adapter's own record of our orders and executions at IB, which outlives ib_async's session state.

ib_async forgets every trade and fill when the socket drops and keys trades by `(clientId, orderId)`, which IB may
reuse across gateway restarts. This book keys orders by our client order id (sent as `orderRef`), indexes them by
`permId` (IB's stable id) as soon as it is known and matches `permId` first; executions are keyed by `execId`, so
the same execution reported twice (live, again by reqExecutions after a reconnect) is recorded once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from adapters.ibkr.mapping import map_status, side_of, to_decimal
from oms.ports import FillReport, OrderReport, Side

_DONE = frozenset({"Filled", "Cancelled", "ApiCancelled", "Inactive"})


@dataclass
class Entry:
    """One of our orders as IB last showed it."""

    client_order_id: str
    symbol: str
    side: Side
    quantity: Decimal
    raw_status: str = "PendingSubmit"
    perm_id: int = 0
    filled: Decimal = Decimal(0)
    average_price: Decimal | None = None
    reason: str | None = None
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    rejected: bool = False
    # Set when ib_async marked the order Cancelled because of an error: the order may well still be live, so the
    # last status the gateway itself reported stands until a look at open and completed orders settles it.
    unconfirmed_cancel: str | None = None
    trade: Any = None  # the ib_async Trade of the current session, needed to cancel; None after a reconnect

    def touch(self, raw_status: str | None = None) -> None:
        """Record a change; `updated_at` moves only when something did change, so `since` reads stay small."""
        if raw_status is None or raw_status != self.raw_status:
            self.updated_at = datetime.now(UTC)
        if raw_status is not None:
            self.raw_status = raw_status


class OrderBook:
    """Our orders by client order id, with a permId index, and our executions by execId."""

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._by_perm: dict[int, str] = {}
        self._fills: dict[str, FillReport] = {}
        self._commissions: dict[str, Decimal] = {}

    # ---- orders ----------------------------------------------------------------------------------------------

    def get(self, client_order_id: str) -> Entry | None:
        return self._entries.get(client_order_id)

    def entries(self) -> list[Entry]:
        return list(self._entries.values())

    def track(self, client_order_id: str, symbol: str, side: Side, quantity: Decimal, trade: Any) -> Entry:
        """Start (or restart, after a definite reject) tracking an order we are sending now."""
        entry = Entry(client_order_id, symbol, side, quantity, trade=trade)
        self._entries[client_order_id] = entry
        return entry

    def match(self, trade: Any) -> Entry | None:
        """Find the entry of an ib_async Trade: by permId first, then by orderRef; learn an unknown one of ours."""
        order = trade.order
        perm_id = int(order.permId or trade.orderStatus.permId or 0)
        if perm_id and perm_id in self._by_perm:
            return self._entries[self._by_perm[perm_id]]
        ref = order.orderRef or ""
        if not ref:
            return None  # not placed by the OMS (manual TWS orders, other tools)
        entry = self._entries.get(ref)
        if entry is None:
            entry = Entry(
                ref, trade.contract.symbol, side_of(order.action), to_decimal(order.totalQuantity) or Decimal(0)
            )
            self._entries[ref] = entry
        if perm_id and not entry.perm_id:
            entry.perm_id = perm_id
            self._by_perm[perm_id] = ref
        return entry

    def absorb(self, trade: Any, *, open_at_gateway: bool = False) -> Entry | None:
        """Take what a Trade says the gateway reported: status and filled quantity."""
        entry = self.match(trade)
        if entry is None:
            return None
        status = trade.orderStatus.status
        log = getattr(trade, "log", None) or []
        from_error = status == "Cancelled" and bool(log) and bool(log[-1].errorCode)
        if open_at_gateway and status in _DONE:
            status = "Submitted"  # the gateway lists it among open orders: whatever ib_async inferred, it lives
            from_error = False
        if status == "ValidationError" and entry.raw_status in _DONE:
            status = entry.raw_status  # ib_async flags a warning even on a finished order; it stays finished
        if status == "Inactive" and "locate" in (trade.orderStatus.whyHeld or ""):
            status = "PreSubmitted"  # IB looks for shares to borrow: held, not dead
            entry.reason = "held by IB while it locates shares to borrow"
        if status == "Inactive" and entry.reason is None:
            # Rejected after the acknowledgement (201 and the like): keep IB's own words as the reason.
            said = [e for e in log if e.errorCode]
            entry.reason = f"{said[-1].errorCode}: {said[-1].message}" if said else entry.unconfirmed_cancel
        if from_error:
            entry.unconfirmed_cancel = f"{log[-1].errorCode}: {log[-1].message}"
        else:
            entry.unconfirmed_cancel = None
            entry.touch(status)
        filled = to_decimal(trade.orderStatus.filled) or Decimal(0)
        completed_filled = to_decimal(getattr(trade.order, "filledQuantity", None))
        most = max(entry.filled, filled, completed_filled or Decimal(0))
        if most != entry.filled:
            entry.filled = most
            entry.touch()
        average = to_decimal(trade.orderStatus.avgFillPrice)
        if average:
            entry.average_price = average
        return entry

    def settle_unconfirmed(self, open_perm_ids: set[int], completed_perm_ids: set[int]) -> list[Entry]:
        """After a look at the gateway, decide every cancel ib_async inferred from an error; return those settled."""
        settled = []
        for entry in self._entries.values():
            if entry.unconfirmed_cancel is None or entry.perm_id in open_perm_ids:
                continue
            entry.reason = entry.unconfirmed_cancel  # IB's own words, whichever way it ended
            if entry.perm_id not in completed_perm_ids:
                # Neither open nor completed at the gateway: the error did end it.
                entry.touch("Cancelled")
            entry.unconfirmed_cancel = None
            settled.append(entry)
        return settled

    def reject(self, entry: Entry, reason: str) -> None:
        """A definite reject of an order IB never showed (an orderRef IB has shown is never sent again)."""
        if entry.perm_id:
            return
        entry.rejected = True
        entry.reason = reason
        entry.touch("Inactive")

    # ---- executions ------------------------------------------------------------------------------------------

    def add_fill(self, fill: Any) -> FillReport | None:
        """Record one ib_async Fill; None when it was seen before or is not one of ours."""
        execution = fill.execution
        first = self._first_of(execution.execId)
        self.add_commission(first, getattr(fill.commissionReport, "commission", None))
        if first in self._fills:
            if first != execution.execId:  # a correction (.01 -> .02): the same execution, its figures replaced
                self._fills[first] = dataclasses.replace(
                    self._fills[first],
                    quantity=to_decimal(execution.shares) or Decimal(0),
                    price=to_decimal(execution.price) or Decimal(0),
                )
            return None
        perm_id = int(execution.permId or 0)
        ref = self._by_perm.get(perm_id) or execution.orderRef
        if not ref:
            return None
        entry = self._entries.get(ref)
        report = FillReport(
            exec_id=first,
            client_order_id=ref,
            broker_order_id=str(perm_id) if perm_id else "",
            symbol=fill.contract.symbol,
            side=side_of(execution.side),
            quantity=to_decimal(execution.shares) or Decimal(0),
            price=to_decimal(execution.price) or Decimal(0),
            at=execution.time.astimezone(UTC),
        )
        self._fills[first] = report
        if entry is not None:
            entry.touch()
        return report

    def _first_of(self, exec_id: str) -> str:
        """The id an execution is reported under: IB corrects one by re-sending it with the last part of its
        execId raised (`...01.01` -> `...01.02`). Every version is reported as `...01`, the original's id, so a
        correction (live, or the only version reqExecutions lists after a restart) is the same execution."""
        base, dot, suffix = exec_id.rpartition(".")
        if not dot or not suffix.isdigit():
            return exec_id
        return f"{base}.01"

    def add_commission(self, exec_id: str, commission: float | None) -> None:
        value = to_decimal(commission)
        if value:
            self._commissions[self._first_of(exec_id)] = value

    def fills(self) -> list[FillReport]:
        return [
            dataclasses.replace(f, commission=self._commissions.get(f.exec_id, f.commission))
            for f in sorted(self._fills.values(), key=lambda f: (f.at, f.exec_id))
        ]

    # ---- reports ---------------------------------------------------------------------------------------------

    def report(self, entry: Entry) -> OrderReport:
        """The port's view of one entry: quantities from executions when they say more than the status did."""
        fills = [f for f in self._fills.values() if f.client_order_id == entry.client_order_id]
        executed = sum((f.quantity for f in fills), Decimal(0))
        filled = max(entry.filled, executed)
        average = entry.average_price
        if executed and executed >= entry.filled:
            average = sum((f.quantity * f.price for f in fills), Decimal(0)) / executed
        return OrderReport(
            client_order_id=entry.client_order_id,
            broker_order_id=str(entry.perm_id) if entry.perm_id else "",
            symbol=entry.symbol,
            side=entry.side,
            quantity=entry.quantity,
            status=map_status(entry.raw_status, filled, entry.quantity),
            filled_quantity=filled,
            average_fill_price=average,
            reason=entry.reason,
            updated_at=entry.updated_at,
            raw_status=entry.raw_status,
        )
