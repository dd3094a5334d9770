"""`oms report` as a person runs it, on a ledger filled through the store's own API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from oms.domain import Batch
from oms.store import Ledger
from tests.htmlshape import shape_of
from tests.tca_samples import T0, at, sample_batch, submitted_order

OMS = str(Path(sys.executable).parent / "oms")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A ledger holding the sample batch (arrival prices noted by the 'engine') and a manual batch a day later."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    orders, _ = sample_batch()
    orders[0].note("arrival", at=at(0), arrival_price="50.10")
    orders[1].note("arrival", at=at(0), arrival_price="19.90")
    orders[4].note("arrival", at=at(0), arrival_price="401.00")
    manual = submitted_order("IBM", "buy", "10", decision="100", order_id="o-manual", batch_id="b-manual")
    manual.fill("typed-1", "10", "100.50", at(86_400 + 60), commission="1")  # typed in from a broker statement
    ledger = Ledger.open(url)
    try:
        with ledger.unit_of_work() as uow:
            uow.batches.add(Batch.create(batch_id="b-sample", at=T0, broker="sim"))
            uow.batches.add(Batch.create(batch_id="b-manual", at=at(86_400), broker="manual"))
            uow.orders.add_many([*orders, manual])
            uow.commit()
    finally:
        ledger.close()
    return url


@pytest.fixture
def marks(tmp_path: Path) -> Path:
    path = tmp_path / "marks.csv"
    path.write_text(
        "symbol,price,adv,spread_bps\nAAPL,50.50,50000,10\nMSFT,19.50,1000000,4\nSPY,11.40,80000,2\n"
        "TSLA,210,,\nQQQ,396.00,,\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def prices(tmp_path: Path) -> Path:
    path = tmp_path / "prices.csv"
    lines = ["at,symbol,price,volume"]
    lines += [f"{at(60 * n).isoformat()},SPY,{11 + n / 10:.2f},{1000 + 500 * n}" for n in range(6)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def oms(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMS_DATA_DIR": str(tmp_path), "OMS_LOGGING__FILE": str(tmp_path / "oms.jsonl")}
    env.pop("OMS_DATABASE_URL", None)
    return subprocess.run([OMS, *args], capture_output=True, text=True, env=env, timeout=60, check=False)


def test_report_json_gives_the_hand_computed_figures(db_url: str, marks: Path, prices: Path, tmp_path: Path) -> None:
    """--json prints each order and the totals; AAPL is 27.94 bps and $24.50, the batch $480.50 (see unit tests)."""
    done = oms(
        "report",
        "b-sample",
        "--json",
        "--marks",
        str(marks),
        "--prices",
        str(prices),
        "--db",
        db_url,
        tmp_path=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["batch_id"] == "b-sample"
    rows = {row["symbol"]: row for row in payload["orders"]}
    assert rows["AAPL"]["arrival_price"] == "50.1000"
    assert rows["AAPL"]["slippage_bps"] == "27.94"
    assert rows["AAPL"]["shortfall"] == "24.50"
    assert rows["MSFT"]["fill_rate"] == "75.00"
    assert rows["SPY"]["vs_vwap_bps"] == "-133.33"  # (11.10 - 11.25) / 11.25
    assert "REJECTED:RISK_MAX_ORDER_VALUE" in rows["TSLA"]["notes"]
    assert payload["totals"]["shortfall"] == "480.50"


def test_report_writes_html_and_prints_tables(db_url: str, marks: Path, tmp_path: Path) -> None:
    """--html writes a self-contained report with the charts; the terminal gets the order table."""
    out = tmp_path / "report.html"
    done = oms("report", "b-sample", "--html", str(out), "--marks", str(marks), "--db", db_url, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "AAPL" in done.stdout
    assert "HTML report written" in done.stdout
    shape = shape_of(out.read_text(encoding="utf-8"))
    assert shape.marks["bars/bar"] == 3
    assert shape.external == []
    assert not list(tmp_path.glob(".report.html.*"))  # no temporary file left behind


def test_across_batches_reuses_stored_results(db_url: str, marks: Path, tmp_path: Path) -> None:
    """After a marked batch report, --since sums its stored shortfall ($480.50) with the manual batch's."""
    first = oms("report", "b-sample", "--json", "--marks", str(marks), "--db", db_url, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    done = oms("report", "--since", "2026-03-01", "--json", "--db", db_url, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["batches"] == ["b-manual", "b-sample"]
    # manual IBM: 10 * (100.50 - 100) + 1 commission = 6; against the decision price, noted as a stand-in
    assert payload["totals"]["shortfall"] == "486.50"
    assert {g["key"] for g in payload["by_algo"]} == {"direct", "twap"}
    assert {g["key"] for g in payload["by_urgency"]} == {"high", "low", "normal"}
    ibm = next(g for g in payload["by_symbol"] if g["key"] == "IBM")
    assert ibm["slippage_bps"] == "50.00"


def test_since_a_later_date_leaves_earlier_batches_out(db_url: str, tmp_path: Path) -> None:
    """--since the manual batch's day reports that batch alone, measured afresh."""
    done = oms("report", "--since", "2026-03-03", "--json", "--db", db_url, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["batches"] == ["b-manual"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "b-nope"), "batch b-nope is not in the ledger"),
        (("report",), "give either a BATCH or --since DATE"),
        (("report", "--since", "last week"), "--since: 'last week' is not a date"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(db_url: str, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    """A wrong batch, a missing argument or a bad date: one clear line, exit code 2."""
    done = oms(*args, "--db", db_url, tmp_path=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_bad_marks_file_names_the_line_and_writes_nothing(db_url: str, tmp_path: Path) -> None:
    """A price that is not a number is reported as FILE:LINE: field: reason, and no HTML is written."""
    bad = tmp_path / "marks.csv"
    bad.write_text("symbol,price\nAAPL,50.5\nMSFT,abc\n", encoding="utf-8")
    out = tmp_path / "report.html"
    done = oms("report", "b-sample", "--marks", str(bad), "--html", str(out), "--db", db_url, tmp_path=tmp_path)
    assert done.returncode == 2
    assert f"{bad}:3: price: not a number: 'abc'" in done.stderr
    assert not out.exists()
