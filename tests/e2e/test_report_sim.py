"""`oms run` on the simulator, then `oms report`: one clock, a real spread, the interval VWAP and participation.

Before issue 18 the same run reported time_to_first_fill_s -30134 (arrival on the wall clock, fills on the
simulator's session clock) and tagged every order NO_SPREAD.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tests.e2e.oms_cli import Oms, trades
from tests.htmlshape import shape_of


def test_sim_batch_reports_on_the_venue_clock_with_spread_and_vwap(tmp_path: Path) -> None:
    oms = Oms(tmp_path)
    assert oms("run", trades(tmp_path / "t.csv", "AAPL,SELL,3", "TLT,SELL,10")).returncode == 0
    (batch,) = oms.batches()
    html = tmp_path / "report.html"
    done = oms("report", batch["id"], "--json", "--html", str(html))
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["clock"] == "venue"
    for row in payload["orders"]:
        assert Decimal(row["time_to_first_fill_s"]) >= 0, row
        assert Decimal(row["time_to_completion_s"]) >= Decimal(row["time_to_first_fill_s"])
        assert row["clock"] == "venue"
        assert "NO_SPREAD" not in row["notes"]
        assert Decimal(row["spread_bps"]) > 0  # the simulator quoted a bid and an ask at arrival
        assert Decimal(row["shortfall_breakdown"]["spread"]) > 0
        assert row["interval_vwap"] is not None
        assert Decimal(row["market_volume"]) > 0  # the venue's bars while the order worked
        assert 0 <= Decimal(row["participation_pct"]) <= 100  # a few shares: rounds to 0.00 %
    assert payload["totals"]["participation_pct"] is not None
    shape = shape_of(html.read_text(encoding="utf-8"))
    assert shape.marks["timeline/fill"] >= 2
    assert "venue&#x27;s session clock" in html.read_text(encoding="utf-8")
