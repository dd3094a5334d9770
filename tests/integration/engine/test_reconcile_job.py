"""The scheduler's reconcile job: clean after a run, and an order the ledger never made is flagged."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from oms.domain import OrderType, Side, TimeInForce
from oms.ports import OrderRequest
from tests.integration.engine.support import plan_from_csv, run_until, start, wiring_for


async def test_reconcile_after_a_run_is_clean_and_flags_strangers(tmp_path: Path) -> None:
    """Nothing differs after a finished batch; an order placed at the venue behind the OMS's back is reported."""
    wiring = wiring_for(tmp_path)
    batch_id = await start(wiring, plan_from_csv(wiring, tmp_path, "SPY,BUY,10\nAGG,BUY,20\n"))
    await run_until(wiring, batch_id)
    result = await wiring.engine.reconcile()
    assert result is not None
    assert result.clean, result.differences
    stranger = OrderRequest("zz-hand-typed-1", "SPY", Side.BUY, Decimal(1), OrderType.MARKET, TimeInForce.DAY)
    await wiring.broker.submit(stranger)
    result = await wiring.engine.reconcile()
    assert result is not None
    assert [d.kind for d in result.differences if d.subject == "zz-hand-typed-1"] == ["unknown_order"]
    await wiring.broker.close()
