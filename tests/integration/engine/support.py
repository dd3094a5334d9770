"""A real engine on a real ledger and simulated venue in a temporary folder, driven cycle by cycle."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from oms.bootstrap import Wiring, wire
from oms.config import load_settings
from oms.domain import Order
from oms.domain.market import Portfolio, Position
from oms.execution.identity import content_hash
from oms.planning.intake import load_recommendations
from oms.planning.plan import Plan, build_plan


def wiring_for(
    tmp_path: Path,
    *,
    broker: str = "sim",
    mode: str = "paper",
    holdings: Portfolio | None = None,
    **tables: dict[str, Any],
) -> Wiring:
    """An engine whose ledger and venue live in `tmp_path`; `tables` override config tables (e.g. sim={...}).

    `holdings` are what a new simulated venue opens with (cash and positions).
    """
    overrides: dict[str, Any] = {
        "data_dir": str(tmp_path),
        "sim": {"speed": 3000.0, "opening_positions": "", "starting_cash": 2_000_000, **tables.pop("sim", {})},
        "execution": {"poll_seconds": 0.01, "in_flight_seconds": 0.0, **tables.pop("execution", {})},
        "risk": {"market_hours": "off", **tables.pop("risk", {})},
        **tables,
    }
    settings = load_settings(**overrides)
    return wire(settings, broker_name=broker, mode=mode, actor="test", opening=holdings)


def opening(cash: str, **holdings: str) -> Portfolio:
    return Portfolio(Decimal(cash), {s: Position(s, Decimal(q)) for s, q in holdings.items()})


def plan_from_csv(wiring: Wiring, tmp_path: Path, rows: str, **changes: Any) -> Plan:
    """Plan a trade list written as CSV rows; `changes` replace fields of every planned order (e.g. algo)."""
    path = tmp_path / "trades.csv"
    path.write_text("symbol,action,shares\n" + rows)
    plan = build_plan(load_recommendations(path, wiring.master), None, wiring.master, wiring.planning)
    if changes:
        plan.orders = [dataclasses.replace(o, **changes) for o in plan.orders]
    return plan


async def start(wiring: Wiring, plan: Plan, *, supervised: bool = False) -> str:
    await wiring.broker.connect()
    batch, _ = wiring.engine.create_batch(
        plan, source="test", content_hash=content_hash(repr(plan.orders)), mode="paper", supervised=supervised
    )
    await wiring.engine.validate_batch(batch.id)
    return batch.id


async def run_until(
    wiring: Wiring, batch_id: str, done: Callable[[list[Order]], bool] | None = None, cycles: int = 2000
) -> list[Order]:
    """Cycle the engine until `done(orders)` (default: every order terminal) or fail after `cycles`."""
    done = done or (lambda orders: all(o.is_terminal for o in orders))
    for _ in range(cycles):
        await wiring.engine.cycle()
        orders = wiring.engine.batch_orders(batch_id)
        if done(orders):
            return orders
    raise AssertionError(
        f"batch {batch_id} not done after {cycles} cycles: {[(o.client_order_id, o.status.value) for o in orders]}"
    )
