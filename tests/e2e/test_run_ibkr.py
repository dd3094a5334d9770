"""`oms run config/examples/rebalance.csv --broker ibkr` as a person runs it, against the fake TWS gateway.

The CLI runs in its own process (its own asyncio loop, the real ib_async client); the gateway runs in the test's
loop so the test can look at what reached it.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from pathlib import Path

from tests.fakes.ib_gateway import FakeIbGateway
from tests.fakes.run_ib_gateway import _load_positions

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "config" / "examples"


async def test_oms_run_with_ibkr_completes_against_the_fake_gateway(tmp_path: Path) -> None:
    """The example rebalance finishes through IBKR: whole-share orders filled once each, every order final."""
    gateway = FakeIbGateway(auto_fill=True, any_symbol=True)
    _load_positions(gateway, str(EXAMPLES / "positions.csv"))
    await gateway.start()
    env = os.environ | {
        "OMS_DATA_DIR": str(tmp_path),
        "OMS_IBKR_PORT": str(gateway.port),
        "OMS_IBKR_ACCOUNT": gateway.account,
        "OMS_RISK__MARKET_HOURS": "off",  # the fake has no session: do not wait for the exchange to open
        # One order per line rather than child orders spread over an hour of IB's (wall) clock.
        "OMS_GUIDANCE__SINGLE_ORDER_MAX_VALUE": "100000000",
        "OMS_GUIDANCE__SINGLE_ORDER_MAX_PCT_ADV": "1",
        "OMS_LOGGING__CONSOLE": "false",
        "OMS_LOGGING__FILE": str(tmp_path / "oms.jsonl"),
        "COLUMNS": "200",
    }
    command = [sys.executable, "-c", "from oms.cli import main; main()", "run", str(EXAMPLES / "rebalance.csv")]
    process = await asyncio.create_subprocess_exec(
        *command, "--broker", "ibkr", "--timeout", "60", cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    await gateway.stop()
    text = output.decode()
    assert process.returncode == 0, text
    assert "finished" in text
    refs = Counter(order.order_ref for order in gateway.orders.values())
    assert refs, "no order reached the gateway"
    assert max(refs.values()) == 1  # each client order id sent once
    assert all(order.status == "Filled" for order in gateway.orders.values())
    assert f"{len(refs)} filled" in text
