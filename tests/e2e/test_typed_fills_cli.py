"""Fills typed by hand: New York wall time, times before the order or in the future, price collars, commission."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from oms.store import Ledger
from tests.e2e.oms_cli import EXAMPLE, POSITIONS, Oms

ANY_HOUR = {"OMS_RISK__MARKET_HOURS": "off"}
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def desk(tmp_path: Path) -> tuple[Oms, dict[str, dict[str, Any]]]:
    """A manual batch with wave 1's sells at the desk; its orders by symbol."""
    oms = Oms(tmp_path, {**ANY_HOUR, "TZ": "Asia/Tokyo"})  # the host's zone must not matter
    assert oms("run", EXAMPLE, "--mode", "manual", "--positions", POSITIONS).returncode == 0
    (batch,) = oms.batches()
    return oms, {o["symbol"]: o for o in batch["orders"]}


def filled(oms: Oms, symbol: str) -> str:
    (batch,) = oms.batches()
    return str(next(o["filled_quantity"] for o in batch["orders"] if o["symbol"] == symbol))


def new_york_wall(moment: datetime) -> str:
    return moment.astimezone(NEW_YORK).replace(tzinfo=None).isoformat(timespec="seconds")


def test_a_time_without_offset_is_new_york_time_and_is_booked(desk: tuple[Oms, dict[str, Any]]) -> None:
    """`--at` without an offset is New York wall time: a fill typed so is in the ledger, not lost before the order."""
    oms, orders = desk
    assert "New York" in oms("fill", "--help").stdout
    now = datetime.now(NEW_YORK)
    typed = oms(
        "fill", orders["TQQQ"]["client_order_id"], "--qty", "100", "--price", "80.50", "--at", new_york_wall(now)
    )
    assert typed.returncode == 0, typed.stderr
    assert "booked 1 fill(s)" in typed.stdout
    assert filled(oms, "TQQQ") == "100"


def test_a_fill_before_the_order_was_sent_or_in_the_future_is_refused(desk: tuple[Oms, dict[str, Any]]) -> None:
    """One line, exit 2, nothing booked, for a time before the order was sent and for one in the future."""
    oms, orders = desk
    tqqq = orders["TQQQ"]["client_order_id"]
    early = new_york_wall(datetime.now(NEW_YORK) - timedelta(hours=5))
    before = oms("fill", tqqq, "--qty", "100", "--price", "80.50", "--at", early)
    assert before.returncode == 2
    (line,) = before.stderr.strip().splitlines()
    assert "before the order was sent" in line
    later = (datetime.now(NEW_YORK) + timedelta(days=1)).isoformat(timespec="seconds")
    future = oms("fill", tqqq, "--qty", "100", "--price", "80.50", "--at", later)
    assert future.returncode == 2
    assert "in the future" in future.stderr
    assert "booked" not in before.stdout + future.stdout
    assert filled(oms, "TQQQ") == "0"


def test_a_price_outside_the_limit_or_collar_needs_force_and_commission_is_kept(
    desk: tuple[Oms, dict[str, Any]],
) -> None:
    """$1 against a sell limit of $80.46 is refused with the numbers; --force books it; the commission is kept."""
    oms, orders = desk
    tqqq = orders["TQQQ"]["client_order_id"]
    typo = oms("fill", tqqq, "--qty", "410", "--price", "1")
    assert typo.returncode == 2
    (line,) = typo.stderr.strip().splitlines()
    assert "price 1 is below the sell limit 80.46" in line
    assert filled(oms, "TQQQ") == "0"
    soxl = orders["SOXL"]["client_order_id"]
    far = oms("fill", soxl, "--qty", "800", "--price", "40")
    assert far.returncode == 2
    assert "outside the 10% collar" in far.stderr

    forced = oms("fill", soxl, "--qty", "800", "--price", "40", "--force", "--commission", "1.25")
    assert forced.returncode == 0, forced.stderr
    ledger = Ledger.open(f"sqlite:///{oms.data / 'oms.db'}")
    try:
        with ledger.reading() as uow:
            order = uow.orders.by_client_order_id(soxl)
    finally:
        ledger.close()
    assert order is not None
    assert (order.filled_quantity, order.commission) == (Decimal(800), Decimal("1.25"))


def test_fills_import_reports_every_bad_row_with_its_line_and_books_nothing(
    desk: tuple[Oms, dict[str, Any]], tmp_path: Path
) -> None:
    """Two bad rows (a price off the collar, a time before the order) are both reported by line; nothing books."""
    oms, orders = desk
    early = new_york_wall(datetime.now(NEW_YORK) - timedelta(hours=5))
    rows = [
        "client_order_id,quantity,price,at,commission",
        f"{orders['TLT']['client_order_id']},150,93.4,,0.5",
        f"{orders['SOXL']['client_order_id']},800,2.85,,0",
        f"{orders['AAPL']['client_order_id']},{orders['AAPL']['quantity']},237.2,{early},0",
    ]
    export = tmp_path / "fills.csv"
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = oms("fills", "import", export)
    assert result.returncode == 2
    lines = {
        line.split(f"{export}:")[1].split(":")[0]: line for line in result.stderr.splitlines() if f"{export}:" in line
    }
    assert "below the sell limit" in lines["3"]
    assert "before the order was sent" in lines["4"]
    assert "2" not in lines
    assert [filled(oms, s) for s in ("TLT", "SOXL", "AAPL")] == ["0", "0", "0"]
