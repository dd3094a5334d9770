"""Ticket files on disk: both written, whole, atomically, and a failed write leaves the previous files intact."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from oms.domain.enums import OrderType, Side, TimeInForce
from oms.reporting.tickets import Ticket, render_html, render_markdown, ticket_file_paths, write_ticket_files


def ticket(number: int, batch_id: str = "B7") -> Ticket:
    return Ticket(
        number=number,
        batch_id=batch_id,
        wave=1,
        symbol="SPY",
        side=Side.BUY,
        quantity=Decimal(10 * number),
        order_type=OrderType.MARKET,
        time_in_force=TimeInForce.DAY,
        client_order_id=f"{batch_id}-{number}",
        algorithm=f"One market order for {10 * number} shares",
    )


def test_writes_markdown_and_html_with_the_rendered_content(tmp_path: Path) -> None:
    """Both files exist in a new directory and hold exactly the renderings; no temporary file is left."""
    tickets = [ticket(1), ticket(2)]
    md_path, html_path = write_ticket_files(tickets, tmp_path / "tickets", "B7")
    assert md_path.read_text(encoding="utf-8") == render_markdown(tickets, "B7")
    assert html_path.read_text(encoding="utf-8") == render_html(tickets, "B7")
    assert sorted(path.name for path in (tmp_path / "tickets").iterdir()) == ["tickets-B7.html", "tickets-B7.md"]


def test_rewriting_replaces_the_previous_files(tmp_path: Path) -> None:
    """Releasing the next wave rewrites the same two files with the new content."""
    write_ticket_files([ticket(1)], tmp_path, "B7")
    md_path, _ = write_ticket_files([ticket(1), ticket(2)], tmp_path, "B7")
    assert "Ticket 2" in md_path.read_text(encoding="utf-8")


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the rename fails, the old file is untouched and the temporary file is removed."""
    md_path, _ = write_ticket_files([ticket(1)], tmp_path, "B7")
    before = md_path.read_text(encoding="utf-8")

    def refuse(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_ticket_files([ticket(1), ticket(2)], tmp_path, "B7")
    assert md_path.read_text(encoding="utf-8") == before
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".tmp")]


def test_tickets_of_another_batch_are_refused_before_writing(tmp_path: Path) -> None:
    """Mixing batches is a programming error: nothing is written."""
    with pytest.raises(ValueError, match="other batches: B8"):
        write_ticket_files([ticket(1), ticket(2, "B8")], tmp_path / "out", "B7")
    assert not (tmp_path / "out").exists()


def test_file_names_are_safe_whatever_the_batch_id(tmp_path: Path) -> None:
    """A batch id with path characters cannot escape the directory."""
    md_path, html_path = ticket_file_paths(tmp_path, "../../etc/passwd")
    assert md_path.parent == tmp_path
    assert html_path.name == "tickets-etc_passwd.html"
