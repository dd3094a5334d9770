"""Manual mode as a person works it: tickets, typed and imported fills, the next wave, a cancel."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e.oms_cli import EXAMPLE, POSITIONS, Oms

# The desk works whenever the person does: these tests must not depend on the hour they run at.
ANY_HOUR = {"OMS_RISK__MARKET_HOURS": "off"}
PRICES = {"SOXL": "28.5", "TLT": "93.4", "QQQ": "509.7", "AAPL": "237.2"}  # near the security master's


def manual_batch(oms: Oms) -> dict[str, Any]:
    (batch,) = oms.batches()
    return batch


def by_symbol(batch: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["symbol"]: o for o in batch["orders"]}


def fills_file(path: Path, *rows: tuple[str, str, str, str]) -> Path:
    lines = ["client_order_id,quantity,price,exec_id"] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_manual_batch_from_tickets_to_the_next_wave(tmp_path: Path) -> None:
    """Tickets of wave 1 print and go to files; partial and whole fills book; the fill ending wave 1 prints wave 2."""
    oms = Oms(tmp_path, ANY_HOUR)
    started = oms("run", EXAMPLE, "--mode", "manual", "--positions", POSITIONS)
    assert started.returncode == 0, started.stderr
    batch = manual_batch(oms)
    orders = by_symbol(batch)
    sells = [o for o in batch["orders"] if o["side"] == "sell"]
    buys = [o for o in batch["orders"] if o["side"] == "buy"]
    assert "Ticket 1 · wave 1 · SELL 410 TQQQ" in started.stdout
    markdown = oms.data / "tickets" / f"tickets-{batch['id']}.md"
    html = markdown.with_suffix(".html")
    for order in sells:
        assert order["status"] == "submitted"
        assert order["client_order_id"] in started.stdout
        assert order["client_order_id"] in markdown.read_text(encoding="utf-8")
        assert order["client_order_id"] in html.read_text(encoding="utf-8")
    for order in buys:
        assert order["status"] == "validated"
        assert order["client_order_id"] not in markdown.read_text(encoding="utf-8")

    markdown.unlink()
    html.unlink()
    again = oms("tickets", batch["id"])
    assert again.returncode == 0, again.stderr
    assert "Ticket 1 · wave 1 · SELL 410 TQQQ" in again.stdout
    assert markdown.exists()
    assert html.exists()

    tqqq = orders["TQQQ"]["client_order_id"]
    partial = oms("fill", tqqq, "--qty", "100", "--price", "80.50", "--exec-id", "E-1")
    assert partial.returncode == 0, partial.stderr
    tqqq_now = by_symbol(manual_batch(oms))["TQQQ"]
    assert (tqqq_now["status"], tqqq_now["filled_quantity"]) == ("partially_filled", "100")
    rest = oms("fill", tqqq, "--qty", "310", "--price", "80.55", "--exec-id", "E-2")
    assert rest.returncode == 0, rest.stderr

    # The broker's export repeats a row: it is booked once.
    soxl = orders["SOXL"]["client_order_id"]
    others = [o for o in sells if o["symbol"] not in ("TQQQ", "SPY")]
    rows = [(o["client_order_id"], o["quantity"], PRICES[o["symbol"]], f"X-{o['symbol']}") for o in others]
    imported = oms("fills", "import", fills_file(tmp_path / "fills.csv", *rows, rows[0]))
    assert imported.returncode == 0, imported.stderr
    assert "1 already booked" in imported.stdout
    assert by_symbol(manual_batch(oms))["SOXL"]["filled_quantity"] == orders["SOXL"]["quantity"]
    assert soxl == rows[0][0]

    last = oms("fill", orders["SPY"]["client_order_id"], "--qty", orders["SPY"]["quantity"], "--price", "602")
    assert last.returncode == 0, last.stderr
    after = manual_batch(oms)
    assert {o["status"] for o in after["orders"] if o["side"] == "sell"} == {"filled"}
    assert "wave 2 · BUY" in last.stdout
    for order in (o for o in after["orders"] if o["side"] == "buy"):
        assert order["status"] == "submitted"
        assert order["client_order_id"] in last.stdout
        assert order["client_order_id"] in markdown.read_text(encoding="utf-8")

    xlv = by_symbol(after)["XLV"]["client_order_id"]
    cancelled = oms("cancel", xlv)
    assert cancelled.returncode == 0, cancelled.stderr
    assert "XLV: cancelled" in cancelled.stdout
    assert by_symbol(manual_batch(oms))["XLV"]["status"] == "cancelled"


def test_a_fills_import_with_one_bad_row_books_nothing(tmp_path: Path) -> None:
    """An export whose second row would overfill its order is refused whole: exit 2, the first row not booked."""
    oms = Oms(tmp_path, ANY_HOUR)
    assert oms("run", EXAMPLE, "--mode", "manual", "--positions", POSITIONS).returncode == 0
    orders = by_symbol(manual_batch(oms))
    tlt, soxl = orders["TLT"]["client_order_id"], orders["SOXL"]["client_order_id"]
    bad = fills_file(tmp_path / "fills.csv", (tlt, "150", "93.4", "A-1"), (soxl, "900", "28.5", "A-2"))
    refused = oms("fills", "import", bad)
    assert refused.returncode == 2
    (line,) = refused.stderr.strip().splitlines()
    assert "overfill" in line
    assert "nothing was booked" in line
    assert {o["filled_quantity"] for o in manual_batch(oms)["orders"]} == {"0"}


def test_tickets_at_any_hour_with_the_market_hours_hold_on(tmp_path: Path) -> None:
    """With the default hold, a manual run prints wave 1's tickets whatever the hour: in the session as they are,
    outside it marked for the next open (the hour-by-hour cases are in tests/integration/engine)."""
    from datetime import UTC, datetime

    from oms.risk.calendar import TradingCalendar

    oms = Oms(tmp_path)
    session = TradingCalendar("XNYS").state(datetime.now(UTC))
    started = oms("run", EXAMPLE, "--mode", "manual", "--positions", POSITIONS)
    assert started.returncode == 0, started.stderr
    assert "Ticket 1 · wave 1 · SELL 410 TQQQ" in started.stdout
    sells = [o for o in manual_batch(oms)["orders"] if o["side"] == "sell"]
    assert {o["status"] for o in sells} == {"submitted"}
    marked = "for the open of"
    if session.is_open:
        assert marked not in started.stdout
    else:
        opens = session.next_open.astimezone(ZoneInfo("America/New_York"))
        assert f"{marked} {opens:%a %Y-%m-%d} (09:30 New York time)" in started.stdout
        assert all(o["reason"].startswith(f"a ticket {marked}") for o in sells)
        typed = oms("fill", sells[0]["client_order_id"], "--qty", "1", "--price", "10", "--force")
        assert typed.returncode == 2  # now is before the open it was ticketed for
        assert "before the open it was ticketed for" in typed.stderr
