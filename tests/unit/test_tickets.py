"""Manual order tickets: every field, exactly formatted, in the terminal, Markdown and HTML renderings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from rich.console import Console

from oms.domain import Order
from oms.domain.enums import OrderType, Side, TimeInForce
from oms.reporting.tickets import Ticket, render_html, render_markdown, render_rich

D = Decimal
MADE = datetime(2026, 11, 24, 14, 35, 9, tzinfo=UTC)


def sell() -> Ticket:
    return Ticket(
        number=1,
        batch_id="B20261124-1",
        wave=1,
        symbol="TQQQ",
        side=Side.SELL,
        quantity=D("1000.000"),
        order_type=OrderType.LIMIT,
        time_in_force=TimeInForce.DAY,
        client_order_id="B20261124-1-1",
        algorithm="4 orders of 250 shares, one every 15 minutes",
        limit_price=D("71.2"),
        reference_price=D("71.35"),
        expected_cost_bps=D("12.35"),
        warnings=("Leveraged ETF (3x): a limit order protects against a fast market.",),
    )


def buy() -> Ticket:
    return Ticket(
        number=2,
        batch_id="B20261124-1",
        wave=2,
        symbol="SOXS",
        side=Side.BUY,
        quantity=D("12.5"),
        order_type=OrderType.LIMIT,
        time_in_force=TimeInForce.GTC,
        client_order_id="B20261124-1-2",
        algorithm="One limit order for 12.5 shares",
        limit_price=D("0.43"),
        expected_cost_bps=D(8),
        enter_after_wave=1,
    )


EXPECTED = [
    "Order tickets for batch B20261124-1",
    "Ticket 1",
    "Ticket 2",
    "wave 1",
    "wave 2",
    "TQQQ",
    "SELL",
    "1,000 shares",
    "Limit",
    "$71.20",
    "DAY: good for today's session only",
    "B20261124-1-1",
    "4 orders of 250 shares, one every 15 minutes",
    "12.4 bps (about $88.12)",
    "$71.35",
    "Leveraged ETF (3x): a limit order protects against a fast market.",
    "SOXS",
    "BUY",
    "12.5 shares",
    "$0.4300",
    "GTC: good till cancelled",
    "B20261124-1-2",
    "8.0 bps",
    "Enter after wave 1 has filled",
    "2 tickets in 2 waves, made 2026-11-24 14:35:09 UTC",
]


def terminal_text(tickets: list[Ticket]) -> str:
    console = Console(record=True, width=140, color_system=None)
    console.print(render_rich(tickets, "B20261124-1", MADE))
    return console.export_text()


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_expected_cost_in_dollars_is_to_the_cent() -> None:
    """1,000 x $71.35 x 12.35 bps = $88.11725, shown as $88.12."""
    assert sell().expected_cost_dollars == D("88.12")


@pytest.mark.parametrize("render", ["rich", "markdown", "html"])
def test_every_field_is_rendered_exactly(render: str) -> None:
    """Each rendering shows every field: quantities without float artefacts, prices to the tick, the wave note."""
    tickets = [buy(), sell()]
    if render == "rich":
        text = terminal_text(tickets)
    elif render == "markdown":
        text = render_markdown(tickets, "B20261124-1", MADE)
    else:
        parser = _TextOf()
        parser.feed(render_html(tickets, "B20261124-1", MADE))
        text = " ".join(parser.text)
    for expected in EXPECTED:
        assert expected in text, expected
    assert "1000.000" not in text
    assert "0.43 " not in text


def test_tickets_are_listed_by_wave_then_number() -> None:
    """The sell of wave 1 comes before the buy of wave 2 whatever order they are given in."""
    text = render_markdown([buy(), sell()], "B20261124-1")
    assert text.index("Ticket 1: SELL 1,000 TQQQ (wave 1)") < text.index("Ticket 2: BUY 12.5 SOXS (wave 2)")


def test_markdown_escapes_table_breaking_characters() -> None:
    """A pipe in a warning cannot split a Markdown table cell."""
    ticket = replace(sell(), algorithm="split | in two")
    text = render_markdown([ticket], "B20261124-1")
    assert "split \\| in two" in text


def test_html_is_self_contained_and_escaped() -> None:
    """The page has inline CSS, no scripts, no links to fetch, and escapes every value."""
    hostile = replace(sell(), warnings=("<script>alert(1)</script> & more",))
    page = render_html([hostile], "B<1>")
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page
    assert "@media print" in page
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert "B&lt;1&gt;" in page
    for fetch in ("http://", "https://", "<link", "src=", "@import", "url("):
        assert fetch not in page


def test_market_tickets_say_there_is_no_limit() -> None:
    """A market order ticket says "none (market order)" for the limit price and needs no reference price."""
    market = replace(sell(), order_type=OrderType.MARKET, limit_price=None, reference_price=None)
    text = render_markdown([market], "B20261124-1")
    assert "| Limit price | none (market order) |" in text
    assert "| Expected cost | 12.4 bps |" in text


def test_invalid_tickets_are_refused() -> None:
    """A limit ticket without a limit price, a zero quantity or a float price is a programming error."""
    with pytest.raises(ValueError, match="limit price"):
        replace(sell(), limit_price=None)
    with pytest.raises(ValueError, match="positive"):
        replace(sell(), quantity=D(0))
    with pytest.raises(TypeError, match="Decimal"):
        replace(sell(), limit_price=71.2)


def test_a_ticket_is_made_from_a_ledger_order() -> None:
    """Ticket.from_order copies the order's fields and uses its decision price as the reference price."""
    order = Order.create(
        "TQQQ",
        Side.SELL,
        "600",
        "limit",
        limit_price="71.28",
        order_id="o1",
        at=MADE,
        batch_id="B20261124-1",
        wave=1,
        decision_price=D("71.35"),
        expected_cost_bps=D("9.8"),
    )
    order.client_order_id = "B20261124-1-1"
    ticket = Ticket.from_order(order, number=1, algorithm="One limit order for 600 shares")
    assert (ticket.symbol, ticket.side, ticket.quantity, ticket.limit_price) == ("TQQQ", Side.SELL, D(600), D("71.28"))
    assert ticket.reference_price == D("71.35")
    assert ticket.expected_cost_dollars == D("41.95")
    assert ticket.client_order_id == "B20261124-1-1"


def test_an_order_without_a_client_order_id_cannot_be_a_ticket() -> None:
    """Without a client order id there is nothing to write on the broker ticket, so it is refused."""
    order = Order.create("SPY", Side.BUY, 1, order_id="o2", at=MADE, batch_id="B1")
    with pytest.raises(ValueError, match="client order id"):
        Ticket.from_order(order, number=1, algorithm="One market order for 1 share")
