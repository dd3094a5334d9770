"""Every Alpaca order status maps to ours, read through the real SDK; an unknown one never crashes."""

from __future__ import annotations

from decimal import Decimal

from adapters.alpaca import AlpacaBroker
from adapters.alpaca.mapping import STATUS_MAP
from oms.ports import ReportStatus
from tests.fakes.alpaca_emulator import AlpacaEmulator
from tests.fakes.alpaca_venue import EVERY_STATUS
from tests.integration.alpaca.conftest import order


async def test_every_alpaca_status_maps_as_documented(broker: AlpacaBroker, emulator: AlpacaEmulator) -> None:
    """Each of Alpaca's statuses, forced at the venue, is reported with the status the mapping table gives."""
    for n, word in enumerate(EVERY_STATUS):
        await broker.submit(order(f"st-{n}", 10))
        emulator.venue.set_status(f"st-{n}", word)
    reports = {r.client_order_id: r for r in await broker.order_reports(open_only=False)}
    for n, word in enumerate(EVERY_STATUS):
        report = reports[f"st-{n}"]
        assert report.raw_status == word
        assert report.status is STATUS_MAP[word], word
    assert set(EVERY_STATUS) <= set(STATUS_MAP)


async def test_statuses_are_refined_by_what_has_filled(broker: AlpacaBroker, emulator: AlpacaEmulator) -> None:
    """`calculated` with everything filled is filled; a GTC `done_for_day` keeps working; partial stays partial."""
    await broker.submit(order("calc", 10, limit="191.00"))
    emulator.venue.execute("calc", Decimal(10))
    emulator.venue.set_status("calc", "calculated")
    await broker.submit(order("part", 10, limit="191.00"))
    emulator.venue.execute("part", Decimal(4))
    emulator.venue.set_status("part", "new")
    reports = {r.client_order_id: r for r in await broker.order_reports(open_only=False)}
    assert reports["calc"].status is ReportStatus.FILLED
    assert reports["part"].status is ReportStatus.PARTIALLY_FILLED
    assert reports["part"].filled_quantity == Decimal(4)


async def test_an_unknown_status_is_treated_as_working(broker: AlpacaBroker, emulator: AlpacaEmulator) -> None:
    """A status Alpaca adds tomorrow is logged and reported as working, not a crash in the SDK's models."""
    await broker.submit(order("odd", 10))
    emulator.venue.set_status("odd", "brand_new_status")
    report = await broker.find_order("odd")
    assert report.status is ReportStatus.WORKING
    assert report.raw_status == "brand_new_status"
